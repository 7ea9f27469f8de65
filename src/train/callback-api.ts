/**
 * The contract between fit and its callbacks: the hooks fit calls, in this order,
 *
 *   onTrainBegin
 *     per epoch:  onEpochBegin, per batch: onBatchEnd, then onEpochEnd (after validation)
 *   onTrainEnd
 *
 * (and onDivergence when a step's loss or gradients stop being finite), the context they
 * share, and the History fit returns. Epochs and batches are numbered from 0, as Keras does.
 */
import type { Module } from '../nn/module.js';
import type { Generator } from '../tensor/random.js';
import type { AnyOptimizer } from './checkpoint.js';

/** Named numbers: a batch's or an epoch's loss and metrics (`loss`, `mae`, `valLoss`, `valMae`, ...). */
export type Logs = Record<string, number>;

/** A value, or a promise of it: hooks may be async, and fit waits for them. */
export type MaybePromise<T> = T | Promise<T>;

/** What fit does when training diverges: throw a RecurrentError (code 'numeric'), stop and return, or skip the update and go on. */
export type DivergenceAction = 'throw' | 'stop' | 'continue';

/** A step whose loss, gradient norm or update was not finite; its update was not applied. */
export interface Divergence {
  /** The epoch (from 0). */
  epoch: number;
  /** The batch within the epoch (from 0). */
  batch: number;
  /** The step, counted over the whole run (from 0). */
  step: number;
  /** The batch's loss (finite when the gradients were the problem). */
  loss: number;
  /** What was not finite, in plain words. */
  reason: string;
  /** A full explanation for people: where, what, and what to try. */
  message: string;
}

/** What fit returns: each epoch's logs. */
export interface History {
  /** The epochs that ran to their end (from 0). */
  epochs: number[];
  /** One value per epoch under each name: loss, every metric, and valLoss and val<Metric> with validation data. */
  history: Record<string, number[]>;
  /** The divergence that stopped training (action 'stop'), or null. */
  divergence: Divergence | null;
}

/** What fit shares with its callbacks. */
export interface TrainingContext {
  /** The model being trained. */
  readonly model: Module;
  /** Its optimizer. */
  readonly optimizer: AnyOptimizer;
  /** Training runs epochs initialEpoch .. epochs - 1. */
  readonly epochs: number;
  /** Batches (optimizer steps) per epoch. */
  readonly stepsPerEpoch: number;
  /** The generator that shuffles the samples: save it in a checkpoint to resume exactly. */
  readonly generator: Generator;
  /** The names every epoch's logs will hold. */
  readonly logKeys: readonly string[];
  /** The logs so far (fit returns this object). */
  readonly history: History;
  /** Where progress lines go (fit's `log` option). */
  readonly log: (line: string) => void;
  /** The current epoch (from 0). */
  epoch: number;
  /** Steps taken in the whole run (the global step of a checkpoint). */
  step: number;
  /** Set to true to end training after the current batch (the epoch still ends: validation and onEpochEnd run). */
  stopTraining: boolean;
}

/** Hooks fit calls while training; every one is optional and may return a promise. */
export interface Callback {
  /** Before the first epoch. */
  onTrainBegin?(context: TrainingContext): MaybePromise<void>;
  /** At the start of each epoch. */
  onEpochBegin?(epoch: number, context: TrainingContext): MaybePromise<void>;
  /** After each batch's update, with its loss, metrics and `size` (samples). */
  onBatchEnd?(batch: number, logs: Logs, context: TrainingContext): MaybePromise<void>;
  /** After each epoch and its validation, with the epoch's logs (already in the history). */
  onEpochEnd?(epoch: number, logs: Logs, context: TrainingContext): MaybePromise<void>;
  /** After the last epoch, or after training was stopped (not when fit throws). */
  onTrainEnd?(context: TrainingContext): MaybePromise<void>;
  /** When a step diverges; return an action to override fit's `onDivergence` option (the last callback to return one wins). */
  onDivergence?(divergence: Divergence, context: TrainingContext): MaybePromise<DivergenceAction | void>;
}
