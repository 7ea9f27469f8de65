/**
 * Fused GRU step, forward and backward, over a batch of B rows and H hidden units.
 * Gate order in every 3H-wide row: r, z, n (PyTorch's).
 *
 * Forward (xw = x W_ih^T + b_ih, hw = h W_hh^T + b_hh):
 *   r = s(xw_r + hw_r)   z = s(xw_z + hw_z)   n = tanh(xw_n + r hw_n)   h' = (1 - z) n + z h
 * Backward (dh: gradient reaching h'):
 *   dn = dh (1 - z)      dz = dh (h - n)      dh_direct = dh z
 *   dn_pre = dn (1 - n^2)            -> d xw_n = dn_pre,  d hw_n = dn_pre r
 *   dr_pre = dn_pre hw_n r (1 - r)   -> d xw_r = d hw_r = dr_pre
 *   dz_pre = dz z (1 - z)            -> d xw_z = d hw_z = dz_pre
 * Rows whose sequence has ended (lengths[b] <= t) pass state and gradient through unchanged.
 */
import { sigmoid } from './activations.js';

/**
 * One forward step at time t. `gates` holds xw on entry and r, z, n on exit; hwn receives
 * hw_n (needed by backward); h (B*H) is read as the previous state and overwritten.
 */
export function gruForwardStep(
  B: number, H: number, t: number, lengths: Int32Array,
  gates: Float32Array, gOff: number,
  hw: Float32Array,
  h: Float32Array,
  hwn: Float32Array, hnOff: number,
): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    const row = gOff + b * G;
    const hrow = b * G;
    const srow = b * H;
    // An ended row's gates and hw_n are left as they are: backward reads them only for active rows.
    if (lengths[b] <= t) continue;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(gates[row + j] + hw[hrow + j]);
      const z = sigmoid(gates[row + H + j] + hw[hrow + H + j]);
      const hn = hw[hrow + 2 * H + j];
      const n = Math.tanh(gates[row + 2 * H + j] + r * hn);
      gates[row + j] = r;
      gates[row + H + j] = z;
      gates[row + 2 * H + j] = n;
      hwn[hnOff + srow + j] = hn;
      h[srow + j] = (1 - z) * n + z * h[srow + j];
    }
  }
}

/**
 * One backward step at time t. On entry dh (B*H) holds the gradient reaching h'; on exit the
 * part of the previous h's gradient that bypasses W_hh (dh z; unchanged for ended rows).
 * dXW and dHW receive the gradients of xw and hw (they differ only in the n block).
 */
export function gruBackwardStep(
  B: number, H: number, t: number, lengths: Int32Array,
  gates: Float32Array, gOff: number,
  hPrev: Float32Array, hpOff: number,
  hwn: Float32Array, hnOff: number,
  dh: Float32Array,
  dXW: Float32Array, dHW: Float32Array, dgOff: number,
): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    const row = gOff + b * G;
    const drow = dgOff + b * G;
    const srow = b * H;
    if (lengths[b] <= t) {
      dXW.fill(0, drow, drow + G);
      dHW.fill(0, drow, drow + G);
      continue;
    }
    for (let j = 0; j < H; j++) {
      const r = gates[row + j];
      const z = gates[row + H + j];
      const n = gates[row + 2 * H + j];
      const dhj = dh[srow + j];
      const dnPre = dhj * (1 - z) * (1 - n * n);
      const drPre = dnPre * hwn[hnOff + srow + j] * r * (1 - r);
      const dzPre = dhj * (hPrev[hpOff + srow + j] - n) * z * (1 - z);
      dXW[drow + j] = drPre;
      dHW[drow + j] = drPre;
      dXW[drow + H + j] = dzPre;
      dHW[drow + H + j] = dzPre;
      dXW[drow + 2 * H + j] = dnPre;
      dHW[drow + 2 * H + j] = dnPre * r;
      dh[srow + j] = dhj * z;
    }
  }
}
