/**
 * The differential fuzzer: seeded random programs (programs.ts) run on the JS backend, on the
 * WASM backend, and on the WASM backend with two threads splitting every product and time loop.
 * WASM with two threads must give the bits of one thread; WASM and JS must agree to float32
 * rounding, within FUZZ (test/tolerances.ts) of each array's largest magnitude.
 *
 * `npm test` runs RECURRENT_FUZZ_RUNS programs (default 100) from RECURRENT_FUZZ_SEED (default
 * 1); a longer run: RECURRENT_FUZZ_RUNS=2000 npx vitest run --project wasm test/fuzz. A failure
 * names the seed and the command that replays it alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackend, setBackend } from '../../src/index.js';
import { wasmKernels } from '../../src/kernels/backend.js';
import { ContentionGuard, kernelPool, parallelWork, setKernelPool } from '../../src/kernels/threads.js';
import { NodeKernelPool } from '../../src/node/threads.js';
import { FUZZ } from '../tolerances.js';
import { runProgram, type Record_ } from './programs.js';

const runs = Number(process.env['RECURRENT_FUZZ_RUNS'] ?? 100);
const first = Number(process.env['RECURRENT_FUZZ_SEED'] ?? 1);
const initial = getBackend();
const minimum = parallelWork.minimum;
let pool: NodeKernelPool;

beforeAll(async () => {
  pool = new NodeKernelPool(1, wasmKernels()!, new ContentionGuard(Infinity));
  const started = Date.now();
  while (pool.ready < 2) {
    if (Date.now() - started > 30_000) throw new Error('the kernel worker did not start within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
});

afterAll(() => {
  setKernelPool(null);
  pool.close();
  parallelWork.minimum = minimum;
  setBackend(initial);
});

/** The program on one configuration. */
function on(config: 'js' | 'wasm' | 'wasm2', seed: number): Record_ {
  setBackend(config === 'js' ? 'js' : 'wasm');
  if (config === 'wasm2') {
    setKernelPool(pool);
    parallelWork.minimum = 0;
  }
  try {
    return runProgram(seed);
  } finally {
    setKernelPool(null);
    parallelWork.minimum = minimum;
  }
}

/** Why two runs differ (the first array that does), or null. */
function difference(a: Record_, b: Record_, exact: boolean): string | null {
  if (a.length !== b.length) return `${a.length} arrays against ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const [name, x] = a[i]!;
    const [nameB, y] = b[i]!;
    if (name !== nameB || x.length !== y.length) return `array ${i}: ${name} [${x.length}] against ${nameB} [${y.length}]`;
    let scale = 1;
    for (const v of x) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    for (let j = 0; j < x.length; j++) {
      const [p, q] = [x[j]!, y[j]!];
      if (exact ? Object.is(p, q) : (Number.isNaN(p) && Number.isNaN(q)) || p === q || Math.abs(p - q) <= FUZZ.atol * scale + FUZZ.rtol * Math.abs(q)) continue;
      return `${name}[${j}]: ${p} against ${q}`;
    }
  }
  return null;
}

describe('differential fuzzer: JS, WASM and WASM on two threads agree', () => {
  it(`on ${runs} random programs from seed ${first}`, () => {
    expect(kernelPool()).toBe(null);
    for (let seed = first; seed < first + runs; seed++) {
      const replay = `replay: RECURRENT_FUZZ_SEED=${seed} RECURRENT_FUZZ_RUNS=1 npx vitest run --project wasm test/fuzz`;
      let js: Record_, wasm: Record_, wasm2: Record_;
      try {
        [js, wasm, wasm2] = [on('js', seed), on('wasm', seed), on('wasm2', seed)];
      } catch (e) {
        throw new Error(`seed ${seed} threw: ${e instanceof Error ? e.stack : String(e)}\n${replay}`);
      }
      const threads = difference(wasm, wasm2, true);
      if (threads !== null) expect.fail(`seed ${seed}: WASM on 1 and 2 threads differ: ${threads}\n${replay}`);
      const backends = difference(wasm, js, false);
      if (backends !== null) expect.fail(`seed ${seed}: WASM and JS differ: ${backends}\n${replay}`);
    }
  });
});
