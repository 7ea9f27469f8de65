/**
 * Argument checks shared by fit, evaluate, predict and summary: the model, how it is run
 * (forward), the loss function and its result, sizes and option names. Each throws a
 * RecurrentError naming the calling operation and the argument.
 */
import { checkSize } from '../nn/check.js';
import { Module } from '../nn/module.js';
import { RecurrentError, fmt } from '../tensor/errors.js';
import { Tensor } from '../tensor/tensor.js';

/** How a model maps a batch of inputs to predictions; the default is `model.forward(x)`. */
export type ForwardFn<M extends Module = Module> = (model: M, x: Tensor) => Tensor;

/** A loss: predictions and targets in, a scalar tensor to backpropagate out (F.mseLoss, F.crossEntropy, ...). */
export type LossFn = (prediction: Tensor, target: Tensor) => Tensor;

/** Throws unless `model` is a Module. */
export function checkModel(op: string, model: unknown): void {
  if (!(model instanceof Module)) throw new RecurrentError(op, `model must be an nn.Module, got ${model === null ? 'null' : typeof model}`);
}

/** The model as a function of a batch: `forward(model, x)` when given, else `model.forward(x)`; checks that it returns a Tensor. */
export function resolveForward<M extends Module>(op: string, model: M, forward: ForwardFn<M> | undefined): (x: Tensor) => Tensor {
  if (forward !== undefined && typeof forward !== 'function') throw new RecurrentError(op, `forward must be a function (model, x) => Tensor, got ${typeof forward}`);
  const own = (model as unknown as { forward?: unknown }).forward;
  if (forward === undefined && typeof own !== 'function') {
    throw new RecurrentError(op, `model (${model.constructor.name}) has no forward(x) method; pass a forward option (model, x) => Tensor`);
  }
  const run = forward ?? ((m: M, x: Tensor) => (m as unknown as { forward(x: Tensor): unknown }).forward(x) as Tensor);
  return (x) => {
    const out: unknown = run(model, x);
    if (!(out instanceof Tensor)) {
      const what = out === null ? 'null' : typeof out === 'object' ? `an object with keys ${Object.keys(out).join(', ')}` : typeof out;
      throw new RecurrentError(op, `the model's forward must return a Tensor, got ${what}; pass a forward option that picks the prediction, e.g. (m, x) => m.head.forward(m.lstm.forward(x).output)`);
    }
    return out;
  };
}

/** Throws unless `lossFn` is a function. */
export function checkLossFn(op: string, lossFn: unknown): LossFn {
  if (typeof lossFn !== 'function') throw new RecurrentError(op, `lossFn must be a function (prediction, target) => Tensor, got ${lossFn === null ? 'null' : typeof lossFn}`);
  return lossFn as LossFn;
}

/** The value of a loss, which must be a Tensor of one element. */
export function lossValue(op: string, loss: unknown): number {
  if (!(loss instanceof Tensor) || loss.data.length !== 1) {
    throw new RecurrentError(op, `lossFn must return a scalar Tensor, got ${loss instanceof Tensor ? `shape ${fmt(loss.shape)}` : loss === null ? 'null' : typeof loss}`, 'shape');
  }
  return loss.data[0];
}

/** An integer >= min, or `fallback` when undefined. */
export function integerOption(op: string, name: string, value: unknown, fallback: number, min = 1): number {
  return value === undefined ? fallback : checkSize(op, name, value, min);
}
