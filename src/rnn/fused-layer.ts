/**
 * One recurrent layer (all its directions) as a single autograd op: the fast path.
 *
 * Legend: T = steps, B = batch, I = input size, H = hidden size, D = directions (1 or 2),
 * G = gates * H (LSTM 4H, GRU 3H, RNN H). Tensors are time-major: x (T, B, I).
 *
 * Forward, per direction:
 *   XW = x W_ih^T + b_ih                 all T steps in one (T*B, I) x (I, G) product
 *   for each step t (T-1 down to 0 for the reverse direction):
 *     HW = h W_hh^T + b_hh               the only product left inside the loop, (B, H) x (H, G)
 *     h, c = cell(XW_t, HW, h, c)        one fused pass over the gates
 * Backward (BPTT), per direction, walking the steps in the opposite order:
 *   dh += dY_t;  (dXW_t, dHW_t, dh, dc) = cell'(...);  dh += dHW_t W_hh
 * and then, once, as large products over all T*B rows:
 *   dW_ih = dXW^T x,   dW_hh = dHW^T h_prev,   db = column sums,   dx += dXW W_ih
 *
 * With lengths, a sequence b takes part only in steps t < lengths[b]: past its end its output
 * is zero and its state is carried unchanged, so h_n is its state at its last valid step and
 * the reverse direction starts there, as pack_padded_sequence does.
 *
 * The active backend computes both passes over plain arrays (src/kernels: js/recurrent-layer.ts
 * is the step-by-step reading, wasm/recurrent-layer.ts the SIMD one); this file records them as
 * one op whose single output is one packed buffer [output | h_n | c_n], and returns zero-copy
 * views of the three parts, whose gradients flow back into the packed one. What backward needs
 * goes back to its pool once backward has run and the graph is freed, or at once when no graph
 * was recorded.
 */
import { isGradEnabled, record } from '../autograd/graph.js';
import { backend } from '../kernels/backend.js';
import type { CellKind } from '../kernels/recurrent.js';
import type { WorkspacePool } from '../kernels/workspace.js';
import type { Tensor } from '../tensor/tensor.js';

export { gateCount, type CellKind } from '../kernels/recurrent.js';

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
 * Runs one layer over x (T, B, I) from h0 (D, B, H) (and c0 for the LSTM), all directions.
 * `lengths` holds B valid lengths in [1, T]. `pools` holds one workspace pool per direction.
 */
export function recurrentLayer(
  kind: CellKind,
  x: Tensor,
  h0: Tensor,
  c0: Tensor | null,
  directions: readonly DirectionWeights[],
  lengths: Int32Array,
  pools: readonly WorkspacePool[],
): LayerResult {
  const [T, B, I] = x.shape as [number, number, number];
  const D = directions.length;
  const H = h0.shape[2]!;
  const weights = directions.flatMap((w) => [w.weightIh, w.weightHh, w.biasIh, w.biasHh]).filter((w): w is Tensor => w !== null);
  const inputs = [x, h0, ...(c0 ? [c0] : []), ...weights];
  const save = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  const run = backend().recurrentLayer({
    kind, T, B, I, H, x: x.data, h0: h0.data, c0: c0 === null ? null : c0.data, lengths, pools,
    directions: directions.map((w) => ({ weightIh: w.weightIh.data, weightHh: w.weightHh.data, biasIh: w.biasIh?.data ?? null, biasHh: w.biasHh?.data ?? null })),
  }, save);
  const { packed } = run;
  const out = record(`${kind}Layer`, packed, [packed.length], inputs, (g) => {
    const grads = run.backward(g, x.requiresGrad);
    // The engine clears gradFn.backward before calling it unless the graph is retained:
    // only then may the buffers go back to the pool.
    if (out.gradFn?.backward === null) run.release();
    return grads;
  });
  if (out.gradFn === null) run.release();
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
