/**
 * The platform-free kernel pool (src/kernels/worker-pool.ts), driven from the test's thread
 * against fake workers (fake-workers.ts) that follow the protocol: which thread runs which
 * job, the rows every run must leave as one thread would, sleeping workers woken and slow ones
 * waited for, failures reported by the right worker and cleared, the job checks, the growth of
 * a job buffer, booted workers counted in order, and what a run tells the contention guard.
 * (The real Node workers are tested in test/threads; mutation testing cannot see inside them.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ContentionGuard, type KernelCall } from '../../src/kernels/threads.js';
import { clock } from '../../src/kernels/worker-protocol.js';
import { FakePool, ROWS, type FakePoolOptions } from './fake-workers.js';

const put = (i: number, v: number): KernelCall => ({ fn: 'put', args: [i, v] }) as unknown as KernelCall;
const sleep = (ms: number): KernelCall => ({ fn: 'sleep', args: [ms] }) as unknown as KernelCall;
const fail = (): KernelCall => ({ fn: 'fail', args: [] }) as unknown as KernelCall;

const pools: FakePool[] = [];
function pool(options: FakePoolOptions): FakePool {
  const p = new FakePool(options);
  pools.push(p);
  return p;
}
afterEach(() => {
  for (const p of pools.splice(0)) {
    p.close();
    p.dispose();
  }
});

/** The log rows [value, thread] 0..n-1. */
const rows = (p: FakePool, n: number): [number, number][] => Array.from({ length: n }, (_, i) => p.row(i));

/** Records what each threaded run reports, and never falls back. */
class SpyGuard extends ContentionGuard {
  readonly runs: number[][] = [];
  constructor() {
    super(Infinity);
  }
  override record(ownMs: number, waitMs: number, workers: number, callerJobs: number, nowMs: number): void {
    this.runs.push([ownMs, waitMs, workers, callerJobs, nowMs]);
    super.record(ownMs, waitMs, workers, callerJobs, nowMs);
  }
}

