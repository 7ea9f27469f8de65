/**
 * Worker threads for the WASM kernels in Node: the `ThreadStarter` that `setNumThreads`
 * uses, registered (with RECURRENT_THREADS and RECURRENT_BACKEND applied) when recurrent/node
 * is imported.
 *
 * Each worker instantiates the same WebAssembly.Module over the same shared memory and waits
 * on its slot of a control block (kernel-protocol.ts). A run writes the workers' jobs, bumps
 * their sequence numbers, runs jobs[0] on the caller and then joins: both sides poll for a
 * bounded time (workers 100 µs, the caller 50 µs) and then sleep in Atomics.wait, so an idle
 * pool costs no CPU and a busy one pays no wake-up. Workers that have not booted yet do not
 * count in `ready` (starting returns at once). Workers are unref'd: they never keep the
 * process alive. The contention fallback is the core's `ContentionGuard` (src/kernels/threads.ts).
 *
 * The worker script is dist/node/kernel-worker.js beside this module (the ESM build) or
 * beside dist/node.cjs (the CommonJS build). RECURRENT_KERNEL_WORKER (internal, for the test
 * setup, which runs the TypeScript sources) names another compiled copy.
 */
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { setBackend, type BackendName } from '../autograd/backend.js';
import { setNumThreads } from '../autograd/threads.js';
import { ContentionGuard, runJob, setThreadStarter, type KernelCall, type KernelPool, type ThreadStarter } from '../kernels/threads.js';
import type { WasmKernels } from '../kernels/wasm/module.js';
import { RecurrentError, show } from '../tensor/errors.js';
import { CALLER_SLEEPING, DONE, ERROR, exportNames, GROWN, type KernelWorkerData, publish, READY, SEQ, SLOT, STOP, WORKER_SLEEPING, awaitChange } from './kernel-protocol.js';

const WORKER_SPIN_MS = 0.1;
const CALLER_SPIN_MS = 0.05;
const JOB_WORDS = 4096;

/** The compiled worker script. */
function workerScript(): string {
  const override = process.env['RECURRENT_KERNEL_WORKER'];
  if (override) return override;
  // CommonJS: this code is in dist/node.cjs; ESM: in dist/node/threads.js.
  if (typeof __dirname === 'string') return join(__dirname, 'node', 'kernel-worker.js');
  return fileURLToPath(new URL('./kernel-worker.js', import.meta.url));
}

