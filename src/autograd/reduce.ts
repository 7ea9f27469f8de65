/**
 * Reductions over dimensions, and the softmax family.
 *
 *   sum:        y = sum_i x_i                 dL/dx_i = dL/dy
 *   mean:       y = (1/n) sum_i x_i           dL/dx_i = dL/dy / n
 *   max / min:  y = x_k (k the first extreme) dL/dx_k = dL/dy, 0 elsewhere            (over one dim)
 *               y = x_k for the t tied extremes dL/dx_k = dL/dy / t for each of them (over all, or dims)
 *   logsumexp:  y = m + ln sum_i e^(x_i - m)  dL/dx_i = dL/dy * e^(x_i - y)     (m = max x)
 *   softmax:    y_i = e^(x_i) / sum_j e^(x_j) dL/dx_i = y_i (g_i - sum_j g_j y_j)
 *   logSoftmax: y_i = x_i - logsumexp(x)      dL/dx_i = g_i - softmax(x)_i sum_j g_j
 */
import { checkIntegers, checkTensor } from '../tensor/check.js';
import { RecurrentError, fmt } from '../tensor/errors.js';
import { around, checkNumel, normDim, offsetMap, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { record } from './graph.js';

interface Reduction {
  /** Output shape without the reduced dims (or with them as 1 when keepdim). */
  shape: number[];
  /** For each input element, the index of the output element it reduces into. */
  map: Int32Array;
  /** Output element count. */
  size: number;
  /** What a tracer needs: the reduced dims and keepdim. */
  attrs: { dims: ReadonlySet<number>; keepdim: boolean };
}

function reduction(op: string, x: Tensor, dim: number | readonly number[] | undefined, keepdim: boolean): Reduction {
  checkTensor(op, x);
  if (dim !== undefined && typeof dim !== 'number') checkIntegers(op, dim, 'dim');
  const rank = x.shape.length;
  const dims = new Set<number>();
  // No dim, or an empty list (as torch.sum(x, dim=[])), reduces every dim.
  if (dim === undefined || (typeof dim !== 'number' && dim.length === 0)) for (let d = 0; d < rank; d++) dims.add(d);
  else for (const d of typeof dim === 'number' ? [dim] : dim) {
    const nd = normDim(op, d, Math.max(rank, 1), 'dim', x.shape);
    if (dims.has(nd)) throw new RecurrentError(op, `dim ${d} appears twice`);
    dims.add(nd);
  }
  const kept = x.shape.map((s, d) => (dims.has(d) ? 1 : s));
  checkNumel(op, kept);
  const keptStrides = stridesOf(kept).map((s, d) => (dims.has(d) ? 0 : s));
  const map = offsetMap(x.shape, keptStrides);
  const shape = keepdim ? kept : x.shape.filter((_, d) => !dims.has(d));
  let size = 1;
  for (const s of kept) size *= s;
  return { shape, map, size, attrs: { dims, keepdim } };
}

/** Sum over all elements, or over `dim` (a dim or a list of dims). */
export function sum(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  const { shape, map, size, attrs } = reduction('sum', x, dim, keepdim);
  const xd = x.data;
  const y = new Float32Array(size);
  for (let i = 0; i < xd.length; i++) y[map[i]] += xd[i];
  return record('sum', y, shape, [x], (g) => {
    const gx = new Float32Array(xd.length);
    for (let i = 0; i < gx.length; i++) gx[i] = g[map[i]];
    return [gx];
  }, attrs);
}

/** Mean over all elements, or over `dim`. */
export function mean(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  const { shape, map, size, attrs } = reduction('mean', x, dim, keepdim);
  const xd = x.data;
  const n = size === 0 ? 0 : xd.length / size;
  const acc = new Float64Array(size);
  for (let i = 0; i < xd.length; i++) acc[map[i]] += xd[i];
  const y = new Float32Array(size);
  for (let j = 0; j < size; j++) y[j] = acc[j] / n;
  return record('mean', y, shape, [x], (g) => {
    const gx = new Float32Array(xd.length);
    for (let i = 0; i < gx.length; i++) gx[i] = g[map[i]] / n;
    return [gx];
  }, attrs);
}

/** Throws when dim `d` of x has size 0: it has no extreme (PyTorch: "Expected reduction dim to have non-zero size"). */
function checkReducible(op: string, x: Tensor, d: number): void {
  if (x.shape[d] === 0) throw new RecurrentError(op, `cannot reduce over dim ${d} of size 0 (shape ${fmt(x.shape)})`, 'shape');
}

function extreme(op: string, x: Tensor, dim: number | readonly number[] | undefined, keepdim: boolean, sign: 1 | -1): Tensor {
  const { shape, map, size, attrs } = reduction(op, x, dim, keepdim);
  // An empty tensor reduces over dims of non-zero size (to an empty result), as in PyTorch.
  for (const d of attrs.dims) checkReducible(op, x, d);
  const xd = x.data;
  const y = new Float32Array(size).fill(-Infinity * sign);
  const arg = new Int32Array(size).fill(-1);
  for (let i = 0; i < xd.length; i++) {
    const j = map[i];
    const v = xd[i];
    // NaN propagates, as in PyTorch: it wins every comparison once seen.
    if (arg[j] < 0 || (!Number.isNaN(y[j]) && (sign * v > sign * y[j] || Number.isNaN(v)))) {
      y[j] = v;
      arg[j] = i;
    }
  }
  // As PyTorch: max(x, dim) over one dim gives the gradient to the index it returns (the first
  // extreme); max(x) and amax over a list of dims share it evenly among the tied extremes (NaN
  // ties with NaN).
  const shared = typeof dim !== 'number';
  return record(op, y, shape, [x], (g) => {
    const gx = new Float32Array(xd.length);
    if (!shared) {
      for (let j = 0; j < size; j++) gx[arg[j]] += g[j];
      return [gx];
    }
    const tied = (i: number): boolean => xd[i] === y[map[i]] || (Number.isNaN(xd[i]) && Number.isNaN(y[map[i]]));
    const ties = new Float64Array(size);
    for (let i = 0; i < xd.length; i++) if (tied(i)) ties[map[i]]++;
    for (let i = 0; i < xd.length; i++) if (tied(i)) gx[i] = g[map[i]] / ties[map[i]];
    return [gx];
  }, attrs);
}

/**
 * Maximum over all elements, or over `dim`. The gradient goes to the first maximal entry over
 * one dim (`dim` a number), and is shared evenly among tied maxima over all elements or a list
 * of dims (PyTorch's max() and amax).
 */
export function max(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  return extreme('max', x, dim, keepdim, 1);
}

/** Minimum over all elements, or over `dim`; its gradient follows max's rule for ties. */
export function min(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  return extreme('min', x, dim, keepdim, -1);
}

/** Index of the first maximum along `dim`, as a float tensor of integers (not differentiable). */
export function argmax(x: Tensor, dim: number, keepdim = false): Tensor {
  checkTensor('argmax', x);
  const d = normDim('argmax', dim, x.shape.length, 'dim', x.shape);
  checkReducible('argmax', x, d);
  const [outer, size, inner] = around(x.shape, d);
  const xd = x.data;
  const y = new Float32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      let best = 0;
      for (let i = 1; i < size; i++) {
        const v = xd[(o * size + i) * inner + k];
        const b = xd[(o * size + best) * inner + k];
        if (v > b || (v !== v && b === b)) best = i; // the first NaN is the maximum, as in PyTorch
      }
      y[o * inner + k] = best;
    }
  }
  const shape = keepdim ? x.shape.map((s, i) => (i === d ? 1 : s)) : x.shape.filter((_, i) => i !== d);
  return new Tensor(y, shape);
}

