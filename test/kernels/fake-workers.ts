/**
 * A stand-in for the kernel module and its worker threads, for the tests of the thread
 * protocol (src/kernels/worker-protocol.ts) and of the pool that drives it
 * (src/kernels/worker-pool.ts). The "kernels" are three exports of a tiny WebAssembly module
 * that the JS functions here implement: put(i, v) writes v and the thread's number (0 on the
 * caller, w + 1 on worker w) at row i of a shared log, sleep(ms) blocks, fail() throws. The
 * workers are plain JavaScript written from the protocol's description, not from its code, so
 * a slip in the pool's side shows as a missing or misplaced row, a hang or a lost error.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { ContentionGuard } from '../../src/kernels/threads.js';
import type { WasmKernels } from '../../src/kernels/wasm/module.js';
import { WorkerKernelPool } from '../../src/kernels/worker-pool.js';

/** A module exporting, in this order, the functions and memories named (bodies empty). */
export function moduleExporting(exports: readonly [string, 'func' | 'memory'][]): WebAssembly.Module {
  const funcs = exports.filter(([, kind]) => kind === 'func').length;
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id: number, body: number[]): void => void bytes.push(id, body.length, ...body);
  section(1, [1, 0x60, 0, 0]); // one type: () -> ()
  section(3, [funcs, ...Array<number>(funcs).fill(0)]);
  section(5, [1, 0, 1]); // one memory of one page
  const entries: number[] = [exports.length];
  let f = 0;
  for (const [name, kind] of exports) entries.push(name.length, ...Array.from(name, (ch) => ch.charCodeAt(0)), kind === 'func' ? 0 : 2, kind === 'func' ? f++ : 0);
  section(7, entries);
  section(10, [funcs, ...Array.from({ length: funcs }, () => [2, 0, 0x0b]).flat()]);
  return new WebAssembly.Module(new Uint8Array(bytes));
}

/** The fake kernel module: its exports are put, sleep and fail (and a memory, which is no function). */
export const fakeModule = moduleExporting([['put', 'func'], ['mem', 'memory'], ['sleep', 'func'], ['fail', 'func']]);

/** Rows of the shared log: [value, thread] per row. */
export const ROWS = 64;

/** The caller's side of the fake kernels, over a new shared log. */
export function fakeKernels(): { kernels: WasmKernels; log: Int32Array } {
  const log = new Int32Array(new SharedArrayBuffer(ROWS * 2 * 4));
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const exports = {
    put: (i: number, v: number) => {
      log[2 * i] = v;
      log[2 * i + 1] = 0;
    },
    sleep: (ms: number) => void Atomics.wait(pause, 0, 0, ms),
    fail: () => {
      throw new Error('fail failed');
    },
  };
  return { kernels: { module: fakeModule, exports } as unknown as WasmKernels, log };
}

