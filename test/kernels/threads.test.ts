/**
 * The caller's side of the kernel threads (src/kernels/threads.ts) with a stand-in pool and
 * stand-in exports: how work is cut into row ranges, when runJobs hands the jobs to the pool
 * and when it runs them on the caller, in order, and the thread starter that setNumThreads
 * asks for a pool (sized to the platform's cores).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getNumThreads, setNumThreads } from '../../src/index.js';
import { kernelPool, parallelism, runJob, runJobs, setKernelPool, setThreadStarter, splitRange, threadStarter, type KernelCall, type KernelPool, type ThreadStarter } from '../../src/kernels/threads.js';
import { wasmKernels } from '../../src/kernels/backend.js';
import type { WasmExports } from '../../src/kernels/wasm/abi.js';

const initialPool = kernelPool(); // the threads project's pool: put back untouched
const initialStarter = threadStarter();
afterEach(() => {
  setKernelPool(initialPool);
  setThreadStarter(initialStarter);
});

const call = (fn: string, ...args: number[]): KernelCall => ({ fn, args }) as unknown as KernelCall;

/** Exports f and g that log their calls. */
function loggingExports(): { exports: WasmExports; log: string[] } {
  const log: string[] = [];
  const fn = (name: string) => (...args: number[]) => void log.push(`${name}(${args.join(',')})`);
  return { exports: { f: fn('f'), g: fn('g') } as unknown as WasmExports, log };
}

/** A pool with `ready` threads that records the jobs it is given. */
function recordingPool(ready: number): KernelPool & { given: unknown[]; closed: number } {
  return { ready, given: [], closed: 0, run(jobs) { this.given.push(jobs); }, close() { this.closed++; } };
}

describe('splitRange', () => {
  it('cuts [0, n) into consecutive ranges of a multiple of align rows, the last one shorter', () => {
    expect(splitRange(10, 3)).toEqual([[0, 4], [4, 8], [8, 10]]);
    expect(splitRange(16, 2)).toEqual([[0, 8], [8, 16]]);
    expect(splitRange(9, 4, 1)).toEqual([[0, 3], [3, 6], [6, 9]]);
    expect(splitRange(3, 2)).toEqual([[0, 3]]);
    expect(splitRange(5, 1, 1)).toEqual([[0, 5]]);
    expect(splitRange(0, 2)).toEqual([]);
  });

  it('never makes more ranges than parts, and covers every row once', () => {
    for (let n = 1; n <= 40; n++) {
      for (let parts = 1; parts <= 5; parts++) {
        for (const align of [1, 4]) {
          const ranges = splitRange(n, parts, align);
          expect(ranges.length).toBeLessThanOrEqual(parts);
          expect(ranges[0]![0]).toBe(0);
          expect(ranges.at(-1)![1]).toBe(n);
          ranges.forEach(([r0, r1], i) => {
            expect(r1).toBeGreaterThan(r0);
            if (i > 0) expect(r0).toBe(ranges[i - 1]![1]);
            if (i < ranges.length - 1) expect((r1 - r0) % align).toBe(0);
          });
        }
      }
    }
  });
});

describe('runJobs', () => {
  it('runs each job’s calls in order on the caller when there is no pool', () => {
    setKernelPool(null);
    expect(parallelism()).toBe(1);
    const { exports, log } = loggingExports();
    runJobs(exports, [[call('f', 1, 2), call('g')], [call('g', -3)]]);
    expect(log).toEqual(['f(1,2)', 'g()', 'g(-3)']);
    runJob(exports, [call('g', 4), call('f')]);
    expect(log.slice(3)).toEqual(['g(4)', 'f()']);
  });

  it('hands two jobs or more to a pool with threads ready, and runs them on the caller otherwise', () => {
    const { exports, log } = loggingExports();
    const jobs = [[call('f', 1)], [call('g', 2)]];
    const pool = recordingPool(2);
    setKernelPool(pool);
    expect(parallelism()).toBe(2);
    runJobs(exports, jobs);
    expect([pool.given, log]).toEqual([[jobs], []]);
    runJobs(exports, [[call('f', 3)]]); // one job: nothing to share
    expect([pool.given.length, log]).toEqual([1, ['f(3)']]);
    const fallenBack = recordingPool(1);
    setKernelPool(fallenBack);
    expect(parallelism()).toBe(1);
    runJobs(exports, jobs);
    expect([fallenBack.given, log]).toEqual([[], ['f(3)', 'f(1)', 'g(2)']]);
  });
});

describe('the thread starter', () => {
  it('is what setNumThreads asks for a pool of n - 1 workers, at most one thread per core', () => {
    setKernelPool(null); // setNumThreads would close the installed pool
    const started: number[] = [];
    const pool = recordingPool(3);
    const starter: ThreadStarter = {
      maxThreads: 3,
      start(workers, kernels) {
        expect(kernels).toBe(wasmKernels());
        started.push(workers);
        return pool;
      },
    };
    setThreadStarter(starter);
    expect(threadStarter()).toBe(starter);
    try {
      setNumThreads(8);
      expect([started, getNumThreads(), kernelPool()]).toEqual([[2], 3, pool]);
    } finally {
      setNumThreads(1);
    }
    expect([kernelPool(), pool.closed, getNumThreads()]).toEqual([null, 1, 1]);
  });
});
