/**
 * Shape ops: they move elements without changing them, so each backward moves the gradient
 * back the same way.
 *
 *   reshape / squeeze / unsqueeze   same data, new shape        grad: reshape back
 *   expand                          broadcast copy               grad: sum over copies
 *   permute / transpose             reordered copy               grad: inverse permutation
 *   narrow / slice / select         a block                      grad: block in zeros
 *   cat / stack                     blocks joined                grad: split into blocks
 *   split / chunk                   blocks (narrow each)
 */
import { checkIntegers, checkTensor } from '../tensor/check.js';
import { RecurrentError, fmt, show } from '../tensor/errors.js';
import { MAX_EMPTY_PIECES, around, checkNumel, checkShape, normDim, numel, offsetMap, sameShape, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { record } from './graph.js';

/** Same data (shared storage), new shape; one size may be -1 and is then inferred. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', x);
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number')) {
    throw new RecurrentError('reshape', `shape must be an array of sizes, got ${show(shape)}`, 'shape');
  }
  const target = inferShape('reshape', x, shape);
  return record('reshape', x.data, target, [x], (g) => [g]);
}

function inferShape(op: string, x: Tensor, shape: readonly number[]): number[] {
  const out = [...shape];
  const free = out.indexOf(-1);
  if (free >= 0) {
    out[free] = 1;
    const known = numel(out);
    if (known === 0) {
      // only an empty x gets here with a chance: then every size of the -1 fits (PyTorch refuses)
      throw new RecurrentError(op, `cannot infer the -1 of ${fmt(shape)} for ${fmt(x.shape)}: with a size 0 beside it any size fits`, 'shape');
    }
    out[free] = x.data.length / known;
  }
  if (out.some((d) => !Number.isInteger(d) || d < 0) || out.filter((d) => d === -1).length > 0) {
    throw new RecurrentError(op, `cannot view shape ${fmt(x.shape)} as ${fmt(shape)}`, 'shape');
  }
  if (numel(out) !== x.data.length) {
    throw new RecurrentError(op, `shape ${fmt(shape)} is invalid for input of shape ${fmt(x.shape)} (${x.data.length} elements)`, 'shape');
  }
  return out;
}

/**
 * Broadcasts x to `shape` (NumPy rules; -1 keeps a size). Forward copies, backward sums the
 * gradient over the copies: this is where broadcasting is undone for every op.
 */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('expand', x);
  checkIntegers('expand', shape, 'shape');
  const rank = shape.length;
  const offset = rank - x.shape.length;
  const target = shape.map((d, i) => (d === -1 && i >= offset ? x.shape[i - offset] : d));
  checkShape('expand', target);
  const strides = new Array<number>(rank).fill(0);
  const own = stridesOf(x.shape);
  let ok = offset >= 0;
  for (let i = 0; ok && i < x.shape.length; i++) {
    const from = x.shape[i];
    const to = target[offset + i];
    if (from === to) strides[offset + i] = own[i];
    else if (from !== 1) ok = false;
  }
  if (!ok) throw new RecurrentError('expand', `cannot broadcast ${fmt(x.shape)} to ${fmt(shape)}`, 'shape');
  if (sameShape(x.shape, target)) return x;
  const map = offsetMap(target, strides);
  const xd = x.data;
  const y = new Float32Array(map.length);
  for (let i = 0; i < y.length; i++) y[i] = xd[map[i]];
  return record('expand', y, target, [x], (g) => {
    const gx = new Float32Array(xd.length);
    for (let i = 0; i < g.length; i++) gx[map[i]] += g[i];
    return [gx];
  });
}

/** Reorders dimensions: output dim i is input dim dims[i]. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  checkTensor('permute', x);
  checkIntegers('permute', dims, 'dims');
  const rank = x.shape.length;
  const perm = dims.map((d) => normDim('permute', d, rank, 'dims', x.shape));
  if (perm.length !== rank || new Set(perm).size !== rank) {
    throw new RecurrentError('permute', `dims [${dims.join(',')}] is not a permutation of ${rank} dims for shape ${fmt(x.shape)}`, 'shape');
  }
  const shape = perm.map((d) => x.shape[d]);
  // Moving only dims of size 1 keeps the elements in order (a batch of one, batch-first to
  // time-major): a reshape, no copy.
  const moving = perm.filter((d) => x.shape[d] !== 1);
  if (moving.every((d, i) => i === 0 || moving[i - 1] < d)) return reshape(x, shape);
  const own = stridesOf(x.shape);
  // When the last dim stays last its elements stay contiguous: map the start of each run of
  // `run` elements (a row), not every element.
  const keepsLast = rank > 0 && perm[rank - 1] === rank - 1;
  const run = keepsLast ? x.shape[rank - 1] : 1;
  const lead = keepsLast ? rank - 1 : rank;
  const map = offsetMap(shape.slice(0, lead), perm.slice(0, lead).map((d) => own[d]));
  const rows = run === 0 ? 0 : map.length;
  const xd = x.data;
  const y = new Float32Array(xd.length);
  for (let i = 0, o = 0; i < rows; i++) for (let k = map[i]; k < map[i] + run; k++) y[o++] = xd[k];
  return record('permute', y, shape, [x], (g) => {
    const gx = new Float32Array(xd.length);
    for (let i = 0, o = 0; i < rows; i++) for (let k = map[i]; k < map[i] + run; k++) gx[k] = g[o++];
    return [gx];
  }, { dims: perm });
}

/** Swaps two dimensions. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor('transpose', x);
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  const a = normDim('transpose', dim0, rank, 'dim0', x.shape);
  const b = normDim('transpose', dim1, rank, 'dim1', x.shape);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/** Removes every size-1 dimension, or only `dim` if it has size 1. */
