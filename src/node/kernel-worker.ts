/**
 * The worker thread of the Node kernel pool: instantiates the kernel module over the shared
 * memory, then runs the jobs the caller writes into its slot of the control block (protocol
 * in src/kernels/worker-protocol.ts) until told to stop. `npm run build` bundles this file on
 * its own to dist/node/kernel-worker.js.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { awaitChange, CALLER_SLEEPING, DONE, ERROR, exportNames, GROWN, type KernelWorkerInit, publish, READY, runEncodedJob, SEQ, SLOT, STOP, WORKER_SLEEPING } from '../kernels/worker-protocol.js';

/** What a worker gets in workerData: a grown job buffer, and its failures, go through `port`. */
export interface KernelWorkerData extends KernelWorkerInit {
  port: MessagePort;
}

const data = workerData as KernelWorkerData;
const instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory } });
const names = exportNames(data.module);
const fns = names.map((name) => instance.exports[name] as (...args: number[]) => void);
const control = new Int32Array(data.control);
const base = data.slot * SLOT;
let job = new Int32Array(data.job);

/** Runs the calls of the current job; returns why one failed, or null. */
function runJob(): string | null {
  // A buffer grown for a job that was then not sent may have been replaced again.
  while (job[0] === GROWN) {
    let message;
    while ((message = receiveMessageOnPort(data.port)) === undefined);
    job = new Int32Array(message.message as SharedArrayBuffer);
  }
  return runEncodedJob(job, fns, names);
}

Atomics.store(control, base + READY, 1);
for (let seen = 0; ; ) {
  seen = awaitChange(control, base + SEQ, seen, base + WORKER_SLEEPING, data.spinMs);
  if (Atomics.load(control, base + STOP) !== 0) break;
  const failure = runJob();
  if (failure !== null) {
    data.port.postMessage(failure);
    Atomics.store(control, base + ERROR, 1);
  }
  publish(control, base + DONE, seen, base + CALLER_SLEEPING);
}
