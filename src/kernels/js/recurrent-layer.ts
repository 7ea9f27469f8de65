/**
 * One recurrent layer (all its directions) on the scalar kernels: the computation of
 * src/rnn/fused-layer.ts, step by step.
 *
 * Legend: T = steps, B = batch, I = input size, H = hidden size, D = directions,
 * G = gates × H. Per direction, a pooled Workspace holds (see ../workspace.ts):
 *   gates (T, B, G)   x W_ihᵀ + b_ih, then the gate activations
 *   hPrev, cPrev, tanhC, hwn (T, B, H)   what backward needs, indexed by time
 *   h, c (B, H)       the running state (in backward, its running gradient)
 *   dXW, dHW (T, B, G)   the gate gradients (one array but for the GRU)
 */
import type { RecurrentLayerCall, RecurrentLayerRun } from '../recurrent.js';
import { gateCount } from '../recurrent.js';
import type { Workspace } from '../workspace.js';
import { gruBackwardStep, gruForwardStep } from './gru.js';
import { lstmBackwardStep, lstmForwardStep } from './lstm.js';
import { matmulNN, matmulNT, matmulTN } from './matmul.js';
import { rnnBackwardStep, rnnForwardStep } from './rnn.js';

/** out(cols) += the column sums of a (rows, cols) block. */
export function addColumnSums(rows: number, cols: number, a: Float32Array, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    // Stryker disable next-line EqualityOperator: one column more writes out[cols], past the end of a typed array, which is dropped
    for (let j = 0; j < cols; j++) out[j] += a[off + j];
  }
}

/** Every row of a (rows, cols) block set to `bias` (or zero). */
function fillRows(rows: number, cols: number, bias: Float32Array | null, out: Float32Array): void {
  if (bias === null) {
    out.fill(0, 0, rows * cols);
    return;
  }
  for (let r = 0; r < rows; r++) out.set(bias, r * cols);
}

