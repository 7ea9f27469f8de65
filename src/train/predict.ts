/**
 * predict: a model's outputs for every sample of x, computed batch by batch in evaluation mode
 * without recording gradients, and joined along the first (sample) dim:
 *
 *   predict(x) = cat([f(x[0:b]), f(x[b:2b]), ...], 0)        b = batchSize
 */
import { checkOptions } from '../tensor/check.js';
import { cat, narrow } from '../autograd/shape-ops.js';
import type { Module } from '../nn/module.js';
import { RecurrentError, fmt } from '../tensor/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { checkModel, integerOption, resolveForward, type ForwardFn } from './check.js';
import { inference } from './mode.js';

/** Options of {@link predict}. */
export interface PredictOptions<M extends Module = Module> {
  /** Samples per forward pass (default 32). */
  batchSize?: number;
  /** How to run the model on a batch (default `model.forward(x)`); it must return the batch in its first dim. */
  forward?: ForwardFn<M>;
}

/**
 * The model's output for every sample of `x` (first dim = samples), in evaluation mode and
 * without gradients; every module's mode is restored afterwards.
 */
export function predict<M extends Module>(model: M, x: Tensor, options: PredictOptions<M> = {}): Tensor {
  const op = 'predict';
  checkModel(op, model);
  options = checkOptions(op, options, 'options', { batchSize: 'number', forward: 'function' });
  if (!(x instanceof Tensor) || x.shape.length === 0 || x.shape[0] === 0) {
    throw new RecurrentError(op, `x must be a Tensor with at least one sample in its first dim, got ${x instanceof Tensor ? fmt(x.shape) : typeof x}`, 'shape');
  }
  const batchSize = integerOption(op, 'batchSize', options.batchSize, 32);
  const run = resolveForward(op, model, options.forward);
  const n = x.shape[0];
  return inference(model, () => {
    const outputs: Tensor[] = [];
    for (let start = 0; start < n; start += batchSize) {
      const count = Math.min(batchSize, n - start);
      const out = run(narrow(x, 0, start, count));
      if (out.shape.length === 0 || out.shape[0] !== count) {
        throw new RecurrentError(op, `the model's output for a batch of ${count} samples has shape ${fmt(out.shape)}; its first dim must be the batch (use batchFirst, or a forward option that puts it first)`, 'shape');
      }
      outputs.push(out);
    }
    return outputs.length === 1 ? outputs[0] : cat(outputs, 0);
  });
}
