/**
 * evaluate: a model's loss and metrics on held-out data, in evaluation mode without recording
 * gradients. Values are averaged over samples as Keras does, each batch's mean weighted by the
 * batch's size n_b (in float64):
 *
 *   value = sum_b n_b value_b / sum_b n_b
 *
 * which is the mean over all samples whenever a batch's value is a mean over its samples.
 */
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../tensor/check.js';
import { checkLossFn, checkModel, integerOption, lossValue, resolveForward, type ForwardFn, type LossFn } from './check.js';
import { batches, identity, tensorDataset, takeBatch, type Dataset } from './data.js';
import { resolveMetrics, type Metric, type MetricSpec } from './metrics.js';
import { inference } from './mode.js';

/** Running sums of value × batch size, per name; {@link SampleMeans.means} divides by the samples seen. */
export class SampleMeans {
  private readonly sums: Map<string, number>;
  private count = 0;

  /** Starts every named sum at zero, so that each name has a mean (NaN before any batch). */
  constructor(names: readonly string[]) {
    this.sums = new Map(names.map((name) => [name, 0]));
  }

  /** Adds one batch's values, measured on `n` samples. */
  add(values: Record<string, number>, n: number): void {
    for (const [name, v] of Object.entries(values)) this.sums.set(name, this.sums.get(name)! + v * n);
    this.count += n;
  }

  /** Every value's mean over the samples added so far (NaN before any). */
  means(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, sum] of this.sums) out[name] = sum / this.count;
    return out;
  }
}

/** The loss value and every metric of one batch. */
export function batchValues(loss: number, prediction: Tensor, target: Tensor, metrics: readonly [string, Metric][]): Record<string, number> {
  const out: Record<string, number> = { loss };
  for (const [name, fn] of metrics) out[name] = fn(prediction, target);
  return out;
}

/** The sample-weighted loss and metrics of `run` over `data`, in evaluation mode without gradients. */
export function evaluateDataset(
  op: string,
  model: Module,
  data: Dataset,
  run: (x: Tensor) => Tensor,
  lossFn: LossFn,
  metrics: readonly [string, Metric][],
  batchSize: number,
): Record<string, number> {
  return inference(model, () => {
    const means = new SampleMeans(['loss', ...metrics.map(([name]) => name)]);
    for (const indices of batches(identity(data.length), batchSize)) {
      const [x, y] = takeBatch(op, data, indices);
      const prediction = run(x);
      means.add(batchValues(lossValue(op, lossFn(prediction, y)), prediction, y, metrics), indices.length);
    }
    return means.means();
  });
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions<M extends Module = Module> {
  /** The loss, e.g. F.mseLoss; its value is the result's `loss`. */
  lossFn: LossFn;
  /** Metrics to report besides the loss: built-in names ('mae', 'accuracy', ...) or `{ name, fn }`. */
  metrics?: MetricSpec[];
  /** Samples per forward pass (default 32); the result does not depend on it beyond float rounding. */
  batchSize?: number;
  /** How to run the model on a batch (default `model.forward(x)`). */
  forward?: ForwardFn<M>;
}

/** What {@link evaluate} returns: the loss and each metric by name, all averaged over samples. */
export type EvaluateResult = { loss: number } & Record<string, number>;

/**
 * The loss and metrics of `model` on inputs `x` and targets `y` (first dim = samples), in
 * evaluation mode and without gradients; every module's mode is restored afterwards.
 */
export function evaluate<M extends Module>(model: M, x: Tensor, y: Tensor, options: EvaluateOptions<M>): EvaluateResult {
  const op = 'evaluate';
  checkModel(op, model);
  options = checkOptions(op, options, 'options', { lossFn: 'function', metrics: 'array', batchSize: 'number', forward: 'function' });
  const data = tensorDataset(x, y, op);
  const lossFn = checkLossFn(op, options.lossFn);
  const metrics = resolveMetrics(op, options.metrics);
  const batchSize = integerOption(op, 'batchSize', options.batchSize, 32);
  const run = resolveForward(op, model, options.forward);
  return evaluateDataset(op, model, data, run, lossFn, metrics, batchSize) as EvaluateResult;
}
