/**
 * The workspace pool of a recurrent layer: a released workspace is handed out again to the next
 * call of its (steps, batch) shape and to no other, at most two are kept per shape (the last
 * released first), and at most eight shapes are remembered, the oldest forgotten first.
 */
import { describe, expect, it } from 'vitest';
import { Workspace, WorkspacePool } from '../../src/kernels/workspace.js';

describe('Workspace', () => {
  it('allocates only the buffers its cell kind uses', () => {
    const [T, B, H] = [3, 2, 5];
    const lengths = (ws: Workspace) => [ws.gates.length, ws.cPrev.length, ws.tanhC.length, ws.hwn.length, ws.dHW === ws.dXW];
    expect(lengths(new Workspace(T, B, H, 'lstm'))).toEqual([T * B * 4 * H, T * B * H, T * B * H, 0, true]);
    expect(lengths(new Workspace(T, B, H, 'gru'))).toEqual([T * B * 3 * H, 0, 0, T * B * H, false]);
    expect(lengths(new Workspace(T, B, H, 'rnnTanh'))).toEqual([T * B * H, 0, 0, 0, true]);
  });
});

describe('WorkspacePool', () => {
  it('hands a released workspace to the next call of its shape only', () => {
    const pool = new WorkspacePool(3, 'lstm');
    const ws = pool.acquire(2, 5);
    expect(ws).toBeInstanceOf(Workspace);
    expect(ws.gates.length).toBe(2 * 5 * 4 * 3);
    expect(ws.hPrev.length).toBe(2 * 5 * 3);
    pool.release(2, 5, ws);
    const other = pool.acquire(5, 2);
    expect(other).not.toBe(ws);
    expect(other.gates.length).toBe(5 * 2 * 4 * 3);
    expect(pool.acquire(2, 5)).toBe(ws);
    expect(pool.acquire(2, 5)).not.toBe(ws); // taken: a new one
  });

  it('keeps two free workspaces per shape, the last released first', () => {
    const pool = new WorkspacePool(2, 'gru');
    const [w1, w2, w3] = [pool.acquire(4, 1), pool.acquire(4, 1), pool.acquire(4, 1)];
    expect(new Set([w1, w2, w3]).size).toBe(3);
    pool.release(4, 1, w1!);
    pool.release(4, 1, w2!);
    pool.release(4, 1, w3!); // a third is not kept
    expect(pool.acquire(4, 1)).toBe(w2);
    expect(pool.acquire(4, 1)).toBe(w1);
    const fresh = pool.acquire(4, 1);
    expect([w1, w2, w3]).not.toContain(fresh);
    // The emptied list takes workspaces again.
    pool.release(4, 1, w3!);
    expect(pool.acquire(4, 1)).toBe(w3);
  });

  it('remembers eight shapes and forgets the oldest for a ninth', () => {
    const pool = new WorkspacePool(2, 'rnnTanh');
    const kept = Array.from({ length: 9 }, (_, T) => pool.acquire(T + 1, 3));
    kept.slice(0, 8).forEach((ws, T) => pool.release(T + 1, 3, ws));
    // All eight come back.
    kept.slice(0, 8).forEach((ws, T) => expect(pool.acquire(T + 1, 3)).toBe(ws));
    kept.slice(0, 8).forEach((ws, T) => pool.release(T + 1, 3, ws));
    pool.release(9, 3, kept[8]!); // the ninth shape: shape 1 is forgotten
    expect(pool.acquire(1, 3)).not.toBe(kept[0]);
    kept.slice(1).forEach((ws, i) => expect(pool.acquire(i + 2, 3)).toBe(ws));
  });
});
