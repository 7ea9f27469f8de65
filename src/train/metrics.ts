/**
 * Metrics: how good a batch of predictions is, as one number. Each is a pure function of a
 * prediction p and a target t (read only, no gradient), averaged over the batch in float64:
 *
 *   mae             mean |p - t|                                  p and t of the same shape
 *   mse             mean (p - t)^2                                p and t of the same shape
 *   accuracy        mean over rows r of [class(p_r) = t_r], a row being p's last dim (C entries):
 *                     C >= 2 (class scores): class = argmax over the last dim (the first of ties),
 *                                            t holds class indices in [0, C)
 *                     C = 1 (one logit):     class = 1 if p > 0 else 0, t holds 0 or 1
 *                   t has one entry per row: shape p.shape without its last dim, or with it as 1
 *   binaryAccuracy  mean [(p > threshold) = (t = 1)] elementwise; p logits (threshold 0, which
 *                   is probability 0.5), t holds 0 or 1, same shape; pass threshold 0.5 for
 *                   probabilities
 *
 * `accuracy` reads classes from the last dim, as Keras does; a (N, C, T) layout for
 * F.crossEntropy needs a transpose to (N, T, C) first.
 */
import { RecurrentError, fmt, show } from '../tensor/errors.js';
import { sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** A metric: prediction and target in, one number out (higher or lower is better by its meaning). */
export type Metric = (prediction: Tensor, target: Tensor) => number;

/** The names of the built-in metrics. */
export type MetricName = 'mae' | 'mse' | 'accuracy' | 'binaryAccuracy';

function checkTensors(op: string, prediction: Tensor, target: Tensor): void {
  if (!(prediction instanceof Tensor) || !(target instanceof Tensor)) throw new RecurrentError(op, 'prediction and target must be Tensors');
}

function checkSameShape(op: string, prediction: Tensor, target: Tensor): void {
  checkTensors(op, prediction, target);
  if (!sameShape(prediction.shape, target.shape)) {
    throw new RecurrentError(op, `prediction ${fmt(prediction.shape)} and target ${fmt(target.shape)} must have the same shape`, 'shape');
  }
  if (prediction.data.length === 0) throw new RecurrentError(op, `prediction ${fmt(prediction.shape)} has no elements`, 'shape');
}

/** Mean absolute error: mean |p - t| over every element. */
export function mae(prediction: Tensor, target: Tensor): number {
  checkSameShape('mae', prediction, target);
  const p = prediction.data;
  const t = target.data;
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += Math.abs(p[i] - t[i]);
  return sum / p.length;
}

/** Mean squared error: mean (p - t)^2 over every element. */
export function mse(prediction: Tensor, target: Tensor): number {
  checkSameShape('mse', prediction, target);
  const p = prediction.data;
  const t = target.data;
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += (p[i] - t[i]) ** 2;
  return sum / p.length;
}

/** Throws unless the target value `v` at `i` is 0 or 1. */
function checkBinary(op: string, v: number, i: number, shape: readonly number[]): void {
  if (v !== 0 && v !== 1) throw new RecurrentError(op, `target must hold 0 or 1, got ${v} at flat index ${i} (shape ${fmt(shape)})`, 'value');
}

/**
 * The fraction of rows whose predicted class equals the target class; see the module comment
 * for how a class is read from scores (argmax) or from one logit (p > 0).
 */
export function accuracy(prediction: Tensor, target: Tensor): number {
  const op = 'accuracy';
  checkTensors(op, prediction, target);
  const shape = prediction.shape;
  if (shape.length < 2 || prediction.data.length === 0) {
    throw new RecurrentError(op, `prediction must be (N, ..., C) with the classes in the last dim, got ${fmt(shape)}; use binaryAccuracy for one logit per element`, 'shape');
  }
  const C = shape[shape.length - 1];
  const rowShape = shape.slice(0, -1);
  if (!sameShape(target.shape, rowShape) && !sameShape(target.shape, [...rowShape, 1])) {
    throw new RecurrentError(op, `target must hold one class per row, shape ${fmt(rowShape)} or ${fmt([...rowShape, 1])} for prediction ${fmt(shape)}, got ${fmt(target.shape)}`, 'shape');
  }
  const p = prediction.data;
  const t = target.data;
  const rows = t.length;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const want = t[r];
    if (C === 1) {
      checkBinary(op, want, r, target.shape);
      if ((p[r] > 0 ? 1 : 0) === want) correct++;
      continue;
    }
    if (!Number.isInteger(want) || want < 0 || want >= C) {
      throw new RecurrentError(op, `target must hold class indices in [0, ${C}), got ${want} at flat index ${r} (shape ${fmt(target.shape)})`, 'value');
    }
    let best = 0;
    for (let c = 1; c < C; c++) if (p[r * C + c] > p[r * C + best]) best = c;
    if (best === want) correct++;
  }
  return correct / rows;
}

