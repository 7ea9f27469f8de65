/**
 * Tracing one forward call into an ONNX graph, as torch.onnx.export does.
 *
 * While the forward runs, every op the autograd layer records is handed to {@link Trace.op}
 * (through the hook in src/autograd/graph.ts), which looks up its converter and writes ONNX
 * nodes; every tensor the forward touches gets an ONNX value name:
 *
 *   an example input      -> a graph input
 *   a model parameter     -> an initializer with its state-dict name
 *   an op's output        -> the output of the nodes its converter wrote
 *   any other tensor      -> a constant initializer (a fixed value, as torch.onnx does)
 *
 * Whole layers whose ONNX form is one operator (RNN, LSTM, GRU, Embedding) are converted at
 * the module level: their forward runs untraced, and one converter maps inputs to outputs.
 * An op with no converter stops the export with a RecurrentError naming the op and where it
 * was called, so a graph is never silently incomplete.
 */
import { setTracer, type OpAttrs, type OpTracer } from '../autograd/graph.js';
import type { Module } from '../nn/module.js';
import { RecurrentError } from '../tensor/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { FLOAT, INT64, type GraphBuilder } from './onnx-graph.js';

/** Writes the ONNX form of one recorded op and returns the name of its output value. */
export type OpConverter = (t: Trace, out: Tensor, inputs: readonly Tensor[], attrs: OpAttrs) => string;

/** Runs a module's original forward (untraced) and maps its inputs to its outputs in the graph. */
export type ModuleConverter = (t: Trace, module: Module, run: () => unknown, args: readonly unknown[]) => unknown;

/** What the exporter knows about a graph input. */
interface InputInfo {
  name: string;
  /** Used as token ids (declared int64) rather than as floats. */
  ids: boolean;
  /** Read as floats anywhere. */
  floatUse: boolean;
  /** Read as indices anywhere (as ids, or cast to them after a float use). */
  indexed: boolean;
}

/** The state of one trace: the graph so far and the name of every tensor seen. */
export class Trace {
  private readonly values = new Map<Tensor, string>();
  private readonly params = new Map<Tensor, string>();
  private readonly inputs = new Map<Tensor, InputInfo>();
  /** Outputs of `expand`: broadcasting ops read the source, others get an Expand node. */
  private readonly expanded = new Map<Tensor, Tensor>();
  /** The storage of every traced value, to catch tensors made from it outside the ops. */
  private readonly traced = new Set<Float32Array>();
  private readonly path: string[] = [];
  /** The constants frozen into the graph, in order, with where each was first used. */
  readonly constants: { data: Float32Array; shape: readonly number[]; where: string }[] = [];

  constructor(
    readonly g: GraphBuilder,
    model: Module,
    private readonly ops: Readonly<Record<string, OpConverter>>,
    private readonly hints: Readonly<Record<string, string>>,
  ) {
    for (const [name, p] of model.namedParameters()) this.params.set(p, name);
  }

  /** Declares `tensor` as the graph input `name`. */
  input(tensor: Tensor, name: string): void {
    this.inputs.set(tensor, { name, ids: false, floatUse: false, indexed: false });
    this.values.set(tensor, name);
  }

  /** Whether a graph input was used as ids (and is therefore int64). */
  isIds(tensor: Tensor): boolean {
    return this.inputs.get(tensor)!.ids;
  }

  /** Whether a graph input was read as indices anywhere (so only valid indices may stand in for it). */
  isIndexed(tensor: Tensor): boolean {
    return this.inputs.get(tensor)!.indexed;
  }

  /** Where each node was written from, by node index (in words when called; see {@link Trace.where}). */
  readonly sites: (() => string)[] = [];

  /** Records where the nodes from index `first` on were written from. */
  mark(first: number): void {
    const here = this.site();
    for (let i = first; i < this.g.nodeCount; i++) this.sites[i] = here;
  }

  /** The tracer installed in the autograd layer while the forward runs. */
  readonly op: OpTracer = (name, out, inputs, attrs) => {
    const convert = this.ops[name];
    if (convert === undefined) {
      const hint = this.hints[name];
      throw new RecurrentError('exportOnnx', `op ${name} cannot be exported to ONNX (called ${this.where()})${hint ? `; ${hint}` : ''}`, 'state');
    }
    if (name === 'expand') {
      this.expanded.set(out, inputs[0]);
      this.traced.add(out.data);
      return;
    }
    const first = this.g.nodeCount;
    this.set(out, convert(this, out, inputs, attrs ?? {}));
    this.mark(first);
  };

  /** Records that `tensor` is the ONNX value `name`. */
  set(tensor: Tensor, name: string): void {
    this.values.set(tensor, name);
    this.traced.add(tensor.data);
  }

