/**
 * `recurrent/onnx`: exports a model to ONNX by tracing one forward call, for ONNX Runtime
 * (servers, phones, browsers, other languages). Its own entry, so the core stays small.
 *
 *   const bytes = exportOnnx(model, example)   // example: what model.forward takes
 *
 * Graph inputs are named `input` (or input0, input1, ... for several), outputs `output` for a
 * returned Tensor or by their keys for a returned object (nested keys joined with dots).
 * Every dim of an input except the last (the features) is dynamic, and every dim of integer
 * ids (an input an Embedding reads, declared int64): batch size and sequence length may
 * differ from the example's. A size that an op names literally (a reshape to literal sizes,
 * a narrow with a fixed start) stays fixed; pick example sizes above 1 and different from
 * each other and from the feature sizes, so none of them is mistaken for another.
 */
import { noGrad, setTracer } from '../autograd/graph.js';
import { Module } from '../nn/module.js';
import { RecurrentError, show } from '../tensor/errors.js';
import { checkOptions } from '../tensor/options.js';
import { Tensor } from '../tensor/tensor.js';
import { layerConverter } from './layers.js';
import { FLOAT, GraphBuilder, INT64 } from './onnx-graph.js';
import { HINTS, OPS } from './ops.js';
import { Trace, hookModules } from './trace.js';

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** Names of the graph inputs, one per example tensor (default `input`, or `input0`, ...). */
  inputNames?: readonly string[];
  /** Name of the output when forward returns one Tensor (default `output`). */
  outputName?: string;
  /** The graph's name (default the model's class name). */
  graphName?: string;
  /**
   * Text to keep in the file, in the ModelProto's `metadata_props` (key -> value), as
   * `onnx.helper.set_model_props` writes it: a tokenizer's vocabulary, a version, a licence.
   */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * A model whose forward takes the example tensors (further optional arguments are left out)
 * and returns a Tensor or an object of Tensors.
 */
export interface ExportableModule extends Module {
  forward(...inputs: never[]): unknown;
}

/**
 * The ONNX model (bytes of a .onnx file, opset 17) computing `model.forward` as traced on
 * `example` in eval mode. Throws a RecurrentError naming the op and where it was called when
 * the forward uses an op with no ONNX form, or reads the input values outside the ops (found
 * by tracing twice more on other values and comparing the whole graphs); the model is left as
 * it was.
 */
export function exportOnnx(model: ExportableModule, example: Tensor | readonly Tensor[], options: ExportOnnxOptions = {}): Uint8Array {
  if (!(model instanceof Module) || typeof model.forward !== 'function') throw new RecurrentError('exportOnnx', `model must be a Module with a forward method, got ${show(model)}`);
  options = checkOptions('exportOnnx', options, 'options', { inputNames: 'array', outputName: 'string', graphName: 'string', metadata: 'any' });
  const inputs = example instanceof Tensor ? [example] : example;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((x) => x instanceof Tensor)) {
    throw new RecurrentError('exportOnnx', 'example must be a Tensor or a non-empty array of Tensors (the arguments of forward)');
  }
  const inputNames = options.inputNames ?? (inputs.length === 1 ? ['input'] : inputs.map((_, i) => `input${i}`));
  if (!Array.isArray(inputNames) || inputNames.length !== inputs.length || new Set(inputNames).size !== inputNames.length) {
    throw new RecurrentError('exportOnnx', `inputNames must hold ${inputs.length} distinct names, got ${show(inputNames)}`);
  }
  inputNames.forEach((name) => checkName('an input name', name));
  const single = options.outputName ?? 'output';
  checkName('outputName', single);
  const graphName = options.graphName ?? (model.constructor.name || 'model');
  checkName('graphName', graphName);

  const metadata = options.metadata ?? {};
  if (typeof metadata !== 'object' || Array.isArray(metadata) || !Object.values(metadata).every((v) => typeof v === 'string')) {
    throw new RecurrentError('exportOnnx', `metadata must be an object of strings, got ${show(metadata)}`);
  }

  // Each entry of the example is its own graph input, even when one Tensor is given twice.
  const own = inputs.map((x) => new Tensor(Float32Array.from(x.data), x.shape));
  const first = traceGraph(model, own, inputNames, single);
  // A value read from the inputs outside the ops (.data, item(), an index, an op argument, a
  // branch) would be frozen into the graph as the example's: trace again on other values and
  // require the very same graph (every node, attribute and constant).
  for (const other of otherValues(first.trace, own)) {
    let again: { g: GraphBuilder; trace: Trace };
    try {
      again = traceGraph(model, other, inputNames, single);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new RecurrentError('exportOnnx', `the forward fails on other input values than the example's (${why}), so it depends on them outside the traced ops; the graph would hold the example's values`, 'state');
    }
    checkSameConstants(first.trace, again.trace);
    checkSameGraph(first, again.g);
  }
  return first.g.encode(graphName, '0.1.0', metadata);
}

/**
 * Names ONNX Runtime reads back as given: non-empty, no NUL (it ends the name there), no lone
 * surrogate (it has no UTF-8 form: two such names would become one).
 */