/** Runs one layer forward on the scalar kernels (the workspaces are needed either way). */
export function recurrentLayerJs(call: RecurrentLayerCall): RecurrentLayerRun {
  const { kind, T, B, I, H, x: X, h0, c0, directions, lengths, pools } = call;
  const D = directions.length;
  const G = gateCount(kind) * H;
  const isLstm = kind === 'lstm';
  const relu = kind === 'rnnRelu';
  const outSize = T * B * D * H;
  const stateSize = D * B * H;
  const packed = new Float32Array(outSize + stateSize * (isLstm ? 2 : 1));
  const workspaces: Workspace[] = [];

  for (let d = 0; d < D; d++) {
    const { weightIh, weightHh, biasIh, biasHh } = directions[d]!;
    const ws = pools[d]!.acquire(T, B);
    workspaces.push(ws);
    const { gates, hPrev, cPrev, tanhC, hwn, hw, h, c } = ws;
    // XW = x W_ihᵀ + b_ih for all steps at once
    fillRows(T * B, G, biasIh, gates);
    matmulNT(T * B, I, G, X, 0, weightIh, 0, gates, 0, true);
    h.set(h0.subarray(d * B * H, (d + 1) * B * H));
    if (isLstm) c.set(c0!.subarray(d * B * H, (d + 1) * B * H));
    for (let s = 0; s < T; s++) {
      const t = d === 1 ? T - 1 - s : s;
      const stateOff = t * B * H;
      hPrev.set(h, stateOff);
      // HW = h W_hhᵀ + b_hh
      fillRows(B, G, biasHh, hw);
      matmulNT(B, H, G, h, 0, weightHh, 0, hw, 0, true);
      if (isLstm) {
        cPrev.set(c, stateOff);
        lstmForwardStep(B, H, t, lengths, gates, t * B * G, hw, h, c, tanhC, stateOff);
      } else if (kind === 'gru') {
        gruForwardStep(B, H, t, lengths, gates, t * B * G, hw, h, hwn, stateOff);
      } else {
        rnnForwardStep(B, H, t, lengths, relu, gates, t * B * G, hw, h);
      }
      for (let b = 0; b < B; b++) {
        if (lengths[b]! <= t) continue;
        const dst = ((t * B + b) * D + d) * H;
        for (let j = 0; j < H; j++) packed[dst + j] = h[b * H + j]!;
      }
    }
    packed.set(h, outSize + d * B * H);
    if (isLstm) packed.set(c, outSize + stateSize + d * B * H);
  }

  return { packed, backward, release: () => workspaces.forEach((ws, d) => pools[d]!.release(T, B, ws)) };

  function backward(g: Float32Array, needX: boolean): (Float32Array | null)[] {
    const gx = needX ? new Float32Array(X.length) : null;
    const gh0 = new Float32Array(stateSize);
    const gc0 = isLstm ? new Float32Array(stateSize) : null;
    const weightGrads: Float32Array[] = [];
    for (let d = 0; d < D; d++) {
      const { weightIh, weightHh, biasIh, biasHh } = directions[d]!;
      const { gates, hPrev, cPrev, tanhC, hwn, h: dh, c: dc, dXW, dHW } = workspaces[d]!;
      dh.set(g.subarray(outSize + d * B * H, outSize + (d + 1) * B * H));
      // (Without the test, other cells would set nothing: g has no c part but the LSTM's.)
      if (isLstm) dc.set(g.subarray(outSize + stateSize + d * B * H, outSize + stateSize + (d + 1) * B * H));
      for (let s = T - 1; s >= 0; s--) {
        const t = d === 1 ? T - 1 - s : s;
        const stateOff = t * B * H;
        // dh += dY_t
        // Stryker disable next-line EqualityOperator: row b = B would add into dh past its end, which a typed array drops
        for (let b = 0; b < B; b++) {
          if (lengths[b]! <= t) continue;
          const src = ((t * B + b) * D + d) * H;
          for (let j = 0; j < H; j++) dh[b * H + j] += g[src + j]!;
        }
        if (isLstm) {
          lstmBackwardStep(B, H, t, lengths, gates, t * B * G, cPrev, stateOff, tanhC, stateOff, dh, dc, dXW, t * B * G);
        } else if (kind === 'gru') {
          gruBackwardStep(B, H, t, lengths, gates, t * B * G, hPrev, stateOff, hwn, stateOff, dh, dXW, dHW, t * B * G);
        } else {
          rnnBackwardStep(B, H, t, lengths, relu, gates, t * B * G, dh, dXW, t * B * G);
        }
        // dh += dHW_t W_hh
        matmulNN(B, G, H, dHW, t * B * G, weightHh, 0, dh, 0, true);
      }
      gh0.set(dh, d * B * H);
      if (gc0) gc0.set(dc, d * B * H);
      // dW_ih = dXWᵀ x,  dW_hh = dHWᵀ h_prev,  db = column sums,  dx += dXW W_ih
      const gWih = new Float32Array(G * I);
      const gWhh = new Float32Array(G * H);
      // Stryker disable next-line BooleanLiteral: accumulating into a new (zero) array gives the same sums
      matmulTN(G, T * B, I, dXW, 0, X, 0, gWih, 0, false);
      // Stryker disable next-line BooleanLiteral: as above
      matmulTN(G, T * B, H, dHW, 0, hPrev, 0, gWhh, 0, false);
      weightGrads.push(gWih, gWhh);
      for (const [bias, grads] of [[biasIh, dXW], [biasHh, dHW]] as const) {
        if (bias === null) continue;
        const gb = new Float32Array(G);
        addColumnSums(T * B, G, grads, gb);
        weightGrads.push(gb);
      }
      if (gx) matmulNN(T * B, G, I, dXW, 0, weightIh, 0, gx, 0, true);
    }
    return [gx, gh0, ...(gc0 ? [gc0] : []), ...weightGrads];
  }
}
