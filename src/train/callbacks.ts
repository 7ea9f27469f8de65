/**
 * The built-in callbacks of fit:
 *
 *   progressLogger       one plain line per epoch (or every n epochs): loss, metrics, time
 *   earlyStopping        stops once the monitored value has not improved for `patience` epochs:
 *                        improved  <=>  v < best - minDelta ('min')  or  v > best + minDelta ('max')
 *   lrSchedulerCallback  steps a learning-rate schedule once per epoch
 *   checkpointCallback   encodes model, optimizer, step and shuffling generator every n epochs
 *                        and hands the bytes to `save` (the Node entry writes them to disk)
 *
 * Each factory returns a fresh callback whose state is reset at the start of every fit.
 */
import { checkOptions } from '../tensor/check.js';
import { noGrad } from '../autograd/graph.js';
import { ReduceLROnPlateau } from '../optim/lr-scheduler.js';
import { RecurrentError } from '../tensor/errors.js';
import { overwrite } from '../tensor/tensor.js';
import type { Callback, Logs, TrainingContext } from './callback-api.js';
import { integerOption } from './check.js';
import { encodeCheckpoint } from './checkpoint.js';

/** Milliseconds from a monotonic clock where there is one. */
function now(): number {
  return globalThis.performance?.now?.() ?? Date.now();
}

/** A logged number: 4 decimals, or 4 significant digits in exponent form when tiny or huge. */
function formatValue(v: number): string {
  const a = Math.abs(v);
  return a === 0 || (a >= 1e-3 && a < 1e6) || !Number.isFinite(v) ? v.toFixed(4) : v.toExponential(3);
}

/** Throws unless the monitored name is among the keys every epoch's logs hold. */
function checkMonitor(op: string, monitor: string, context: TrainingContext): void {
  if (!context.logKeys.includes(monitor)) {
    const hint = monitor.startsWith('val') ? '; give fit validationData or validationSplit' : '';
    throw new RecurrentError(op, `monitor '${monitor}' is not among the epoch's logs (${context.logKeys.join(', ')})${hint}`);
  }
}

/** Options of {@link progressLogger}. */
export interface ProgressLoggerOptions {
  /** Log every `every`th epoch, and always the last one (default 1). */
  every?: number;
}

/**
 * Logs `epoch 3/10 - 0.42s - loss: 0.1234 - valLoss: 0.1301` through fit's `log`, and the
 * explanation of a divergence. Plain lines, no terminal control codes.
 */
export function progressLogger(options: ProgressLoggerOptions = {}): Callback {
  const op = 'progressLogger';
  options = checkOptions(op, options, 'options', { every: 'number' });
  const every = integerOption(op, 'every', options.every, 1);
  let started = 0;
  return {
    onEpochBegin() {
      started = now();
    },
    onEpochEnd(epoch, logs, context) {
      if ((epoch + 1) % every !== 0 && epoch !== context.epochs - 1 && !context.stopTraining) return;
      const seconds = ((now() - started) / 1000).toFixed(2);
      const values = Object.entries(logs).map(([name, v]) => `${name}: ${formatValue(v)}`);
      context.log([`epoch ${epoch + 1}/${context.epochs}`, `${seconds}s`, ...values].join(' - '));
    },
    onDivergence(divergence, context) {
      context.log(divergence.message);
    },
  };
}

/** Options of {@link earlyStopping}. */
export interface EarlyStoppingOptions {
  /** The epoch log to watch (default 'valLoss'). */
  monitor?: string;
  /** Epochs without improvement after which training stops (default 0; 0 and 1 both stop at the first, as in Keras). */
  patience?: number;
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
  /** 'min': lower is better; 'max': higher is better; 'auto' (default): 'max' for accuracies, else 'min'. */
  mode?: 'auto' | 'min' | 'max';
  /** At the end of training, copy back the parameters of the best epoch (default false). */
  restoreBestWeights?: boolean;
}

