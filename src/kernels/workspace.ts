/**
 * Buffers of one recurrent layer direction, allocated once per (steps, batch) shape and reused
 * by every later call of that shape.
 *
 * Legend: T = steps, B = batch, H = hidden size, G = gates * H (LSTM 4H, GRU 3H, RNN H).
 * A workspace is taken from the pool by a forward pass and given back when its backward has
 * run (or at once when no graph was recorded), so two graphs alive at the same time never
 * share buffers.
 */
import { gateCount, type CellKind } from './recurrent.js';

/** The per-direction buffers of one forward/backward pass. */
export class Workspace {
  /** (T, B, G): x W_ih^T + b_ih on entry to a step, the gate activations after it. */
  readonly gates: Float32Array;
  /** (T, B, H): the hidden state entering each time step (indexed by time, not by order). */
  readonly hPrev: Float32Array;
  /** (T, B, H): LSTM cell state entering each time step. */
  readonly cPrev: Float32Array;
  /** (T, B, H): LSTM tanh(c) after each step. */
  readonly tanhC: Float32Array;
  /** (T, B, H): GRU W_hn h + b_hn at each step. */
  readonly hwn: Float32Array;
  /** (B, G): h W_hh^T + b_hh of the current step. */
  readonly hw: Float32Array;
  /** (B, H): the running hidden state; in backward, its running gradient. */
  readonly h: Float32Array;
  /** (B, H): the running LSTM cell state; in backward, its running gradient. */
  readonly c: Float32Array;
  /** (T, B, G): gradients of x W_ih^T + b_ih. */
  readonly dXW: Float32Array;
  /** (T, B, G): gradients of h W_hh^T + b_hh (the same array as dXW except for the GRU). */
  readonly dHW: Float32Array;

  constructor(T: number, B: number, H: number, kind: CellKind) {
    const G = gateCount(kind) * H;
    this.gates = new Float32Array(T * B * G);
    this.hPrev = new Float32Array(T * B * H);
    this.cPrev = new Float32Array(kind === 'lstm' ? T * B * H : 0);
    this.tanhC = new Float32Array(kind === 'lstm' ? T * B * H : 0);
    this.hwn = new Float32Array(kind === 'gru' ? T * B * H : 0);
    this.hw = new Float32Array(B * G);
    this.h = new Float32Array(B * H);
    this.c = new Float32Array(B * H);
    this.dXW = new Float32Array(T * B * G);
    this.dHW = kind === 'gru' ? new Float32Array(T * B * G) : this.dXW;
  }
}

/** How many shapes a pool remembers, and how many free workspaces it keeps per shape. */
const MAX_SHAPES = 8;
const MAX_PER_SHAPE = 2;

/** Free workspaces of one layer, by (T, B); bounded, so varying shapes cannot grow it without end. */
export class WorkspacePool {
  private readonly free = new Map<string, Workspace[]>();

  constructor(
    private readonly H: number,
    private readonly kind: CellKind,
  ) {}

  /** A workspace for T steps of batch B: a free one if there is one, else a new one. */
  acquire(T: number, B: number): Workspace {
    return this.free.get(`${T},${B}`)?.pop() ?? new Workspace(T, B, this.H, this.kind);
  }

  /** Gives a workspace back for reuse by a later call of the same shape. */
  release(T: number, B: number, ws: Workspace): void {
    const key = `${T},${B}`;
    const list = this.free.get(key);
    if (list) {
      if (list.length < MAX_PER_SHAPE) list.push(ws);
      return;
    }
    if (this.free.size >= MAX_SHAPES) this.free.delete(this.free.keys().next().value!);
    this.free.set(key, [ws]);
  }
}
