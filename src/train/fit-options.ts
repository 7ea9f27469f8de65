/**
 * fit's options, checked all at once before training starts (so a bad option changes
 * nothing), and resolved into a plan: the training and validation datasets, how to run the
 * model, the batch order's generator, the callbacks. validationSplit holds out the last
 * fraction of the samples, before any shuffling, as Keras does:
 *
 *   nTrain = floor(n (1 - validationSplit)),   validation = samples nTrain .. n - 1
 */
import type { Module } from '../nn/module.js';
import { Optimizer } from '../optim/optimizer.js';
import { RecurrentError } from '../tensor/errors.js';
import { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Callback, DivergenceAction } from './callback-api.js';
import { progressLogger } from './callbacks.js';
import { GENERATOR, TENSOR, checkOptions, type OptionSchema } from '../tensor/check.js';
import { checkLossFn, checkModel, integerOption, resolveForward, type ForwardFn, type LossFn } from './check.js';
import type { AnyOptimizer } from './checkpoint.js';
import { checkDataset, subset, tensorDataset, type Dataset } from './data.js';
import { resolveMetrics, type Metric, type MetricSpec } from './metrics.js';

/** Options of {@link fit}: the data (x and y, or data), the loss and the optimizer are required. */
export interface FitOptions<M extends Module = Module> {
  /** Inputs, first dim = samples (with y; or give `data`). */
  x?: Tensor;
  /** Targets, first dim = samples. */
  y?: Tensor;
  /** The training samples as a {@link Dataset}, instead of x and y. */
  data?: Dataset;
  /** The loss to minimise, e.g. F.mseLoss. */
  lossFn: LossFn;
  /** Updates the parameters; it should hold the model's parameters. */
  optimizer: AnyOptimizer;
  /** Train until this many epochs have run (default 1). */
  epochs?: number;
  /** The epoch to start from, when resuming (default 0). */
  initialEpoch?: number;
  /** Samples per step (default 32); the last batch of an epoch may be smaller. */
  batchSize?: number;
  /** Hold out this last fraction of the samples, in [0, 1), for validation (default 0). */
  validationSplit?: number;
  /** Validation samples as [x, y] or a Dataset, instead of validationSplit. */
  validationData?: [Tensor, Tensor] | Dataset;
  /** Metrics logged besides the loss: built-in names ('mae', 'mse', 'accuracy', 'binaryAccuracy') or `{ name, fn }`. */
  metrics?: MetricSpec[];
  /** Clip the gradients' total 2-norm to this before each update (optim.clipGradNorm). */
  clipGradNorm?: number;
  /** Visit the training samples in a new random order every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffling generator (default 0); or pass `generator`. */
  seed?: number;
  /** The shuffling generator itself, e.g. one restored from a checkpoint. */
  generator?: Generator;
  /** Hooks called during training, in order. */
  callbacks?: Callback[];
  /** How to run the model on a batch (default `model.forward(x)`). */
  forward?: ForwardFn<M>;
  /** 1 (default): log a line per epoch through `log`; 0: silent. */
  verbose?: 0 | 1;
  /** Where lines go (default console.log, when there is a console). */
  log?: (line: string) => void;
  /** When a step's loss or gradients are not finite: 'throw' (default), 'stop' (return the history so far) or 'continue' (skip that update). */
  onDivergence?: DivergenceAction;
}

/** Everything fit needs, checked. */
export interface FitPlan {
  train: Dataset;
  validation: Dataset | null;
  run: (x: Tensor) => Tensor;
  lossFn: LossFn;
  optimizer: AnyOptimizer;
  /** The optimizer's parameters: those clipped and updated. */
  params: Tensor[];
  epochs: number;
  initialEpoch: number;
  batchSize: number;
  metrics: [string, Metric][];
  clip: number | null;
  shuffle: boolean;
  generator: Generator;
  callbacks: Callback[];
  log: (line: string) => void;
  onDivergence: DivergenceAction;
}

const SCHEMA: OptionSchema = {
  x: TENSOR, y: TENSOR, data: 'any', lossFn: 'function', optimizer: 'any', epochs: 'number', initialEpoch: 'number', batchSize: 'number',
  validationSplit: 'number', validationData: 'any', metrics: 'array', clipGradNorm: 'number', shuffle: 'boolean', seed: 'integer',
  generator: GENERATOR, callbacks: 'array', forward: 'function', verbose: 'integer', log: 'function', onDivergence: 'string',
};

