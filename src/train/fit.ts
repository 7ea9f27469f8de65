/**
 * fit: Keras-style training as sugar over the public pieces. Every step is exactly
 *
 *   optimizer.zeroGrad()
 *   loss = lossFn(forward(model, xBatch), yBatch)
 *   loss.backward()
 *   optim.clipGradNorm(the optimizer's parameters, maxNorm)     (with the clipGradNorm option)
 *   optimizer.step()
 *
 * in training mode, with xBatch = indexSelect(x, 0, perm.subarray(k b, (k + 1) b)) and perm a
 * fresh Fisher-Yates permutation of the training samples each epoch (see data.ts), so fit
 * gives bit for bit the numbers of that loop written by hand. After each epoch the validation
 * data is evaluated in evaluation mode without gradients. An epoch's loss and metrics are the
 * sample-weighted means of its batches' values, each measured before the batch's update, as
 * Keras reports them.
 *
 * A step whose loss or gradient norm is not finite, or whose update the optimizer skipped
 * (skipNonFinite), is a divergence: its update is not applied, and fit throws a
 * RecurrentError (code 'numeric') saying where it happened and what to try, unless the
 * onDivergence option or a callback says to stop or to continue.
 */
import { clipGradNorm } from '../optim/clip.js';
import type { Module } from '../nn/module.js';
import { RecurrentError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Divergence, DivergenceAction, History, Logs, TrainingContext } from './callback-api.js';
import { lossValue } from './check.js';
import { batches, identity, permutation, takeBatch } from './data.js';
import { SampleMeans, batchValues, evaluateDataset } from './evaluate.js';
import { planFit, type FitOptions, type FitPlan } from './fit-options.js';
import { validationName } from './metrics.js';
import { saveModes } from './mode.js';

const OP = 'fit';

/**
 * Trains `model` on x and y (or data) for `epochs` epochs and returns the history of the loss
 * and metrics (see {@link FitOptions}). Every module's mode is restored afterwards. Async
 * because callbacks may be (a checkpoint being saved); the training itself runs synchronously
 * between hooks.
 */
export async function fit<M extends Module>(model: M, options: FitOptions<M>): Promise<History> {
  const plan = planFit(OP, model, options);
  const { validation, metrics, callbacks, epochs } = plan;
  const stepsPerEpoch = Math.ceil(plan.train.length / plan.batchSize);
  const names = ['loss', ...metrics.map(([name]) => name)];
  const logKeys = validation ? [...names, ...names.map(validationName)] : names;
  const history: History = { epochs: [], history: Object.fromEntries(logKeys.map((k) => [k, []])), divergence: null };
  const context: TrainingContext = {
    model,
    optimizer: plan.optimizer,
    epochs,
    stepsPerEpoch,
    generator: plan.generator,
    logKeys,
    history,
    log: plan.log,
    epoch: plan.initialEpoch,
    step: plan.initialEpoch * stepsPerEpoch,
    stopTraining: false,
  };
  const restoreModes = saveModes(model);
  try {
    for (const cb of callbacks) await cb.onTrainBegin?.(context);
    for (let epoch = plan.initialEpoch; epoch < epochs && !context.stopTraining; epoch++) {
      context.epoch = epoch;
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch, context);
      model.train();
      const logs = await trainEpoch(plan, context, names);
      if (logs === null) break;
      if (validation) {
        const values = evaluateDataset(OP, model, validation, plan.run, plan.lossFn, metrics, plan.batchSize);
        for (const name of names) logs[validationName(name)] = values[name];
      }
      history.epochs.push(epoch);
      for (const k of logKeys) history.history[k].push(logs[k]);
      for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs, context);
    }
    for (const cb of callbacks) await cb.onTrainEnd?.(context);
  } finally {
    restoreModes();
  }
  return history;
}

