/**
 * Shape rules: element counts, row-major strides, dimension normalisation and NumPy
 * broadcasting.
 *
 *   numel([d0, d1, ..., dn]) = d0 * d1 * ... * dn
 *   strides(shape)[i]        = shape[i+1] * ... * shape[n]      (row-major, contiguous)
 *   broadcast(a, b)[i]       = max(a[i], b[i]) after right-aligning, each size 1 or equal
 */
import { RecurrentError, fmt, show } from './errors.js';

/** The largest element count a tensor may hold (the largest Float32Array length V8 allows). */
export const MAX_NUMEL = 2 ** 31 - 1;

/**
 * The most pieces split and chunk return, and the most nested arrays toArray builds, for an
 * EMPTY tensor, where nothing in memory bounds them ([0, 2^31 - 1] split in ones): V8 stops
 * the process, uncatchably, on an array of about 2^27 entries or when the heap is full.
 * (For a tensor with elements, its data already holds more than that many floats.)
 */
export const MAX_EMPTY_PIECES = 2 ** 24;

/** The most dimensions nested arrays may have, in {@link tensor} and {@link Tensor.toArray}: they recurse once per level. */
export const MAX_NESTING = 1024;

/** Number of elements of a shape (1 for a scalar shape `[]`). */
export function numel(shape: readonly number[]): number {
  if (!Array.isArray(shape)) throw new RecurrentError('numel', `shape must be an array of sizes, got ${show(shape)}`, 'shape');
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number') throw new RecurrentError('numel', `shape must hold numbers, got ${show(shape)}`, 'shape');
    n *= d;
  }
  return n;
}

/** Throws unless `shape` is an array of non-negative safe integers whose product fits a Float32Array. */
export function checkShape(op: string, shape: unknown, arg = 'shape'): asserts shape is number[] {
  if (!Array.isArray(shape)) throw new RecurrentError(op, `${arg} must be an array of sizes, got ${show(shape)}`, 'shape');
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new RecurrentError(op, `${arg} must hold non-negative integers, got ${show(shape)}`, 'shape');
    }
    n *= d;
  }
  if (n > MAX_NUMEL) {
    throw new RecurrentError(op, `${arg} ${fmt(shape)} has ${n} elements, more than a Float32Array can hold (${MAX_NUMEL})`, 'shape');
  }
}

/** Throws unless a shape an op is about to create (an output, a reduction) fits a Float32Array. */
export function checkNumel(op: string, shape: readonly number[], what = 'output'): void {
  const n = numel(shape);
  if (n > MAX_NUMEL) {
    throw new RecurrentError(op, `${what} shape ${fmt(shape)} would have ${n} elements, more than a Float32Array can hold (${MAX_NUMEL})`, 'shape');
  }
}

/** Row-major strides of a contiguous tensor of this shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/**
 * Turns a possibly negative dim into an index in [0, rank), or throws naming the op (and the
 * input's shape, when given).
 */
export function normDim(op: string, dim: number, rank: number, arg = 'dim', shape?: readonly number[]): number {
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < -rank || dim >= rank) {
    const where = shape === undefined ? `for a tensor of rank ${rank}` : `[${-rank}, ${rank - 1}] for shape ${fmt(shape)}`;
    throw new RecurrentError(op, `${arg} ${show(dim)} is out of range ${where}`, 'argument');
  }
  return dim < 0 ? dim + rank : dim;
}

/** The broadcast shape of two shapes (NumPy rules), or an error naming the op and both shapes. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  checkShape(op, a, 'first shape');
  checkShape(op, b, 'second shape');
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RecurrentError(op, `shapes ${fmt(a)} and ${fmt(b)} do not broadcast`, 'shape');
    }
    out[i] = da === 1 ? db : da;
  }
  checkNumel(op, out, 'broadcast');
  return out;
}

/**
 * Strides for reading a tensor of shape `from` as if it had the (broadcast) shape `to`:
 * broadcast dimensions get stride 0, so one index walk serves both operands.
 */
export function broadcastStrides(from: readonly number[], to: readonly number[]): number[] {
  const own = stridesOf(from);
  const out = new Array<number>(to.length).fill(0);
  const offset = to.length - from.length;
  for (let i = 0; i < from.length; i++) out[offset + i] = from[i] === 1 ? 0 : own[i]!;
  return out;
}

/** True when two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * For every element of a tensor of `shape` (in row-major order), the offset sum(coord_k *
 * strides[k]) in another tensor: the index map behind expand and permute.
 */
export function offsetMap(shape: readonly number[], strides: readonly number[]): Int32Array {
  const n = numel(shape);
  const map = new Int32Array(n);
  const rank = shape.length;
  const coord = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    map[i] = offset;
    for (let d = rank - 1; d >= 0; d--) {
      coord[d]++;
      offset += strides[d];
      if (coord[d] < shape[d]) break;
      offset -= coord[d] * strides[d];
      coord[d] = 0;
    }
  }
  return map;
}

/** Sizes around `dim`: a tensor of `shape` seen as (outer, shape[dim], inner). */
export function around(shape: readonly number[], dim: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[dim], inner];
}

/** Sizes given as PyTorch takes them, `x.reshape(2, 3)` or `x.reshape([2, 3])`, as one array. */
export function sizesArg(args: number[] | [readonly number[]]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...args[0]] : (args as number[]);
}
