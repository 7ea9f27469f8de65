/**
 * Runs calls of the WASM kernel module on several threads over its shared memory.
 *
 * The core has no threads of its own: a platform entry (recurrent/node with worker_threads,
 * recurrent/browser with Web Workers) registers a `ThreadStarter`, and `setNumThreads` (src/autograd/
 * threads.ts) asks it for a `KernelPool`. A caller splits its work into independent jobs (row
 * chunks of a batch, each written to its own part of the heap), asks `parallelism()` how many
 * chunks to make, and hands them to `runJobs`: jobs[0] runs on the caller, jobs[i] on worker
 * i-1, and `runJobs` returns when all are done. Without a pool every job runs on the caller,
 * one after another, so the results are the same bits whatever the thread count.
 *
 * Contention (`ContentionGuard`): a threaded run must never be slower than one thread. Each
 * run measures `own`, the time the caller spent on its own jobs, and `wait`, the time it then
 * waited for the workers. With w workers and c jobs on the caller, one thread would have taken
 * about own·(c+w)/c, the threaded run took own + wait: the run was late when wait > own·w/c.
 * Runs whose own part took under a millisecond are not judged: there the time to wake a
 * sleeping worker (tens of microseconds on an idle machine) can exceed the work itself, and
 * counting them would switch threads off for the long runs that gain from them; a busy core
 * delays a worker by a scheduler time slice, which the long runs show. Three late runs more than on-time ones (a late run adds a strike, an on-time run removes
 * one) make the pool fall back to one thread (`ready` = 1) for a back-off of one second; then
 * it probes again with two strikes left, so one more late run falls back again, for twice as
 * long (up to 16 s), and the back-off returns to one second once the strikes are gone.
 */
import { argsOf, type KernelArgs, type KernelName, type WasmExports } from './wasm/abi.js';
import type { WasmKernels } from './wasm/module.js';

/** One call of a kernel of the WASM module, with its arguments in ABI order (wasm/abi.ts). */
export interface KernelCall {
  fn: KernelName;
  args: readonly number[];
}

/** The call of kernel `fn` with named arguments. */
export function kernelCall<F extends KernelName>(fn: F, args: KernelArgs<F>): KernelCall {
  return { fn, args: argsOf(fn, args) };
}

/**
 * Work (multiply-adds) below which a product or a recurrent time loop runs on one thread:
 * waking a worker costs tens of microseconds, more than splitting such work saves. The tests
 * set it to 0 to split even the smallest work.
 */
export const parallelWork = { minimum: 1 << 20 };

/**
 * Cuts [0, n) into `parts` consecutive ranges, each a multiple of `align` long but the last.
 * The cut depends on the thread count, the results do not: every row (or column) of a product
 * is computed by the same instructions in the same order whichever range it falls in.
 */
export function splitRange(n: number, parts: number, align = 4): [number, number][] {
  const size = Math.ceil(n / parts / align) * align;
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += size) out.push([start, Math.min(n, start + size)]);
  return out;
}

/** A platform's pool of workers (provided by recurrent/node or recurrent/browser). */
export interface KernelPool {
  /** Threads that can run jobs right now, counting the caller (1 = none ready). */
  readonly ready: number;
  /** Runs jobs[0] on the caller and jobs[i] on worker i-1, returns when all are done. jobs.length <= ready. */
  run(jobs: readonly (readonly KernelCall[])[]): void;
  /** Stops the workers. */
  close(): void;
}

/** What a platform registers to make pools: its core count, and a pool of `workers` threads. */
export interface ThreadStarter {
  /** The most threads worth running here (the platform's core count). */
  readonly maxThreads: number;
  /** Starts `workers` workers running `kernels.module` over `kernels.heap.memory` (shared). */
  start(workers: number, kernels: WasmKernels): KernelPool;
}

let pool: KernelPool | null = null;
let starter: ThreadStarter | null = null;

/** Installs the pool that `runJobs` uses (null: run on the caller); does not close the old one. */
export function setKernelPool(next: KernelPool | null): void {
  pool = next;
}

/** The installed pool, or null. */
export function kernelPool(): KernelPool | null {
  return pool;
}

/** Registers the platform's thread starter (the Node entry does on import). */
export function setThreadStarter(next: ThreadStarter | null): void {
  starter = next;
}

/** The registered thread starter, or null when no platform entry provided one. */
export function threadStarter(): ThreadStarter | null {
  return starter;
}

/** How many row chunks the caller should split work into now: the pool's `ready` (1 without a pool, or while the pool has fallen back to one thread). */
export function parallelism(): number {
  return pool === null ? 1 : pool.ready;
}

/** Runs one job's calls in order on `exports`. */
export function runJob(exports: WasmExports, job: readonly KernelCall[]): void {
  for (const call of job) (exports[call.fn] as (...args: readonly number[]) => void)(...call.args);
}

/** Runs the jobs: in parallel on the pool when there is one and jobs.length > 1, else one after another on the caller (so results are identical). `exports` are the caller's WASM exports. */
export function runJobs(exports: WasmExports, jobs: readonly (readonly KernelCall[])[]): void {
  if (pool !== null && jobs.length > 1 && pool.ready > 1) pool.run(jobs);
  else for (const job of jobs) runJob(exports, job);
}

const STRIKES = 3;
/** Runs whose caller part took less than this (ms) say nothing about contention. */
const JUDGED_FROM_MS = 1;
const BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 16000;

/** Decides from measured runs when a pool falls back to one thread (rule in the file header). */
export class ContentionGuard {
  /** `limit`: the strikes that make the pool fall back (Infinity: never). */
  constructor(private readonly limit = STRIKES) {}
  private strikes = 0;
  private until = -Infinity;
  private backoff = BACKOFF_MS;
  /** How many times the pool has fallen back (for tests and diagnostics). */
  fallbacks = 0;

  /** True while the pool should run on the caller alone. */
  fallenBack(nowMs: number): boolean {
    return nowMs < this.until;
  }

  /** Records one threaded run: `workers` workers, `callerJobs` jobs on the caller, times in ms. */
  record(ownMs: number, waitMs: number, workers: number, callerJobs: number, nowMs: number): void {
    if (ownMs < JUDGED_FROM_MS) return;
    if (waitMs > (ownMs * workers) / callerJobs) {
      if (++this.strikes < this.limit) return;
      this.until = nowMs + this.backoff;
      this.backoff = Math.min(2 * this.backoff, MAX_BACKOFF_MS);
      this.strikes = this.limit - 1;
      this.fallbacks++;
    } else if (this.strikes > 0 && --this.strikes === 0) this.backoff = BACKOFF_MS;
  }
}
