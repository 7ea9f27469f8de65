/**
 * The thread protocol's functions (src/kernels/worker-protocol.ts), called in the test's own
 * thread: they run inside kernel workers too, where mutation testing cannot see them. A
 * helper thread in plain JavaScript plays the other side where one is needed: it changes a
 * value early or late, and records whether the waiting side had raised its sleep flag.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { awaitChange, exportNames, publish, runEncodedJob } from '../../src/kernels/worker-protocol.js';
import { fakeModule, moduleExporting } from './fake-workers.js';

// Cells of the shared block of these tests.
const VALUE = 0;
const FLAG = 1;
/** What the helper saw: 1 when the flag was up before it changed VALUE, 2 when it never was. */
const SEEN = 2;

/** Runs `code` (plain JS over `c`, the shared Int32Array) on a thread; resolves when it ends. */
function helper(code: string, c: Int32Array): Promise<void> {
  const thread = new Worker(`const c = new Int32Array(require('node:worker_threads').workerData); ${code}`, { eval: true, workerData: c.buffer });
  return new Promise((resolve, reject) => {
    thread.on('error', reject);
    thread.on('exit', () => resolve());
  });
}

/** Blocks the test's thread until c[at] is `value` (the helper is up), at most 10 s. */
function blockUntil(c: Int32Array, at: number, value: number): void {
  const end = Date.now() + 10_000;
  while (Atomics.load(c, at) !== value) if (Date.now() > end) throw new Error('the helper thread did not start');
}

const block = (): Int32Array => new Int32Array(new SharedArrayBuffer(16 * 4));

describe('exportNames', () => {
  it("lists the module's function exports in module order, without its other exports", () => {
    expect(exportNames(fakeModule)).toEqual(['put', 'sleep', 'fail']);
    expect(exportNames(moduleExporting([['z', 'func'], ['a', 'func']]))).toEqual(['z', 'a']);
  });
});

describe('awaitChange', () => {
  it('returns a value that has already changed at once, without raising the flag', () => {
    const c = block();
    c[VALUE] = 5;
    expect(awaitChange(c, VALUE, 4, FLAG, Infinity)).toBe(5);
    expect(c[FLAG]).toBe(0);
  });

  it('sees a change within spinMs by polling, without ever raising the flag', async () => {
    const c = block();
    const GO = 3;
    // The helper watches the flag for 30 ms, then changes the value.
    const done = helper(`
      Atomics.store(c, ${GO}, 1);
      const end = Date.now() + 30;
      let raised = false;
      while (Date.now() < end) raised ||= Atomics.load(c, ${FLAG}) !== 0;
      Atomics.store(c, ${SEEN}, raised ? 1 : 2);
      Atomics.store(c, ${VALUE}, 8);
      Atomics.notify(c, ${VALUE});`, c);
    blockUntil(c, GO, 1);
    expect(awaitChange(c, VALUE, 0, FLAG, 5000)).toBe(8);
    await done;
    expect(c[SEEN], 'the flag stayed down while polling').toBe(2);
  });

  it('after spinMs, sleeps with the flag raised until the other side notifies, then lowers it', async () => {
    const c = block();
    const GO = 3;
    // The helper waits (up to 1 s) for the flag, then changes the value and notifies.
    const done = helper(`
      Atomics.store(c, ${GO}, 1);
      const end = Date.now() + 1000;
      while (Atomics.load(c, ${FLAG}) === 0 && Date.now() < end);
      Atomics.store(c, ${SEEN}, Atomics.load(c, ${FLAG}) !== 0 ? 1 : 2);
      Atomics.store(c, ${VALUE}, 7);
      Atomics.notify(c, ${VALUE});`, c);
    blockUntil(c, GO, 1);
    expect(awaitChange(c, VALUE, 0, FLAG, 0)).toBe(7);
    await done;
    expect(c[SEEN], 'the flag was raised before sleeping').toBe(1);
    expect(c[FLAG], 'and lowered after').toBe(0);
  });
});

describe('publish', () => {
  it('stores the value, and wakes a sleeper that raised the flag', async () => {
    const c = block();
    const GO = 3;
    const RESULT = 4;
    // The helper raises the flag and sleeps on the value for at most 5 s (RESULT 2: timed out).
    const done = helper(`
      Atomics.store(c, ${FLAG}, 1);
      Atomics.store(c, ${GO}, 1);
      Atomics.store(c, ${RESULT}, Atomics.wait(c, ${VALUE}, 0, 5000) === 'timed-out' ? 2 : 1);`, c);
    blockUntil(c, GO, 1);
    publish(c, VALUE, 3, FLAG);
    expect(c[VALUE]).toBe(3);
    await done;
    expect(c[RESULT], 'the sleeper was woken').toBe(1);
  });
});

describe('runEncodedJob', () => {
  const calls: string[] = [];
  const fns = [
    (...args: number[]) => void calls.push(`a(${args.join(',')})`),
    (...args: number[]) => void calls.push(`b(${args.join(',')})`),
    () => {
      throw new Error('out of bounds');
    },
    () => {
      throw 'a string';
    },
  ];
  const names = ['a', 'b', 'bad', 'odd'];

  it('runs the calls in order with their arguments, and only the `count` calls encoded', () => {
    calls.length = 0;
    // [count, then per call: export index, argument count, arguments]; the rest is stale.
    const job = Int32Array.from([3, 1, 2, 10, -20, 0, 0, 1, 3, 1, 2, 3, /* stale: */ 0, 1, 99]);
    expect(runEncodedJob(job, fns, names)).toBeNull();
    expect(calls).toEqual(['b(10,-20)', 'a()', 'b(1,2,3)']);
    calls.length = 0;
    expect(runEncodedJob(Int32Array.from([0, 1, 1, 5]), fns, names)).toBeNull();
    expect(calls).toEqual([]);
  });

  it('stops at a call that throws and says which call, with its arguments, and why', () => {
    calls.length = 0;
    expect(runEncodedJob(Int32Array.from([3, 0, 1, 4, 2, 2, 7, -8, 1, 0]), fns, names)).toBe('bad(7, -8): out of bounds');
    expect(calls).toEqual(['a(4)']);
    expect(runEncodedJob(Int32Array.from([1, 3, 0]), fns, names)).toBe('odd(): a string');
  });
});