  /**
   * The ONNX value name of a float tensor. With `broadcast` (for ops that broadcast as NumPy
   * does, like Add and Mul) the output of an `expand` stands for its source.
   */
  name(tensor: Tensor, broadcast = false): string {
    const source = this.expanded.get(tensor);
    if (source !== undefined) {
      // Stryker disable next-line BooleanLiteral: an expand of an expand read without broadcasting gets an Expand node to the inner shape, which computes the same values
      if (broadcast) return this.name(source, true);
      const expandedName = this.g.op('Expand', [this.name(source), this.g.int64s('shape', tensor.shape)]);
      this.expanded.delete(tensor);
      this.values.set(tensor, expandedName);
      return expandedName;
    }
    const input = this.inputs.get(tensor);
    if (input !== undefined) {
      input.floatUse = true;
      return input.ids ? this.g.op('Cast', [input.name], { to: FLOAT }) : input.name;
    }
    const known = this.values.get(tensor);
    if (known !== undefined) return known;
    const param = this.params.get(tensor);
    if (param !== undefined) return this.remember(tensor, this.g.floats(param, tensor.shape, tensor.data));
    if (this.traced.has(tensor.data)) {
      throw new RecurrentError(
        'exportOnnx',
        `a tensor of shape [${tensor.shape.join(',')}] shares storage with a traced value but was not made by an op (detach(), or new Tensor(x.data, ...)?), called ${this.where()}; its values would be frozen into the graph`,
        'state',
      );
    }
    this.constants.push({ data: tensor.data, shape: tensor.shape, where: this.where() });
    return this.remember(tensor, this.g.floats('const', tensor.shape, tensor.data));
  }

  /** The ONNX value name of integer ids (int64; an array is 1-D): a graph input is then declared int64. */
  ids(ids: Tensor | ArrayLike<number>): string {
    if (!(ids instanceof Tensor)) return this.g.int64s('ids', Array.from(ids));
    const input = this.inputs.get(ids);
    if (input !== undefined) input.indexed = true;
    if (input !== undefined && (input.ids || !input.floatUse)) {
      input.ids = true;
      return input.name;
    }
    return this.g.op('Cast', [this.name(ids)], { to: INT64 });
  }

  private remember(tensor: Tensor, name: string): string {
    this.values.set(tensor, name);
    return name;
  }

  /** Runs `fn` with tracing off (a module converter runs its layer this way). */
  untraced<T>(fn: () => T): T {
    const before = setTracer(null);
    try {
      return fn();
    } finally {
      setTracer(before);
    }
  }

  /** Runs `fn` as the forward of the module at `path` (for error messages). */
  within<T>(path: string, fn: () => T): T {
    this.path.push(path);
    try {
      return fn();
    } finally {
      this.path.pop();
    }
  }

  /** Where the current op was called: the module path and the first caller outside the library. */
  where(): string {
    return this.site()();
  }

  /**
   * Where the current op is called, captured now (the module path and the call stack) and put
   * into words only when asked, which is the costly part: {@link Trace.mark} captures a site
   * for every node, and few are ever shown.
   */
  private site(): () => string {
    // Outside every module's forward: a tensor named after the forward returned (an output).
    const module = this.path.length === 0 ? 'as an output of the forward' : `in ${this.path[this.path.length - 1]}`;
    const E = Error as { stackTraceLimit?: number };
    const limit = E.stackTraceLimit;
    E.stackTraceLimit = 60;
    const captured = new Error();
    E.stackTraceLimit = limit;
    return () => {
      const frames = captured.stack!.split('\n').map((l) => l.trim());
      // The first frame with a file position outside the library's own modules.
      // Stryker disable next-line Regex: every frame with a position ends with it
      const caller = frames.find((f) => /:\d+:\d+\)?$/.test(f) && !/[/\\](src|dist)[/\\](autograd|tensor|onnx|nn|rnn)[/\\]/.test(f));
      return caller ? `${module}, ${caller}` : module;
    };
  }

}

/**
 * Replaces the forward of every module in `model`'s tree (on the instance, undone by the
 * returned function) so that the trace knows which module runs, and layers with a module
 * converter are converted whole.
 */
export function hookModules(trace: Trace, model: Module, converters: (m: Module) => ModuleConverter | undefined): () => void {
  const undo: (() => void)[] = [];
  for (const [path, m] of model.namedModules()) {
    const target = m as Module & { forward?: (...args: unknown[]) => unknown };
    // Stryker disable next-line ConditionalExpression: a module without forward is never called, so a hook on it would change nothing
    if (typeof target.forward !== 'function') continue;
    const own = Object.getOwnPropertyDescriptor(target, 'forward');
    const original = target.forward;
    const convert = converters(m);
    const label = `${path === '' ? 'the model' : path} (${m.constructor.name})`;
    Object.defineProperty(target, 'forward', {
      configurable: true,
      value: (...args: unknown[]) =>
        trace.within(label, () => {
          const run = () => original.apply(target, args);
          if (!convert) return run();
          const first = trace.g.nodeCount;
          const result = convert(trace, m, run, args);
          trace.mark(first);
          return result;
        }),
    });
    undo.push(() => {
      if (own) Object.defineProperty(target, 'forward', own);
      else delete target.forward;
    });
  }
  return () => undo.forEach((f) => f());
}
