/**
 * The Node kernel pool runs real kernel calls on worker threads over the shared memory: the
 * same bits as one thread, many short runs in a row (with workers asleep in between), workers
 * that boot late, a closed pool, and a call that fails on a worker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ContentionGuard, kernelCall, runJobs, setKernelPool, type KernelCall } from '../../src/kernels/threads.js';
import { NodeKernelPool } from '../../src/node/threads.js';
import { exportsOf, kernels, whenReady } from './helpers.js';
import { bits, Product } from './product.js';

const pools: NodeKernelPool[] = [];
/** A pool that never falls back (the machine is shared: here every run must reach the workers). */
function newPool(workers: number): NodeKernelPool {
  const pool = new NodeKernelPool(workers, kernels(), new ContentionGuard(Infinity));
  pools.push(pool);
  return pool;
}

/** A new pool whose workers are all up. */
async function startedPool(workers: number): Promise<NodeKernelPool> {
  const pool = newPool(workers);
  await whenReady(pool, workers + 1);
  return pool;
}

afterEach(() => {
  setKernelPool(null);
  for (const pool of pools.splice(0)) pool.close();
});

describe('NodeKernelPool', () => {
  it('runs row chunks of a product on 2 threads with the bits of 1 thread', async () => {
    const k = kernels();
    const pool = await startedPool(1);
    expect(pool.ready).toBe(2);
    for (const [m, inner, n] of [[64, 96, 80], [7, 5, 3], [33, 130, 17]] as const) {
      const p = new Product(k, m, inner, n);
      runJobs(exportsOf(k), p.jobs(2));
      const one = p.take();
      setKernelPool(pool);
      runJobs(exportsOf(k), p.jobs(2));
      setKernelPool(null);
      const two = p.take();
      expect(one.some(Number.isNaN), 'one thread filled C').toBe(false);
      expect(bits(two), `${m}x${inner}x${n}`).toEqual(bits(one));
      p.free();
    }
  });

  it('runs the workers’ jobs on the workers: a trap there is reported by the caller', async () => {
    const k = kernels();
    const pool = await startedPool(1);
    const p = new Product(k, 8, 8, 8);
    const [good] = p.jobs(1);
    // C far past the end of memory: the worker's instance traps.
    const bad = [kernelCall('gemm', { m: 8, k: 8, n: 8, a: p.a, ai: 32, ap: 4, b: p.b, bp: 32, bpanel: 32, c: 0xfff00000, ldc: 32, accumulate: 0, bias: 0 })];
    expect(() => pool.run([good!, bad])).toThrow(/kernel worker 1: gemm\(8, 8, 8, .*out of bounds/);
    // Calls the ABI's types forbid, as a caller with a bug could still make them at run time.
    expect(() => pool.run([good!, [{ fn: 'nope', args: [] } as unknown as KernelCall]])).toThrow(/no export "nope"/);
    expect(() => pool.run([good!, [{ fn: 'gemm', args: [1.5] }]])).toThrow(/gemm: arguments must be 32-bit integers, got 1.5/);
    expect(() => pool.run([good!, [{ fn: 'gemm', args: [2 ** 32] }]])).toThrow(/32-bit integers, got 4294967296/);
    // The pool still works afterwards.
    pool.run([good!, good!]);
    expect(p.take().some(Number.isNaN)).toBe(false);
    p.free();
  });

  it('survives thousands of short runs in a row, with pauses that put the workers to sleep', async () => {
    const k = kernels();
    const pool = await startedPool(1);
    const p = new Product(k, 8, 16, 16);
    runJobs(exportsOf(k), p.jobs(2));
    const expected = bits(p.take());
    setKernelPool(pool);
    for (let i = 0; i < 3000; i++) {
      runJobs(exportsOf(k), p.jobs(2));
      const got = bits(p.take());
      if (i % 97 === 0 || got.some((v, j) => v !== expected[j])) expect(got, `run ${i}`).toEqual(expected);
      // Every 300 runs, a pause longer than the workers' spin budget: they sleep and must wake.
      if (i % 300 === 299) await new Promise((r) => setTimeout(r, 3));
    }
    expect(pool.threadedRuns).toBe(3000);
    p.free();
  });

  it('runs every job on the caller while the workers boot, then on the workers', async () => {
    const k = kernels();
    const p = new Product(k, 16, 8, 8);
    runJobs(exportsOf(k), p.jobs(3));
    const expected = bits(p.take());
    const pool = newPool(2);
    expect(pool.ready).toBe(1); // nothing has booted yet: starting returned at once
    pool.run(p.jobs(3));
    expect(bits(p.take())).toEqual(expected);
    await whenReady(pool, 3);
    expect(pool.ready).toBe(3);
    pool.run(p.jobs(3));
    expect(bits(p.take())).toEqual(expected);
    p.free();
  });

  it('runs on the caller after close()', async () => {
    const k = kernels();
    const p = new Product(k, 12, 8, 8);
    runJobs(exportsOf(k), p.jobs(2));
    const expected = bits(p.take());
    const pool = await startedPool(1);
    pool.close();
    expect(pool.ready).toBe(1);
    setKernelPool(pool);
    runJobs(exportsOf(k), p.jobs(2));
    expect(bits(p.take())).toEqual(expected);
    pool.run(p.jobs(2));
    expect(bits(p.take())).toEqual(expected);
    p.free();
  });

  it('grows a worker’s job buffer for a job of many calls', async () => {
    const k = kernels();
    const pool = await startedPool(1);
    const p = new Product(k, 2, 4, 8);
    const [one] = p.jobs(1);
    // 2,000 calls of 14 words each do not fit the first 4,096-word buffer.
    const many = Array.from({ length: 2000 }, () => one![0]!);
    runJobs(exportsOf(k), [many]);
    const expected = bits(p.take());
    for (let i = 0; i < 3; i++) {
      pool.run([[], many]);
      expect(bits(p.take())).toEqual(expected);
    }
    // Two growths whose runs fail before anything is sent (an unknown export for the second
    // worker): the first worker must still find the last buffer.
    const pool2 = await startedPool(2);
    for (const length of [3000, 6000]) {
      const bigger = Array.from({ length }, () => one![0]!);
      expect(() => pool2.run([[], bigger, [{ fn: 'nope', args: [] } as unknown as KernelCall]])).toThrow(/no export/);
    }
    pool2.run([[], many, []]);
    expect(bits(p.take())).toEqual(expected);
    p.free();
  });
});
