/**
 * The module worker of the browser kernel pool: its first message (a KernelWorkerInit) holds
 * the kernel module, the shared memory and its slot of the control block; it instantiates the
 * module, then runs the jobs the caller writes into its slot (protocol in
 * src/kernels/worker-protocol.ts) until told to stop. A grown job buffer arrives as a later
 * message: the worker returns to its event loop to receive it, then runs the job. A failed
 * call's message is written into the job buffer ([length, UTF-16 code units...]), where the
 * caller reads it without waiting for a message. `npm run build` bundles this file on its own
 * to dist/browser/kernel-worker.js.
 */
import { awaitChange, CALLER_SLEEPING, DONE, ERROR, exportNames, GROWN, type KernelWorkerInit, publish, READY, runEncodedJob, SEQ, SLOT, STOP, WORKER_SLEEPING } from '../kernels/worker-protocol.js';

let init: KernelWorkerInit | undefined;
let fns: ((...args: number[]) => void)[] = [];
let names: string[] = [];
let control: Int32Array;
let base = 0;
let job: Int32Array;
/** The sequence number of the job that waits for its grown buffer, or -1. */
let pending = -1;

addEventListener('message', (e: MessageEvent) => {
  if (init === undefined) {
    init = e.data as KernelWorkerInit;
    const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
    names = exportNames(init.module);
    fns = names.map((name) => instance.exports[name] as (...args: number[]) => void);
    control = new Int32Array(init.control);
    base = init.slot * SLOT;
    job = new Int32Array(init.job);
    Atomics.store(control, base + READY, 1);
    serve(0);
  } else {
    // A buffer grown for a job that was then not sent may have been replaced again.
    job = new Int32Array(e.data as SharedArrayBuffer);
    if (job[0] !== GROWN && pending >= 0) serve(pending);
  }
});

/** Runs job `seen` if it is pending (`seen` > 0), then every next one, until told to stop or a job's buffer must come by message. */
function serve(seen: number): void {
  for (let resume = seen > 0; ; resume = false) {
    if (!resume) {
      seen = awaitChange(control, base + SEQ, seen, base + WORKER_SLEEPING, init!.spinMs);
      if (Atomics.load(control, base + STOP) !== 0) return close();
    }
    if (job[0] === GROWN) {
      pending = seen;
      return;
    }
    pending = -1;
    const failure = runEncodedJob(job, fns, names);
    if (failure !== null) {
      const n = Math.min(failure.length, job.length - 1);
      for (let i = 0; i < n; i++) job[1 + i] = failure.charCodeAt(i);
      job[0] = n;
      Atomics.store(control, base + ERROR, 1);
    }
    publish(control, base + DONE, seen, base + CALLER_SLEEPING);
  }
}
