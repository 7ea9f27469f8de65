// The standard workloads (../workloads.ts) that jax-js (@jax-js/jax, its WebAssembly device)
// can express, written the way a jax-js user writes them: jit-compiled functions of arrays,
// valueAndGrad for gradients, a hand-written Adam (the optimizers are in a separate package,
// @jax-js/optax). Every function returns { fn, dispose }: fn is what gets timed (it reads the
// result back with dataSync, so the work is done), dispose frees what setup made.
//
// jax-js has no recurrent layers and no loop primitive (lax has no scan or fori_loop), so a
// recurrent layer is the Python-style loop over time unrolled inside the traced function: L1
// is written that way (64 steps of an LSTM cell, forward and backward in one jit; the first
// call, which traces and compiles it, takes about 13 s). The other recurrent rows could be
// unrolled the same way but are not written here: G1 / R1, L2 / L3 / I1, C1 / C4 (which also
// need an embedding's gradient) and L4 (128 unrolled steps).

/** Why the rows outside JAX_WORKLOADS are not run (printed in the notes). */
export const JAX_CANNOT = 'jax-js has no recurrent layers and no scan; only the products and L1 (an LSTM unrolled in one jit) are written for it';

function matmul(jax, n, variant) {
  const { numpy: np, jit, random } = jax;
  const a = random.normal(random.key(1), [n, n]);
  const b = random.normal(random.key(2), [n, n]);
  const product = jit(
    variant === 'NN' ? (x, y) => np.matmul(x, y) : variant === 'NT' ? (x, y) => np.matmul(x, np.transpose(y)) : (x, y) => np.matmul(np.transpose(x), y),
  );
  return {
    fn: () => {
      product(a.ref, b.ref).dataSync(); // consumes the result
    },
    dispose: () => {
      a.dispose();
      b.dispose();
      product.dispose?.();
    },
  };
}

/** L1: LSTM B32 T64 I32 H128, Linear 128 -> 32 on every step, MSE, Adam (lr 1e-3). */
function lstmStep(jax) {
  const { numpy: np, jit, random, valueAndGrad, nn, tree } = jax;
  const B = 32, T = 64, I = 32, H = 128;
  const keys = [3, 4, 5, 6, 7].map((seed) => random.key(seed));
  const scale = 1 / Math.sqrt(H);
  const uniform = (k, shape) => random.uniform(k, shape, { minval: -scale, maxval: scale });
  let params = {
    wih: uniform(keys[0], [I, 4 * H]),
    whh: uniform(keys[1], [H, 4 * H]),
    b: uniform(keys[2], [4 * H]),
    wout: uniform(keys[3], [H, I]),
    bout: uniform(keys[4], [I]),
  };
  const x = random.normal(random.key(8), [T, B, I]);
  const y = random.normal(random.key(9), [T, B, I]);

  const loss = (p, xs, ys) => {
    let h = np.zeros([B, H]);
    let c = np.zeros([B, H]);
    const outs = [];
    const inputs = np.unstack(xs);
    for (let t = 0; t < T; t++) {
      const z = np.matmul(inputs[t], p.wih.ref).add(np.matmul(h, p.whh.ref)).add(p.b.ref);
      const [zi, zf, zg, zo] = np.split(z, 4, 1);
      c = nn.sigmoid(zf).mul(c).add(nn.sigmoid(zi).mul(np.tanh(zg)));
      h = nn.sigmoid(zo).mul(np.tanh(c.ref));
      outs.push(h.ref);
    }
    h.dispose();
    c.dispose();
    for (const k of ['wih', 'whh', 'b']) p[k].dispose();
    const out = np.matmul(np.stack(outs), p.wout).add(p.bout);
    return np.mean(np.square(out.sub(ys)));
  };

  const beta1 = 0.9, beta2 = 0.999, eps = 1e-8, lr = 1e-3;
  const zeros = () => tree.map((v) => np.zerosLike(v.ref), params);
  let m = zeros(), v = zeros();
  // One jit: loss and gradients, then the Adam update with the bias corrections passed in.
  const step = jit((p, m0, v0, xs, ys, c1, c2) => {
    const [value, g] = valueAndGrad(loss)(tree.map((a) => a.ref, p), xs, ys);
    const m1 = tree.map((mk, gk) => mk.mul(beta1).add(gk.ref.mul(1 - beta1)), m0, g);
    const v1 = tree.map((vk, gk) => vk.mul(beta2).add(gk.ref.mul(gk).mul(1 - beta2)), v0, g);
    const p1 = tree.map((pk, mk, vk) => pk.sub(mk.ref.mul(c1.ref).div(np.sqrt(vk.ref.mul(c2.ref)).add(eps)).mul(lr)), p, m1, v1);
    c1.dispose();
    c2.dispose();
    return [value, p1, m1, v1];
  });
  let t = 0;
  return {
    fn: () => {
      t++;
      const [value, p1, m1, v1] = step(params, m, v, x.ref, y.ref, np.array(1 / (1 - beta1 ** t)), np.array(1 / (1 - beta2 ** t)));
      value.dataSync(); // consumes it
      params = p1;
      m = m1;
      v = v1;
    },
    dispose: () => {
      for (const a of [params, m, v]) tree.map((leaf) => leaf.dispose(), a);
      x.dispose();
      y.dispose();
    },
  };
}

/** The rows jax-js runs, by name: each takes the jax module and returns { fn, dispose }. */
export const JAX_WORKLOADS = {
  'M64-NN': (jax) => matmul(jax, 64, 'NN'),
  'M128-NN': (jax) => matmul(jax, 128, 'NN'),
  'M256-NN': (jax) => matmul(jax, 256, 'NN'),
  'M512-NN': (jax) => matmul(jax, 512, 'NN'),
  'M256-NT': (jax) => matmul(jax, 256, 'NT'),
  'M256-TN': (jax) => matmul(jax, 256, 'TN'),
  L1: lstmStep,
};

/** Loads jax-js on its WebAssembly device; returns its info and the runnable workloads. */
export async function loadJax() {
  const jax = await import('@jax-js/jax');
  const { readFileSync } = await import('node:fs');
  const devices = await jax.init();
  if (!devices.includes('wasm')) throw new Error(`jax-js has no wasm device here (devices: ${devices.join(', ')})`);
  jax.defaultDevice('wasm');
  const pkg = JSON.parse(readFileSync(new URL('./node_modules/@jax-js/jax/package.json', import.meta.url), 'utf8'));
  const info = {
    version: pkg.version,
    device: 'wasm',
    note: `wasm device; its worker pool needs the Web Worker global, which Node lacks (typeof Worker: ${typeof Worker}), so it runs on one thread`,
  };
  const workloads = Object.fromEntries(Object.entries(JAX_WORKLOADS).map(([name, make]) => [name, async () => make(jax)]));
  return { info, workloads };
}