/** log(sum(exp(x))) over `dim`, computed as m + log(sum(exp(x - m))) so it never overflows. */
export function logsumexp(x: Tensor, dim: number | readonly number[], keepdim = false): Tensor {
  const { shape, map, size, attrs } = reduction('logsumexp', x, dim, keepdim);
  const xd = x.data;
  const m = new Float64Array(size).fill(-Infinity);
  for (let i = 0; i < xd.length; i++) if (xd[i] > m[map[i]]) m[map[i]] = xd[i];
  for (let j = 0; j < size; j++) if (!Number.isFinite(m[j])) m[j] = 0;
  const s = new Float64Array(size);
  for (let i = 0; i < xd.length; i++) s[map[i]] += Math.exp(xd[i] - m[map[i]]);
  const y = new Float32Array(size);
  for (let j = 0; j < size; j++) y[j] = m[j] + Math.log(s[j]);
  return record('logsumexp', y, shape, [x], (g) => {
    const gx = new Float32Array(xd.length);
    for (let i = 0; i < gx.length; i++) gx[i] = g[map[i]] * Math.exp(xd[i] - y[map[i]]);
    return [gx];
  }, attrs);
}

/**
 * Writes softmax(x), or log-softmax(x) when `log`, along the middle axis of (outer, size,
 * inner) into `y`, with m = max x subtracted first and the sum taken in float64.
 */
