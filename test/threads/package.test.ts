/**
 * Threads in the package as a user installs it (`npm pack`, then `npm install` of the tarball
 * into a fresh project): recurrent/node starts its workers from the worker script in dist/,
 * in the ESM and the CommonJS build, by setNumThreads(2) or RECURRENT_THREADS=2, and training
 * gives the same bits with 2 threads as with 1. The processes exit on their own (the workers
 * do not keep them alive).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPacked, run } from '../runtimes/helpers.js';
import { ESM, TRAIN } from './train-script.js';

let dir = '';

const CJS = `'use strict';
const { F, Generator, getBackend, getNumThreads, nn, optim, randn, setBackend, setNumThreads } = require('recurrent/node');
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
  dir = (await installPacked('threads-consumer')).dir;
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
