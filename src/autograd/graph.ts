/**
 * The autograd graph and reverse-mode backpropagation.
 *
 * Every op returns its output through `record`, which (when some input requires grad)
 * attaches a GradFn: the inputs and a closure mapping dL/d(output) to dL/d(input) for each
 * input. `backward` then applies the chain rule from the root down:
 *
 *   dL/dx = sum over every use y = f(..., x, ...) of  (dL/dy) * (dy/dx)
 *
 * visiting each tensor only after all of its consumers, i.e. in reverse topological order.
 * The order is found with an explicit stack, never recursion, so a graph of a million ops
 * backpropagates without a stack overflow. Gradients accumulate into `.grad` of leaves.
 */
import { checkOptions, checkTensor } from '../tensor/check.js';
import { RecurrentError, fmt, show } from '../tensor/errors.js';
import { sameShape } from '../tensor/shape.js';
import { Tensor, type BackwardOptions, type GradFn } from '../tensor/tensor.js';

let gradEnabled = true;
/** How many detectAnomaly scopes are open (an async one stays open until its promise settles). */
let anomalyScopes = 0;

/** True unless inside {@link noGrad}. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Throws unless `fn` is a function. */
function checkFunction(op: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new RecurrentError(op, `fn must be a function, got ${show(fn)}`);
}

/** Runs `fn` without recording any op for autograd (inference, parameter updates). */
export function noGrad<T>(fn: () => T): T {
  checkFunction('noGrad', fn);
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

/**
 * Runs `fn` with anomaly detection: the first op whose forward output or backward gradient
 * holds NaN or Infinity throws a RecurrentError naming the op and its shapes. When `fn`
 * returns a promise (an async function, a `fit`), detection stays on until it settles, for
 * every op that runs meanwhile, as PyTorch's global `set_detect_anomaly(True)` would.
 */
export function detectAnomaly<T>(fn: () => T): T {
  checkFunction('detectAnomaly', fn);
  anomalyScopes++;
  let result: T;
  try {
    result = fn();
  } catch (error) {
    anomalyScopes--;
    throw error;
  }
  if (result instanceof Promise) return result.finally(() => anomalyScopes--) as T;
  anomalyScopes--;
  return result;
}

function firstNonFinite(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i;
  return -1;
}

function anomaly(op: string, where: string, values: Float32Array, shapes: readonly (readonly number[])[]): never {
  const i = firstNonFinite(values);
  throw new RecurrentError(op, `${where} produced ${values[i]} at flat index ${i} (input shapes ${shapes.map(fmt).join(', ')})`, 'numeric');
}

/**
 * Wraps an op's output: a new tensor of `shape` over `data`, with a GradFn when grad mode is
 * on and some input requires grad. `backward` receives dL/d(output) and returns dL/d(input)
 * for each input, or null for inputs that need none. It must not modify its argument; `attrs` (the op's other arguments) go to the tracer.
 */
export function record(
  name: string,
  data: Float32Array,
  shape: readonly number[],
  inputs: readonly Tensor[],
  backward: (grad: Float32Array) => (Float32Array | null)[],
  attrs?: OpAttrs,
): Tensor {
  const out = new Tensor(data, shape);
  if (anomalyScopes > 0 && firstNonFinite(data) >= 0) anomaly(name, 'forward', data, inputs.map((t) => t.shape));
  if (tracer !== null) tracer(name, out, inputs, attrs);
  if (!gradEnabled) return out;
  for (const t of inputs) {
    if (t.requiresGrad) {
      out.requiresGrad = true;
      out.gradFn = { name, inputs, backward };
      break;
    }
  }
  return out;
}

/** Tensors reachable from `root` through GradFns, each after all tensors that consume it. */
function reverseTopologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  // Each stack entry is a tensor and how many of its inputs have been pushed so far.
  const stack: Tensor[] = [root];
  const next: number[] = [0];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const inputs = top.gradFn?.inputs ?? [];
    const i = next[next.length - 1]!;
    if (i < inputs.length) {
      next[next.length - 1] = i + 1;
      const child = inputs[i]!;
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push(child);
        next.push(0);
      }
    } else {
      stack.pop();
      next.pop();
      order.push(top); // post-order: inputs before consumers
    }
  }
  return order.reverse();
}

