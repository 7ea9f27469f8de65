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
 *     h, c = cell(XW_t, HW, h, c)        one fused pass over the gates (src/kernels)
 * Backward (BPTT), per direction, walking the steps in the opposite order:
 *   dh += dY_t;  (dXW_t, dHW_t, dh, dc) = cell'(...);  dh += dHW_t W_hh
 * and then, once, as large products over all T*B rows:
 *   dW_ih = dXW^T x,   dW_hh = dHW^T h_prev,   db = column sums,   dx += dXW W_ih
 *
 * With lengths, a sequence b takes part only in steps t < lengths[b]: past its end its output
 * is zero and its state is carried unchanged, so h_n is its state at its last valid step and
 * the reverse direction starts there, as pack_padded_sequence does.
 *
 * The op returns one packed tensor [output | h_n | c_n] (its single autograd output) and
 * zero-copy views of the three parts, whose gradients flow back into the packed one.
 */
import { isGradEnabled } from '../autograd/graph.js';
import { activeWasm } from '../kernels/backend.js';
import { gruBackwardStep, gruForwardStep } from '../kernels/gru.js';
import { lstmBackwardStep, lstmForwardStep } from '../kernels/lstm.js';
import { matmulNN, matmulNT, matmulTN } from '../kernels/matmul.js';
import { rnnBackwardStep, rnnForwardStep } from '../kernels/rnn.js';
import type { Tensor } from '../tensor/tensor.js';
import { recurrentLayerWasm } from './fused-layer-wasm.js';
import { gateCount, recordLayer, type CellKind, type DirectionWeights, type LayerResult } from './layer-op.js';
import type { Workspace, WorkspacePool } from './workspace.js';

/** Column sums of a (rows, cols) block, added into out. */
function addColumnSums(rows: number, cols: number, a: Float32Array, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    for (let j = 0; j < cols; j++) out[j] += a[off + j];
  }
}

