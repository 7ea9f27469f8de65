/**
 * Parameter initialisation, in place, each drawing from a seeded generator (PyTorch's
 * torch.nn.init, with the trailing underscore dropped).
 *
 *   fanIn = size(1) * receptive field, fanOut = size(0) * receptive field
 *   xavierUniform:  U(-a, a),  a = gain * sqrt(6 / (fanIn + fanOut))
 *   xavierNormal:   N(0, s^2), s = gain * sqrt(2 / (fanIn + fanOut))
 *   kaimingUniform: U(-b, b),  b = gain * sqrt(3 / fan),  gain = sqrt(2 / (1 + a^2)) for leaky relu
 *   kaimingNormal:  N(0, s^2), s = gain / sqrt(fan)
 *   orthogonal:     Q from the QR decomposition of a normal matrix, signs fixed by diag(R)
 */
import { RecurrentError, fmt, show } from '../tensor/errors.js';
import { defaultGenerator, Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { GENERATOR, checkOptions, checkTensor, type OptionSchema } from '../tensor/check.js';

/** Which fan a Kaiming init preserves. */
export type FanMode = 'fanIn' | 'fanOut';

/** Options common to the random initialisers. */
export interface InitOptions {
  /** Generator to draw from (default: the global one). */
  generator?: Generator;
}

const INIT_SCHEMA: OptionSchema = { generator: GENERATOR };

/** The generator an initialiser draws from, its options checked before any draw. */
function gen(op: string, options: InitOptions | undefined, schema = INIT_SCHEMA): Generator {
  return checkOptions(op, options, 'options', schema).generator ?? defaultGenerator;
}

/** Fan in and fan out of a weight of at least 2 dims (PyTorch's _calculate_fan_in_and_fan_out). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  checkTensor('init.calculateFanInAndFanOut', t, 't');
  if (t.shape.length < 2) throw new RecurrentError('init', `fan in and fan out need at least 2 dims, got ${fmt(t.shape)}`, 'shape');
  let receptive = 1;
  for (let i = 2; i < t.shape.length; i++) receptive *= t.shape[i];
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

/** Fills with U(low, high). */
export function uniform(t: Tensor, low = 0, high = 1, options?: InitOptions): Tensor {
  checkTensor('init.uniform', t, 't');
  if (!Number.isFinite(low) || !Number.isFinite(high) || high < low) throw new RecurrentError('init.uniform', `needs finite low <= high, got ${low}, ${high}`, 'value');
  const g = gen('init.uniform', options);
  for (let i = 0; i < t.data.length; i++) t.data[i] = g.uniform(low, high);
  return t.markModified();
}

/** Fills with N(mean, std^2). */
export function normal(t: Tensor, mean = 0, std = 1, options?: InitOptions): Tensor {
  checkTensor('init.normal', t, 't');
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) throw new RecurrentError('init.normal', `needs finite mean and std >= 0, got ${mean}, ${std}`, 'value');
  const g = gen('init.normal', options);
  for (let i = 0; i < t.data.length; i++) t.data[i] = mean + std * g.normal();
  return t.markModified();
}

/** Fills with a constant. */
export function constant(t: Tensor, value: number): Tensor {
  checkTensor('init.constant', t, 't');
  if (!Number.isFinite(value)) throw new RecurrentError('init.constant', `value must be finite, got ${value}`, 'value');
  t.data.fill(value);
  return t.markModified();
}

/** Fills with zeros. */
export function zeros(t: Tensor): Tensor {
  checkTensor('init.zeros', t, 't');
  return constant(t, 0);
}

/** Fills with ones. */
export function ones(t: Tensor): Tensor {
  checkTensor('init.ones', t, 't');
  return constant(t, 1);
}

/** Xavier/Glorot uniform: U(-a, a), a = gain sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform(t: Tensor, gain = 1, options?: InitOptions): Tensor {
  checkTensor('init.xavierUniform', t, 't');
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -a, a, options);
}

/** Xavier/Glorot normal: N(0, s^2), s = gain sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal(t: Tensor, gain = 1, options?: InitOptions): Tensor {
  checkTensor('init.xavierNormal', t, 't');
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), options);
}

/** Options of the Kaiming initialisers. */
export interface KaimingOptions extends InitOptions {
  /** Negative slope of the leaky relu that follows (0 for relu). */
  a?: number;
  /** Preserve the variance of the forward pass ('fanIn', default) or of the backward pass. */
  mode?: FanMode;
}

