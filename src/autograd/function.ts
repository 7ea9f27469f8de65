/**
 * Custom differentiable functions, as torch.autograd.Function: a forward computed from tensors
 * (not recorded), a backward mapping dL/d(output) to dL/d(input) for each input, and a context
 * carrying what forward saved for backward.
 *
 *   y = f.apply(x1, ..., xn)     forward(ctx, x1, ..., xn) runs under noGrad; y gets one
 *                                GradFn named `name` over the inputs
 *   y.backward()                 backward(ctx, dL/dy) returns [dL/dx1, ..., dL/dxn] (null for
 *                                an input that needs none), each checked against its input
 */
import { checkTensor } from '../tensor/check.js';
import { RecurrentError, fmt, show } from '../tensor/errors.js';
import { sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { isGradEnabled, noGrad, record } from './graph.js';

/** What forward hands to backward (as PyTorch's `ctx`). */
export interface FunctionContext {
  /** Keeps tensors for backward (as `ctx.save_for_backward`); a second call replaces them. */
  saveForBackward(...tensors: Tensor[]): void;
  /** The tensors given to {@link FunctionContext.saveForBackward}, in order. */
  readonly savedTensors: readonly Tensor[];
  /** For each input: whether backward has to compute its gradient. */
  readonly needsInputGrad: readonly boolean[];
}

/** The definition of a custom function of `n` tensors. */
export interface FunctionDefinition<Inputs extends Tensor[]> {
  /** Names the op in error messages, anomaly reports and `gradFn.name`. */
  name: string;
  /** Computes the output from the inputs; its ops are not recorded for autograd. */
  forward(ctx: FunctionContext, ...inputs: Inputs): Tensor;
  /**
   * Given dL/d(output) (shaped as the output), returns one gradient per input, shaped as that
   * input, or null where `ctx.needsInputGrad` is false. Runs without recording (no
   * higher-order gradients).
   */
  backward(ctx: FunctionContext, grad: Tensor): (Tensor | null)[];
}

/** A custom function made by {@link defineFunction}. */
export interface CustomFunction<Inputs extends Tensor[]> {
  /** The definition's name. */
  readonly name: string;
  /** Runs forward and records one autograd node whose backward is the definition's. */
  apply(...inputs: Inputs): Tensor;
}

class Context implements FunctionContext {
  savedTensors: readonly Tensor[] = [];
  constructor(
    readonly op: string,
    readonly needsInputGrad: readonly boolean[],
  ) {}
  saveForBackward(...tensors: Tensor[]): void {
    tensors.forEach((t, i) => checkTensor(`${this.op}: saveForBackward`, t, `tensors[${i}]`));
    this.savedTensors = tensors;
  }
}

/** Checks backward's answer: one gradient (or null) per input, each shaped as its input. */
function gradientsOf(op: string, grads: unknown, inputs: readonly Tensor[]): (Float32Array | null)[] {
  if (!Array.isArray(grads) || grads.length !== inputs.length) {
    throw new RecurrentError(op, `backward must return an array of ${inputs.length} gradients (one per input, null for none), got ${show(grads)}`);
  }
  return grads.map((g: unknown, i) => {
    if (g === null || g === undefined) return null;
    if (!(g instanceof Tensor) || !sameShape(g.shape, inputs[i]!.shape)) {
      const got = g instanceof Tensor ? `shape ${fmt(g.shape)}` : show(g);
      throw new RecurrentError(op, `backward's gradient ${i} must be a Tensor of input ${i}'s shape ${fmt(inputs[i]!.shape)}, got ${got}`, 'shape');
    }
    return g.data;
  });
}

/**
 * Defines a differentiable function with its own backward, the way `torch.autograd.Function`
 * does: `defineFunction({ name, forward(ctx, ...inputs), backward(ctx, grad) }).apply(...)`.
 * Check a backward with {@link gradcheck}.
 */
export function defineFunction<Inputs extends Tensor[]>(definition: FunctionDefinition<Inputs>): CustomFunction<Inputs> {
  const op = 'defineFunction';
  if (typeof definition !== 'object' || definition === null) throw new RecurrentError(op, `definition must be an object { name, forward, backward }, got ${show(definition)}`);
  const { name, forward, backward } = definition;
  if (typeof name !== 'string' || name === '') throw new RecurrentError(op, `name must be a non-empty string, got ${show(name)}`);
  if (typeof forward !== 'function' || typeof backward !== 'function') throw new RecurrentError(op, `${name}: forward and backward must be functions`);
  return {
    name,
    apply(...inputs: Inputs): Tensor {
      inputs.forEach((t, i) => checkTensor(name, t, `input ${i}`));
      const ctx = new Context(name, inputs.map((t) => isGradEnabled() && t.requiresGrad));
      const out = noGrad(() => forward.call(definition, ctx, ...inputs));
      if (!(out instanceof Tensor)) throw new RecurrentError(name, `forward must return a Tensor, got ${show(out)}`);
      return record(name, out.data, out.shape, inputs, (grad) =>
        gradientsOf(`${name}.backward`, noGrad(() => backward.call(definition, ctx, new Tensor(grad, out.shape))), inputs),
      );
    },
  };
}
