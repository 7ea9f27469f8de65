/**
 * What a backend's recurrent layer takes and gives: plain arrays and sizes, no Tensors.
 *
 * Legend: T = steps, B = batch, I = input size, H = hidden size, D = directions (1 or 2),
 * G = gates × H (LSTM 4H, GRU 3H, RNN H). Arrays are time-major and row-major: x (T, B, I),
 * h0 and c0 (D, B, H), weights in PyTorch's layout. The equations are in src/rnn/fused-layer.ts.
 */
import type { WorkspacePool } from './workspace.js';

/** Which cell a layer runs. */
export type CellKind = 'lstm' | 'gru' | 'rnnTanh' | 'rnnRelu';

/** Gates per cell: LSTM 4 (i, f, g, o), GRU 3 (r, z, n), RNN 1. */
export function gateCount(kind: CellKind): number {
  return kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
}

/** The weights of one direction, in PyTorch layout. */
export interface DirectionArrays {
  /** (G, I) */
  readonly weightIh: Float32Array;
  /** (G, H) */
  readonly weightHh: Float32Array;
  /** (G) or null */
  readonly biasIh: Float32Array | null;
  /** (G) or null */
  readonly biasHh: Float32Array | null;
}

/** One call of a recurrent layer, all directions. */
export interface RecurrentLayerCall {
  readonly kind: CellKind;
  readonly T: number;
  readonly B: number;
  readonly I: number;
  readonly H: number;
  /** (T, B, I) */
  readonly x: Float32Array;
  /** (D, B, H) */
  readonly h0: Float32Array;
  /** (D, B, H) for the LSTM, else null */
  readonly c0: Float32Array | null;
  /** One entry per direction: forward, then reverse. */
  readonly directions: readonly DirectionArrays[];
  /** B valid lengths in [1, T]: sequence b takes part in steps t < lengths[b]. */
  readonly lengths: Int32Array;
  /** One workspace pool per direction, for what backward needs. */
  readonly pools: readonly WorkspacePool[];
}

/** A layer run: its packed outputs, and the way back. */
export interface RecurrentLayerRun {
  /** [output (T, B, D*H) | h_n (D, B, H) | c_n (D, B, H), LSTM only]. */
  readonly packed: Float32Array;
  /**
   * Gradients for the packed gradient `g`: [dx (null unless `needX`), dh0, dc0 (LSTM only),
   * then per direction dW_ih, dW_hh, db_ih (if a bias), db_hh (if a bias)].
   */
  backward(g: Float32Array, needX: boolean): (Float32Array | null)[];
  /** Gives the workspaces back to their pools (once backward can no longer run). */
  release(): void;
}
