/** The training script the installed-package tests run in a consumer project. */

/**
 * Trains a small LSTM and prints the bits of its weights, its losses and how the pool ran:
 * `node FILE THREADS [BACKEND]`, where THREADS 'env' leaves the count to RECURRENT_THREADS.
 * A script body for the ESM and CommonJS consumers of test/threads/package.test.ts and for
 * test/runtimes/node-versions.test.ts.
 */
export const TRAIN = `
const warnings = [];
process.on('warning', (w) => warnings.push(w.message));
const [arg, backend] = process.argv.slice(2);
if (backend !== undefined) setBackend(backend);
if (arg !== 'env') setNumThreads(Number(arg));
// Until the workers are up, or have failed and warned (without a view of the pool, a second).
const started = Date.now();
const waiting = () => (pool() === null ? Date.now() - started < 1000 : pool().ready < getNumThreads() && Date.now() - started < 20000);
while (getNumThreads() > 1 && warnings.length === 0 && waiting()) await new Promise((r) => setTimeout(r, 10));
// Hidden 64: each layer's time loop (12 x 16 x 64 x 256 multiply-adds) is worth splitting.
const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 64, numLayers: 2, batchFirst: true, seed: 1 });
const head = new nn.Linear({ inFeatures: 64, outFeatures: 1, seed: 2 });
const params = [...lstm.parameters(), ...head.parameters()];
const optimizer = new optim.Adam(params, { lr: 0.02 });
const x = randn([16, 12, 3], { generator: new Generator(3) });
const y = x.sum(1).narrow(1, 0, 1);
const losses = [];
for (let step = 0; step < 8; step++) {
  const loss = F.mseLoss(head.forward(lstm.forward(x).output.select(1, 11)), y);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  losses.push(loss.item());
}
const bits = params.map((p) => Array.from(new Int32Array(p.data.slice().buffer)).join(',')).join(';');
let hash = 2166136261;
for (let i = 0; i < bits.length; i++) hash = Math.imul(hash ^ bits.charCodeAt(i), 16777619) >>> 0;
console.log(JSON.stringify({ version: process.version, threads: getNumThreads(), backend: getBackend(), hash, losses, threadedRuns: pool()?.threadedRuns ?? 0, warnings }));
`;

/** TRAIN as an ES module in the consumer project. */
export const ESM = `import { F, Generator, getBackend, getNumThreads, nn, optim, randn, setBackend, setNumThreads } from 'recurrent/node';
// The pool, to see that it ran: the installed module that recurrent/node itself uses.
import { kernelPool as pool } from './node_modules/recurrent/dist/kernels/threads.js';
${TRAIN}`;