/** The callback {@link earlyStopping} returns; its fields tell what happened. */
export class EarlyStopping implements Callback {
  /** The epoch log watched. */
  readonly monitor: string;
  /** Epochs without improvement after which training stops. */
  readonly patience: number;
  /** The least change that counts as an improvement. */
  readonly minDelta: number;
  /** Whether lower ('min') or higher ('max') is better. */
  readonly mode: 'min' | 'max';
  /** Whether the best epoch's parameters are copied back at the end. */
  readonly restoreBestWeights: boolean;
  /** The best monitored value so far. */
  best = NaN;
  /** The epoch that reached it, or null before any. */
  bestEpoch: number | null = null;
  /** The epoch after which training was stopped, or null. */
  stoppedEpoch: number | null = null;
  private wait = 0;
  private bestWeights: Float32Array[] | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    const op = 'earlyStopping';
    options = checkOptions(op, options, 'options', { monitor: 'string', patience: 'number', minDelta: 'number', mode: 'string', restoreBestWeights: 'boolean' });
    const { monitor = 'valLoss', minDelta = 0, mode = 'auto', restoreBestWeights = false } = options;
    if (!(minDelta >= 0) || minDelta === Infinity) throw new RecurrentError(op, `minDelta must be a finite number >= 0, got ${minDelta}`);
    if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new RecurrentError(op, `mode must be 'auto', 'min' or 'max', got ${String(mode)}`);
    this.monitor = monitor;
    this.patience = integerOption(op, 'patience', options.patience, 0, 0);
    this.minDelta = minDelta;
    this.mode = mode === 'auto' ? (/accuracy/i.test(monitor) ? 'max' : 'min') : mode;
    this.restoreBestWeights = restoreBestWeights;
  }

  /** Checks the monitored name and resets the state. */
  onTrainBegin(context: TrainingContext): void {
    checkMonitor('earlyStopping', this.monitor, context);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.bestEpoch = null;
    this.stoppedEpoch = null;
    this.wait = 0;
    this.bestWeights = null;
  }

  /** Records an improvement (and the weights), or counts a bad epoch and stops after `patience` of them. */
  onEpochEnd(epoch: number, logs: Logs, context: TrainingContext): void {
    const v = logs[this.monitor];
    const improved = this.mode === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta;
    if (improved) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) {
        const params = context.model.parameters();
        this.bestWeights ??= params.map((p) => new Float32Array(p.data.length));
        params.forEach((p, i) => this.bestWeights![i].set(p.data));
      }
      return;
    }
    this.wait += 1;
    if (this.wait >= Math.max(this.patience, 1)) {
      this.stoppedEpoch = epoch;
      context.stopTraining = true;
    }
  }

  /** Copies the best epoch's parameters back, when asked to. */
  onTrainEnd(context: TrainingContext): void {
    const best = this.bestWeights;
    if (best === null) return;
    noGrad(() => context.model.parameters().forEach((p, i) => overwrite(p, best[i]!)));
  }
}

/** Stops training once `monitor` (default valLoss) has not improved for `patience` epochs; see {@link EarlyStoppingOptions}. */
export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  return new EarlyStopping(options);
}

/** A learning-rate schedule stepped once per epoch: an epoch scheduler (StepLR, ...) or ReduceLROnPlateau. */
export type Scheduler = { step(): void } | ReduceLROnPlateau;

/** Options of {@link lrSchedulerCallback}. */
export interface LrSchedulerCallbackOptions {
  /** The epoch log ReduceLROnPlateau watches (default 'valLoss'); unused by other schedulers. */
  monitor?: string;
}

/**
 * Steps `scheduler` at the end of every epoch: `scheduler.step()`, or
 * `scheduler.step(logs[monitor])` for ReduceLROnPlateau.
 */
export function lrSchedulerCallback(scheduler: Scheduler, options: LrSchedulerCallbackOptions = {}): Callback {
  const op = 'lrSchedulerCallback';
  if (typeof scheduler !== 'object' || scheduler === null || typeof scheduler.step !== 'function') {
    throw new RecurrentError(op, 'scheduler must be a learning-rate scheduler with a step() method');
  }
  options = checkOptions(op, options, 'options', { monitor: 'string' });
  const monitor = options.monitor ?? 'valLoss';
  const plateau = scheduler instanceof ReduceLROnPlateau ? scheduler : null;
  return {
    onTrainBegin(context) {
      const own = (scheduler as { optimizer?: unknown }).optimizer;
      if (own !== undefined && own !== context.optimizer) throw new RecurrentError(op, "the scheduler was built for another optimizer than fit's");
      if (plateau) checkMonitor(op, monitor, context);
    },
    onEpochEnd(_epoch, logs) {
      if (plateau) plateau.step(logs[monitor]);
      else (scheduler as { step(): void }).step();
    },
  };
}

/** Options of {@link checkpointCallback}. */
export interface CheckpointCallbackOptions {
  /** Receives each checkpoint's bytes and the epoch (from 0) after which it was taken; fit waits for a returned promise. */
  save: (bytes: Uint8Array, epoch: number) => void | Promise<void>;
  /** Save after every `every`th epoch and after the last one (default 1). */
  every?: number;
  /** JSON-able data to store alongside (a configuration, a vocabulary). */
  extra?: Record<string, unknown>;
}

/**
 * Encodes a checkpoint (see encodeCheckpoint) after every `every`th epoch: the model, the
 * optimizer, the global step, the shuffling generator as 'shuffle', and in `extra` the given
 * data plus `epochsCompleted` and the epoch's `logs`. To resume exactly, restore it with
 * restoreCheckpoint(bytes, { model, optimizer, generators: { shuffle: generator } }) and call
 * fit with that generator and initialEpoch = extra.epochsCompleted.
 */
export function checkpointCallback(options: CheckpointCallbackOptions): Callback {
  const op = 'checkpointCallback';
  options = checkOptions(op, options, 'options', { save: 'function', every: 'number', extra: 'any' });
  if (typeof options.save !== 'function') throw new RecurrentError(op, `save must be a function (bytes, epoch) => void, got ${typeof options.save}`);
  const every = integerOption(op, 'every', options.every, 1);
  const extra = options.extra === undefined ? {} : options.extra;
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) throw new RecurrentError(op, 'extra must be an object of JSON-able values');
  return {
    async onEpochEnd(epoch, logs, context) {
      if ((epoch + 1) % every !== 0 && epoch !== context.epochs - 1) return;
      const bytes = encodeCheckpoint({
        model: context.model,
        optimizer: context.optimizer,
        step: context.step,
        generators: { shuffle: context.generator },
        extra: { ...extra, epochsCompleted: epoch + 1, logs },
      });
      await options.save(bytes, epoch);
    },
  };
}