/** Backpropagates from `root`; see {@link Tensor.backward}. */
export function backward(root: Tensor, grad?: Tensor, options: BackwardOptions = {}): void {
  checkTensor('backward', root, 'tensor');
  checkOptions('backward', options, 'options', { retainGraph: 'boolean' });
  if (!root.requiresGrad) {
    throw new RecurrentError('backward', 'the tensor does not require grad (no input of its graph has requiresGrad)', 'state');
  }
  let seed: Float32Array;
  if (grad === undefined) {
    if (root.data.length !== 1) {
      throw new RecurrentError('backward', `a gradient is needed for a non-scalar output of shape ${fmt(root.shape)}`, 'shape');
    }
    seed = new Float32Array([1]);
  } else {
    if (!(grad instanceof Tensor) || !sameShape(grad.shape, root.shape)) {
      throw new RecurrentError('backward', `grad must be a Tensor of shape ${fmt(root.shape)}`, 'shape');
    }
    seed = grad.data;
  }

  const order = reverseTopologicalOrder(root);
  for (const t of order) {
    // Reading `data` throws when a tensor of the graph (or a leaf's gradient) lost its elements
    // since the forward (its ArrayBuffer transferred or resized): checked before any gradient is written.
    t.data;
    t.grad?.data;
    if (t.gradFn && t.gradFn.backward === null) {
      throw new RecurrentError(
        'backward',
        `trying to backward through the graph a second time (through ${t.gradFn.name}); its buffers were freed. Pass { retainGraph: true } to the first backward`,
        'state',
      );
    }
  }

  const grads = new Map<Tensor, Float32Array>([[root, seed]]);
  const retain = options.retainGraph === true;
  for (const t of order) {
    const g = grads.get(t);
    grads.delete(t);
    const fn: GradFn | null = t.gradFn;
    if (fn === null) {
      if (g) accumulateLeafGrad(t, g);
      continue;
    }
    const backwardFn = fn.backward!;
    if (!retain) fn.backward = null;
    if (!g) continue;
    const inputGrads = backwardFn(g);
    for (let i = 0; i < fn.inputs.length; i++) {
      const input = fn.inputs[i]!;
      const gi = inputGrads[i];
      if (!gi || !input.requiresGrad) continue;
      if (anomalyScopes > 0 && firstNonFinite(gi) >= 0) anomaly(fn.name, 'backward', gi, fn.inputs.map((x) => x.shape));
      const prev = grads.get(input);
      if (prev === undefined) {
        grads.set(input, gi);
      } else {
        // Never add in place: either array may be shared with a tensor or another gradient.
        const sum = new Float32Array(prev.length);
        for (let k = 0; k < sum.length; k++) sum[k] = prev[k]! + gi[k]!;
        grads.set(input, sum);
      }
    }
  }
}

function accumulateLeafGrad(leaf: Tensor, g: Float32Array): void {
  if (leaf.grad === null) {
    leaf.grad = new Tensor(Float32Array.from(g), leaf.shape);
  } else {
    const acc = leaf.grad.data;
    for (let i = 0; i < acc.length; i++) acc[i]! += g[i]!;
    leaf.grad.markModified(); // an in-place write: a cache of the gradient's storage (a WASM pack) is stale
  }
}

let tracer: OpTracer | null = null;

/** The arguments that shape an op beyond its inputs (dims, sizes, indices), for a tracer. */
export type OpAttrs = Readonly<Record<string, unknown>>;

/** Sees every op as it is recorded: its name, output, inputs and attributes. */
export type OpTracer = (name: string, out: Tensor, inputs: readonly Tensor[], attrs: OpAttrs | undefined) => void;

/**
 * Installs `t` to see every op recorded from now on (null: none) and returns the previous
 * tracer; the ONNX exporter (src/onnx) traces one forward call this way.
 */
export function setTracer(t: OpTracer | null): OpTracer | null {
  const before = tracer;
  tracer = t;
  return before;
}
