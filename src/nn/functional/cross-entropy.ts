/**
 * Cross entropy of class scores (logits) against class indices, fused with its log-softmax,
 * as torch.nn.functional.cross_entropy. At each position, with target class y, e the label
 * smoothing, w the class weights and C classes:
 *
 *   log p_c = z_c - log sum_k e^(z_k)                   (float64, max subtracted: no overflow)
 *   l       = -(1 - e) w_y log p_y - (e / C) sum_c w_c log p_c
 *
 *   dl/dz_k = A p_k - a_k,   a_c = (1 - e) w_y [c = y] + (e / C) w_c,   A = sum_c a_c
 *
 * which is softmax minus one-hot (times w_y) without smoothing. 'mean' divides the sum by
 * sum_i w_(y_i) over the positions whose target is not ignoreIndex (as PyTorch, for both
 * terms); an ignored position has zero loss and zero gradient.
 */
import { TENSOR, checkOptions } from '../../tensor/check.js';
import { RecurrentError } from '../../tensor/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { record } from '../../autograd/graph.js';
import { classLayout, type ClassLossOptions } from './class-layout.js';
import type { IndexInput } from './indices.js';
import { checkReduction, lossGrad, reduceLoss, type Reduction } from './reduction.js';

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions extends ClassLossOptions {
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
  /** e in [0, 1]: the target becomes (1 - e) one-hot + e / C uniform (default 0). */
  labelSmoothing?: number;
}

/**
 * Cross entropy between logits of shape (N, C, d1, ...) (or (C)) and integer class targets of
 * shape (N, d1, ...) (or ()). The gradient flows to `logits` only.
 */
export function crossEntropy(logits: Tensor, target: IndexInput, options: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  options = checkOptions(op, options, 'options', { ignoreIndex: 'integer', weight: TENSOR, reduction: 'string', labelSmoothing: 'number' });
  const reduction = checkReduction(op, options.reduction);
  const e = options.labelSmoothing ?? 0;
  if (typeof e !== 'number' || !(e >= 0 && e <= 1)) throw new RecurrentError(op, `labelSmoothing must be a number in [0, 1], got ${e}`);
  const { N, C, D, targets, weight, lossShape } = classLayout(op, logits, 'logits', target, options);
  const z = logits.data;
  let weightSum = 0;
  for (let c = 0; c < C; c++) weightSum += weight[c];

  const logp = new Float64Array(z.length); // log-softmax at the counted positions, kept for backward
  const l = new Float64Array(N * D);
  let counted = 0; // sum of w_y over the positions not ignored: the 'mean' divisor
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < D; j++) {
      const y = targets[n * D + j];
      if (y < 0) continue;
      const base = n * C * D + j;
      let m = -Infinity;
      for (let c = 0; c < C; c++) if (z[base + c * D] > m) m = z[base + c * D];
      let s = 0;
      for (let c = 0; c < C; c++) s += Math.exp(z[base + c * D] - m);
      const lse = m + Math.log(s);
      let smooth = 0;
      for (let c = 0; c < C; c++) {
        const v = z[base + c * D] - lse;
        logp[base + c * D] = v;
        smooth += weight[c] * v;
      }
      // The smoothing term is skipped when e = 0, so a -Infinity logit costs nothing there (0 * -Inf).
      l[n * D + j] = -(1 - e) * weight[y] * logp[base + y * D] - (e > 0 ? (e / C) * smooth : 0);
      counted += weight[y];
    }
  }

  const out = reduceLoss(l, lossShape, reduction, counted);
  return record(op, out.data, out.shape, [logits], (g) => {
    const gl = lossGrad(g, N * D, reduction, counted);
    const gz = new Float32Array(z.length);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < D; j++) {
        const y = targets[n * D + j];
        if (y < 0) continue;
        const base = n * C * D + j;
        const A = (1 - e) * weight[y] + (e / C) * weightSum;
        const gi = gl[n * D + j];
        for (let c = 0; c < C; c++) {
          const a = (e / C) * weight[c] + (c === y ? (1 - e) * weight[y] : 0);
          gz[base + c * D] = gi * (A * Math.exp(logp[base + c * D]) - a);
        }
      }
    }
    return [gz];
  });
}