export function squeeze(x: Tensor, dim?: number): Tensor {
  checkTensor('squeeze', x);
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  // A 0-d tensor has one valid dim to name, 0 (or -1), as in PyTorch.
  const d = normDim('squeeze', dim, Math.max(x.shape.length, 1), 'dim', x.shape);
  if (x.shape.length === 0) return x;
  return x.shape[d] === 1 ? reshape(x, x.shape.filter((_, i) => i !== d)) : x;
}

/** Inserts a size-1 dimension at `dim` (in [-rank-1, rank]). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkTensor('unsqueeze', x);
  const d = normDim('unsqueeze', dim, x.shape.length + 1, 'dim', x.shape);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

/** Entries [start, start + length) of `dim`. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor('narrow', x);
  const d = normDim('narrow', dim, x.shape.length, 'dim', x.shape);
  const size = x.shape[d];
  const from = typeof start === 'number' && start < 0 ? start + size : start; // a negative start counts from the end, as in PyTorch
  if (typeof from !== 'number' || typeof length !== 'number' || !Number.isInteger(from) || !Number.isInteger(length) || from < 0 || length < 0 || from + length > size) {
    throw new RecurrentError('narrow', `start ${show(start)} and length ${show(length)} do not fit dim ${d} of shape ${fmt(x.shape)}`, 'shape');
  }
  const attrs = { dim: d, start, length }; // start as given: a tracer keeps "from the end"
  start = from;
  const [outer, , inner] = around(x.shape, d);
  const shape = [...x.shape];
  shape[d] = length;
  const xd = x.data;
  const block = length * inner;
  const y = new Float32Array(outer * block);
  for (let o = 0; o < outer && block > 0; o++) y.set(xd.subarray((o * size + start) * inner, (o * size + start) * inner + block), o * block);
  return record('narrow', y, shape, [x], (g) => {
    const gx = new Float32Array(xd.length);
    for (let o = 0; o < outer && block > 0; o++) gx.set(g.subarray(o * block, (o + 1) * block), (o * size + start) * inner);
    return [gx];
  }, attrs);
}

/** Entries [start, end) of `dim` as Python slicing: negative indices count from the end, out-of-range ends are clipped. */
export function slice(x: Tensor, dim: number, start = 0, end?: number): Tensor {
  checkTensor('slice', x);
  const d = normDim('slice', dim, x.shape.length, 'dim', x.shape);
  const size = x.shape[d];
  if (typeof start !== 'number' || !Number.isInteger(start) || (end !== undefined && (typeof end !== 'number' || !Number.isInteger(end)))) {
    throw new RecurrentError('slice', `start and end must be integers, got ${show(start)}, ${show(end)}`);
  }
  const clip = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clip(start);
  const e = end === undefined ? size : clip(end);
  return narrow(x, d, s, Math.max(e - s, 0));
}