function checkName(what: string, name: unknown): void {
  if (typeof name !== 'string' || name === '' || name.includes('\0') || /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(name)) {
    throw new RecurrentError('exportOnnx', `${what} must be a non-empty string without NUL or lone surrogates (ONNX stores names as UTF-8 and ONNX Runtime ends them at NUL), got ${show(name)}`);
  }
}

/**
 * Two other sets of input values, to trace again: the example's values shifted by one place,
 * and new values: each distinct value of an input read as indices replaced by the next
 * distinct one (in order of first appearance, the last by the first, so ids stay valid ids),
 * and 0.25 - 1.5 x for the others (so sums, extremes and signs change).
 */
function otherValues(trace: Trace, inputs: readonly Tensor[]): Tensor[][] {
  const shifted = inputs.map((x) => new Tensor(Float32Array.from(x.data, (_, i) => x.data[(i + 1) % x.data.length]), x.shape));
  const revalued = inputs.map((x) => {
    // Stryker disable next-line ArithmeticOperator: any other values serve
    if (!trace.isIndexed(x)) return new Tensor(Float32Array.from(x.data, (v) => 0.25 - 1.5 * v), x.shape);
    const distinct = [...new Set(x.data)];
    const next = new Map(distinct.map((v, i) => [v, distinct[(i + 1) % distinct.length]]));
    return new Tensor(Float32Array.from(x.data, (v) => next.get(v)!), x.shape);
  });
  return [shifted, revalued];
}

/** Throws unless a trace on other values built the same graph as the first (see exportOnnx). */
function checkSameGraph(first: { g: GraphBuilder; trace: Trace }, other: GraphBuilder): void {
  const d = first.g.difference(other);
  if (d === null) return;
  const site = (i: number) => `node ${i} (written ${first.trace.sites[i]?.() ?? 'for the outputs'})`;
  const at = 'node' in d ? `${site(d.node)} is ` : `read by ${site(first.g.firstReader(d.tensor))}, `;
  throw new RecurrentError(
    'exportOnnx',
    `the forward builds another graph for other input values: ${at}${d.mine} for the example, but ${d.theirs} for other values; a value read from the inputs outside the traced ops (.data, item(), an index, an op argument or a branch computed from them) would be frozen into the graph`,
    'state',
  );
}

/** The graph of one traced forward call of `model` on `inputs`. */
function traceGraph(model: ExportableModule, inputs: readonly Tensor[], inputNames: readonly string[], single: string): { g: GraphBuilder; trace: Trace } {
  const g = new GraphBuilder();
  const trace = new Trace(g, model, OPS, HINTS);
  inputs.forEach((x, i) => trace.input(x, g.fresh(inputNames[i])));
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  model.eval();
  const unhook = hookModules(trace, model, layerConverter);
  const before = setTracer(trace.op);
  let result: unknown;
  try {
    result = noGrad(() => (model.forward as (...xs: Tensor[]) => unknown).apply(model, [...inputs]));
  } finally {
    setTracer(before);
    unhook();
    for (const [m, training] of modes) m.training = training;
  }

  const outputs = namedOutputs(result, single);
  for (const [name, t] of outputs) {
    checkName('an output name', name);
    const [written] = g.node('Identity', [trace.name(t)], {}, [name]);
    if (written !== name) throw new RecurrentError('exportOnnx', `output name ${JSON.stringify(name)} is already a name in the graph (an input or a parameter)`);
    g.outputs.push({ name, type: FLOAT, dims: t.shape.map((_, i) => `${name}_dim${i}`) });
  }
  inputs.forEach((x, i) => {
    const ids = trace.isIds(x);
    const name = inputNames[i];
    g.inputs.push({ name, type: ids ? INT64 : FLOAT, dims: x.shape.map((d, k) => (ids || k < x.shape.length - 1 ? `${name}_dim${k}` : d)) });
  });
  return { g, trace };
}

/** Throws unless two traces froze the same constants (see exportOnnx). */
function checkSameConstants(a: Trace, b: Trace): void {
  if (a.constants.length !== b.constants.length) {
    throw new RecurrentError('exportOnnx', `the forward computes other things for other input values (${a.constants.length} constants, then ${b.constants.length}); a traced graph cannot follow control flow on values`, 'state');
  }
  a.constants.forEach((c, i) => {
    const d = b.constants[i].data;
    if (d.length !== c.data.length || c.data.some((v, k) => !Object.is(v, d[k]))) {
      throw new RecurrentError(
        'exportOnnx',
        `a tensor of shape [${c.shape.join(',')}] depends on the input values but was computed outside the traced ops (argmax, item(), .data?), used ${c.where}; the graph would hold the example's values`,
        'state',
      );
    }
  });
}

/** The tensors forward returned, with their output names. */
function namedOutputs(result: unknown, single: string): [string, Tensor][] {
  if (result instanceof Tensor) return [[single, result]];
  const out: [string, Tensor][] = [];
  const walk = (value: unknown, prefix: string) => {
    if (value instanceof Tensor) out.push([prefix, value]);
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    else if (value !== undefined) throw new RecurrentError('exportOnnx', `forward must return a Tensor or an object of Tensors; ${prefix || 'it'} is ${show(value)}`);
  };
  walk(result, '');
  if (out.length === 0) throw new RecurrentError('exportOnnx', 'forward returned no Tensor');
  return out;
}
