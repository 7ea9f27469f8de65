/**
 * Elementwise functions of one tensor, each with its derivative beside it.
 *
 *   y = f(x)          dL/dx = dL/dy * f'(x)
 *
 * f'(x) is written in terms of x and y where that is cheaper (tanh' = 1 - y^2).
 */
import { sigmoid as sigmoidKernel } from '../kernels/js/activations.js';
import { checkTensor } from '../tensor/check.js';
import { RecurrentError, show } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { record, type OpAttrs } from './graph.js';

/** Builds y = f(x) and its backward dL/dx = g * df(x, y). */
function unary(name: string, x: Tensor, f: (x: number) => number, df: (x: number, y: number) => number, attrs?: OpAttrs): Tensor {
  checkTensor(name, x);
  const xd = x.data;
  const y = new Float32Array(xd.length);
  for (let i = 0; i < xd.length; i++) y[i] = f(xd[i]);
  return record(name, y, x.shape, [x], (g) => {
    const gx = new Float32Array(xd.length);
    for (let i = 0; i < xd.length; i++) gx[i] = g[i] * df(xd[i], y[i]);
    return [gx];
  }, attrs);
}

/** y = -x;  dy/dx = -1 */
export function neg(x: Tensor): Tensor {
  return unary('neg', x, (v) => -v, () => -1);
}

/** y = e^x;  dy/dx = e^x = y */
export function exp(x: Tensor): Tensor {
  return unary('exp', x, Math.exp, (_, y) => y);
}

/** y = ln x;  dy/dx = 1/x */
export function log(x: Tensor): Tensor {
  return unary('log', x, Math.log, (v) => 1 / v);
}

/** y = sqrt x;  dy/dx = 1 / (2 y) */
export function sqrt(x: Tensor): Tensor {
  return unary('sqrt', x, Math.sqrt, (_, y) => 0.5 / y);
}

/** y = |x|;  dy/dx = sign(x), 0 at 0 (as PyTorch) */
export function abs(x: Tensor): Tensor {
  return unary('abs', x, Math.abs, (v) => (v > 0 ? 1 : v < 0 ? -1 : 0));
}

/** y = tanh x;  dy/dx = 1 - y^2 */
export function tanh(x: Tensor): Tensor {
  return unary('tanh', x, Math.tanh, (_, y) => 1 - y * y);
}

/** y = 1 / (1 + e^-x);  dy/dx = y (1 - y) */
export function sigmoid(x: Tensor): Tensor {
  return unary('sigmoid', x, sigmoidKernel, (_, y) => y * (1 - y));
}

/** y = max(x, 0);  dy/dx = 1 where x > 0, else 0 */
export function relu(x: Tensor): Tensor {
  // NaN stays NaN, as in PyTorch (v > 0 is false for NaN, so test v === v to keep it).
  return unary('relu', x, (v) => (v > 0 ? v : v === v ? 0 : v), (v) => (v > 0 ? 1 : 0));
}

/** y = min(max(x, min), max);  dy/dx = 1 where min <= x <= max, else 0 (as PyTorch) */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  if (typeof lo !== 'number' || typeof hi !== 'number' || Number.isNaN(lo) || Number.isNaN(hi)) {
    throw new RecurrentError('clamp', `min and max must be numbers, got ${show(min)}, ${show(max)}`, 'value');
  }
  if (min === undefined && max === undefined) throw new RecurrentError('clamp', 'needs at least one of min and max');
  // min(max(x, lo), hi), as PyTorch: with min > max every value becomes max; NaN stays NaN.
  return unary('clamp', x, (v) => Math.min(Math.max(v, lo), hi), (v) => (v >= lo && v <= hi ? 1 : 0), { min: lo, max: hi });
}

/** y = x (a copy with its own storage);  dy/dx = 1 */
export function clone(x: Tensor): Tensor {
  checkTensor('clone', x);
  return record('clone', Float32Array.from(x.data), x.shape, [x], (g) => [g]);
}
