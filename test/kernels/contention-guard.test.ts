/**
 * The contention rule (src/kernels/threads.ts): a run is late when the caller waited longer
 * for the workers than one thread would have needed for their jobs (runs under 1 ms are not
 * judged); three strikes make the pool fall back to one thread for a back-off that doubles
 * while probes stay late. (Plain arithmetic on times passed in: it lives beside the kernel tests,
 * which mutation testing runs for src/kernels.)
 */
import { describe, expect, it } from 'vitest';
import { ContentionGuard } from '../../src/kernels/threads.js';

describe('ContentionGuard', () => {
  it('calls a run late only when waiting cost more than the workers saved', () => {
    const guard = new ContentionGuard(1);
    guard.record(1, 0.9, 1, 1, 0); // 1 worker, the caller's job took 1 ms: waiting 0.9 ms still gains
    guard.record(1, 1.9, 2, 1, 0); // 2 workers save 2 ms
    guard.record(2, 0.9, 1, 2, 0); // 2 jobs on the caller in 2 ms: the worker's one is worth 1 ms...
    guard.record(2, 1, 1, 2, 0); // waiting exactly what the worker's job was worth is no loss
    expect(guard.fallenBack(0)).toBe(false);
    guard.record(2, 1.1, 1, 2, 0); // ...but waiting 1.1 ms for it is
    expect(guard.fallenBack(0)).toBe(true);
  });

  it('falls back after three strikes, for one second, then probes', () => {
    const guard = new ContentionGuard();
    guard.record(1, 5, 1, 1, 0);
    guard.record(1, 5, 1, 1, 1);
    expect(guard.fallenBack(1)).toBe(false);
    guard.record(1, 5, 1, 1, 2);
    expect([guard.fallenBack(2), guard.fallenBack(1001), guard.fallenBack(1002), guard.fallbacks]).toEqual([true, true, false, 1]);
    // A late probe falls back again at once, for twice as long.
    guard.record(1, 5, 1, 1, 1010);
    expect([guard.fallenBack(3009), guard.fallenBack(3010), guard.fallbacks]).toEqual([true, false, 2]);
    // On-time runs clear the strikes, and the back-off is one second again.
    guard.record(1, 0.5, 1, 1, 3020);
    guard.record(1, 0.5, 1, 1, 3021);
    for (const t of [3030, 3031, 3032]) guard.record(1, 5, 1, 1, t);
    expect([guard.fallenBack(4031), guard.fallenBack(4032)]).toEqual([true, false]);
  });

  it('does not fall back when late runs are rarer than on-time ones', () => {
    const guard = new ContentionGuard();
    for (let i = 0; i < 100; i++) guard.record(1, i % 2 === 0 ? 5 : 0.1, 1, 1, i);
    expect(guard.fallbacks).toBe(0);
  });

  it('keeps the doubled back-off until the strikes are all gone', () => {
    const guard = new ContentionGuard();
    for (const t of [0, 1, 2]) guard.record(1, 5, 1, 1, t); // falls back for 1 s; the next one will be 2 s
    guard.record(1, 0.5, 1, 1, 1010); // one strike of the two left goes
    guard.record(1, 5, 1, 1, 1011);
    guard.record(1, 5, 1, 1, 1012); // three strikes again: 2 s
    expect([guard.fallenBack(3011), guard.fallenBack(3012), guard.fallbacks]).toEqual([true, false, 2]);
  });

  it('does not bank on-time runs: after many, three late ones still fall back', () => {
    const guard = new ContentionGuard();
    for (let i = 0; i < 10; i++) guard.record(1, 0.1, 1, 1, i);
    for (let i = 10; i < 13; i++) guard.record(1, 5, 1, 1, i);
    expect([guard.fallenBack(12), guard.fallbacks]).toEqual([true, 1]);
  });

  it('does not judge runs shorter than a millisecond (waking a worker may take longer than they do)', () => {
    const guard = new ContentionGuard();
    for (let i = 0; i < 100; i++) guard.record(0.2, 5, 1, 1, i);
    expect(guard.fallbacks).toBe(0);
    for (let i = 100; i < 103; i++) guard.record(1, 5, 1, 1, i);
    expect(guard.fallbacks).toBe(1);
  });

  it('never falls back with an infinite strike limit', () => {
    const guard = new ContentionGuard(Infinity);
    for (let i = 0; i < 100; i++) guard.record(1, 5, 1, 1, i);
    expect(guard.fallenBack(100)).toBe(false);
  });
});