/** Entry `index` of `dim`, with that dimension removed. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  checkTensor('select', x);
  const d = normDim('select', dim, x.shape.length, 'dim', x.shape);
  const size = x.shape[d];
  if (typeof index !== 'number' || !Number.isInteger(index) || index < -size || index >= size) {
    throw new RecurrentError('select', `index ${show(index)} is out of range for dim ${d} of shape ${fmt(x.shape)}`, 'shape');
  }
  return squeeze(narrow(x, d, index, 1), d);
}

/** Joins tensors along `dim`; all other sizes must agree. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0 || !tensors.every((t) => t instanceof Tensor)) {
    throw new RecurrentError('cat', 'needs a non-empty array of tensors');
  }
  const first = tensors[0].shape;
  const d = normDim('cat', dim, first.length, 'dim', first);
  for (const t of tensors) {
    if (t.shape.length !== first.length || t.shape.some((s, i) => i !== d && s !== first[i])) {
      throw new RecurrentError('cat', `sizes must match except in dim ${d}, got ${tensors.map((x) => fmt(x.shape)).join(', ')}`, 'shape');
    }
  }
  const [outer, , inner] = around(first, d);
  const sizes = tensors.map((t) => t.shape[d]);
  const total = sizes.reduce((a, b) => a + b, 0);
  const shape = [...first];
  shape[d] = total;
  checkNumel('cat', shape);
  const y = new Float32Array(outer * total * inner);
  let offset = 0;
  for (const t of tensors) {
    const block = t.shape[d] * inner;
    for (let o = 0; o < outer && block > 0; o++) y.set(t.data.subarray(o * block, (o + 1) * block), (o * total) * inner + offset);
    offset += block;
  }
  return record('cat', y, shape, tensors, (g) => {
    let off = 0;
    return tensors.map((t) => {
      const block = t.shape[d] * inner;
      const gt = new Float32Array(t.data.length);
      for (let o = 0; o < outer && block > 0; o++) gt.set(g.subarray(o * total * inner + off, o * total * inner + off + block), o * block);
      off += block;
      return gt;
    });
  }, { dim: d });
}

/** Joins equally shaped tensors along a new dimension `dim`. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0 || !tensors.every((t) => t instanceof Tensor)) {
    throw new RecurrentError('stack', 'needs a non-empty array of tensors');
  }
  const first = tensors[0].shape;
  if (!tensors.every((t) => sameShape(t.shape, first))) {
    throw new RecurrentError('stack', `all tensors must have the same shape, got ${tensors.map((x) => fmt(x.shape)).join(', ')}`, 'shape');
  }
  const d = normDim('stack', dim, first.length + 1, 'dim', first);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/** Throws when `count` pieces of an empty x are more than MAX_EMPTY_PIECES (see there why). */
function checkEmptyPieces(op: string, x: Tensor, count: number): void {
  if (x.data.length === 0 && count > MAX_EMPTY_PIECES) {
    throw new RecurrentError(op, `${count} pieces of ${fmt(x.shape)} are more than ${MAX_EMPTY_PIECES}, the most an empty tensor is cut into`, 'shape');
  }
}

/** Splits `dim` into pieces of `sizes` entries (the last may be smaller), or of the listed sizes. */
export function split(x: Tensor, sizes: number | readonly number[], dim = 0): Tensor[] {
  checkTensor('split', x);
  const d = normDim('split', dim, x.shape.length, 'dim', x.shape);
  const size = x.shape[d];
  let parts: number[];
  if (typeof sizes === 'number') {
    // A split size of 0 is allowed only for a dim of size 0 (one empty piece), as in PyTorch.
    if (!Number.isInteger(sizes) || sizes < 0 || (sizes === 0 && size !== 0)) {
      throw new RecurrentError('split', `split size must be a positive integer (or 0 for a dim of size 0), got ${show(sizes)}`);
    }
    checkEmptyPieces('split', x, size === 0 ? 1 : Math.ceil(size / sizes));
    parts = [];
    for (let s = 0; s < size; s += sizes) parts.push(Math.min(sizes, size - s));
    if (parts.length === 0) parts.push(0);
  } else {
    parts = [...checkIntegers('split', sizes, 'sizes')];
    if (parts.some((p) => !Number.isInteger(p) || p < 0) || parts.reduce((a, b) => a + b, 0) !== size) {
      throw new RecurrentError('split', `sizes [${parts.join(',')}] must be non-negative integers summing to ${size} (dim ${d} of ${fmt(x.shape)})`, 'shape');
    }
  }
  let start = 0;
  return parts.map((p) => {
    const piece = narrow(x, d, start, p);
    start += p;
    return piece;
  });
}

/** Splits `dim` into `chunks` pieces of ceil(size / chunks) entries (fewer if they run out; `chunks` empty ones for a dim of size 0), as torch.chunk. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensor('chunk', x);
  if (typeof chunks !== 'number' || !Number.isInteger(chunks) || chunks <= 0) throw new RecurrentError('chunk', `chunks must be a positive integer, got ${show(chunks)}`);
  const d = normDim('chunk', dim, x.shape.length, 'dim', x.shape);
  // A dim of size 0 gives `chunks` empty pieces, as in PyTorch (which special-cases it).
  if (x.shape[d] === 0) {
    checkEmptyPieces('chunk', x, chunks);
    return Array.from({ length: chunks }, () => narrow(x, d, 0, 0));
  }
  return split(x, Math.ceil(x.shape[d] / chunks), d);
}