/** The training data and the validation data: from x and y or data, split or given. */
function datasets(op: string, o: Pick<FitOptions, 'x' | 'y' | 'data' | 'validationSplit' | 'validationData'>): { train: Dataset; validation: Dataset | null } {
  const hasTensors = o.x !== undefined || o.y !== undefined;
  if (hasTensors && o.data !== undefined) throw new RecurrentError(op, 'give either x and y, or data, not both');
  if (!hasTensors && o.data === undefined) throw new RecurrentError(op, 'needs training data: x and y (Tensors), or data (a Dataset)');
  const all = hasTensors ? tensorDataset(o.x!, o.y!, op) : checkDataset(op, 'data', o.data);
  const split = o.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1)) throw new RecurrentError(op, `validationSplit must be a number in [0, 1), got ${String(split)}`);
  if (split > 0) {
    if (o.validationData !== undefined) throw new RecurrentError(op, 'give either validationSplit or validationData, not both');
    const n = all.length;
    const nTrain = Math.floor(n * (1 - split));
    if (nTrain < 1 || nTrain === n) {
      throw new RecurrentError(op, `validationSplit ${split} of ${n} samples leaves ${nTrain} for training and ${n - nTrain} for validation; both need at least one`);
    }
    return { train: subset(all, 0, nTrain), validation: subset(all, nTrain, n - nTrain) };
  }
  const v = o.validationData;
  if (v === undefined) return { train: all, validation: null };
  if (Array.isArray(v)) {
    const n = (v as unknown[]).length;
    if (n !== 2) throw new RecurrentError(op, `validationData must be [x, y] or a Dataset, got an array of ${n}`);
    return { train: all, validation: tensorDataset(v[0], v[1], `${op}: validationData`) };
  }
  return { train: all, validation: checkDataset(op, 'validationData', v) };
}

/** Checks every option of fit and resolves the defaults. */
export function planFit<M extends Module>(op: string, model: M, options: FitOptions<M>): FitPlan {
  checkModel(op, model);
  const o = checkOptions(op, options, 'options', SCHEMA);
  const { train, validation } = datasets(op, o);
  const lossFn = checkLossFn(op, o.lossFn);
  if (!(o.optimizer instanceof Optimizer)) throw new RecurrentError(op, 'optimizer must be an optim.Optimizer (SGD, Adam, ...)');
  const params = o.optimizer.paramGroups.flatMap((g) => g.params);
  const own = new Set(model.parameters());
  if (!params.some((p) => own.has(p))) throw new RecurrentError(op, "the optimizer holds none of the model's parameters (was it built for another model?)");
  const epochs = integerOption(op, 'epochs', o.epochs, 1);
  const initialEpoch = integerOption(op, 'initialEpoch', o.initialEpoch, 0, 0);
  if (initialEpoch >= epochs) throw new RecurrentError(op, `initialEpoch must be below epochs (${epochs}), got ${initialEpoch}`);
  const batchSize = integerOption(op, 'batchSize', o.batchSize, 32);
  const metrics = resolveMetrics(op, o.metrics);
  const clip = o.clipGradNorm ?? null;
  if (clip !== null && (typeof clip !== 'number' || !(clip > 0) || clip === Infinity)) throw new RecurrentError(op, `clipGradNorm must be a finite number > 0, got ${String(clip)}`);
  const shuffle = o.shuffle ?? true;
  if (typeof shuffle !== 'boolean') throw new RecurrentError(op, `shuffle must be a boolean, got ${String(shuffle)}`);
  if (o.seed !== undefined && o.generator !== undefined) throw new RecurrentError(op, 'give either seed or generator, not both');
  if (o.generator !== undefined && !(o.generator instanceof Generator)) throw new RecurrentError(op, 'generator must be a Generator');
  const seed = o.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new RecurrentError(op, `seed must be a safe integer, got ${String(seed)}`);
  const generator = o.generator ?? new Generator(seed);
  const given = o.callbacks ?? [];
  if (!Array.isArray(given) || given.some((c) => typeof c !== 'object' || c === null)) throw new RecurrentError(op, 'callbacks must be an array of callback objects');
  const verbose = o.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1) throw new RecurrentError(op, `verbose must be 0 or 1, got ${String(verbose)}`);
  const log = o.log ?? ((line: string) => globalThis.console?.log(line));
  if (typeof log !== 'function') throw new RecurrentError(op, `log must be a function (line) => void, got ${typeof log}`);
  const onDivergence = o.onDivergence ?? 'throw';
  if (onDivergence !== 'throw' && onDivergence !== 'stop' && onDivergence !== 'continue') {
    throw new RecurrentError(op, `onDivergence must be 'throw', 'stop' or 'continue', got ${String(onDivergence)}`);
  }
  const run = resolveForward(op, model, o.forward);
  const callbacks = verbose === 1 ? [progressLogger(), ...given] : [...given];
  return { train, validation, run, lossFn, optimizer: o.optimizer, params, epochs, initialEpoch, batchSize, metrics, clip, shuffle, generator, callbacks, log, onDivergence };
}