/** A pool of worker threads running the kernel module's exports (see the file header). */
export class NodeKernelPool implements KernelPool {
  private readonly control: Int32Array;
  private readonly jobs: Int32Array[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly workers: Worker[] = [];
  private readonly sequence: number[] = [];
  private readonly index = new Map<string, number>();
  private readonly exports: Record<string, Function>;
  private booted = 0;
  private closed = false;
  /** Runs that went to the workers (for tests and diagnostics). */
  threadedRuns = 0;

  /** `guard` decides when contention makes the pool fall back to one thread. */
  constructor(
    workers: number,
    kernels: WasmKernels,
    readonly guard = new ContentionGuard(),
  ) {
    this.exports = kernels.exports as unknown as Record<string, Function>;
    exportNames(kernels.module).forEach((name, i) => this.index.set(name, i));
    this.control = new Int32Array(new SharedArrayBuffer(workers * SLOT * 4));
    const script = workerScript();
    for (let slot = 0; slot < workers; slot++) {
      const { port1, port2 } = new MessageChannel();
      const job = new SharedArrayBuffer(JOB_WORDS * 4);
      const data: KernelWorkerData = { module: kernels.module, memory: kernels.heap.memory as WebAssembly.Memory, control: this.control.buffer as SharedArrayBuffer, slot, job, port: port2, spinMs: WORKER_SPIN_MS };
      const worker = new Worker(script, { workerData: data, transferList: [port2] });
      // A worker that fails never becomes ready: the pool runs with the ones before it.
      worker.on('error', (e: Error) => process.emitWarning(`recurrent: kernel worker ${slot + 1} failed (${e.message}); running on fewer threads`));
      worker.unref();
      port1.unref();
      this.workers.push(worker);
      this.ports.push(port1);
      this.jobs.push(new Int32Array(job));
      this.sequence.push(0);
    }
  }

  /** Workers that have booted, counting from the first (jobs go to workers in order). */
  get bootedWorkers(): number {
    while (this.booted < this.workers.length && Atomics.load(this.control, this.booted * SLOT + READY) === 1) this.booted++;
    return this.booted;
  }

  /** Threads that can run jobs now, counting the caller: 1 while fallen back or closed. */
  get ready(): number {
    if (this.closed || this.guard.fallenBack(performance.now())) return 1;
    return 1 + this.bootedWorkers;
  }

  /** Runs jobs[0] (and any job beyond the ready workers) on the caller, the others on the workers. */
  run(jobs: readonly (readonly KernelCall[])[]): void {
    const used = Math.max(0, Math.min(jobs.length, this.ready) - 1);
    for (let w = 0; w < used; w++) this.write(w, jobs[w + 1]!);
    for (let w = 0; w < used; w++) publish(this.control, w * SLOT + SEQ, ++this.sequence[w]!, w * SLOT + WORKER_SLEEPING);
    const start = performance.now();
    let own = 0;
    try {
      if (jobs.length > 0) runJob(this.exports, jobs[0]!);
      for (let j = used + 1; j < jobs.length; j++) runJob(this.exports, jobs[j]!);
      own = performance.now() - start;
    } finally {
      for (let w = 0; w < used; w++) awaitChange(this.control, w * SLOT + DONE, this.sequence[w]! - 1, w * SLOT + CALLER_SLEEPING, CALLER_SPIN_MS);
    }
    if (used === 0) return;
    this.threadedRuns++;
    const end = performance.now();
    this.guard.record(own, end - start - own, used, jobs.length - used, end);
    for (let w = 0; w < used; w++) this.throwFailure(w);
  }

  /** Stops the workers; later runs go to the caller alone. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let w = 0; w < this.workers.length; w++) {
      Atomics.store(this.control, w * SLOT + STOP, 1);
      Atomics.store(this.control, w * SLOT + SEQ, ++this.sequence[w]!);
      Atomics.notify(this.control, w * SLOT + SEQ);
      this.ports[w]!.close();
      void this.workers[w]!.terminate();
    }
  }

  /** Encodes a job into worker w's buffer, growing it (through the port) when it does not fit. */
  private write(w: number, job: readonly KernelCall[]): void {
    let words = 1;
    for (const call of job) {
      if (!this.index.has(call.fn)) throw new RecurrentError('runJobs', `the kernel module has no export ${show(call.fn)}`);
      // A worker gets 32 bits per argument (addresses may pass 2^31): anything else would reach
      // it changed, and the caller unchanged.
      for (const a of call.args) if ((a | 0) !== a && a >>> 0 !== a) throw new RecurrentError('runJobs', `${call.fn}: arguments must be 32-bit integers, got ${show(a)}`);
      words += 2 + call.args.length;
    }
    let buffer = this.jobs[w]!;
    if (words > buffer.length) {
      const grown = new Int32Array(new SharedArrayBuffer(4 * Math.max(words, 2 * buffer.length)));
      this.ports[w]!.postMessage(grown.buffer);
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
    const message = receiveMessageOnPort(this.ports[w]!)?.message as string | undefined;
    throw new Error(`kernel worker ${w + 1}: ${message ?? 'a call failed'}`);
  }
}

/** Starts Node kernel pools: worker_threads, up to the machine's core count. */
export const nodeThreadStarter: ThreadStarter = {
  maxThreads: typeof availableParallelism === 'function' ? availableParallelism() : cpus().length,
  start: (workers, kernels) => new NodeKernelPool(workers, kernels),
};

/**
 * Registers the Node thread starter, then applies the environment: RECURRENT_BACKEND=js|wasm
 * selects the backend, RECURRENT_THREADS=n the thread count. Called when recurrent/node loads.
 */
export function setupNode(): void {
  setThreadStarter(nodeThreadStarter);
  const backend = process.env['RECURRENT_BACKEND'];
  if (backend) setBackend(backend as BackendName);
  const threads = process.env['RECURRENT_THREADS'];
  if (threads) {
    const n = Number(threads);
    if (!Number.isInteger(n) || n < 1) throw new RecurrentError('RECURRENT_THREADS', `must be an integer >= 1, got ${show(threads)}`);
    setNumThreads(n);
  }
}
