/**
 * The training layer, gathered for the public surface: fit / evaluate / predict, summary,
 * metrics, callbacks, datasets and checkpoints. Nothing here uses a Node API.
 */
export { fit } from './fit.js';
export type { FitOptions } from './fit-options.js';
export { evaluate, type EvaluateOptions, type EvaluateResult } from './evaluate.js';
export { predict, type PredictOptions } from './predict.js';
export { summary, type ModelSummary, type SummaryOptions, type SummaryRow } from './summary.js';
export { accuracy, binaryAccuracy, getMetric, mae, metricsByName, mse, type Metric, type MetricName, type MetricSpec } from './metrics.js';
export type { Callback, Divergence, DivergenceAction, History, Logs, MaybePromise, TrainingContext } from './callback-api.js';
export {
  EarlyStopping,
  checkpointCallback,
  earlyStopping,
  lrSchedulerCallback,
  progressLogger,
  type CheckpointCallbackOptions,
  type EarlyStoppingOptions,
  type LrSchedulerCallbackOptions,
  type ProgressLoggerOptions,
  type Scheduler,
} from './callbacks.js';
export { permutation, tensorDataset, type Dataset } from './data.js';
export type { ForwardFn, LossFn } from './check.js';
export { decodeCheckpoint, encodeCheckpoint, loadModelWeights, restoreCheckpoint, type AnyOptimizer, type CheckpointContents, type CheckpointParts } from './checkpoint.js';
