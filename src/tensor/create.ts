/**
 * Creating tensors: from nested arrays or typed arrays, constant fills, ranges, the identity,
 * and random tensors drawn from a seeded {@link Generator}.
 */
import { RecurrentError, fmt, show } from './errors.js';
import { defaultGenerator, type Generator } from './random.js';
import { MAX_NESTING, checkShape, numel } from './shape.js';
import { GENERATOR, checkOptions, checkTensor, type OptionSchema } from './check.js';
import { Tensor, type NestedArray } from './tensor.js';

/** Options shared by the creation functions. */
export interface CreateOptions {
  /** Record operations on the new tensor for autograd. */
  requiresGrad?: boolean;
}

/** Options of the random creation functions. */
export interface RandomOptions extends CreateOptions {
  /** The generator to draw from (default: the global one, seeded with `manualSeed`). */
  generator?: Generator;
}

const CREATE_SCHEMA: OptionSchema = { requiresGrad: 'boolean' };
const RANDOM_SCHEMA: OptionSchema = { requiresGrad: 'boolean', generator: GENERATOR };

/** The options of a creation function, checked before anything is allocated or drawn: `{ seed: 1 }` is refused, not ignored. */
function createOptions(op: string, options: RandomOptions | undefined, schema = CREATE_SCHEMA): RandomOptions {
  return checkOptions(op, options, 'options', schema);
}

function leaf(data: Float32Array, shape: readonly number[], options: CreateOptions): Tensor {
  const t = new Tensor(data, shape);
  t.requiresGrad = options.requiresGrad === true;
  return t;
}

/** Shape of a nested array, checking it is rectangular. */
function nestedShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    if (shape.length === MAX_NESTING) throw new RecurrentError('tensor', `data nests arrays deeper than ${MAX_NESTING} levels`, 'shape');
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  return shape;
}

