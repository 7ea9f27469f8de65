/**
 * The public thread count, as in PyTorch (`torch.set_num_threads`): how many threads run the
 * WASM kernels. One by default in the core; `recurrent/node` provides worker threads (and
 * reads RECURRENT_THREADS), `recurrent/browser` Web Workers (in a crossOriginIsolated page),
 * other platforms run on one thread. Work is split so that the results are the same bits for
 * every thread count (see src/kernels/threads.ts).
 */
import { wasmKernels } from '../kernels/backend.js';
import { kernelPool, setKernelPool, threadStarter } from '../kernels/threads.js';
import { RecurrentError, show } from '../tensor/errors.js';

/** A hard limit whatever the platform reports. */
const MAX_THREADS = 256;

let configured = 1;

/** The number of threads set by `setNumThreads` (1 by default). */
export function getNumThreads(): number {
  return configured;
}

/**
 * Sets how many threads run the WASM kernels, counting the calling thread. `n` is an integer
 * >= 1; a count above the machine's cores is lowered to that count. `1` stops the workers.
 * More than one needs a platform that provides threads (`import 'recurrent/node'` in Node; in
 * browsers `recurrent/browser` in a crossOriginIsolated page or a worker of one) and the WASM
 * backend with a shared memory; otherwise it throws a RecurrentError saying why, and nothing
 * changes. Workers start in the background: until they
 * are up, work runs on fewer threads (with the same results). On the JS backend the workers
 * stay idle.
 */
export function setNumThreads(n: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new RecurrentError('setNumThreads', `n must be an integer >= 1, got ${show(n)}`);
  }
  if (n === 1) {
    closePool();
    configured = 1;
    return;
  }
  const starter = threadStarter();
  if (starter === null) {
    throw new RecurrentError(
      'setNumThreads',
      `${n} threads need a platform that provides them: in Node, use the recurrent/node entry (loading it registers worker threads); in browsers, use the recurrent/browser entry in a crossOriginIsolated page`,
      'state',
    );
  }
  const kernels = wasmKernels();
  if (kernels === null) {
    throw new RecurrentError('setNumThreads', `threads run the WASM kernels, and WebAssembly SIMD cannot run here (setBackend('wasm') says why)`, 'state');
  }
  if (!kernels.shared) {
    throw new RecurrentError('setNumThreads', 'threads need a shared WebAssembly.Memory, and this engine has no SharedArrayBuffer (in browsers the page must be crossOriginIsolated)', 'state');
  }
  const count = Math.min(n, Math.max(1, Math.floor(starter.maxThreads)), MAX_THREADS);
  if (count === configured) return;
  closePool();
  configured = 1;
  if (count > 1) setKernelPool(starter.start(count - 1, kernels));
  configured = count;
}

function closePool(): void {
  const pool = kernelPool();
  setKernelPool(null);
  pool?.close();
}
