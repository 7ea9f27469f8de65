/**
 * Worker threads for the WASM kernels in Node: the `ThreadStarter` that `setNumThreads`
 * uses, registered (with RECURRENT_THREADS and RECURRENT_BACKEND applied) when recurrent/node
 * is imported.
 *
 * Each worker instantiates the same WebAssembly.Module over the same shared memory and waits
 * on its slot of a control block (src/kernels/worker-protocol.ts; the platform-free part of
 * the pool is src/kernels/worker-pool.ts). A run writes the workers' jobs, bumps
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
import { ContentionGuard, setThreadStarter, type ThreadStarter } from '../kernels/threads.js';
import type { WasmKernels } from '../kernels/wasm/module.js';
import { WorkerKernelPool } from '../kernels/worker-pool.js';
import { RecurrentError, show } from '../tensor/errors.js';
import type { KernelWorkerData } from './kernel-worker.js';

const WORKER_SPIN_MS = 0.1;
const CALLER_SPIN_MS = 0.05;

/** The compiled worker script. */
function workerScript(): string {
  const override = process.env['RECURRENT_KERNEL_WORKER'];
  if (override) return override;
  // CommonJS: this code is in dist/node.cjs; ESM: in dist/node/threads.js.
  if (typeof __dirname === 'string') return join(__dirname, 'node', 'kernel-worker.js');
  return fileURLToPath(new URL('./kernel-worker.js', import.meta.url));
}

/** A pool of worker threads running the kernel module's exports (see the file header). */
export class NodeKernelPool extends WorkerKernelPool {
  private readonly ports: MessagePort[] = [];
  private readonly workers: Worker[] = [];

  /** `guard` decides when contention makes the pool fall back to one thread. */
  constructor(workers: number, kernels: WasmKernels, guard = new ContentionGuard()) {
    super(workers, kernels, guard, CALLER_SPIN_MS);
    const script = workerScript();
    for (let slot = 0; slot < workers; slot++) {
      const { port1, port2 } = new MessageChannel();
      const data: KernelWorkerData = { module: kernels.module, memory: kernels.heap.memory as WebAssembly.Memory, control: this.control.buffer as SharedArrayBuffer, slot, job: this.jobBuffer(slot).buffer as SharedArrayBuffer, port: port2, spinMs: WORKER_SPIN_MS };
      const worker = new Worker(script, { workerData: data, transferList: [port2] });
      // A worker that fails never becomes ready: the pool runs with the ones before it.
      worker.on('error', (e: Error) => process.emitWarning(`recurrent: kernel worker ${slot + 1} failed (${e.message}); running on fewer threads`));
      worker.unref();
      port1.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
  }

  protected sendBuffer(w: number, buffer: SharedArrayBuffer): void {
    this.ports[w]!.postMessage(buffer);
  }

  protected failureMessage(w: number): string | undefined {
    return receiveMessageOnPort(this.ports[w]!)?.message as string | undefined;
  }

  protected stopWorker(w: number): void {
    this.ports[w]!.close();
    void this.workers[w]!.terminate();
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
