/**
 * Negative log likelihood of log-probabilities against class indices, as
 * torch.nn.functional.nll_loss. At each position with target class y and class weights w:
 *
 *   l = -w_y x_y          dl/dx_y = -w_y,   dl/dx_c = 0 for c != y
 *
 * 'mean' divides the sum by sum_i w_(y_i) over the positions whose target is not
 * ignoreIndex; an ignored position has zero loss and zero gradient.
 */
import { TENSOR, checkOptions } from '../../tensor/check.js';
import type { Tensor } from '../../tensor/tensor.js';
import { record } from '../../autograd/graph.js';
import { classLayout, type ClassLossOptions } from './class-layout.js';
import type { IndexInput } from './indices.js';
import { checkReduction, lossGrad, reduceLoss, type Reduction } from './reduction.js';

/** Options of {@link nllLoss}. */
export interface NllLossOptions extends ClassLossOptions {
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
}

/**
 * Negative log likelihood of `logProbs` (shape (N, C, d1, ...) or (C), e.g. a logSoftmax over
 * dim 1) at integer class targets of shape (N, d1, ...) (or ()). The gradient flows to `logProbs` only.
 */
export function nllLoss(logProbs: Tensor, target: IndexInput, options: NllLossOptions = {}): Tensor {
  const op = 'nllLoss';
  options = checkOptions(op, options, 'options', { ignoreIndex: 'integer', weight: TENSOR, reduction: 'string' });
  const reduction = checkReduction(op, options.reduction);
  const { N, C, D, targets, weight, lossShape } = classLayout(op, logProbs, 'logProbs', target, options);
  const x = logProbs.data;
  const l = new Float64Array(N * D);
  let counted = 0;
  for (let i = 0; i < N * D; i++) {
    const y = targets[i];
    if (y < 0) continue;
    const n = Math.floor(i / D);
    l[i] = -weight[y] * x[(n * C + y) * D + (i - n * D)];
    counted += weight[y];
  }
  const out = reduceLoss(l, lossShape, reduction, counted);
  return record(op, out.data, out.shape, [logProbs], (g) => {
    const gl = lossGrad(g, N * D, reduction, counted);
    const gx = new Float32Array(x.length);
    for (let i = 0; i < N * D; i++) {
      const y = targets[i];
      if (y < 0) continue;
      const n = Math.floor(i / D);
      gx[(n * C + y) * D + (i - n * D)] = -weight[y] * gl[i];
    }
    return [gx];
  });
}
