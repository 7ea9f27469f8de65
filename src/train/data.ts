/**
 * Training data as fit, evaluate and predict see it: a Dataset of samples numbered 0..n-1
 * that hands out batches by sample index, and the seeded shuffle that orders them.
 *
 *   permutation (Fisher-Yates, from the identity):  for i = n-1 down to 1:
 *                                                     j = generator.randint(0, i + 1)
 *                                                     swap a[i], a[j]
 *
 * A batch of a tensorDataset is indexSelect(x, 0, indices), indexSelect(y, 0, indices).
 */
import { indexSelect } from '../autograd/indexing.js';
import { RecurrentError, fmt, show } from '../tensor/errors.js';
import { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';

/** Samples numbered 0..length-1, handed out in batches. */
export interface Dataset {
  /** Number of samples. */
  readonly length: number;
  /** The inputs and targets of the samples at `indices`, in that order, each with the batch as its first dim. */
  batch(indices: Int32Array): [Tensor, Tensor];
}

/** A {@link Dataset} over inputs `x` and targets `y` whose first dim is the sample dim. */
export function tensorDataset(x: Tensor, y: Tensor, op = 'tensorDataset'): Dataset {
  if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new RecurrentError(op, 'x and y must be Tensors');
  if (x.shape.length === 0 || y.shape.length === 0) {
    throw new RecurrentError(op, `x and y need a first (sample) dim, got x ${fmt(x.shape)} and y ${fmt(y.shape)}`, 'shape');
  }
  if (x.shape[0] !== y.shape[0]) {
    throw new RecurrentError(op, `x and y must have the same number of samples (first dim), got x ${fmt(x.shape)} and y ${fmt(y.shape)}`, 'shape');
  }
  return { length: x.shape[0], batch: (indices) => [indexSelect(x, 0, indices), indexSelect(y, 0, indices)] };
}

/** The samples [start, start + length) of `data`, renumbered from 0. */
export function subset(data: Dataset, start: number, length: number): Dataset {
  return {
    length,
    batch: (indices) => data.batch(indices.map((i) => i + start)),
  };
}

/** Throws unless `data` looks like a {@link Dataset} with at least one sample. */
export function checkDataset(op: string, arg: string, data: unknown): Dataset {
  const d = data as Dataset;
  if (typeof d !== 'object' || d === null || typeof d.batch !== 'function') throw new RecurrentError(op, `${arg} must be a Dataset { length, batch(indices) }`);
  if (!Number.isSafeInteger(d.length) || d.length < 1) throw new RecurrentError(op, `${arg}.length must be an integer >= 1, got ${String(d.length)}`);
  return d;
}

/** A uniformly random ordering of 0..n-1, drawn from `generator` by Fisher-Yates (see the module comment). */
export function permutation(n: number, generator: Generator): Int32Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RecurrentError('permutation', `n must be an integer >= 0, got ${show(n)}`);
  if (!(generator instanceof Generator)) throw new RecurrentError('permutation', 'generator must be a Generator');
  const a = identity(n);
  for (let i = n - 1; i > 0; i--) {
    const j = generator.randint(0, i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** 0..n-1 in order. */
export function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** `order` cut into consecutive batches of `batchSize` (the last may be smaller), as views. */
export function batches(order: Int32Array, batchSize: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let start = 0; start < order.length; start += batchSize) out.push(order.subarray(start, start + batchSize));
  return out;
}

/** The batch of `data` at `indices`, checked to be a pair of Tensors. */
export function takeBatch(op: string, data: Dataset, indices: Int32Array): [Tensor, Tensor] {
  const pair: unknown = data.batch(indices);
  if (!Array.isArray(pair) || pair.length !== 2 || !(pair[0] instanceof Tensor) || !(pair[1] instanceof Tensor)) {
    throw new RecurrentError(op, `the dataset's batch(indices) must return [inputs, targets], two Tensors`);
  }
  return pair as [Tensor, Tensor];
}
