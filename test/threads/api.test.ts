/**
 * setNumThreads / getNumThreads: validation, the error without a platform, the Node starter
 * (clamped to the core count, workers in the background, 1 closes them), and recurrent/node's
 * environment variables.
 */
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { getBackend, getNumThreads, setBackend, setNumThreads } from '../../src/index.js';
import { kernelPool, parallelism, setThreadStarter } from '../../src/kernels/threads.js';
import { nodeThreadStarter, NodeKernelPool, setupNode } from '../../src/node/threads.js';
import { expectRejected } from '../helpers.js';
import { whenReady } from './helpers.js';

const CORES = availableParallelism();

afterEach(() => {
  setThreadStarter(nodeThreadStarter);
  setNumThreads(1);
  setThreadStarter(null);
  delete process.env['RECURRENT_THREADS'];
  delete process.env['RECURRENT_BACKEND'];
});

describe('setNumThreads', () => {
  it('is 1 by default and rejects counts that are not integers >= 1, changing nothing', () => {
    expect(getNumThreads()).toBe(1);
    setThreadStarter(nodeThreadStarter);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2', null]) {
      const e = expectRejected(() => setNumThreads(bad as number), 'setNumThreads', 'argument');
      expect(e.message).toMatch(/^setNumThreads: n must be an integer >= 1, got /);
      expect(getNumThreads()).toBe(1);
      expect(kernelPool()).toBeNull();
    }
  });

  it('says to use recurrent/node when no platform provides threads', () => {
    setThreadStarter(null);
    const e = expectRejected(() => setNumThreads(2), 'setNumThreads', 'state');
    expect(e.message).toMatch(/in Node, use the recurrent\/node entry \(loading it registers worker threads\)/);
    expect(getNumThreads()).toBe(1);
    setNumThreads(1); // one thread needs no platform
    expect(getNumThreads()).toBe(1);
  });

  it('starts worker threads in the background, at most one per core, and 1 stops them', async () => {
    setThreadStarter(nodeThreadStarter);
    setNumThreads(2);
    expect(getNumThreads()).toBe(Math.min(2, CORES));
    if (CORES < 2) return;
    const pool = kernelPool();
    expect(pool).toBeInstanceOf(NodeKernelPool);
    await whenReady(pool as NodeKernelPool, 2);
    expect(parallelism()).toBe(pool!.ready);
    setNumThreads(2); // the same count keeps the pool
    expect(kernelPool()).toBe(pool);
    setNumThreads(CORES + 5);
    expect(getNumThreads()).toBe(CORES);
    setNumThreads(1);
    expect([getNumThreads(), kernelPool(), parallelism(), pool!.ready]).toEqual([1, null, 1, 1]);
  });
});

describe('recurrent/node environment', () => {
  it('RECURRENT_THREADS sets the thread count and RECURRENT_BACKEND the backend', () => {
    const before = getBackend();
    process.env['RECURRENT_THREADS'] = '2';
    process.env['RECURRENT_BACKEND'] = 'js';
    try {
      setupNode();
      expect([getNumThreads(), getBackend()]).toEqual([Math.min(2, CORES), 'js']);
    } finally {
      setBackend(before);
    }
  });

  it('rejects a RECURRENT_THREADS that is not a count, and a RECURRENT_BACKEND that is not a backend', () => {
    process.env['RECURRENT_THREADS'] = 'many';
    expect(() => setupNode()).toThrow(/^RECURRENT_THREADS: must be an integer >= 1, got "many"/);
    delete process.env['RECURRENT_THREADS'];
    process.env['RECURRENT_BACKEND'] = 'gpu';
    expect(() => setupNode()).toThrow(/^setBackend: name must be 'js' or 'wasm', got "gpu"/);
    expect(getNumThreads()).toBe(1);
  });
});
