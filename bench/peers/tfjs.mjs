// The standard workloads (../workloads.ts) written the way a TensorFlow.js user writes them:
// tf.matMul for the M rows, tf.layers models with compile + trainOnBatch for the training
// steps, model.predict for I1, tf.basicLSTMCell inside tf.tidy for L3. Every function returns
// { fn, dispose }: fn is what gets timed, dispose frees what setup made, so tf.memory() stays
// flat from workload to workload.
//
// Choices a reader should know about (README.md repeats them):
//  - recurrentActivation: 'sigmoid' on LSTM/GRU. tfjs-layers defaults to 'hardSigmoid' (old
//    Keras); the workloads, PyTorch and recurrent use the logistic sigmoid, so we ask for it.
//  - tfjs GRU has no resetAfter (it throws if asked), so its GRU applies the reset gate before
//    the recurrent matmul (Keras v1 / Cho et al.); PyTorch and recurrent apply it after. Same
//    matmul sizes, same cost class.
//  - C1: tfjs-layers' 'sparseCategoricalCrossentropy' loss has no fromLogits option (and its
//    internal fromLogits path clips the logits to [eps, 1-eps] before the softmax), so the
//    idiomatic tfjs model ends in dense(65, softmax) with that loss, and Keras-style sparse
//    targets of shape (32, 64, 1) (float32 token ids: the loss floors them, and tf.floor
//    rejects int32). The extra softmax/log on a 2048 x 65 tensor is negligible next to the
//    two LSTMs.
//  - C1 on wasm: tfjs-backend-wasm lacks UnsortedSegmentSum (the embedding's gradient);
//    patchWasmKernels below supplies it.
//  - recurrentInitializer: 'glorotUniform' on every recurrent layer. The tfjs default,
//    'orthogonal', runs a QR decomposition in tfjs ops at build time, which takes minutes on the
//    cpu backend for C1's 256 x 1024 recurrent kernels (tfjs itself warns "Slowness may result").
//    Initial values do not change what a step costs, and none of this is timed.

const TRAIN = { B: 32, T: 64, I: 32, H: 128 };
/** Options every tfjs recurrent layer here gets (see above). */
const RECURRENT = { recurrentInitializer: 'glorotUniform' };
const GATED = { ...RECURRENT, recurrentActivation: 'sigmoid' };

function matmul(tf, n, variant) {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  const transposeA = variant === 'TN';
  const transposeB = variant === 'NT';
  return {
    fn: () => {
      const c = tf.matMul(a, b, transposeA, transposeB);
      c.dataSync();
      c.dispose();
    },
    dispose: () => tf.dispose([a, b]),
  };
}