describe('WorkerKernelPool', () => {
  it('counts booted workers in order: one up before an earlier one waits for it', () => {
    const p = pool({ spins: null, size: 3 });
    expect([p.bootedWorkers, p.ready]).toEqual([0, 1]);
    p.markBooted(1);
    expect([p.bootedWorkers, p.ready]).toEqual([0, 1]);
    p.markBooted(0);
    expect([p.bootedWorkers, p.ready]).toEqual([2, 3]);
    p.markBooted(2);
    expect([p.bootedWorkers, p.ready]).toEqual([3, 4]);
  });

  it('has one thread ready while its guard has fallen back, and once closed', () => {
    const guard = new ContentionGuard(1);
    const p = pool({ spins: null, size: 2, guard });
    p.markBooted(0);
    p.markBooted(1);
    expect(p.ready).toBe(3);
    guard.record(1, 5, 1, 1, clock.now()); // one late run: fallen back for a second
    expect(p.ready).toBe(1);
    const q = pool({ spins: null, size: 2 });
    q.markBooted(0);
    q.close();
    expect([q.ready, q.stopped]).toEqual([1, [0, 1]]);
    q.close();
    expect(q.stopped).toEqual([0, 1]);
  });

  it('runs jobs[0] on the caller, jobs[i] on worker i-1 and jobs past the ready workers on the caller, waking sleeping workers and waiting for slow ones', async () => {
    // Worker 0 polls forever (its sleep flag stays down), worker 1 always sleeps: each must be
    // reached through its own slot. Worker 1's job takes 50 ms, longer than the others.
    const p = await pool({ spins: [Infinity, 0] }).started();
    expect(p.ready).toBe(3);
    p.run([[put(0, 10)], [put(1, 11)], [sleep(50), put(2, 12)], [put(3, 13)], [put(4, 14)]]);
    expect(rows(p, 5)).toEqual([[10, 0], [11, 1], [12, 2], [13, 0], [14, 0]]);
    // Fewer jobs than threads: the last worker stays idle.
    p.run([[put(5, 15)], [sleep(20), put(6, 16)]]);
    expect(rows(p, 7).slice(5)).toEqual([[15, 0], [16, 1]]);
    expect(p.threadedRuns).toBe(2);
    for (let i = 0; i < 50; i++) {
      p.run([[put(7, i)], [put(8, i)], [put(9, i)]]);
      expect(rows(p, 10).slice(7), `run ${i}`).toEqual([[i, 0], [i, 1], [i, 2]]);
    }
  });

  it('tells every worker to stop when closed, asleep or not: each exits on its own', async () => {
    const p = await pool({ spins: [0, 0, Infinity], terminate: false }).started();
    p.run([[], [put(0, 1)], [put(1, 2)], [put(2, 3)]]);
    await new Promise((r) => setTimeout(r, 5)); // the first two go to sleep
    p.close();
    const exited = await Promise.race([Promise.all(p.exits).then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
    expect(exited, 'every worker exited').toBe(true);
    expect(p.stopped).toEqual([0, 1, 2]);
  });

  it('runs a lone job, or none, on the caller without telling the guard', async () => {
    const guard = new SpyGuard();
    const p = await pool({ spins: [0], guard }).started();
    p.run([]);
    p.run([[put(0, 3)]]);
    expect(rows(p, 1)).toEqual([[3, 0]]);
    expect([p.threadedRuns, guard.runs.length]).toEqual([0, 0]);
  });

  it('reports to the guard its own time, the wait for the workers, the workers used and the jobs it ran', async () => {
    const guard = new SpyGuard();
    const p = await pool({ spins: [0], guard }).started();
    const t0 = clock.now();
    p.run([[sleep(20)], [sleep(60)], [sleep(1)]]);
    const t1 = clock.now();
    expect(guard.runs.length).toBe(1);
    const [own, wait, workers, callerJobs, now] = guard.runs[0]!;
    expect([workers, callerJobs]).toEqual([1, 2]);
    expect(own).toBeGreaterThanOrEqual(15);
    expect(wait).toBeGreaterThanOrEqual(0);
    expect(own + wait, "the caller's time covers the worker's 60 ms").toBeGreaterThanOrEqual(50);
    expect(own + wait).toBeLessThanOrEqual(t1 - t0);
    expect(now).toBeGreaterThanOrEqual(t0);
    expect(now).toBeLessThanOrEqual(t1);
  });

  it("throws a worker's failed call as its own, after every thread finished, and clears it", async () => {
    const p = await pool({ spins: [0, 0] }).started();
    expect(() => p.run([[put(0, 1)], [sleep(20), put(1, 2)], [put(2, 3), fail(), put(3, 4)]])).toThrow(/^kernel worker 2: fail\(\): fail failed$/);
    expect(rows(p, 4)).toEqual([[1, 0], [2, 1], [3, 2], [0, 0]]);
    p.run([[put(0, 5)], [put(1, 6)], [put(2, 7)]]); // the failure is not reported again
    expect(() => p.run([[put(0, 1)], [fail()]])).toThrow(/^kernel worker 1: fail\(\)/);
    p.run([[put(0, 5)], [put(1, 6)]]);
    // A failure on the caller is thrown once the workers are done.
    expect(() => p.run([[fail()], [sleep(30), put(4, 8)]])).toThrow(/^fail failed$/);
    expect(p.row(4)).toEqual([8, 1]);
  });

  it('says only that a call failed when the message cannot be read', async () => {
    const p = await pool({ spins: [0], silent: true }).started();
    expect(() => p.run([[], [fail()]])).toThrow(/^kernel worker 1: a call failed$/);
  });

  it('refuses an unknown export and arguments that are not 32-bit integers, before sending anything', async () => {
    const p = await pool({ spins: [0] }).started();
    const nope = { fn: 'nope', args: [] } as unknown as KernelCall;
    expect(() => p.run([[], [put(0, 1), nope]])).toThrow(/^runJobs: the kernel module has no export "nope"$/);
    for (const bad of [1.5, 2 ** 32, -(2 ** 31) - 1, NaN]) {
      expect(() => p.run([[], [put(0, bad)]])).toThrow(new RegExp(`^runJobs: put: arguments must be 32-bit integers, got ${String(bad)}$`));
    }
    expect(p.threadedRuns).toBe(0);
    // Signed and unsigned 32-bit values pass, as the same bits on both threads.
    const values = [-1, 2 ** 31, 2 ** 32 - 1, -(2 ** 31), 2 ** 31 - 1];
    p.run([values.map((v, i) => put(i, v)), values.map((v, i) => put(10 + i, v))]);
    const caller = rows(p, 5).map(([v]) => v);
    expect(caller).toEqual([-1, -(2 ** 31), -1, -(2 ** 31), 2 ** 31 - 1]);
    expect(rows(p, 15).slice(10)).toEqual(caller.map((v) => [v, 1]));
  });

  it('writes a job in place while it fits the first 4,096-word buffer, then in one twice as large, then larger', async () => {
    const p = await pool({ spins: [0] }).started();
    /** n puts of 4 words each (row i % ROWS gets i), after `extra`. */
    const job = (n: number, extra: KernelCall[] = []): KernelCall[] => [...extra, ...Array.from({ length: n }, (_, i) => put(i % ROWS, n + i))];
    const expected = (n: number): [number, number][] => Array.from({ length: ROWS }, (_, r) => [n + r + ROWS * Math.floor((n - 1 - r) / ROWS), 1]);
    const runs: [number, KernelCall[], number[]][] = [
      [1023, job(1023, [sleep(0)]), []], // 1 + 3 + 1023 * 4 = 4,096 words: fits
      [1024, job(1024), [0]], // 4,097 words: a buffer of 8,192
      [2047, job(2047), [0]], // 8,189 words: still fits
      [2100, job(2100), [0, 0]], // 8,401: grows again
      [300, job(300), [0, 0]],
    ];
    for (const [n, calls, sent] of runs) {
      p.run([[], calls]);
      expect(rows(p, ROWS), `${n} calls`).toEqual(expected(n));
      expect(p.sent, `${n} calls`).toEqual(sent);
    }
  });
});
