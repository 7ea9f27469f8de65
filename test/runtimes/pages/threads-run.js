// What the threads page runs, in the page and in its module worker: the shared LSTM workload
// with 1 thread and with 2 (the bits must match and the runs must reach the worker), a job too
// large for a worker's job buffer, a call that fails on the worker, and the cost of a run.
// Outside a crossOriginIsolated context it only records what setNumThreads(2) throws.
import * as R from '../../../dist/browser/index.js';
import { wasmKernels } from '../../../dist/kernels/backend.js';
import { ContentionGuard, kernelPool, parallelWork, runJob } from '../../../dist/kernels/threads.js';
import { BrowserKernelPool } from '../../../dist/browser/threads.js';
import '../workloads.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** A gemm of zero rows: a real call that does nothing. */
const NOTHING = { fn: 'gemm', args: [0, 8, 8, 0, 8, 0, 0, 8, 8, 0, 8, 0] };

/** Waits until the pool's worker has booted (workers start asynchronously); returns `ready`. */
async function booted(pool) {
  for (let i = 0; i < 500 && pool.ready < 2; i++) await sleep(20);
  return pool.ready;
}

export async function runThreads() {
  const out = { isolated: globalThis.crossOriginIsolated === true, backend: R.getBackend() };
  if (!out.isolated) {
    try {
      R.setNumThreads(2);
      out.threadsError = null;
    } catch (e) {
      out.threadsError = `${e.name}: ${e.message}`;
    }
    out.threads = R.getNumThreads();
    return out;
  }
  parallelWork.minimum = 0; // split even this small workload
  out.one = globalThis.recurrentWorkloads.trainLstm(R, 8);
  R.setNumThreads(2);
  out.threads = R.getNumThreads();
  out.ready = await booted(kernelPool());
  out.two = globalThis.recurrentWorkloads.trainLstm(R, 8);
  out.threadedRuns = kernelPool().threadedRuns;
  R.setNumThreads(1);
  out.threadsAfter = R.getNumThreads();
  // The machine is shared, so the pool above may fall back to one thread for a while: the
  // checks below use a pool of their own that never does, so every run reaches the worker.
  const kernels = wasmKernels();
  const pool = new BrowserKernelPool(1, kernels, new ContentionGuard(Infinity));
  await booted(pool);
  const before = pool.threadedRuns;
  // 3,000 calls (42,000 words) do not fit the worker's 4,096-word job buffer: it gets a larger one.
  const many = Array.from({ length: 3000 }, () => NOTHING);
  pool.run([[NOTHING], many]);
  out.grownRun = pool.threadedRuns === before + 1;
  try {
    pool.run([[NOTHING], [{ fn: 'gemm', args: [8, 8, 8, 0, 32, 4, 0, 32, 32, 0x7ff00000, 32, 0, 0] }]]);
    out.failure = null;
  } catch (e) {
    out.failure = e.message;
  }
  // Dispatch cost: the median run of two empty jobs, less the median of one on the caller
  // alone (medians: on a shared machine, a descheduled worker makes some runs very slow).
  const exports = kernels.exports;
  const median = (run) => {
    const times = new Float64Array(2001);
    for (let i = 0; i < times.length; i++) {
      const t = performance.now();
      run();
      times[i] = performance.now() - t;
    }
    return times.sort()[1000];
  };
  out.dispatchUs = (median(() => pool.run([[NOTHING], [NOTHING]])) - median(() => runJob(exports, [NOTHING]))) * 1000;
  pool.close();
  return out;
}