/** The standard deviation a Kaiming init draws with, and the options left for the draw. */
function kaimingStd(op: string, t: Tensor, options: KaimingOptions | undefined): [number, InitOptions] {
  checkTensor(op, t, 't');
  const { a = 0, mode = 'fanIn', generator } = checkOptions(op, options, 'options', { ...INIT_SCHEMA, a: 'number', mode: 'string' });
  if (!Number.isFinite(a)) throw new RecurrentError(op, `options.a must be a finite number, got ${a}`, 'value');
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new RecurrentError(op, `options.mode must be 'fanIn' or 'fanOut', got ${show(mode)}`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const gain = Math.sqrt(2 / (1 + a * a));
  return [gain / Math.sqrt(mode === 'fanOut' ? fanOut : fanIn), { generator }];
}

/** Kaiming/He uniform: U(-b, b), b = sqrt(3) * gain / sqrt(fan). */
export function kaimingUniform(t: Tensor, options?: KaimingOptions): Tensor {
  const [std, rest] = kaimingStd('init.kaimingUniform', t, options);
  return uniform(t, -Math.sqrt(3) * std, Math.sqrt(3) * std, rest);
}

/** Kaiming/He normal: N(0, s^2), s = gain / sqrt(fan). */
export function kaimingNormal(t: Tensor, options?: KaimingOptions): Tensor {
  const [std, rest] = kaimingStd('init.kaimingNormal', t, options);
  return normal(t, 0, std, rest);
}

/**
 * A (semi-)orthogonal matrix times `gain`: rows (or columns, whichever are fewer) orthonormal.
 * Householder QR of a normal matrix in float64, with Q's signs fixed by diag(R) so the result
 * is uniformly distributed.
 */
export function orthogonal(t: Tensor, gain = 1, options?: InitOptions): Tensor {
  checkTensor('init.orthogonal', t, 't');
  if (t.shape.length < 2) throw new RecurrentError('init.orthogonal', `needs at least 2 dims, got ${fmt(t.shape)}`, 'shape');
  const rows = t.shape[0];
  const cols = t.data.length / rows;
  const g = gen('init.orthogonal', options);
  // Work on the tall orientation m x n (m >= n), transpose back at the end if needed.
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  const a = new Float64Array(m * n);
  for (let i = 0; i < a.length; i++) a[i] = g.normal();
  const q = householderQ(a, m, n);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) t.data[i * cols + j] = gain * (tall ? q[i * n + j] : q[j * n + i]);
  }
  return t.markModified();
}

/** The m x n factor Q of A = QR (A is m x n, m >= n, row-major), with diag(R) made positive. */
function householderQ(a: Float64Array, m: number, n: number): Float64Array {
  const vs: Float64Array[] = [];
  const signs = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += a[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    const alpha = a[k * n + k] > 0 ? -norm : norm;
    const v = new Float64Array(m);
    for (let i = k; i < m; i++) v[i] = a[i * n + k];
    v[k] -= alpha;
    let vnorm = 0;
    for (let i = k; i < m; i++) vnorm += v[i] * v[i];
    if (vnorm > 0) {
      for (let j = k; j < n; j++) {
        let dot = 0;
        for (let i = k; i < m; i++) dot += v[i] * a[i * n + j];
        const s = (2 * dot) / vnorm;
        for (let i = k; i < m; i++) a[i * n + j] -= s * v[i];
      }
    }
    vs.push(v);
    signs[k] = a[k * n + k] < 0 ? -1 : 1; // R[k][k] = alpha; multiply column k of Q by its sign
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k];
    let vnorm = 0;
    for (let i = k; i < m; i++) vnorm += v[i] * v[i];
    if (vnorm === 0) continue;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i] * q[i * n + j];
      const s = (2 * dot) / vnorm;
      for (let i = k; i < m; i++) q[i * n + j] -= s * v[i];
    }
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[i * n + j] *= signs[j];
  return q;
}

/** Options of every layer with random initial weights. */
export interface SeedOptions {
  /** Seed of a fresh generator for this layer's initial weights (and dropout masks). */
  seed?: number;
  /** A generator to draw from instead (default: the global one). Ignored when `seed` is given. */
  generator?: Generator;
}

/** The options {@link layerGenerator} reads, for a layer's option schema. */
export const SEED_SCHEMA: OptionSchema = { seed: 'integer', generator: GENERATOR };

/** The generator a layer draws from: a fresh one for `seed`, else the given or global one. */
export function layerGenerator(op: string, options: SeedOptions | undefined): Generator {
  if (options?.seed !== undefined) {
    if (!Number.isSafeInteger(options.seed)) throw new RecurrentError(op, `seed must be a safe integer, got ${options.seed}`);
    return new Generator(options.seed);
  }
  const g = options?.generator ?? defaultGenerator;
  if (!(g instanceof Generator)) throw new RecurrentError(op, 'generator must be a Generator');
  return g;
}
