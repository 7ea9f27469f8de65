/**
 * The ONNX form of each autograd op (by the name it records under), and hints for the ops
 * that have none. Shapes stay dynamic where the op allows: a reshape keeps the leading sizes
 * it does not change (ONNX's 0) and infers one changed size (-1); only sizes it must name
 * literally are fixed in the graph.
 */
import type { OpAttrs } from '../autograd/graph.js';
import type { Tensor } from '../tensor/tensor.js';
import { BOOL, FLOAT } from './onnx-graph.js';
import type { OpConverter, Trace } from './trace.js';

const elementwise = (op: string): OpConverter => (t, _out, [x]) => t.g.op(op, [t.name(x)]);
const broadcasting = (op: string): OpConverter => (t, _out, [a, b]) => t.g.op(op, [t.name(a, true), t.name(b, true)]);
/** The reduced dims of a reduction (ONNX takes them in any order). */
const axes = (attrs: OpAttrs) => [...(attrs.dims as ReadonlySet<number>)];
const reduce = (op: string): OpConverter => (t, _out, [x], attrs) => t.g.op(op, [t.name(x)], { axes: axes(attrs), keepdims: attrs.keepdim ? 1 : 0 });

/**
 * max / min: NaN where the reduced entries hold one, as here and in PyTorch (ONNX Runtime's
 * ReduceMax and ReduceMin skip a NaN unless it comes first).
 */
const extreme = (op: 'ReduceMax' | 'ReduceMin'): OpConverter => (t, _out, [x], attrs) => {
  const input = t.name(x);
  const reduced = { axes: axes(attrs), keepdims: attrs.keepdim ? 1 : 0 };
  const anyNaN = t.g.op('ReduceMax', [t.g.op('Cast', [t.g.op('IsNaN', [input])], { to: FLOAT })], reduced);
  return t.g.op('Where', [t.g.op('Cast', [anyNaN], { to: BOOL }), t.g.floats('nan', [], [NaN]), t.g.op(op, [input], reduced)]);
};

/**
 * mean: the sum over the count of reduced entries, read from the input's shape at run time, so
 * a mean over an empty dim is 0 / 0 = NaN, as here and in PyTorch (ONNX Runtime's ReduceMean
 * gives 0).
 */
const mean: OpConverter = (t, _out, [x], attrs) => {
  const input = t.name(x);
  const sum = t.g.op('ReduceSum', [input, t.g.int64s('axes', axes(attrs))], { keepdims: attrs.keepdim ? 1 : 0 });
  const sizes = t.g.op('Cast', [t.g.op('Gather', [t.g.op('Shape', [input]), t.g.int64s('axes', axes(attrs))])], { to: FLOAT });
  return t.g.op('Div', [sum, t.g.op('ReduceProd', [sizes], { keepdims: 0 })]);
};
const alongAxis = (op: string): OpConverter => (t, _out, [x], attrs) => t.g.op(op, [t.name(x)], { axis: attrs.dim as number });

/**
 * The axes of `long` that are size-1 dims missing from `short`, when `short` is `long` with
 * only such dims removed (a squeeze, or read backwards an unsqueeze); else null.
 */
export function onesRemoved(long: readonly number[], short: readonly number[]): number[] | null {
  if (long.length <= short.length) return null;
  const axes: number[] = [];
  let j = 0;
  for (let i = 0; i < long.length; i++) {
    // Past the end of `short`, short[j] is undefined, which equals no size.
    if (long[i] === short[j]) j++;
    else if (long[i] === 1) axes.push(i);
    else return null;
  }
  return j === short.length ? axes : null;
}

function reshape(t: Trace, out: Tensor, [x]: readonly Tensor[]): string {
  const squeezed = onesRemoved(x.shape, out.shape);
  if (squeezed) return t.g.op('Squeeze', [t.name(x), t.g.int64s('axes', squeezed)]);
  const unsqueezed = onesRemoved(out.shape, x.shape);
  if (unsqueezed) return t.g.op('Unsqueeze', [t.name(x), t.g.int64s('axes', unsqueezed)]);
  return t.g.op('Reshape', [t.name(x), t.g.int64s('shape', reshapeSizes(x.shape, out.shape))]);
}