function trainStep(tf, layer) {
  const { B, T, I, H } = TRAIN;
  const model = tf.sequential();
  const options = { units: H, returnSequences: true, inputShape: [T, I] };
  model.add(layer === 'simpleRNN' ? tf.layers.simpleRNN({ ...options, ...RECURRENT }) : tf.layers[layer]({ ...options, ...GATED }));
  model.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: I }) }));
  const optimizer = tf.train.adam(1e-3);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  const x = tf.randomNormal([B, T, I], 0, 1, 'float32', 3);
  const y = tf.randomNormal([B, T, I], 0, 1, 'float32', 4);
  return {
    fn: () => model.trainOnBatch(x, y),
    dispose: () => {
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

function tiny(tf) {
  const model = tf.sequential();
  model.add(tf.layers.lstm({ units: 32, inputShape: [32, 8], ...GATED }));
  model.add(tf.layers.dense({ units: 1 }));
  const optimizer = tf.train.adam(1e-3);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  const x = tf.randomNormal([1, 32, 8], 0, 1, 'float32', 5);
  const y = tf.randomNormal([1, 1], 0, 1, 'float32', 6);
  return {
    fn: () => model.trainOnBatch(x, y),
    dispose: () => {
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

function cellLatency(tf) {
  const I = 32, H = 128;
  const kernel = tf.randomNormal([I + H, 4 * H], 0, 0.1, 'float32', 7);
  const bias = tf.zeros([4 * H]);
  const forgetBias = tf.scalar(1);
  const x = tf.randomNormal([1, I], 0, 1, 'float32', 8);
  let c = tf.zeros([1, H]);
  let h = tf.zeros([1, H]);
  return {
    fn: () => {
      const [c2, h2] = tf.tidy(() => tf.basicLSTMCell(forgetBias, kernel, bias, x, c, h));
      c.dispose();
      h.dispose();
      c = c2;
      h = h2;
      h2.dataSync();
    },
    dispose: () => tf.dispose([kernel, bias, forgetBias, x, c, h]),
  };
}

function inference(tf) {
  const model = tf.sequential();
  model.add(tf.layers.lstm({ units: 128, returnSequences: true, inputShape: [256, 32], ...GATED }));
  const x = tf.randomNormal([1, 256, 32], 0, 1, 'float32', 9);
  return {
    fn: () => {
      const y = model.predict(x);
      y.dataSync();
      y.dispose();
    },
    dispose: () => {
      x.dispose();
      model.dispose();
    },
  };
}

function charModel(tf) {
  const V = 65, E = 64, H = 256, B = 32, T = 64;
  const model = tf.sequential();
  model.add(tf.layers.embedding({ inputDim: V, outputDim: E, inputLength: T }));
  model.add(tf.layers.lstm({ units: H, returnSequences: true, ...GATED }));
  model.add(tf.layers.lstm({ units: H, returnSequences: true, ...GATED }));
  model.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: V, activation: 'softmax' }) }));
  const optimizer = tf.train.adam(1e-3);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  const x = tf.randomUniform([B, T], 0, V, 'int32', 10);
  // Sparse targets must be float: the loss floors them, and tf.floor rejects int32.
  const y = tf.tidy(() => tf.randomUniform([B, T, 1], 0, V, 'int32', 11).toFloat());
  return {
    fn: () => model.trainOnBatch(x, y),
    dispose: () => {
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** name -> setup(tf) for every standard workload. */
export const TFJS_WORKLOADS = {
  'M64-NN': (tf) => matmul(tf, 64, 'NN'),
  'M128-NN': (tf) => matmul(tf, 128, 'NN'),
  'M256-NN': (tf) => matmul(tf, 256, 'NN'),
  'M512-NN': (tf) => matmul(tf, 512, 'NN'),
  'M256-NT': (tf) => matmul(tf, 256, 'NT'),
  'M256-TN': (tf) => matmul(tf, 256, 'TN'),
  L1: (tf) => trainStep(tf, 'lstm'),
  G1: (tf) => trainStep(tf, 'gru'),
  R1: (tf) => trainStep(tf, 'simpleRNN'),
  L2: tiny,
  L3: cellLatency,
  I1: inference,
  C1: charModel,
};

/**
 * tfjs-backend-wasm 4.22 has no UnsortedSegmentSum kernel, which the gradient of tf.gather —
 * and so of tf.layers.embedding — needs: C1 fails with "Kernel 'UnsortedSegmentSum' not
 * registered for backend 'wasm'". A tfjs user has to supply it; this registers a plain JS
 * kernel (read the inputs off the wasm heap, sum rows into segments, write the result back).
 * It only runs in C1's backward pass, on a 2048 x 64 gradient: microseconds next to the LSTMs.
 * Returns whether it registered anything.
 */
export function patchWasmKernels(tf) {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return false;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs;
      const { numSegments } = attrs;
      const values = backend.readSync(x.dataId);
      const ids = backend.readSync(segmentIds.dataId);
      const inner = ids.length === 0 ? 0 : values.length / ids.length;
      const out = new Float32Array(numSegments * inner);
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i];
        if (s < 0 || s >= numSegments) continue;
        for (let j = 0, o = s * inner, p = i * inner; j < inner; j++) out[o + j] += values[p + j];
      }
      return backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], 'float32', undefined, out);
    },
  });
  return true;
}
