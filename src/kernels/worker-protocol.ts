/**
 * The control block shared by a kernel pool (worker-pool.ts; in Node src/node/threads.ts, in
 * browsers src/browser/threads.ts) and its workers (kernel-worker.ts beside each): one slot of
 * 16 int32s (64 bytes, its own cache line) per worker. Platform-free: both platforms use it.
 *
 *   SEQ              the caller writes a job, then bumps SEQ; the worker runs it
 *   DONE             the worker copies SEQ here when the job is finished
 *   READY            1 once the worker has instantiated the module
 *   WORKER_SLEEPING  1 while the worker sleeps on SEQ (the caller must notify)
 *   CALLER_SLEEPING  1 while the caller sleeps on DONE (the worker must notify)
 *   ERROR            1 when a call of the last job threw (the message is on the port)
 *   STOP             1 when the worker must exit
 *
 * A job is an Int32Array in its own SharedArrayBuffer: [count, then per call: export index,
 * argument count, arguments...]. A count of -1 means the job did not fit: the caller posted a
 * larger buffer to the worker, which holds the job and replaces this one.
 */

export const SLOT = 16;
export const SEQ = 0;
export const DONE = 1;
export const READY = 2;
export const WORKER_SLEEPING = 3;
export const CALLER_SLEEPING = 4;
export const ERROR = 5;
export const STOP = 6;
/** The job count that says "take the larger buffer from the port". */
export const GROWN = -1;

/** What a worker is started with (Node adds a MessagePort). */
export interface KernelWorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  slot: number;
  job: SharedArrayBuffer;
  spinMs: number;
}

/** The clock of the spins and of the contention guard (`Date` only where there is no `performance`). */
export const clock: { now(): number } = typeof performance !== 'undefined' ? performance : Date;

/** The module's function exports in a fixed order: a call names its export by index here. */
export function exportNames(module: WebAssembly.Module): string[] {
  return WebAssembly.Module.exports(module)
    .filter((e) => e.kind === 'function')
    .map((e) => e.name);
}

/**
 * Waits until control[at] differs from `value` and returns the new value: polls for `spinMs`
 * (waking a sleeping thread costs tens of µs), then sleeps in Atomics.wait with control[flag]
 * set, so that the other side knows to notify.
 */
export function awaitChange(control: Int32Array, at: number, value: number, flag: number, spinMs: number): number {
  const deadline = clock.now() + spinMs;
  // Stryker disable next-line UpdateOperator: i only picks the polls that read the clock, one in 64, and counting down picks as many
  for (let i = 1; ; i++) {
    const now = Atomics.load(control, at);
    if (now !== value) return now;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: reading the clock on more polls only costs time (worker-protocol.test.ts fails a poll that never reads it)
    if ((i & 63) !== 0) continue;
    // Stryker disable next-line EqualityOperator: a deadline met to the tick is not observable (the test fails <=, which stops polling at once)
    if (clock.now() > deadline) break;
  }
  Atomics.store(control, flag, 1);
  while (Atomics.load(control, at) === value) Atomics.wait(control, at, value);
  Atomics.store(control, flag, 0);
  return Atomics.load(control, at);
}

/**
 * Stores `value` at control[at] and wakes the other side if it sleeps. Both sides use
 * sequentially consistent atomics: either the sleeper's flag is seen here, or the sleeper's
 * Atomics.wait sees the new value and does not sleep.
 */
export function publish(control: Int32Array, at: number, value: number, flag: number): void {
  Atomics.store(control, at, value);
  // Stryker disable next-line ConditionalExpression: a notify with nobody asleep wakes nobody, it only costs a call (worker-protocol.test.ts fails never notifying)
  if (Atomics.load(control, flag) !== 0) Atomics.notify(control, at);
}

/**
 * Runs the job encoded in `job` (not GROWN) with the module's function exports `fns` (in the
 * order of `exportNames`); returns why a call failed, or null.
 */
export function runEncodedJob(job: Int32Array, fns: readonly ((...args: number[]) => void)[], names: readonly string[]): string | null {
  // Stryker disable next-line ArrayDeclaration: args.length is set before every call, so what the array starts with is never read
  const args: number[] = [];
  for (let call = 0, p = 1, count = job[0]!; call < count; call++) {
    const fn = job[p++]!;
    args.length = job[p++]!;
    for (let i = 0; i < args.length; i++) args[i] = job[p++]!;
    try {
      fns[fn]!(...args);
    } catch (e) {
      return `${names[fn]}(${args.join(', ')}): ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return null;
}
