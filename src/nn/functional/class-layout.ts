/**
 * The layout shared by the losses over class indices (crossEntropy, nllLoss).
 *
 * Scores have shape (N, C, d1, ..., dk), or (C) for a single sample, and are read as
 * N x C x D with D = d1 * ... * dk:
 *
 *   score of class c at position i = (n, j)  is  x[(n*C + c)*D + j]
 *
 * Targets hold one class index per position, shape (N, d1, ..., dk) (or () for a single
 * sample); a target equal to ignoreIndex marks a position that counts for nothing.
 */
import { RecurrentError, fmt } from '../../tensor/errors.js';
import { sameShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { readIndices, type IndexInput } from './indices.js';

/** Options common to the losses over class indices. */
export interface ClassLossOptions {
  /** A target with this value is skipped: zero loss, zero gradient, not counted by 'mean' (default -100). */
  ignoreIndex?: number;
  /** A weight per class, shape (C): each position's loss is scaled by the weight of its class (no gradient flows to it). */
  weight?: Tensor;
}

/** Scores and targets checked and laid out as N x C x D. */
export interface ClassLayout {
  /** Batch size (1 for a single sample). */
  N: number;
  /** Number of classes. */
  C: number;
  /** Positions per sample: d1 * ... * dk (1 without extra dims). */
  D: number;
  /** The class of each of the N*D positions, or -1 where the target is ignoreIndex. */
  targets: Int32Array;
  /** The weight of each class (all 1 without `weight`). */
  weight: Float64Array;
  /** Shape of the unreduced loss: the target's shape. */
  lossShape: readonly number[];
}

/** Checks scores, targets, ignoreIndex and weight of `op`, and lays them out as N x C x D. */
export function classLayout(op: string, scores: Tensor, scoresArg: string, target: IndexInput, options: ClassLossOptions): ClassLayout {
  if (!(scores instanceof Tensor)) throw new RecurrentError(op, `${scoresArg} must be a Tensor`);
  const shape = scores.shape;
  if (shape.length === 0) throw new RecurrentError(op, `${scoresArg} must have shape (C), (N,C) or (N,C,d1,...), got ${fmt(shape)}`, 'shape');
  const single = shape.length === 1;
  const N = single ? 1 : shape[0];
  const C = single ? shape[0] : shape[1];
  let D = 1;
  for (let i = 2; i < shape.length; i++) D *= shape[i];
  const lossShape = single ? [] : [N, ...shape.slice(2)];

  const ignoreIndex = options.ignoreIndex ?? -100;
  if (!Number.isSafeInteger(ignoreIndex)) throw new RecurrentError(op, `ignoreIndex must be an integer, got ${ignoreIndex}`);
  const { values, shape: targetShape } = readIndices(op, 'target', target);
  if (!sameShape(targetShape, lossShape)) {
    throw new RecurrentError(op, `target of shape ${fmt(targetShape)} does not fit ${scoresArg} of shape ${fmt(shape)}: expected ${fmt(lossShape)}`, 'shape');
  }
  const targets = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    if (y === ignoreIndex) targets[i] = -1;
    else if (y >= 0 && y < C) targets[i] = y;
    else throw new RecurrentError(op, `target ${y} at flat index ${i} is out of range for ${C} classes (ignoreIndex ${ignoreIndex})`);
  }

  const weight = new Float64Array(C).fill(1);
  if (options.weight !== undefined) {
    const w = options.weight;
    if (!(w instanceof Tensor)) throw new RecurrentError(op, 'weight must be a Tensor');
    if (!sameShape(w.shape, [C])) throw new RecurrentError(op, `weight must have shape [${C}] (one per class of ${scoresArg} ${fmt(shape)}), got ${fmt(w.shape)}`, 'shape');
    for (let c = 0; c < C; c++) {
      if (!Number.isFinite(w.data[c])) throw new RecurrentError(op, `weight[${c}] is ${w.data[c]}; weights must be finite`, 'value');
      weight[c] = w.data[c];
    }
  }
  return { N, C, D, targets, weight, lossShape };
}
