/**
 * Threads in the package as a user installs it (`npm pack`, then `npm install` of the tarball
 * into a fresh project): recurrent/node starts its workers from the worker script in dist/,
 * in the ESM and the CommonJS build, by setNumThreads(2) or RECURRENT_THREADS=2, and training
 * gives the same bits with 2 threads as with 1. The processes exit on their own (the workers
 * do not keep them alive).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, run } from '../runtimes/helpers.js';

let dir = '';

/** Trains a small LSTM and prints the bits of its weights, and how the pool ran. */
const TRAIN = `
const warnings = [];
process.on('warning', (w) => warnings.push(w.message));
const arg = process.argv[2];
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
for (let step = 0; step < 8; step++) {
  const loss = F.mseLoss(head.forward(lstm.forward(x).output.select(1, 11)), y);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
}
const bits = params.map((p) => Array.from(new Int32Array(p.data.slice().buffer)).join(',')).join(';');
let hash = 2166136261;
for (let i = 0; i < bits.length; i++) hash = Math.imul(hash ^ bits.charCodeAt(i), 16777619) >>> 0;
console.log(JSON.stringify({ threads: getNumThreads(), backend: getBackend(), hash, threadedRuns: pool()?.threadedRuns ?? 0, warnings }));
`;

const ESM = `import { F, Generator, getBackend, getNumThreads, nn, optim, randn, setNumThreads } from 'recurrent/node';
// The pool, to see that it ran: the installed module that recurrent/node itself uses.
import { kernelPool as pool } from './node_modules/recurrent/dist/kernels/threads.js';
${TRAIN}`;

const CJS = `'use strict';
const { F, Generator, getBackend, getNumThreads, nn, optim, randn, setNumThreads } = require('recurrent/node');
const pool = () => null; // the CommonJS core is one bundled chunk: its pool is not reachable from here
(async () => {
${TRAIN}
})();`;

interface Output {
  threads: number;
  backend: string;
  hash: number;
  threadedRuns: number;
  warnings: string[];
}

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'recurrent-threads-'));
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { timeoutMs: 60_000 });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'threads-consumer', private: true, type: 'module' }));
  await run('npm', ['install', `./${tarball}`, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, timeoutMs: 120_000 });
  writeFileSync(join(dir, 'esm.mjs'), ESM);
  writeFileSync(join(dir, 'cjs.cjs'), CJS);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function train(file: string, arg: string, env: NodeJS.ProcessEnv = {}): Promise<Output> {
  const inherited = { ...process.env };
  delete inherited['RECURRENT_KERNEL_WORKER']; // the test setup's copy: here the package must find its own
  delete inherited['RECURRENT_THREADS'];
  const out = await run(process.execPath, [file, arg], { cwd: dir, env: { ...inherited, ...env }, timeoutMs: 90_000 });
  return JSON.parse(out.stdout.trim()) as Output;
}

describe('threads in the installed package', () => {
  it('ESM: setNumThreads(2) and RECURRENT_THREADS=2 run workers from dist/ and give the bits of 1 thread', async () => {
    const one = await train('esm.mjs', '1');
    const two = await train('esm.mjs', '2');
    const env = await train('esm.mjs', 'env', { RECURRENT_THREADS: '2' });
    console.log(`ESM: 1 thread ${one.hash}, 2 threads ${two.hash} (${two.threadedRuns} threaded runs), RECURRENT_THREADS=2 ${env.hash} (${env.threadedRuns})`);
    expect([one.threads, one.threadedRuns, one.warnings]).toEqual([1, 0, []]);
    for (const got of [two, env]) {
      expect(got.backend).toBe('wasm');
      expect(got.threads).toBe(2);
      expect(got.warnings).toEqual([]);
      expect(got.threadedRuns).toBeGreaterThan(0);
      expect(got.hash).toBe(one.hash);
    }
  });

  it('CommonJS: setNumThreads(2) starts workers without a warning and gives the bits of 1 thread', async () => {
    const one = await train('cjs.cjs', '1');
    const two = await train('cjs.cjs', '2');
    expect([two.threads, two.warnings]).toEqual([2, []]);
    expect(two.hash).toBe(one.hash);
  });

  it('warns and runs on one thread when the worker script is missing', async () => {
    const out = await train('esm.mjs', '2', { RECURRENT_KERNEL_WORKER: join(dir, 'missing.js') });
    expect(out.warnings.join('\n')).toMatch(/kernel worker 1 failed .*missing\.js.*running on fewer threads/);
    expect(out.threadedRuns).toBe(0);
  });
});
