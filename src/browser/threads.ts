/**
 * Web Workers for the WASM kernels in browsers: the `ThreadStarter` that `setNumThreads` uses,
 * registered when recurrent/browser is imported.
 *
 * The pool is the platform-free WorkerKernelPool (src/kernels/worker-pool.ts) over module
 * workers (kernel-worker.ts, built to dist/browser/kernel-worker.js beside this module). Each
 * worker gets the WebAssembly.Module, the shared memory and its slot of the control block in
 * its first message, instantiates the module and then polls for 100 µs and sleeps in
 * Atomics.wait between jobs. A window's main thread may not call Atomics.wait, so the caller
 * polls until the workers are done: it waits no longer than its jobs take. Workers start
 * asynchronously: until one has booted, `ready` does not count it. A shared memory needs a
 * crossOriginIsolated page (or a worker of one); elsewhere `setNumThreads(2)` throws.
 */
import { ContentionGuard, setThreadStarter, type ThreadStarter } from '../kernels/threads.js';
import type { WasmKernels } from '../kernels/wasm/module.js';
import { WorkerKernelPool } from '../kernels/worker-pool.js';
import type { KernelWorkerInit } from '../kernels/worker-protocol.js';

const WORKER_SPIN_MS = 0.1;

/** A pool of module workers running the kernel module's exports (see the file header). */
export class BrowserKernelPool extends WorkerKernelPool {
  private readonly workers: Worker[] = [];

  /** `guard` decides when contention makes the pool fall back to one thread. */
  constructor(workers: number, kernels: WasmKernels, guard = new ContentionGuard()) {
    super(workers, kernels, guard, Infinity);
    for (let slot = 0; slot < workers; slot++) {
      const worker = new Worker(new URL('./kernel-worker.js', import.meta.url), { type: 'module' });
      // A worker that fails never becomes ready: the pool runs with the ones before it.
      worker.onerror = (e) => console.warn(`recurrent: kernel worker ${slot + 1} failed (${e.message}); running on fewer threads`);
      const init: KernelWorkerInit = { module: kernels.module, memory: kernels.heap.memory as WebAssembly.Memory, control: this.control.buffer as SharedArrayBuffer, slot, job: this.jobBuffer(slot).buffer as SharedArrayBuffer, spinMs: WORKER_SPIN_MS };
      worker.postMessage(init);
      this.workers.push(worker);
    }
  }

  protected sendBuffer(w: number, buffer: SharedArrayBuffer): void {
    this.workers[w]!.postMessage(buffer);
  }

  /** A failed worker leaves its message in its job buffer: [length, UTF-16 code units...]. */
  protected failureMessage(w: number): string | undefined {
    const job = this.jobBuffer(w);
    return String.fromCharCode(...job.subarray(1, 1 + job[0]!));
  }

  protected stopWorker(w: number): void {
    this.workers[w]!.terminate();
  }
}

/** Starts browser kernel pools: module workers, up to navigator.hardwareConcurrency. */
export const browserThreadStarter: ThreadStarter = {
  maxThreads: typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1,
  start: (workers, kernels) => new BrowserKernelPool(workers, kernels),
};

/** Registers the browser thread starter where Workers exist. Called when recurrent/browser loads. */
export function setupBrowser(): void {
  if (typeof Worker !== 'undefined') setThreadStarter(browserThreadStarter);
}
