/**
 * Binary cross entropy on logits, as torch.nn.functional.binary_cross_entropy_with_logits,
 * in the stable form that never takes the log of a sigmoid. With q the positive weight and w
 * the element weight:
 *
 *   softplus(-x) = log(1 + e^-x) = max(-x, 0) + log1p(e^-|x|)
 *   l     = w [ (1 - t) x + (1 + (q - 1) t) softplus(-x) ]
 *   dl/dx = w [ (1 - t) - (1 + (q - 1) t) sigmoid(-x) ]            (= w (sigmoid(x) - t) when q = 1)
 *   dl/dt = w [ -x + (q - 1) softplus(-x) ]
 *
 * 'mean' divides by the element count.
 */
import { TENSOR, checkOptions } from '../../tensor/check.js';
import { RecurrentError, fmt } from '../../tensor/errors.js';
import { broadcastShapes, broadcastStrides, offsetMap, sameShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { record } from '../../autograd/graph.js';
import { checkReduction, lossGrad, reduceLoss, type Reduction } from './reduction.js';

/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BceWithLogitsOptions {
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
  /** Weight of the positive term (q above), broadcast to the input, typically one per class (no gradient flows to it). */
  posWeight?: Tensor;
  /** Weight of each element's loss, broadcast to the input (no gradient flows to it). */
  weight?: Tensor;
}

/** The values of `w` read at every element of a tensor of `shape` (1 when `w` is undefined). */
function broadcastTo(op: string, arg: string, w: Tensor | undefined, shape: readonly number[]): (i: number) => number {
  if (w === undefined) return () => 1;
  if (!(w instanceof Tensor)) throw new RecurrentError(op, `${arg} must be a Tensor`);
  if (!sameShape(broadcastShapes(op, w.shape, shape), shape)) throw new RecurrentError(op, `${arg} of shape ${fmt(w.shape)} must broadcast to the input's shape ${fmt(shape)}`, 'shape');
  const map = offsetMap(shape, broadcastStrides(w.shape, shape));
  const data = w.data;
  return (i) => data[map[i]];
}

/** softplus(-x) = log(1 + e^-x), without overflow. */
function softplusNeg(x: number): number {
  return Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** sigmoid(-x) = 1 / (1 + e^x), without overflow. */
function sigmoidNeg(x: number): number {
  if (x <= 0) return 1 / (1 + Math.exp(x));
  const e = Math.exp(-x);
  return e / (1 + e);
}

/**
 * Binary cross entropy between `input` logits and `target` probabilities of the same shape.
 * Both input and target may require grad.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BceWithLogitsOptions = {}): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  options = checkOptions(op, options, 'options', { reduction: 'string', posWeight: TENSOR, weight: TENSOR });
  const reduction = checkReduction(op, options.reduction);
  if (!(input instanceof Tensor) || !(target instanceof Tensor)) throw new RecurrentError(op, 'input and target must be Tensors');
  if (!sameShape(input.shape, target.shape)) {
    throw new RecurrentError(op, `target ${fmt(target.shape)} must have the same shape as input ${fmt(input.shape)}`, 'shape');
  }
  const q = broadcastTo(op, 'posWeight', options.posWeight, input.shape);
  const w = broadcastTo(op, 'weight', options.weight, input.shape);
  const x = input.data;
  const t = target.data;
  const n = x.length;
  const l = new Float64Array(n);
  for (let i = 0; i < n; i++) l[i] = w(i) * ((1 - t[i]) * x[i] + (1 + (q(i) - 1) * t[i]) * softplusNeg(x[i]));
  const out = reduceLoss(l, input.shape, reduction, n);
  return record(op, out.data, out.shape, [input, target], (g) => {
    const gl = lossGrad(g, n, reduction, n);
    const gx = input.requiresGrad ? new Float32Array(n) : null;
    const gt = target.requiresGrad ? new Float32Array(n) : null;
    for (let i = 0; i < n; i++) {
      const s = gl[i] * w(i);
      if (gx) gx[i] = s * (1 - t[i] - (1 + (q(i) - 1) * t[i]) * sigmoidNeg(x[i]));
      if (gt) gt[i] = s * (-x[i] + (q(i) - 1) * softplusNeg(x[i]));
    }
    return [gx, gt];
  });
}
