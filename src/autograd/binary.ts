/**
 * Elementwise functions of two tensors, broadcasting with NumPy rules.
 *
 *   z = f(a, b)      dL/da = dL/dz * df/da,   dL/db = dL/dz * df/db
 *
 * Both operands are first broadcast to the output shape with `expand`, whose backward sums
 * the gradient back down: that is the one place where broadcasting is undone.
 */
import { checkTensor } from '../tensor/check.js';
import { RecurrentError, fmt, show } from '../tensor/errors.js';
import { broadcastShapes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { record } from './graph.js';
import { expand } from './shape-ops.js';

/** A number operand becomes a constant scalar tensor. */
export function asTensor(op: string, v: Tensor | number, arg: string): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v !== 'number') throw new RecurrentError(op, `${arg} must be a Tensor or a number, got ${show(v)}`);
  return new Tensor(new Float32Array([v]), []);
}

function binary(
  name: string,
  a: Tensor | number,
  b: Tensor | number,
  f: (a: number, b: number) => number,
  dfa: (a: number, b: number, z: number) => number,
  dfb: (a: number, b: number, z: number) => number,
): Tensor {
  const ta = asTensor(name, a, 'a');
  const tb = asTensor(name, b, 'b');
  const shape = broadcastShapes(name, ta.shape, tb.shape);
  const A = expand(ta, shape);
  const B = expand(tb, shape);
  const ad = A.data;
  const bd = B.data;
  const z = new Float32Array(ad.length);
  for (let i = 0; i < z.length; i++) z[i] = f(ad[i], bd[i]);
  return record(name, z, shape, [A, B], (g) => {
    let ga: Float32Array | null = null;
    let gb: Float32Array | null = null;
    if (A.requiresGrad) {
      ga = new Float32Array(z.length);
      for (let i = 0; i < z.length; i++) ga[i] = g[i] * dfa(ad[i], bd[i], z[i]);
    }
    if (B.requiresGrad) {
      gb = new Float32Array(z.length);
      for (let i = 0; i < z.length; i++) gb[i] = g[i] * dfb(ad[i], bd[i], z[i]);
    }
    return [ga, gb];
  });
}

/** z = a + b;  dz/da = 1, dz/db = 1 */
export function add(a: Tensor | number, b: Tensor | number): Tensor {
  return binary('add', a, b, (x, y) => x + y, () => 1, () => 1);
}

/** z = a - b;  dz/da = 1, dz/db = -1 */
export function sub(a: Tensor | number, b: Tensor | number): Tensor {
  return binary('sub', a, b, (x, y) => x - y, () => 1, () => -1);
}

/** z = a * b;  dz/da = b, dz/db = a */
export function mul(a: Tensor | number, b: Tensor | number): Tensor {
  return binary('mul', a, b, (x, y) => x * y, (_, y) => y, (x) => x);
}

/** z = a / b;  dz/da = 1/b, dz/db = -a/b^2 */
export function div(a: Tensor | number, b: Tensor | number): Tensor {
  return binary('div', a, b, (x, y) => x / y, (_, y) => 1 / y, (x, y) => -x / (y * y));
}

/**
 * z = a^b;  dz/da = b a^(b-1),  dz/db = a^b ln a  (taken as 0 where a <= 0, as there it is
 * only defined for integer b, whose derivative in b PyTorch also reports as 0 at a = 0).
 */
export function pow(a: Tensor | number, b: Tensor | number): Tensor {
  return binary(
    'pow',
    a,
    b,
    Math.pow,
    (x, y) => (y === 0 ? 0 : y * Math.pow(x, y - 1)),
    (x, _, z) => (x > 0 ? z * Math.log(x) : 0),
  );
}

/** z = cond ? a : b elementwise (cond non-zero means true), broadcasting all three. */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  if (!(cond instanceof Tensor)) throw new RecurrentError('where', 'cond must be a Tensor');
  const ta = asTensor('where', a, 'a');
  const tb = asTensor('where', b, 'b');
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, ta.shape), tb.shape);
  const C = expand(cond.detach(), shape).data;
  const A = expand(ta, shape);
  const B = expand(tb, shape);
  const z = new Float32Array(C.length);
  for (let i = 0; i < z.length; i++) z[i] = C[i] !== 0 ? A.data[i] : B.data[i];
  return record('where', z, shape, [A, B], (g) => {
    const ga = new Float32Array(z.length);
    const gb = new Float32Array(z.length);
    for (let i = 0; i < z.length; i++) {
      if (C[i] !== 0) ga[i] = g[i];
      else gb[i] = g[i];
    }
    return [ga, gb];
  });
}

/** z = mask ? value : x (mask broadcast to x's shape);  dz/dx = 1 where mask is 0, else 0 */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  checkTensor('maskedFill', x);
  if (typeof value !== 'number' || Number.isNaN(value)) throw new RecurrentError('maskedFill', `value must be a number, got ${show(value)}`, 'value');
  if (!(mask instanceof Tensor)) throw new RecurrentError('maskedFill', 'mask must be a Tensor');
  const shape = broadcastShapes('maskedFill', x.shape, mask.shape);
  if (shape.length !== x.shape.length || shape.some((d, i) => d !== x.shape[i])) {
    throw new RecurrentError('maskedFill', `mask ${fmt(mask.shape)} must broadcast to the input's shape ${fmt(x.shape)}`, 'shape');
  }
  return where(mask, value, x);
}
