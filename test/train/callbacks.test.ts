/**
 * Callbacks: the order fit calls the hooks in (awaiting async ones), stopping, early stopping
 * with restored weights, learning-rate schedules, checkpoints that restore and resume a run
 * bit for bit, and the progress lines.
 */
import { describe, expect, it } from 'vitest';
import { F, Generator, optim, restoreCheckpoint, type Tensor } from '../../src/index.js';
import {
  checkpointCallback,
  earlyStopping,
  fit,
  lrSchedulerCallback,
  progressLogger,
  type Callback,
  type FitOptions,
  type Metric,
} from '../../src/train/index.js';
import { SeqRegressor, paramBytes, sumTask } from './models.js';

const { x, y } = sumTask(12, 4, 3);

/** A model, its optimizer, and fit options training it quietly on the sum task. */
function setup(extra: Partial<FitOptions<SeqRegressor>> = {}) {
  const model = new SeqRegressor(2, { layers: 2, dropout: 0.25 });
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const options: FitOptions<SeqRegressor> = { x, y, lossFn: F.mseLoss, optimizer, batchSize: 4, verbose: 0, ...extra };
  return { model, optimizer, options };
}

/** A metric that reports the next scripted value at each call (one call per epoch with a single batch). */
function scripted(values: number[]): { name: string; fn: Metric } {
  let i = 0;
  return { name: 'score', fn: () => values[i++] };
}

/** A callback that keeps each epoch's parameter bytes. */
function snapshots(): Callback & { byEpoch: Uint8Array[][] } {
  const byEpoch: Uint8Array[][] = [];
  return { byEpoch, onEpochEnd: (_e, _l, c) => void byEpoch.push(paramBytes(c.model)) };
}

describe('hooks', () => {
  it('are called in order, async ones awaited, with 0-based epochs and batches', async () => {
    const events: string[] = [];
    const slow = (label: string) => new Promise<void>((resolve) => setTimeout(() => (events.push(label), resolve()), 5));
    const { model, options } = setup({ epochs: 2, validationSplit: 0.25 });
    await fit(model, {
      ...options,
      callbacks: [
        {
          onTrainBegin: (c) => void events.push(`trainBegin steps=${c.stepsPerEpoch} keys=${c.logKeys.join(',')}`),
          onEpochBegin: (e) => slow(`epochBegin ${e}`),
          onBatchEnd: (b, logs, c) => void events.push(`batch ${b} size=${logs.size} step=${c.step}`),
          onEpochEnd: async (e, logs) => {
            await slow(`epochEnd ${e} ${Object.keys(logs).join(',')}`);
          },
          onTrainEnd: () => void events.push('trainEnd'),
        },
      ],
    });
    expect(events).toEqual([
      'trainBegin steps=3 keys=loss,valLoss',
      'epochBegin 0',
      'batch 0 size=4 step=1',
      'batch 1 size=4 step=2',
      'batch 2 size=1 step=3',
      'epochEnd 0 loss,valLoss',
      'epochBegin 1',
      'batch 0 size=4 step=4',
      'batch 1 size=4 step=5',
      'batch 2 size=1 step=6',
      'epochEnd 1 loss,valLoss',
      'trainEnd',
    ]);
  });

  it('stopTraining ends training after the batch, the epoch still ending', async () => {
    const ended: number[] = [];
    const { model, options } = setup({ epochs: 5 });
    const h = await fit(model, {
      ...options,
      callbacks: [{ onBatchEnd: (b, _l, c) => void (b === 1 && c.epoch === 1 && (c.stopTraining = true)), onEpochEnd: (e) => void ended.push(e) }],
    });
    expect(h.epochs).toEqual([0, 1]);
    expect(ended).toEqual([0, 1]);
  });
});