function flatten(data: NestedArray, shape: readonly number[], out: Float32Array): void {
  let k = 0;
  const walk = (v: NestedArray, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') throw new RecurrentError('tensor', `expected a number at data${path}, got ${Array.isArray(v) ? 'an array' : typeof v}`, 'argument');
      if (!Number.isFinite(v)) throw new RecurrentError('tensor', `data${path} is ${v}; values must be finite`, 'value');
      out[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new RecurrentError('tensor', `data is not rectangular: data${path} should be an array of length ${shape[depth]}`, 'shape');
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${path}[${i}]`);
  };
  walk(data, 0, '');
}

/**
 * A new leaf tensor from nested arrays, a flat array or a typed array (copied), a number
 * (a scalar), with an optional shape for flat data. Values must be finite.
 * `tensor(data, { requiresGrad: true })` needs no shape.
 */
export function tensor(data: NestedArray | ArrayLike<number>, options?: CreateOptions): Tensor;
export function tensor(data: NestedArray | ArrayLike<number>, shape?: readonly number[], options?: CreateOptions): Tensor;
export function tensor(data: NestedArray | ArrayLike<number>, shapeOrOptions?: readonly number[] | CreateOptions, maybeOptions?: CreateOptions): Tensor {
  const isOptions = typeof shapeOrOptions === 'object' && shapeOrOptions !== null && !Array.isArray(shapeOrOptions);
  const shape = isOptions ? undefined : (shapeOrOptions as readonly number[] | undefined);
  const options = createOptions('tensor', isOptions ? (shapeOrOptions as CreateOptions) : maybeOptions);
  if (ArrayBuffer.isView(data)) {
    const flat = Float32Array.from(data as ArrayLike<number>);
    const s = shape ?? [flat.length];
    checkShape('tensor', s);
    if (numel(s) !== flat.length) throw new RecurrentError('tensor', `data has ${flat.length} values but shape ${fmt(s)} needs ${numel(s)}`, 'shape');
    for (let i = 0; i < flat.length; i++) {
      if (!Number.isFinite(flat[i])) throw new RecurrentError('tensor', `data[${i}] is ${flat[i]}; values must be finite`, 'value');
    }
    return leaf(flat, s.slice(), options);
  }
  if (typeof data !== 'number' && !Array.isArray(data)) {
    throw new RecurrentError('tensor', `data must be a number, an array or a typed array, got ${data === null ? 'null' : typeof data}`);
  }
  const natural = nestedShape(data as NestedArray);
  const out = new Float32Array(numel(natural));
  flatten(data as NestedArray, natural, out);
  if (shape === undefined) return leaf(out, natural, options);
  checkShape('tensor', shape);
  if (numel(shape) !== out.length) throw new RecurrentError('tensor', `data has ${out.length} values but shape ${fmt(shape)} needs ${numel(shape)}`, 'shape');
  return leaf(out, shape.slice(), options);
}

/** A tensor of `shape` filled with `value` (NaN is rejected; ±Infinity is allowed for masks). */
export function full(shape: readonly number[], value: number, options?: CreateOptions): Tensor {
  return filled('full', shape, value, options);
}

function filled(op: string, shape: readonly number[], value: number, options: CreateOptions | undefined): Tensor {
  const o = createOptions(op, options);
  checkShape(op, shape);
  if (typeof value !== 'number' || Number.isNaN(value)) throw new RecurrentError(op, `value must be a number, got ${show(value)}`, 'value');
  return leaf(new Float32Array(numel(shape)).fill(value), shape.slice(), o);
}

/**
 * The arguments of a creator that takes a shape as PyTorch does, as one array or as sizes:
 * `zeros([2, 3])`, `zeros(2, 3)`, `zeros(2, 3, { requiresGrad: true })`.
 */
export type ShapeArgs<O> = [shape: readonly number[], options?: O] | [...sizes: number[], options: O] | number[];

function shapeAndOptions<O>(args: ShapeArgs<O>): [readonly number[], O | undefined] {
  if (typeof args[0] !== 'number') return [args[0] as readonly number[], args[1] as O | undefined]; // an array, or checkShape refuses it
  const last = args[args.length - 1];
  return typeof last === 'object' && last !== null ? [args.slice(0, -1) as number[], last as O] : [args as number[], undefined];
}

/** A tensor of zeros: `zeros([2, 3])` or `zeros(2, 3)`. */
export function zeros(...args: ShapeArgs<CreateOptions>): Tensor {
  const [shape, options] = shapeAndOptions(args);
  return filled('zeros', shape, 0, options);
}

/** A tensor of ones: `ones([2, 3])` or `ones(2, 3)`. */
export function ones(...args: ShapeArgs<CreateOptions>): Tensor {
  const [shape, options] = shapeAndOptions(args);
  return filled('ones', shape, 1, options);
}

/** Zeros with the shape of `x`. */
export function zerosLike(x: Tensor, options?: CreateOptions): Tensor {
  return filled('zerosLike', checkTensor('zerosLike', x).shape, 0, options);
}

/** Ones with the shape of `x`. */
export function onesLike(x: Tensor, options?: CreateOptions): Tensor {
  return filled('onesLike', checkTensor('onesLike', x).shape, 1, options);
}

/** The values start, start + step, ... below end (one argument: 0 .. end-1), as torch.arange. */
export function arange(start: number, end?: number, step = 1, options?: CreateOptions): Tensor {
  const o = createOptions('arange', options);
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  if (![lo, hi, step].every((v) => typeof v === 'number' && Number.isFinite(v)) || step === 0) {
    throw new RecurrentError('arange', `needs finite start, end and a non-zero step, got ${show(lo)}, ${show(hi)}, ${show(step)}`, 'value');
  }
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  checkShape('arange', [n]);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + i * step;
  return leaf(out, [n], o);
}

/** The n x m identity (m defaults to n). */
export function eye(n: number, m = n, options?: CreateOptions): Tensor {
  const o = createOptions('eye', options);
  checkShape('eye', [n, m]);
  const out = new Float32Array(n * m);
  for (let i = 0; i < Math.min(n, m); i++) out[i * m + i] = 1;
  return leaf(out, [n, m], o);
}

function random(op: string, shape: readonly number[], options: RandomOptions | undefined, draw: (g: Generator) => number): Tensor {
  const o = createOptions(op, options, RANDOM_SCHEMA);
  checkShape(op, shape);
  const g = o.generator ?? defaultGenerator;
  const out = new Float32Array(numel(shape));
  for (let i = 0; i < out.length; i++) out[i] = draw(g);
  return leaf(out, shape.slice(), o);
}

/** Uniform values in [0, 1): `rand([2, 3])` or `rand(2, 3)`. */
export function rand(...args: ShapeArgs<RandomOptions>): Tensor {
  const [shape, options] = shapeAndOptions(args);
  return random('rand', shape, options, (g) => g.random());
}

/** Standard normal values: `randn([2, 3])` or `randn(2, 3)`. */
export function randn(...args: ShapeArgs<RandomOptions>): Tensor {
  const [shape, options] = shapeAndOptions(args);
  return random('randn', shape, options, (g) => g.normal());
}

/** Uniform integers in [low, high). */
export function randint(low: number, high: number, shape: readonly number[], options?: RandomOptions): Tensor {
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
    throw new RecurrentError('randint', `needs integers low < high, got ${show(low)}, ${show(high)}`);
  }
  return random('randint', shape, options, (g) => g.randint(low, high));
}
