/**
 * Picking entries by integer index (embedding lookup, choosing the target class).
 *
 *   indexSelect: y[.., j, ..] = x[.., index[j], ..]      dL/dx[.., index[j], ..] += dL/dy[.., j, ..]
 *   gather:      y[i][j] = x[i][index[i][j]]  (dim 1)    dL/dx[i][index[i][j]]   += dL/dy[i][j]
 *
 * An index used twice receives the sum of both gradients (scatter-add).
 */
import { checkTensor } from '../tensor/check.js';
import { RecurrentError, fmt, show } from '../tensor/errors.js';
import { around, checkNumel, normDim } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { record } from './graph.js';

/**
 * Checks that every value is an integer in [0, size) and returns them as an Int32Array;
 * `context` (e.g. " for dim 0 of shape [3,4]") ends the error message.
 */
export function checkIndices(op: string, index: ArrayLike<number>, size: number, arg = 'index', context = ''): Int32Array {
  const out = new Int32Array(index.length);
  for (let i = 0; i < index.length; i++) {
    const v = index[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= size) {
      throw new RecurrentError(op, `${arg} ${show(v)} at position ${i} is out of range [0, ${size})${context}`, 'argument');
    }
    out[i] = v;
  }
  return out;
}

/** Entries of `dim` picked by integer indices (a list, Int32Array or 1-D tensor of integers). */
export function indexSelect(x: Tensor, dim: number, index: ArrayLike<number> | Tensor): Tensor {
  checkTensor('indexSelect', x);
  if (!(index instanceof Tensor) && (typeof index !== 'object' || index === null || typeof index.length !== 'number')) {
    throw new RecurrentError('indexSelect', `index must be a 1-D Tensor or an array of integers, got ${show(index)}`);
  }
  const d = normDim('indexSelect', dim, x.shape.length, 'dim', x.shape);
  const raw = index instanceof Tensor ? index.data : index;
  if (index instanceof Tensor && index.shape.length > 1) {
    throw new RecurrentError('indexSelect', `index must be 1-D, got shape ${fmt(index.shape)}`, 'shape');
  }
  const idx = checkIndices('indexSelect', raw, x.shape[d], 'index', ` for dim ${d} of shape ${fmt(x.shape)}`);
  const [outer, size, inner] = around(x.shape, d);
  const count = idx.length;
  const shape = [...x.shape];
  shape[d] = count;
  checkNumel('indexSelect', shape);
  const xd = x.data;
  const y = new Float32Array(outer * count * inner);
  for (let o = 0; o < outer && y.length > 0; o++) {
    for (let j = 0; j < count; j++) {
      const src = (o * size + idx[j]) * inner;
      y.set(xd.subarray(src, src + inner), (o * count + j) * inner);
    }
  }
  return record('indexSelect', y, shape, [x], (g) => {
    const gx = new Float32Array(xd.length);
    for (let o = 0; o < outer && gx.length > 0; o++) {
      for (let j = 0; j < count; j++) {
        const dst = (o * size + idx[j]) * inner;
        const src = (o * count + j) * inner;
        for (let i = 0; i < inner; i++) gx[dst + i] += g[src + i];
      }
    }
    return [gx];
  }, { dim: d, index: idx });
}

/** out[..i..] = x[..index[..i..]..] along `dim`, as torch.gather; index has x's rank and sizes no larger than x's. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('gather', x);
  if (!(index instanceof Tensor)) throw new RecurrentError('gather', 'index must be a Tensor of integers');
  const rank = x.shape.length;
  const d = normDim('gather', dim, rank, 'dim', x.shape);
  if (index.shape.length !== rank || index.shape.some((s, i) => i !== d && s > x.shape[i])) {
    throw new RecurrentError('gather', `index ${fmt(index.shape)} must have the rank of input ${fmt(x.shape)} and no larger sizes outside dim ${d}`, 'shape');
  }
  const idx = checkIndices('gather', index.data, x.shape[d], 'index', ` for dim ${d} of shape ${fmt(x.shape)}`);
  const shape = index.shape;
  // Walk the index tensor; the source offset equals its coordinates with dim d replaced.
  const xStrides = new Array<number>(rank);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) {
    xStrides[i] = acc;
    acc *= x.shape[i];
  }
  const src = new Int32Array(idx.length);
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < idx.length; i++) {
    let off = 0;
    for (let r = 0; r < rank; r++) off += (r === d ? idx[i] : coord[r]) * xStrides[r];
    src[i] = off;
    for (let r = rank - 1; r >= 0; r--) {
      if (++coord[r] < shape[r]) break;
      coord[r] = 0;
    }
  }
  const xd = x.data;
  const y = new Float32Array(idx.length);
  for (let i = 0; i < y.length; i++) y[i] = xd[src[i]];
  return record('gather', y, shape, [x], (g) => {
    const gx = new Float32Array(xd.length);
    for (let i = 0; i < g.length; i++) gx[src[i]] += g[i];
    return [gx];
  });
}
