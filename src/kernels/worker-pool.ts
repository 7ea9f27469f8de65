/**
 * The platform-free part of a kernel pool over a shared memory (protocol in worker-protocol.ts):
 * encoding jobs, publishing them, running jobs[0] on the caller, joining, counting booted
 * workers and applying the contention guard. A platform subclass (src/node/threads.ts,
 * src/browser/threads.ts) starts the workers and says how a grown job buffer reaches a worker,
 * where a failure's message is, and how a worker is stopped.
 */
import { ContentionGuard, runJob, type KernelCall, type KernelPool } from './threads.js';
import type { WasmExports } from './wasm/abi.js';
import type { WasmKernels } from './wasm/module.js';
import { awaitChange, CALLER_SLEEPING, clock, DONE, ERROR, exportNames, GROWN, publish, READY, SEQ, SLOT, STOP, WORKER_SLEEPING } from './worker-protocol.js';

const JOB_WORDS = 4096;

/** A pool of `size` workers running the kernel module's exports (see the file header). */
export abstract class WorkerKernelPool implements KernelPool {
  protected readonly control: Int32Array;
  private readonly jobs: Int32Array[] = [];
  private readonly sequence: number[] = [];
  private readonly index = new Map<string, number>();
  private readonly exports: WasmExports;
  private booted = 0;
  private closed = false;
  /** Runs that went to the workers (for tests and diagnostics). */
  threadedRuns = 0;

  /** `callerSpinMs`: how long the caller polls before it sleeps in Atomics.wait (Infinity: never sleeps). */
  constructor(
    private readonly size: number,
    kernels: WasmKernels,
    readonly guard: ContentionGuard,
    private readonly callerSpinMs: number,
  ) {
    this.exports = kernels.exports;
    exportNames(kernels.module).forEach((name, i) => this.index.set(name, i));
    this.control = new Int32Array(new SharedArrayBuffer(size * SLOT * 4));
    // Stryker disable next-line EqualityOperator: a job buffer beyond the last worker is never used (>=, no buffers at all, fails every run)
    for (let slot = 0; slot < size; slot++) {
      this.jobs.push(new Int32Array(new SharedArrayBuffer(JOB_WORDS * 4)));
      this.sequence.push(0);
    }
  }

  /** Sends worker w the larger job buffer that replaces its current one. */
  protected abstract sendBuffer(w: number, buffer: SharedArrayBuffer): void;
  /** The message of worker w's failed call, if it can be read now. */
  protected abstract failureMessage(w: number): string | undefined;
  /** Ends worker w (after it was told to stop). */
  protected abstract stopWorker(w: number): void;

  /** Worker w's current job buffer. */
  protected jobBuffer(w: number): Int32Array {
    return this.jobs[w]!;
  }

  /** Workers that have booted, counting from the first (jobs go to workers in order). */
  get bootedWorkers(): number {
    while (this.booted < this.size && Atomics.load(this.control, this.booted * SLOT + READY) === 1) this.booted++;
    return this.booted;
  }

  /** Threads that can run jobs now, counting the caller: 1 while fallen back or closed. */
  get ready(): number {
    if (this.closed || this.guard.fallenBack(clock.now())) return 1;
    return 1 + this.bootedWorkers;
  }

  /** Runs jobs[0] (and any job beyond the ready workers) on the caller, the others on the workers. */
  run(jobs: readonly (readonly KernelCall[])[]): void {
    const used = Math.max(0, Math.min(jobs.length, this.ready) - 1);
    for (let w = 0; w < used; w++) this.write(w, jobs[w + 1]!);
    for (let w = 0; w < used; w++) publish(this.control, SEQ + w * SLOT, ++this.sequence[w]!, w * SLOT + WORKER_SLEEPING);
    const start = clock.now();
    let own = 0;
    try {
      if (jobs.length > 0) runJob(this.exports, jobs[0]!);
      for (let j = used + 1; j < jobs.length; j++) runJob(this.exports, jobs[j]!);
      own = clock.now() - start;
    } finally {
      for (let w = 0; w < used; w++) awaitChange(this.control, w * SLOT + DONE, this.sequence[w]! - 1, w * SLOT + CALLER_SLEEPING, this.callerSpinMs);
    }
    if (used === 0) return;
    this.threadedRuns++;
    const end = clock.now();
    this.guard.record(own, end - start - own, used, jobs.length - used, end);
    for (let w = 0; w < used; w++) this.throwFailure(w);
  }

  /** Stops the workers; later runs go to the caller alone. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let w = 0; w < this.size; w++) {
      Atomics.store(this.control, w * SLOT + STOP, 1);
      // Stryker disable next-line UpdateOperator: any change of SEQ wakes the worker, which then reads STOP (and nothing is published after close)
      Atomics.store(this.control, SEQ + w * SLOT, ++this.sequence[w]!);
      Atomics.notify(this.control, SEQ + w * SLOT);
      this.stopWorker(w);
    }
  }

  /**
   * Encodes a job into worker w's buffer, growing it (through `sendBuffer`) when it does not fit.
   * A bad call is the library's own bug, so it throws a plain Error (src/kernels imports nothing).
   */
  private write(w: number, job: readonly KernelCall[]): void {
    let words = 1;
    for (const call of job) {
      if (!this.index.has(call.fn)) throw new Error(`runJobs: the kernel module has no export ${JSON.stringify(call.fn)}`);
      // A worker gets 32 bits per argument (addresses may pass 2^31): anything else would reach
      // it changed, and the caller unchanged.
      for (const a of call.args) if ((a | 0) !== a && a >>> 0 !== a) throw new Error(`runJobs: ${call.fn}: arguments must be 32-bit integers, got ${String(a)}`);
      words += 2 + call.args.length;
    }
    let buffer = this.jobs[w]!;
    if (words > buffer.length) {
      const grown = new Int32Array(new SharedArrayBuffer(4 * Math.max(words, 2 * buffer.length)));
      this.sendBuffer(w, grown.buffer as SharedArrayBuffer);
      buffer[0] = GROWN;
      this.jobs[w] = buffer = grown;
    }
    buffer[0] = job.length;
    let p = 1;
    for (const call of job) {
      buffer[p++] = this.index.get(call.fn)!;
      buffer[p++] = call.args.length;
      for (const a of call.args) buffer[p++] = a;
    }
  }

  /** Throws what worker w's last job failed with, if it failed. */
  private throwFailure(w: number): void {
    if (Atomics.load(this.control, w * SLOT + ERROR) === 0) return;
    Atomics.store(this.control, w * SLOT + ERROR, 0);
    throw new Error(`kernel worker ${w + 1}: ${this.failureMessage(w) ?? 'a call failed'}`);
  }
}