/** The sizes of a reshape from `from` to `to` as ONNX Reshape reads them. */
export function reshapeSizes(from: readonly number[], to: readonly number[]): number[] {
  let prefix = 0;
  // Past the end of `to` a dim is undefined, which equals no size.
  // Stryker disable next-line EqualityOperator: one step more compares undefined with undefined only when from equals to, which gives all zeros either way
  while (prefix < from.length && from[prefix] === to[prefix]) prefix++;
  let suffix = 0;
  // The bounds keep the suffix out of the prefix; running into it leaves the same sizes (zeros
  // and literals of the same dims), as reshape-sizes.test.ts checks over random shapes.
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,ArithmeticOperator: see above
  while (suffix < to.length - prefix && suffix < from.length - prefix && from[from.length - 1 - suffix] === to[to.length - 1 - suffix]) suffix++;
  const middle = to.length - prefix - suffix;
  return to.map((d, i) => (i < prefix ? 0 : i < to.length - suffix && middle === 1 ? -1 : d));
}

function clip(t: Trace, x: Tensor, attrs: OpAttrs): string {
  const bound = (v: number) => (Number.isFinite(v) ? t.g.floats('clip', [], [v]) : '');
  return t.g.op('Clip', [t.name(x), bound(attrs.min as number), bound(attrs.max as number)]);
}

function linear(t: Trace, _out: Tensor, [x, w, b]: readonly Tensor[]): string {
  const product = t.g.op('MatMul', [t.name(x), t.g.op('Transpose', [t.name(w)], { perm: [1, 0] })]);
  return b === undefined ? product : t.g.op('Add', [product, t.name(b)]);
}

function narrow(t: Trace, _out: Tensor, [x]: readonly Tensor[], attrs: OpAttrs): string {
  const start = attrs.start as number;
  const end = start < 0 && start + (attrs.length as number) === 0 ? 2 ** 62 : start + (attrs.length as number);
  return t.g.op('Slice', [t.name(x), t.g.int64s('starts', [start]), t.g.int64s('ends', [end]), t.g.int64s('axes', [attrs.dim as number])]);
}

/** Converters by op name. */
export const OPS: Readonly<Record<string, OpConverter>> = {
  neg: elementwise('Neg'),
  exp: elementwise('Exp'),
  log: elementwise('Log'),
  sqrt: elementwise('Sqrt'),
  abs: elementwise('Abs'),
  tanh: elementwise('Tanh'),
  sigmoid: elementwise('Sigmoid'),
  relu: elementwise('Relu'),
  clone: elementwise('Identity'),
  embeddingPadding: elementwise('Identity'),
  clamp: (t, _out, [x], attrs) => clip(t, x, attrs),
  add: broadcasting('Add'),
  sub: broadcasting('Sub'),
  mul: broadcasting('Mul'),
  div: broadcasting('Div'),
  pow: broadcasting('Pow'),
  matmul: (t, _out, [a, b]) => t.g.op('MatMul', [t.name(a), t.name(b)]),
  linear,
  // Registered so the trace accepts it; Trace.op keeps expand lazy (see Trace.name).
  expand: (t, _out, [x]) => t.name(x),
  reshape,
  permute: (t, _out, [x], attrs) => t.g.op('Transpose', [t.name(x)], { perm: attrs.dims as number[] }),
  narrow,
  cat: (t, _out, inputs, attrs) => t.g.op('Concat', inputs.map((x) => t.name(x)), { axis: attrs.dim as number }),
  sum: (t, _out, [x], attrs) => t.g.op('ReduceSum', [t.name(x), t.g.int64s('axes', axes(attrs))], { keepdims: attrs.keepdim ? 1 : 0 }),
  mean,
  max: extreme('ReduceMax'),
  min: extreme('ReduceMin'),
  logsumexp: reduce('ReduceLogSumExp'),
  softmax: alongAxis('Softmax'),
  logSoftmax: alongAxis('LogSoftmax'),
  indexSelect: (t, _out, [x], attrs) => {
    const index = attrs.index as Int32Array;
    return t.g.op('Gather', [t.name(x), t.ids(index)], { axis: attrs.dim as number });
  },
};

const layerHint = 'call the recurrent layer through an nn.RNN, nn.LSTM or nn.GRU module that is part of the exported model';

/** What to do instead, for ops that have no converter. */
export const HINTS: Readonly<Record<string, string>> = {
  dropout: 'dropout in training mode has no ONNX form: exportOnnx runs the model in eval mode, so do not force training in F.dropout',
  lstmLayer: layerHint,
  gruLayer: layerHint,
  rnnTanhLayer: layerHint,
  rnnReluLayer: layerHint,
  unpack: layerHint,
};
