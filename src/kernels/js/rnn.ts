/**
 * Fused vanilla RNN step (Elman), forward and backward, over B rows and H hidden units.
 *
 *   h' = act(xw + hw),  act = tanh or relu         (xw = x W_ih^T + b_ih, hw = h W_hh^T + b_hh)
 *   d pre = dh act'(.):  tanh' = 1 - h'^2,  relu' = [h' > 0]
 * Rows whose sequence has ended (lengths[b] <= t) pass state and gradient through unchanged.
 */

/**
 * One forward step at time t: `gates` holds xw on entry and h' on exit; h (B*H) is read as
 * the previous state and overwritten. `relu` selects the nonlinearity (tanh when false).
 */
export function rnnForwardStep(
  B: number, H: number, t: number, lengths: Int32Array, relu: boolean,
  gates: Float32Array, gOff: number,
  hw: Float32Array,
  h: Float32Array,
): void {
  for (let b = 0; b < B; b++) {
    const row = gOff + b * H;
    const srow = b * H;
    // An ended row's gates are left as they are: backward reads them only for active rows.
    if (lengths[b] <= t) continue;
    for (let j = 0; j < H; j++) {
      const pre = gates[row + j] + hw[srow + j];
      // Stryker disable next-line EqualityOperator: at pre = ±0 both branches give a zero (pre itself, or 0)
      const out = relu ? (pre > 0 ? pre : pre === pre ? 0 : pre) : Math.tanh(pre); // relu keeps NaN, as PyTorch
      gates[row + j] = out;
      h[srow + j] = out;
    }
  }
}

/**
 * One backward step at time t: dGates receives d pre; dh is left as the part of the previous
 * h's gradient that bypasses W_hh (zero for active rows, unchanged for ended ones).
 */
export function rnnBackwardStep(
  B: number, H: number, t: number, lengths: Int32Array, relu: boolean,
  gates: Float32Array, gOff: number,
  dh: Float32Array,
  dGates: Float32Array, dgOff: number,
): void {
  for (let b = 0; b < B; b++) {
    const row = gOff + b * H;
    const srow = b * H;
    if (lengths[b] <= t) {
      dGates.fill(0, dgOff + srow, dgOff + srow + H);
      continue;
    }
    for (let j = 0; j < H; j++) {
      const y = gates[row + j];
      const d = relu ? (y > 0 ? 1 : 0) : 1 - y * y;
      dGates[dgOff + srow + j] = dh[srow + j] * d;
      dh[srow + j] = 0;
    }
  }
}