function softmaxInto(xd: Float32Array, y: Float32Array, outer: number, size: number, inner: number, log: boolean): void {
  if (xd.length === 0) return; // outer or inner may still be huge: [0, 65536, 65536]
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const base = o * size * inner + k;
      let m = -Infinity;
      for (let i = 0; i < size; i++) m = Math.max(m, xd[base + i * inner]);
      // A row of -Infinity alone gives 0/0 = NaN, as PyTorch; a +Infinity (or NaN) stays in m, so
      // exp(inf - inf) makes the whole row NaN, as PyTorch (with m = 0 the other entries gave 0).
      if (m === -Infinity) m = 0;
      let s = 0;
      for (let i = 0; i < size; i++) s += Math.exp(xd[base + i * inner] - m);
      const lse = m + Math.log(s);
      for (let i = 0; i < size; i++) {
        const v = xd[base + i * inner];
        y[base + i * inner] = log ? v - lse : Math.exp(v - m) / s;
      }
    }
  }
}

/** Softmax along `dim`: y_i = e^(x_i) / sum_j e^(x_j). */
export function softmax(x: Tensor, dim: number): Tensor {
  checkTensor('softmax', x);
  const d = normDim('softmax', dim, Math.max(x.shape.length, 1), 'dim', x.shape);
  const [outer, size, inner] = x.shape.length === 0 ? [1, 1, 1] : around(x.shape, d);
  const y = new Float32Array(x.data.length);
  softmaxInto(x.data, y, outer, size, inner, false);
  return record('softmax', y, x.shape, [x], (g) => {
    const gx = new Float32Array(y.length);
    for (let o = 0; o < outer && gx.length > 0; o++) {
      for (let k = 0; k < inner; k++) {
        const base = o * size * inner + k;
        let dot = 0;
        for (let i = 0; i < size; i++) dot += g[base + i * inner] * y[base + i * inner];
        for (let i = 0; i < size; i++) gx[base + i * inner] = y[base + i * inner] * (g[base + i * inner] - dot);
      }
    }
    return [gx];
  }, { dim: d });
}

/** Log-softmax along `dim`: y_i = x_i - logsumexp(x). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  checkTensor('logSoftmax', x);
  const d = normDim('logSoftmax', dim, Math.max(x.shape.length, 1), 'dim', x.shape);
  const [outer, size, inner] = x.shape.length === 0 ? [1, 1, 1] : around(x.shape, d);
  const xd = x.data;
  const y = new Float32Array(xd.length);
  softmaxInto(xd, y, outer, size, inner, true);
  return record('logSoftmax', y, x.shape, [x], (g) => {
    const gx = new Float32Array(xd.length);
    for (let o = 0; o < outer && gx.length > 0; o++) {
      for (let k = 0; k < inner; k++) {
        const base = o * size * inner + k;
        let gs = 0;
        for (let i = 0; i < size; i++) gs += g[base + i * inner];
        for (let i = 0; i < size; i++) gx[base + i * inner] = g[base + i * inner] - Math.exp(y[base + i * inner]) * gs;
      }
    }
    return [gx];
  }, { dim: d });
}
