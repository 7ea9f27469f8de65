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
 * the forward uses an op with no ONNX form, or computes a tensor from the input values outside
 * the ops (found by tracing a second time on other values); the model is left as it was.
 */
export function exportOnnx(model: ExportableModule, example: Tensor | readonly Tensor[], options: ExportOnnxOptions = {}): Uint8Array {
  if (!(model instanceof Module) || typeof model.forward !== 'function') throw new RecurrentError('exportOnnx', `model must be a Module with a forward method, got ${show(model)}`);
  const inputs = example instanceof Tensor ? [example] : example;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((x) => x instanceof Tensor)) {
    throw new RecurrentError('exportOnnx', 'example must be a Tensor or a non-empty array of Tensors (the arguments of forward)');
  }
  const inputNames = options.inputNames ?? (inputs.length === 1 ? ['input'] : inputs.map((_, i) => `input${i}`));
  if (!Array.isArray(inputNames) || inputNames.length !== inputs.length || !inputNames.every((n) => typeof n === 'string' && n !== '') || new Set(inputNames).size !== inputNames.length) {
    throw new RecurrentError('exportOnnx', `inputNames must hold ${inputs.length} distinct non-empty names, got ${show(inputNames)}`);
  }

  const metadata = options.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata) || !Object.values(metadata).every((v) => typeof v === 'string')) {
    throw new RecurrentError('exportOnnx', `metadata must be an object of strings, got ${show(metadata)}`);
  }

  const first = traceGraph(model, inputs, inputNames, options.outputName ?? 'output');
  // A constant computed from the inputs' values outside the ops (argmax, item(), .data) would
  // hold the example's values: trace again on other values (the same ones shifted by one
  // place, so ids stay valid ids) and require the same constants.
  const other = inputs.map((x) => new Tensor(Float32Array.from(x.data, (_, i) => x.data[(i + 1) % x.data.length]), x.shape));
  checkSameConstants(first.trace, traceGraph(model, other, inputNames, options.outputName ?? 'output').trace);
  return first.g.encode(options.graphName ?? model.constructor.name, '0.1.0', metadata);
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