/** One epoch of steps; its sample-weighted logs (loss and metrics, `names`), or null when a divergence stopped training. */
async function trainEpoch(plan: FitPlan, context: TrainingContext, names: readonly string[]): Promise<Logs | null> {
  const { epoch, stepsPerEpoch } = context;
  const order = plan.shuffle ? permutation(plan.train.length, plan.generator) : identity(plan.train.length);
  const means = new SampleMeans(names);
  const list = batches(order, plan.batchSize);
  for (let b = 0; b < list.length; b++) {
    const indices = list[b];
    const [x, y] = takeBatch(OP, plan.train, indices);
    plan.optimizer.zeroGrad();
    const prediction = plan.run(x);
    const loss = plan.lossFn(prediction, y);
    const value = lossValue(OP, loss);
    // Metrics measure the very predictions the loss saw, before the update changes anything.
    const logs = Number.isFinite(value) ? batchValues(value, prediction, y, plan.metrics) : null;
    const problem = logs === null ? `the loss is ${value}` : update(plan, loss);
    context.step = epoch * stepsPerEpoch + b + 1;
    if (problem !== null) {
      if ((await diverged(plan, context, b, value, problem)) === 'stop') return null;
      continue;
    }
    means.add(logs!, indices.length);
    for (const cb of plan.callbacks) await cb.onBatchEnd?.(b, { ...logs, size: indices.length }, context);
    if (context.stopTraining) break;
  }
  return means.means();
}

/** backward, clipping and the optimizer's step; what was not finite, or null when the update was applied. */
function update(plan: FitPlan, loss: Tensor): string | null {
  loss.backward();
  if (plan.clip !== null) {
    const norm = clipGradNorm(plan.params, plan.clip);
    if (!Number.isFinite(norm)) return `the gradients' total norm is ${norm}`;
  }
  const result = plan.optimizer.step();
  return result.skipped ? `the optimizer skipped the update: ${result.reason}` : null;
}

/** Reports a divergence to the callbacks and carries out the chosen action ('throw' throws here). */
async function diverged(plan: FitPlan, context: TrainingContext, batch: number, loss: number, reason: string): Promise<DivergenceAction> {
  const { epoch, stepsPerEpoch } = context;
  const step = epoch * stepsPerEpoch + batch;
  const where = `epoch ${epoch + 1}/${context.epochs}, batch ${batch + 1}/${stepsPerEpoch} (step ${step + 1})`;
  const message = `training diverged in ${where}: ${reason}. That update was not applied. ${advice(plan, context.model)}`;
  const divergence: Divergence = { epoch, batch, step, loss, reason, message };
  let action = plan.onDivergence;
  for (const cb of plan.callbacks) {
    const chosen: unknown = await cb.onDivergence?.(divergence, context);
    if (chosen === undefined) continue;
    if (chosen !== 'throw' && chosen !== 'stop' && chosen !== 'continue') {
      throw new RecurrentError(OP, `a callback's onDivergence returned ${String(chosen)}; expected 'throw', 'stop', 'continue' or nothing`);
    }
    action = chosen;
  }
  if (action === 'throw') throw new RecurrentError(OP, message, 'numeric');
  if (action === 'stop') {
    context.history.divergence = divergence;
    context.stopTraining = true;
  }
  return action;
}

/** What to try, depending on whether the parameters are still finite. */
function advice(plan: FitPlan, model: Module): string {
  const broken = model.parameters().some((p) => p.data.some((v) => !Number.isFinite(v)));
  if (broken) {
    return 'The parameters already hold NaN or Infinity: an earlier update had non-finite gradients with a finite loss. The clipGradNorm option, or an optimizer with skipNonFinite, catches that at its own step.';
  }
  const lrs = [...new Set(plan.optimizer.paramGroups.map((g) => g.lr))].join(', ');
  return `Try a smaller learning rate (lr is ${lrs}), the clipGradNorm option, or look for log(0) or a division by zero in the loss.`;
}
