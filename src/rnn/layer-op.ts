/**
 * A recurrent layer as one autograd op, whichever backend computed it.
 *
 * The op's single output is one packed buffer [output (T, B, D*H) | h_n (D, B, H) | c_n];
 * the caller gets zero-copy views of the three parts, whose gradients flow back into the
 * packed one. What backward needs is given back (`release`) once backward has run and the
 * graph is freed, or at once when no graph was recorded.
 */
import { record } from '../autograd/graph.js';
import type { Tensor } from '../tensor/tensor.js';

/** Which cell a layer runs. */
export type CellKind = 'lstm' | 'gru' | 'rnnTanh' | 'rnnRelu';

/** Gates per cell: LSTM 4 (i, f, g, o), GRU 3 (r, z, n), RNN 1. */
export function gateCount(kind: CellKind): number {
  return kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
}

/** The weights of one direction, in PyTorch layout. */
export interface DirectionWeights {
  /** (G, I) */
  weightIh: Tensor;
  /** (G, H) */
  weightHh: Tensor;
  /** (G) or null */
  biasIh: Tensor | null;
  /** (G) or null */
  biasHh: Tensor | null;
}

/** What a layer returns: output (T, B, D*H), h_n (D, B, H) and, for the LSTM, c_n. */
export interface LayerResult {
  output: Tensor;
  h: Tensor;
  c: Tensor | null;
}

/**
 * Records the layer op over `packed` ([T, B, D, H] give its parts) and returns the views.
 * `backward` maps the packed gradient to one gradient per input; `release` frees what it used.
 */
export function recordLayer(
  kind: CellKind,
  packed: Float32Array,
  [T, B, D, H]: readonly number[],
  inputs: readonly Tensor[],
  backward: (g: Float32Array) => (Float32Array | null)[],
  release: () => void,
): LayerResult {
  const out = record(`${kind}Layer`, packed, [packed.length], inputs, (g) => {
    const grads = backward(g);
    // The engine clears gradFn.backward before calling it unless the graph is retained:
    // only then may the buffers go back to the pool.
    if (out.gradFn?.backward === null) release();
    return grads;
  });
  if (out.gradFn === null) release();
  const outSize = T * B * D * H;
  const stateSize = D * B * H;
  const view = (offset: number, shape: number[]): Tensor =>
    record('unpack', packed.subarray(offset, offset + shape.reduce((a, b) => a * b, 1)), shape, [out], (g) => {
      const full = new Float32Array(packed.length);
      full.set(g, offset);
      return [full];
    });
  return {
    output: view(0, [T, B, D * H]),
    h: view(outSize, [D, B, H]),
    c: kind === 'lstm' ? view(outSize + stateSize, [D, B, H]) : null,
  };
}