// The worker side of the protocol as its header describes it (control slot of 16 int32s: SEQ,
// DONE, READY, WORKER_SLEEPING, CALLER_SLEEPING, ERROR, STOP; a job is [count, then per call
// the export's index among the function exports, the argument count, the arguments]; -1 means
// "take the larger buffer from the port").
const WORKER = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { control: c, slot, job: j, port, log: l, spinMs } = workerData;
const control = new Int32Array(c), log = new Int32Array(l), pause = new Int32Array(new SharedArrayBuffer(4));
const names = WebAssembly.Module.exports(workerData.module).filter((e) => e.kind === 'function').map((e) => e.name);
const base = slot * 16;
let job = new Int32Array(j);
function change(at, value) {
  const end = Date.now() + spinMs;
  while (Atomics.load(control, at) === value) {
    if (Date.now() < end) continue;
    Atomics.store(control, base + 3, 1);
    while (Atomics.load(control, at) === value) Atomics.wait(control, at, value);
    Atomics.store(control, base + 3, 0);
  }
  return Atomics.load(control, at);
}
Atomics.store(control, base + 2, 1);
for (let seen = 0; ; ) {
  seen = change(base, seen);
  if (Atomics.load(control, base + 6) !== 0) break;
  while (job[0] === -1) {
    let m;
    while ((m = receiveMessageOnPort(port)) === undefined);
    job = new Int32Array(m.message);
  }
  let failure = null;
  for (let call = 0, p = 1; call < job[0] && failure === null; call++) {
    const name = names[job[p]];
    const args = Array.from(job.subarray(p + 2, p + 2 + job[p + 1]));
    p += 2 + args.length;
    if (name === 'put') { log[2 * args[0]] = args[1]; log[2 * args[0] + 1] = slot + 1; }
    else if (name === 'sleep') Atomics.wait(pause, 0, 0, args[0]);
    else failure = name + '(' + args.join(', ') + '): fail failed';
  }
  if (failure !== null) { port.postMessage(failure); Atomics.store(control, base + 5, 1); }
  Atomics.store(control, base + 1, seen);
  if (Atomics.load(control, base + 4) !== 0) Atomics.notify(control, base + 1);
}
`;

/** Options of a FakePool. */
export interface FakePoolOptions {
  /** How long each worker polls before it sleeps (ms), one entry per worker; null: start no threads. */
  spins: readonly number[] | null;
  /** Workers when `spins` is null. */
  size?: number;
  guard?: ContentionGuard;
  callerSpinMs?: number;
  /** failureMessage finds nothing (a message not yet arrived). */
  silent?: boolean;
  /** stopWorker terminates the thread (false: the worker must exit on its own, when told to stop). */
  terminate?: boolean;
}

/** A WorkerKernelPool over fake worker threads (see the file header). */
export class FakePool extends WorkerKernelPool {
  readonly log: Int32Array;
  /** The workers that were sent a grown buffer, in order. */
  readonly sent: number[] = [];
  readonly stopped: number[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly threads: Worker[] = [];
  private readonly silent: boolean;
  private readonly terminate: boolean;
  /** One promise per thread, resolved when it exits. */
  readonly exits: Promise<void>[] = [];

  constructor(options: FakePoolOptions) {
    const { kernels, log } = fakeKernels();
    super(options.spins?.length ?? options.size ?? 1, kernels, options.guard ?? new ContentionGuard(Infinity), options.callerSpinMs ?? 0);
    this.log = log;
    this.silent = options.silent ?? false;
    this.terminate = options.terminate ?? true;
    (options.spins ?? []).forEach((spinMs, slot) => {
      const { port1, port2 } = new MessageChannel();
      const workerData = { control: this.control.buffer, slot, job: this.jobBuffer(slot).buffer, port: port2, log: log.buffer, spinMs, module: fakeModule };
      const thread = new Worker(WORKER, { eval: true, workerData, transferList: [port2] });
      thread.unref();
      this.exits.push(new Promise((resolve) => thread.once('exit', () => resolve())));
      this.ports.push(port1);
      this.threads.push(thread);
    });
  }

  /** Ends every thread, whatever state it is in (after a test). */
  dispose(): void {
    for (const thread of this.threads) void thread.terminate();
  }

  /** Says that worker w has booted (for a pool started without threads). */
  markBooted(w: number): void {
    Atomics.store(this.control, w * 16 + 2, 1);
  }

  /** Resolves once every worker is up. */
  async started(): Promise<this> {
    const deadline = Date.now() + 20_000;
    while (this.bootedWorkers < this.threads.length) {
      if (Date.now() > deadline) throw new Error('the fake workers did not start within 20 s');
      await new Promise((r) => setTimeout(r, 2));
    }
    return this;
  }

  /** Row i of the log: [value, thread]. */
  row(i: number): [number, number] {
    return [this.log[2 * i]!, this.log[2 * i + 1]!];
  }

  protected sendBuffer(w: number, buffer: SharedArrayBuffer): void {
    this.sent.push(w);
    this.ports[w]?.postMessage(buffer);
  }

  protected failureMessage(w: number): string | undefined {
    return this.silent ? undefined : (receiveMessageOnPort(this.ports[w]!)?.message as string | undefined);
  }

  protected stopWorker(w: number): void {
    this.stopped.push(w);
    this.ports[w]?.close();
    if (this.terminate) void this.threads[w]?.terminate();
  }
}