/** The fraction of elements where (p > threshold) agrees with the 0/1 target; threshold 0 reads p as logits. */
export function binaryAccuracy(prediction: Tensor, target: Tensor, threshold = 0): number {
  const op = 'binaryAccuracy';
  checkSameShape(op, prediction, target);
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new RecurrentError(op, `threshold must be a number, got ${threshold}`);
  const p = prediction.data;
  const t = target.data;
  let correct = 0;
  for (let i = 0; i < p.length; i++) {
    checkBinary(op, t[i], i, target.shape);
    if ((p[i] > threshold ? 1 : 0) === t[i]) correct++;
  }
  return correct / p.length;
}

/** The built-in metrics by name, as fit and evaluate look them up. */
export const metricsByName: Readonly<Record<MetricName, Metric>> = Object.freeze({ mae, mse, accuracy, binaryAccuracy });

/** The built-in metric called `name`; an unknown name throws a RecurrentError of `op` listing the known ones. */
export function getMetric(name: string, op = 'getMetric'): Metric {
  if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(metricsByName, name)) {
    throw new RecurrentError(op, `unknown metric ${show(name)} (known: ${Object.keys(metricsByName).join(', ')})`);
  }
  return metricsByName[name as MetricName];
}

/** A metric given by name (built in) or as `{ name, fn }` (your own). */
export type MetricSpec = MetricName | { name: string; fn: Metric };

/** The metrics of `specs` as [name, function] pairs; throws for unknown, reserved or repeated names. */
export function resolveMetrics(op: string, specs: unknown): [string, Metric][] {
  if (specs === undefined) return [];
  if (!Array.isArray(specs)) throw new RecurrentError(op, `metrics must be an array of names or { name, fn }, got ${typeof specs}`);
  const out: [string, Metric][] = [];
  specs.forEach((spec: unknown, i) => {
    let entry: [string, Metric];
    if (typeof spec === 'string') entry = [spec, getMetric(spec, op)];
    else {
      const s = spec as { name?: unknown; fn?: unknown };
      if (typeof s !== 'object' || s === null || typeof s.name !== 'string' || typeof s.fn !== 'function') {
        throw new RecurrentError(op, `metrics[${i}] must be a metric name or { name, fn }, got ${JSON.stringify(spec) ?? typeof spec}`);
      }
      if (!/^[A-Za-z_]\w*$/.test(s.name) || s.name === 'loss' || /^val[A-Z]/.test(s.name)) {
        throw new RecurrentError(op, `metrics[${i}].name ${JSON.stringify(s.name)} must be an identifier other than 'loss' and not starting with 'val' and a capital (those name the validation values)`);
      }
      entry = [s.name, s.fn as Metric];
    }
    if (out.some(([name]) => name === entry[0])) throw new RecurrentError(op, `metric '${entry[0]}' is listed twice`);
    out.push(entry);
  });
  return out;
}

/** The name under which a value measured on the validation data is logged: loss -> valLoss, mae -> valMae. */
export function validationName(name: string): string {
  return `val${name[0].toUpperCase()}${name.slice(1)}`;
}
