/**
 * Fused LSTM step, forward and backward, over a batch of B rows and H hidden units.
 * Gate order in every 4H-wide row: i, f, g, o (PyTorch's).
 *
 * Forward (xw = x W_ih^T + b_ih, hw = h W_hh^T + b_hh, both precomputed):
 *   i = s(xw_i + hw_i)   f = s(xw_f + hw_f)   g = tanh(xw_g + hw_g)   o = s(xw_o + hw_o)
 *   c' = f c + i g       h' = o tanh(c')
 * Backward (dh, dc: gradients reaching h' and c'):
 *   do = dh tanh(c')     dc_tot = dc + dh o (1 - tanh(c')^2)
 *   di = dc_tot g        df = dc_tot c       dg = dc_tot i       dc_prev = dc_tot f
 *   pre-activation: di s'(.) = di i (1 - i), likewise f and o; dg (1 - g^2)
 * Rows whose sequence has ended (lengths[b] <= t) are skipped: their state and gradient pass
 * through unchanged, and their gate gradients are zero.
 */
import { sigmoid } from './activations.js';

/**
 * One forward step at time t. `gates` holds xw on entry and the activations i, f, g, o on exit;
 * h and c (B*H) are read as the previous state and overwritten with the new one; tanhC receives
 * tanh(c') for backward.
 */
export function lstmForwardStep(
  B: number, H: number, t: number, lengths: Int32Array,
  gates: Float32Array, gOff: number,
  hw: Float32Array,
  h: Float32Array, c: Float32Array,
  tanhC: Float32Array, tcOff: number,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const row = gOff + b * G;
    const hrow = b * G;
    const srow = b * H;
    // An ended row's gates and tanh(c) are left as they are: backward reads them only for active rows.
    if (lengths[b] <= t) continue;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gates[row + j] + hw[hrow + j]);
      const f = sigmoid(gates[row + H + j] + hw[hrow + H + j]);
      const g = Math.tanh(gates[row + 2 * H + j] + hw[hrow + 2 * H + j]);
      const o = sigmoid(gates[row + 3 * H + j] + hw[hrow + 3 * H + j]);
      const cNew = f * c[srow + j] + i * g;
      const tc = Math.tanh(cNew);
      gates[row + j] = i;
      gates[row + H + j] = f;
      gates[row + 2 * H + j] = g;
      gates[row + 3 * H + j] = o;
      c[srow + j] = cNew;
      tanhC[tcOff + srow + j] = tc;
      h[srow + j] = o * tc;
    }
  }
}

/**
 * One backward step at time t. On entry dh and dc (B*H) hold the gradients reaching h' and c';
 * on exit dc holds the gradient reaching the previous c, and dh the part of the previous h's
 * gradient that does not pass through W_hh (zero for active rows, unchanged for ended ones).
 * dGates (row block at dgOff) receives the pre-activation gate gradients.
 */
export function lstmBackwardStep(
  B: number, H: number, t: number, lengths: Int32Array,
  gates: Float32Array, gOff: number,
  cPrev: Float32Array, cpOff: number,
  tanhC: Float32Array, tcOff: number,
  dh: Float32Array, dc: Float32Array,
  dGates: Float32Array, dgOff: number,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const row = gOff + b * G;
    const drow = dgOff + b * G;
    const srow = b * H;
    if (lengths[b] <= t) {
      dGates.fill(0, drow, drow + G);
      continue;
    }
    for (let j = 0; j < H; j++) {
      const i = gates[row + j];
      const f = gates[row + H + j];
      const g = gates[row + 2 * H + j];
      const o = gates[row + 3 * H + j];
      const tc = tanhC[tcOff + srow + j];
      const dhj = dh[srow + j];
      const dcTot = dc[srow + j] + dhj * o * (1 - tc * tc);
      dGates[drow + j] = dcTot * g * i * (1 - i);
      dGates[drow + H + j] = dcTot * cPrev[cpOff + srow + j] * f * (1 - f);
      dGates[drow + 2 * H + j] = dcTot * i * (1 - g * g);
      dGates[drow + 3 * H + j] = dhj * tc * o * (1 - o);
      dc[srow + j] = dcTot * f;
      dh[srow + j] = 0;
    }
  }
}