/** Every row of a (rows, cols) block set to `bias` (or zero). */
function fillRows(rows: number, cols: number, bias: Tensor | null, out: Float32Array): void {
  if (bias === null) {
    out.fill(0, 0, rows * cols);
    return;
  }
  for (let r = 0; r < rows; r++) out.set(bias.data, r * cols);
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
  const weights = directions.flatMap((w) => [w.weightIh, w.weightHh, w.biasIh, w.biasHh]);
  const inputs = [x, h0, ...(c0 ? [c0] : []), ...weights.filter((w): w is Tensor => w !== null)];
  const wasm = activeWasm();
  if (wasm !== null) {
    const saveForBackward = isGradEnabled() && inputs.some((t) => t.requiresGrad);
    return recurrentLayerWasm(wasm, kind, x, h0, c0, directions, lengths, pools, saveForBackward);
  }
  const [T, B, I] = x.shape;
  const D = directions.length;
  const H = h0.shape[2];
  const G = gateCount(kind) * H;
  const isLstm = kind === 'lstm';
  const relu = kind === 'rnnRelu';
  const X = x.data;
  const outSize = T * B * D * H;
  const stateSize = D * B * H;
  const packed = new Float32Array(outSize + stateSize * (isLstm ? 2 : 1));
  const workspaces: Workspace[] = [];

  for (let d = 0; d < D; d++) {
    const { weightIh, weightHh, biasIh, biasHh } = directions[d];
    const ws = pools[d].acquire(T, B);
    workspaces.push(ws);
    const { gates, hPrev, cPrev, tanhC, hwn, hw, h, c } = ws;
    fillRows(T * B, G, biasIh, gates);
    matmulNT(T * B, I, G, X, 0, weightIh.data, 0, gates, 0, true);
    h.set(h0.data.subarray(d * B * H, (d + 1) * B * H));
    if (isLstm) c.set(c0!.data.subarray(d * B * H, (d + 1) * B * H));
    for (let s = 0; s < T; s++) {
      const t = d === 1 ? T - 1 - s : s;
      const stateOff = t * B * H;
      hPrev.set(h, stateOff);
      fillRows(B, G, biasHh, hw);
      matmulNT(B, H, G, h, 0, weightHh.data, 0, hw, 0, true);
      if (isLstm) {
        cPrev.set(c, stateOff);
        lstmForwardStep(B, H, t, lengths, gates, t * B * G, hw, h, c, tanhC, stateOff);
      } else if (kind === 'gru') {
        gruForwardStep(B, H, t, lengths, gates, t * B * G, hw, h, hwn, stateOff);
      } else {
        rnnForwardStep(B, H, t, lengths, relu, gates, t * B * G, hw, h);
      }
      for (let b = 0; b < B; b++) {
        if (lengths[b] <= t) continue;
        const dst = ((t * B + b) * D + d) * H;
        for (let j = 0; j < H; j++) packed[dst + j] = h[b * H + j];
      }
    }
    packed.set(h, outSize + d * B * H);
    if (isLstm) packed.set(c, outSize + stateSize + d * B * H);
  }

  return recordLayer(kind, packed, [T, B, D, H], inputs, backwardLayer, () => workspaces.forEach((ws, d) => pools[d].release(T, B, ws)));

  function backwardLayer(g: Float32Array): (Float32Array | null)[] {
    const gx = x.requiresGrad ? new Float32Array(X.length) : null;
    const gh0 = new Float32Array(stateSize);
    const gc0 = isLstm ? new Float32Array(stateSize) : null;
    const weightGrads: (Float32Array | null)[] = [];
    for (let d = 0; d < D; d++) {
      const { weightIh, weightHh, biasIh, biasHh } = directions[d];
      const { gates, hPrev, cPrev, tanhC, hwn, h: dh, c: dc, dXW, dHW } = workspaces[d];
      dh.set(g.subarray(outSize + d * B * H, outSize + (d + 1) * B * H));
      if (isLstm) dc.set(g.subarray(outSize + stateSize + d * B * H, outSize + stateSize + (d + 1) * B * H));
      for (let s = T - 1; s >= 0; s--) {
        const t = d === 1 ? T - 1 - s : s;
        const stateOff = t * B * H;
        for (let b = 0; b < B; b++) {
          if (lengths[b] <= t) continue;
          const src = ((t * B + b) * D + d) * H;
          for (let j = 0; j < H; j++) dh[b * H + j] += g[src + j];
        }
        if (isLstm) {
          lstmBackwardStep(B, H, t, lengths, gates, t * B * G, cPrev, stateOff, tanhC, stateOff, dh, dc, dXW, t * B * G);
        } else if (kind === 'gru') {
          gruBackwardStep(B, H, t, lengths, gates, t * B * G, hPrev, stateOff, hwn, stateOff, dh, dXW, dHW, t * B * G);
        } else {
          rnnBackwardStep(B, H, t, lengths, relu, gates, t * B * G, dh, dXW, t * B * G);
        }
        matmulNN(B, G, H, dHW, t * B * G, weightHh.data, 0, dh, 0, true);
      }
      gh0.set(dh, d * B * H);
      if (gc0) gc0.set(dc, d * B * H);
      const gWih = new Float32Array(G * I);
      const gWhh = new Float32Array(G * H);
      matmulTN(G, T * B, I, dXW, 0, X, 0, gWih, 0, false);
      matmulTN(G, T * B, H, dHW, 0, hPrev, 0, gWhh, 0, false);
      weightGrads.push(gWih, gWhh);
      if (biasIh) {
        const gb = new Float32Array(G);
        addColumnSums(T * B, G, dXW, gb);
        weightGrads.push(gb);
      }
      if (biasHh) {
        const gb = new Float32Array(G);
        addColumnSums(T * B, G, dHW, gb);
        weightGrads.push(gb);
      }
      if (gx) matmulNN(T * B, G, I, dXW, 0, weightIh.data, 0, gx, 0, true);
    }
    return [gx, gh0, ...(gc0 ? [gc0] : []), ...weightGrads];
  }
}