describe('earlyStopping', () => {
  // One batch per epoch, so the scripted metric gives one value per epoch.
  const script = [5, 4, 3, 3.5, 3.2, 2.95, 1, 1];

  it('stops after `patience` epochs without an improvement of minDelta and restores the best weights', async () => {
    const snap = snapshots();
    const stopper = earlyStopping({ monitor: 'score', patience: 2, minDelta: 0.1, restoreBestWeights: true });
    const { model, options } = setup({ epochs: 8, batchSize: 12, metrics: [scripted(script)], callbacks: [snap, stopper] });
    const h = await fit(model, options);
    expect(h.epochs).toEqual([0, 1, 2, 3, 4]);
    expect([stopper.bestEpoch, stopper.best, stopper.stoppedEpoch, stopper.mode]).toEqual([2, 3, 4, 'min']);
    expect(paramBytes(model)).toEqual(snap.byEpoch[2]);
    expect(paramBytes(model)).not.toEqual(snap.byEpoch[4]);
  });

  it('keeps the last weights without restoreBestWeights; patience 0 stops at the first bad epoch; state resets per fit', async () => {
    const snap = snapshots();
    const stopper = earlyStopping({ monitor: 'score' });
    const { model, options } = setup({ epochs: 8, batchSize: 12, callbacks: [snap, stopper] });
    expect((await fit(model, { ...options, metrics: [scripted(script)] })).epochs).toEqual([0, 1, 2, 3]);
    expect(paramBytes(model)).toEqual(snap.byEpoch[3]);
    expect((await fit(model, { ...options, metrics: [scripted([9, 8, 8])] })).epochs).toEqual([0, 1, 2]);
    expect(stopper.stoppedEpoch).toBe(2);
  });

  it("watches accuracies for a rise ('auto' mode), everything else for a fall", () => {
    expect(earlyStopping({ monitor: 'valAccuracy' }).mode).toBe('max');
    expect(earlyStopping({ monitor: 'valBinaryAccuracy' }).mode).toBe('max');
    expect(earlyStopping().mode).toBe('min');
    expect(earlyStopping({ monitor: 'valAccuracy', mode: 'min' }).mode).toBe('min');
  });

  it('rejects a monitor missing from the logs before training, and bad options at once', async () => {
    const { model, options } = setup({ callbacks: [earlyStopping()] });
    const before = paramBytes(model);
    await expect(fit(model, options)).rejects.toThrow(/^earlyStopping: monitor 'valLoss' is not among the epoch's logs \(loss\); give fit validationData or validationSplit$/);
    expect(paramBytes(model)).toEqual(before);
    expect(() => earlyStopping({ patience: -1 })).toThrow(/^earlyStopping: patience must be an integer >= 0, got -1$/);
    expect(() => earlyStopping({ mode: 'up' as 'min' })).toThrow(/^earlyStopping: mode must be 'auto', 'min' or 'max', got up$/);
  });
});

describe('lrSchedulerCallback', () => {
  /** The first group's lr at the start of each epoch. */
  const lrs = (): Callback & { seen: number[] } => {
    const seen: number[] = [];
    return { seen, onEpochBegin: (_e, c) => void seen.push(c.optimizer.paramGroups[0].lr) };
  };

  it('steps an epoch scheduler once per epoch', async () => {
    const seen = lrs();
    const { model, optimizer, options } = setup({ epochs: 3 });
    const scheduler = new optim.StepLR(optimizer, { stepSize: 1, gamma: 0.5 });
    await fit(model, { ...options, callbacks: [seen, lrSchedulerCallback(scheduler)] });
    expect(seen.seen).toEqual([1e-2, 5e-3, 2.5e-3]);
    expect(optimizer.paramGroups[0].lr).toBe(1.25e-3);
  });

  it('feeds ReduceLROnPlateau the monitored value', async () => {
    const seen = lrs();
    const { model, optimizer, options } = setup({ epochs: 4, batchSize: 12, metrics: [scripted([1, 1, 1, 1])] });
    const scheduler = new optim.ReduceLROnPlateau(optimizer, { patience: 0 });
    await fit(model, { ...options, callbacks: [seen, lrSchedulerCallback(scheduler, { monitor: 'score' })] });
    expect(seen.seen.map((v) => +v.toPrecision(6))).toEqual([1e-2, 1e-2, 1e-3, 1e-4]);
  });

  it('rejects a scheduler of another optimizer, and a plateau monitor missing from the logs', async () => {
    const { model, options } = setup();
    const other = new optim.SGD(new SeqRegressor(1).parameters(), { lr: 1 });
    await expect(fit(model, { ...options, callbacks: [lrSchedulerCallback(new optim.StepLR(other, { stepSize: 1 }))] })).rejects.toThrow(
      /^lrSchedulerCallback: the scheduler was built for another optimizer than fit's$/,
    );
    await expect(fit(model, { ...options, callbacks: [lrSchedulerCallback(new optim.ReduceLROnPlateau(options.optimizer))] })).rejects.toThrow(/^lrSchedulerCallback: monitor 'valLoss' is not among/);
    expect(() => lrSchedulerCallback({} as optim.StepLR)).toThrow(/^lrSchedulerCallback: scheduler must be a learning-rate scheduler/);
  });
});

describe('checkpointCallback', () => {
  it('hands over restorable bytes every n epochs and after the last, waiting for async saves', async () => {
    const saved = new Map<number, Uint8Array>();
    const snap = snapshots();
    const save = (bytes: Uint8Array, epoch: number) => new Promise<void>((resolve) => setTimeout(() => (saved.set(epoch, bytes), resolve()), 5));
    const { model, options } = setup({ epochs: 5, callbacks: [snap, checkpointCallback({ save, every: 2, extra: { run: 'a' } })] });
    const h = await fit(model, options);
    expect([...saved.keys()]).toEqual([1, 3, 4]);
    const fresh = new SeqRegressor(99, { layers: 2, dropout: 0.25 });
    const { step, extra } = restoreCheckpoint(saved.get(3)!, { model: fresh });
    expect(paramBytes(fresh)).toEqual(snap.byEpoch[3]);
    expect(step).toBe(4 * 3);
    expect(extra).toEqual({ run: 'a', epochsCompleted: 4, logs: { loss: h.history.loss[3] } });
  });

  it('resuming from a checkpoint continues the run bit for bit (weights, optimizer, shuffling, dropout)', async () => {
    const straight = setup({ epochs: 4, seed: 5 });
    const full = await fit(straight.model, straight.options);

    let bytes: Uint8Array | null = null;
    const first = setup({ epochs: 2, seed: 5, callbacks: [checkpointCallback({ save: (b) => void (bytes = b) })] });
    await fit(first.model, first.options);

    const resumed = setup();
    const generator = new Generator(12345);
    const { extra } = restoreCheckpoint(bytes!, { model: resumed.model, optimizer: resumed.optimizer, generators: { shuffle: generator } });
    const rest = await fit(resumed.model, { ...resumed.options, epochs: 4, initialEpoch: extra.epochsCompleted as number, generator });
    expect(rest.epochs).toEqual([2, 3]);
    expect(rest.history.loss).toEqual(full.history.loss.slice(2));
    expect(paramBytes(resumed.model)).toEqual(paramBytes(straight.model));
  });

  it('rejects a missing save function', () => {
    expect(() => checkpointCallback({} as { save: () => void })).toThrow(/^checkpointCallback: save must be a function \(bytes, epoch\) => void, got undefined$/);
  });
});

describe('progressLogger', () => {
  it('logs every n epochs and the last one, as plain lines', async () => {
    const lines: string[] = [];
    const { model, options } = setup({ epochs: 5, metrics: ['mae'], validationSplit: 0.25, log: (l) => lines.push(l), callbacks: [progressLogger({ every: 2 })] });
    const h = await fit(model, options);
    expect(lines.map((l) => l.split(' - ')[0])).toEqual(['epoch 2/5', 'epoch 4/5', 'epoch 5/5']);
    const parts = lines[2].split(' - ');
    expect(parts[1]).toMatch(/^\d+\.\d\ds$/);
    expect(parts.slice(2)).toEqual(['loss', 'mae', 'valLoss', 'valMae'].map((k) => `${k}: ${h.history[k][4].toFixed(4)}`));
    expect(lines.join('')).not.toMatch(/[\r\x1b]/);
  });

  it('logs the explanation of a divergence', async () => {
    const lines: string[] = [];
    const lossFn = (p: Tensor, t: Tensor) => F.mseLoss(p, t).mul(NaN);
    const { model, options } = setup({ lossFn, onDivergence: 'stop', log: (l) => lines.push(l), callbacks: [progressLogger()] });
    await fit(model, options);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^training diverged in epoch 1\/1, batch 1\/3 \(step 1\): the loss is NaN\. That update was not applied\./);
  });
});
