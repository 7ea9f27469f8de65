/**
 * Mean squared error, as torch.nn.functional.mse_loss:
 *
 *   l_i = (x_i - y_i)^2          dl/dx_i = 2 (x_i - y_i),   dl/dy_i = -2 (x_i - y_i)
 *
 * 'mean' divides by the element count. Both input and target may require grad.
 */
import { checkOptions } from '../../tensor/check.js';
import { RecurrentError, fmt } from '../../tensor/errors.js';
import { sameShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { record } from '../../autograd/graph.js';
import { checkReduction, lossGrad, reduceLoss, type Reduction } from './reduction.js';

/** Options of {@link mseLoss}. */
export interface MseLossOptions {
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
}

/**
 * Squared error between `input` and `target`, which must have the same shape (PyTorch only
 * warns when they differ and broadcasts, which is almost always a bug; here it is an error).
 */
export function mseLoss(input: Tensor, target: Tensor, options: MseLossOptions = {}): Tensor {
  const op = 'mseLoss';
  options = checkOptions(op, options, 'options', { reduction: 'string' });
  const reduction = checkReduction(op, options.reduction);
  if (!(input instanceof Tensor) || !(target instanceof Tensor)) throw new RecurrentError(op, 'input and target must be Tensors');
  if (!sameShape(input.shape, target.shape)) {
    throw new RecurrentError(op, `input ${fmt(input.shape)} and target ${fmt(target.shape)} must have the same shape`, 'shape');
  }
  const x = input.data;
  const y = target.data;
  const n = x.length;
  const l = new Float64Array(n);
  for (let i = 0; i < n; i++) l[i] = (x[i] - y[i]) ** 2;
  const out = reduceLoss(l, input.shape, reduction, n);
  return record(op, out.data, out.shape, [input, target], (g) => {
    const gl = lossGrad(g, n, reduction, n);
    const gx = input.requiresGrad ? new Float32Array(n) : null;
    const gy = target.requiresGrad ? new Float32Array(n) : null;
    for (let i = 0; i < n; i++) {
      const d = 2 * (x[i] - y[i]) * gl[i];
      if (gx) gx[i] = d;
      if (gy) gy[i] = -d;
    }
    return [gx, gy];
  });
}
