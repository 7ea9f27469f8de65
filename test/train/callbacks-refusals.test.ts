/**
 * The callbacks' edges, from the user's side: every option check names the op, the argument
 * and the reason; early stopping in 'max' and 'min' mode with minDelta exactly at its edge;
 * the missing monitor's message and its validation hint; which epochs progressLogger prints,
 * how it writes numbers and the seconds of an epoch (on a stand-in clock, with and without
 * performance.now); which epochs checkpointCallback saves after.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  F,
  RecurrentError,
  checkpointCallback,
  earlyStopping,
  fit,
  lrSchedulerCallback,
  nn,
  optim,
  progressLogger,
  tensor,
  type Callback,
  type MetricSpec,
} from '../../src/index.js';
import { expectRejected } from '../helpers.js';

/** Four samples in one batch: one metric call per epoch, and v * 4 / 4 === v exactly. */
function setup() {
  const model = new nn.Linear({ inFeatures: 1, outFeatures: 1, seed: 1 });
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const x = tensor([[1], [2], [3], [4]]);
  return { model, optimizer, x, y: x.mul(2) };
}

/** Trains quietly for `epochs` and returns the epochs run and the lines logged. */
async function run(epochs: number, callbacks: Callback[], metrics: MetricSpec[] = [], validationSplit?: number) {
  const { model, optimizer, x, y } = setup();
  const lines: string[] = [];
  const h = await fit(model, { x, y, lossFn: F.mseLoss, optimizer, epochs, batchSize: 4, verbose: 0, metrics, callbacks, validationSplit, log: (l) => lines.push(l) });
  return { epochs: h.epochs, lines };
}

/** A metric `name` that reports the next scripted value at each epoch. */
function scripted(values: number[], name = 'score'): MetricSpec {
  let i = 0;
  return { name, fn: () => values[i++] };
}

/** The RecurrentError `promise` rejects with, checked to come from `op` with code 'argument'. */
async function rejected(promise: Promise<unknown>, op: string): Promise<RecurrentError> {
  const error: unknown = await promise.then(
    () => expect.fail(`expected ${op} to reject`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RecurrentError);
  const err = error as RecurrentError;
  expect([err.op, err.code]).toEqual([op, 'argument']);
  return err;
}

/** The message of the RecurrentError `fn` throws from `op` with code 'argument'. */
const refusal = (fn: () => unknown, op: string) => expectRejected(fn, op, 'argument').message;

describe('earlyStopping options', () => {
  const op = 'earlyStopping';

  it('refuses a monitor, patience, mode or restoreBestWeights of the wrong kind or range, naming each', () => {
    expect(refusal(() => earlyStopping(5 as never), op)).toMatch(/^earlyStopping: options must be an object, got 5$/);
    expect(refusal(() => earlyStopping({ patiense: 2 } as never), op)).toMatch(/^earlyStopping: unknown option 'patiense' \(did you mean 'patience'\?/);
    expect(refusal(() => earlyStopping({ monitor: 5 as never }), op)).toMatch(/^earlyStopping: options\.monitor must be a string, got 5$/);
    expect(refusal(() => earlyStopping({ patience: '2' as never }), op)).toMatch(/^earlyStopping: options\.patience must be a number, got "2"$/);
    expect(refusal(() => earlyStopping({ patience: 1.5 }), op)).toMatch(/^earlyStopping: patience must be an integer >= 0, got 1\.5$/);
    expect(refusal(() => earlyStopping({ mode: 'MAX' as never }), op)).toMatch(/^earlyStopping: mode must be 'auto', 'min' or 'max', got MAX$/);
    expect(refusal(() => earlyStopping({ mode: 1 as never }), op)).toMatch(/^earlyStopping: options\.mode must be a string, got 1$/);
    expect(refusal(() => earlyStopping({ restoreBestWeights: 1 as never }), op)).toMatch(/^earlyStopping: options\.restoreBestWeights must be a boolean, got 1$/);
  });

  it('refuses a negative, NaN, infinite or non-number minDelta', () => {
    for (const bad of [-0.5, -Infinity, NaN, Infinity]) {
      expect(refusal(() => earlyStopping({ minDelta: bad }), op)).toBe(`earlyStopping: minDelta must be a finite number >= 0, got ${bad}`);
    }
    expect(refusal(() => earlyStopping({ minDelta: '0.1' as never }), op)).toMatch(/^earlyStopping: options\.minDelta must be a number, got "0\.1"$/);
  });

  it('takes every mode, minDelta 0 and patience 0, and settles the mode', () => {
    const pick = (s: ReturnType<typeof earlyStopping>) => [s.monitor, s.patience, s.minDelta, s.mode, s.restoreBestWeights];
    expect(pick(earlyStopping({ mode: 'max', minDelta: 0, patience: 0 }))).toEqual(['valLoss', 0, 0, 'max', false]);
    expect(pick(earlyStopping({ monitor: 'valAccuracy', mode: 'min', minDelta: 2.5, patience: 3, restoreBestWeights: true }))).toEqual(['valAccuracy', 3, 2.5, 'min', true]);
    expect(earlyStopping({ monitor: 'categoricalaccuracy', mode: 'auto' }).mode).toBe('max');
    expect(earlyStopping({ monitor: 'loss', mode: 'auto' }).mode).toBe('min');
  });
});

describe('earlyStopping in training', () => {
  it("'max': only a rise of more than minDelta is an improvement (a rise of exactly minDelta is not)", async () => {
    // best -inf -> 1 (epoch 0); 1.5 = 1 + 0.5 no; 2 yes (epoch 2); 2.25 no; 2.5 = 2 + 0.5 no: patience 2 stops after epoch 4.
    const stopper = earlyStopping({ monitor: 'score', mode: 'max', minDelta: 0.5, patience: 2 });
    const { epochs } = await run(8, [stopper], [scripted([1, 1.5, 2, 2.25, 2.5, 9, 9, 9])]);
    expect(epochs).toEqual([0, 1, 2, 3, 4]);
    expect([stopper.best, stopper.bestEpoch, stopper.stoppedEpoch]).toEqual([2, 2, 4]);
  });

  it("'min': only a fall of more than minDelta is an improvement (a fall of exactly minDelta is not)", async () => {
    // best inf -> 3 (epoch 0); 2.5 = 3 - 0.5 no; 2 yes (epoch 2); 1.75 no; 1.5 = 2 - 0.5 no: patience 2 stops after epoch 4.
    const stopper = earlyStopping({ monitor: 'score', mode: 'min', minDelta: 0.5, patience: 2 });
    const { epochs } = await run(8, [stopper], [scripted([3, 2.5, 2, 1.75, 1.5, 0, 0, 0])]);
    expect(epochs).toEqual([0, 1, 2, 3, 4]);
    expect([stopper.best, stopper.bestEpoch, stopper.stoppedEpoch]).toEqual([2, 2, 4]);
  });

  it("'auto' watches a monitor named like an accuracy for a rise", async () => {
    const stopper = earlyStopping({ monitor: 'myAccuracy' });
    const { epochs } = await run(6, [stopper], [scripted([0.25, 0.5, 0.75, 0.75, 1, 1], 'myAccuracy')]);
    expect(epochs).toEqual([0, 1, 2, 3]);
    expect([stopper.mode, stopper.best, stopper.bestEpoch, stopper.stoppedEpoch]).toEqual(['max', 0.75, 2, 3]);
  });

  it("names the missing monitor and the logs there are, hinting at validation data only for a 'val' name", async () => {
    const missing = async (monitor: string, validationSplit?: number) =>
      (await rejected(run(2, [earlyStopping({ monitor })], [scripted([1, 1, 1, 1])], validationSplit), 'earlyStopping')).message;
    expect(await missing('scroe')).toBe("earlyStopping: monitor 'scroe' is not among the epoch's logs (loss, score)");
    expect(await missing('valScore')).toBe("earlyStopping: monitor 'valScore' is not among the epoch's logs (loss, score); give fit validationData or validationSplit");
    expect(await missing('valScroe', 0.25)).toMatch(/^earlyStopping: monitor 'valScroe' is not among the epoch's logs \(loss, score, valLoss, valScore\); give fit validationData/);
  });
});

describe('lrSchedulerCallback', () => {
  const op = 'lrSchedulerCallback';
  const { optimizer } = setup();

  it('refuses anything but an object with a step() method as the scheduler', () => {
    const callable = Object.assign(() => undefined, { step: () => undefined });
    for (const bad of [null, undefined, 5, 'StepLR', {}, { step: 1 }, callable]) {
      expect(refusal(() => lrSchedulerCallback(bad as never), op)).toBe('lrSchedulerCallback: scheduler must be a learning-rate scheduler with a step() method');
    }
  });

  it('refuses options that are not an object, an unknown option and a monitor that is not a string', () => {
    const scheduler = new optim.StepLR(optimizer, { stepSize: 1 });
    expect(refusal(() => lrSchedulerCallback(scheduler, 5 as never), op)).toMatch(/^lrSchedulerCallback: options must be an object, got 5$/);
    expect(refusal(() => lrSchedulerCallback(scheduler, { montor: 'loss' } as never), op)).toMatch(/^lrSchedulerCallback: unknown option 'montor' \(did you mean 'monitor'\?/);
    expect(refusal(() => lrSchedulerCallback(scheduler, { monitor: 5 as never }), op)).toMatch(/^lrSchedulerCallback: options\.monitor must be a string, got 5$/);
  });

  it("steps a scheduler of the user's own that names no optimizer, once per epoch", async () => {
    let steps = 0;
    await run(3, [lrSchedulerCallback({ step: () => void steps++ })]);
    expect(steps).toBe(3);
  });

  it('refuses, when training begins, a scheduler built for another optimizer and a plateau monitor missing from the logs', async () => {
    const other = new optim.StepLR(setup().optimizer, { stepSize: 1 });
    expect((await rejected(run(1, [lrSchedulerCallback(other)]), op)).message).toBe("lrSchedulerCallback: the scheduler was built for another optimizer than fit's");
    // ReduceLROnPlateau of fit's own optimizer, watching valLoss without validation data.
    const { model, optimizer: own, x, y } = setup();
    const plateau = lrSchedulerCallback(new optim.ReduceLROnPlateau(own));
    const err = await rejected(fit(model, { x, y, lossFn: F.mseLoss, optimizer: own, batchSize: 4, verbose: 0, callbacks: [plateau] }), op);
    expect(err.message).toBe("lrSchedulerCallback: monitor 'valLoss' is not among the epoch's logs (loss); give fit validationData or validationSplit");
  });
});

describe('checkpointCallback', () => {
  const op = 'checkpointCallback';
  const save = () => undefined;

  it('refuses options that are not an object, a bad every, and an extra that is not a plain object', () => {
    expect(refusal(() => checkpointCallback(5 as never), op)).toMatch(/^checkpointCallback: options must be an object, got 5$/);
    expect(refusal(() => checkpointCallback({ save, evry: 2 } as never), op)).toMatch(/^checkpointCallback: unknown option 'evry' \(did you mean 'every'\?/);
    expect(refusal(() => checkpointCallback({ save, every: '2' as never }), op)).toMatch(/^checkpointCallback: options\.every must be a number, got "2"$/);
    expect(refusal(() => checkpointCallback({ save, every: 0 }), op)).toMatch(/^checkpointCallback: every must be an integer >= 1, got 0$/);
    expect(refusal(() => checkpointCallback({ save, every: 1.5 }), op)).toMatch(/^checkpointCallback: every must be an integer >= 1, got 1\.5$/);
    for (const extra of [null, [1, 2], 'run a', 5]) {
      expect(refusal(() => checkpointCallback({ save, extra: extra as never }), op)).toBe('checkpointCallback: extra must be an object of JSON-able values');
    }
  });

  it('saves after every `every`th epoch and after the last one, once', async () => {
    const savedAfter = async (epochs: number, every?: number) => {
      const saved: number[] = [];
      await run(epochs, [checkpointCallback({ save: (_bytes, epoch) => void saved.push(epoch), every, extra: { run: 'a' } })]);
      return saved;
    };
    expect(await savedAfter(7, 3)).toEqual([2, 5, 6]);
    expect(await savedAfter(6, 3)).toEqual([2, 5]);
    expect(await savedAfter(3)).toEqual([0, 1, 2]);
  });
});

describe('progressLogger', () => {
  const op = 'progressLogger';
  const heads = (lines: string[]) => lines.map((l) => l.split(' - ')[0]);

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('refuses options that are not an object, an unknown option and a bad every', () => {
    expect(refusal(() => progressLogger(null as never), op)).toMatch(/^progressLogger: options must be an object, got null$/);
    expect(refusal(() => progressLogger({ evry: 2 } as never), op)).toMatch(/^progressLogger: unknown option 'evry' \(did you mean 'every'\?/);
    expect(refusal(() => progressLogger({ every: '2' as never }), op)).toMatch(/^progressLogger: options\.every must be a number, got "2"$/);
    expect(refusal(() => progressLogger({ every: 0 }), op)).toMatch(/^progressLogger: every must be an integer >= 1, got 0$/);
    expect(refusal(() => progressLogger({ every: 2.5 }), op)).toMatch(/^progressLogger: every must be an integer >= 1, got 2\.5$/);
  });

  it('prints the epochs whose number is a multiple of every, the last one, and the one training stopped after', async () => {
    expect(heads((await run(7, [progressLogger({ every: 3 })])).lines)).toEqual(['epoch 3/7', 'epoch 6/7', 'epoch 7/7']);
    expect(heads((await run(6, [progressLogger({ every: 3 })])).lines)).toEqual(['epoch 3/6', 'epoch 6/6']);
    // patience 0: 3, 2 improve, 2.5 does not, so training stops after the 3rd epoch of 7.
    const stopped = await run(7, [earlyStopping({ monitor: 'score' }), progressLogger({ every: 5 })], [scripted([3, 2, 2.5, 1, 1, 1, 1])]);
    expect(stopped.epochs).toEqual([0, 1, 2]);
    expect(heads(stopped.lines)).toEqual(['epoch 3/7']);
  });

  it('writes 0 and magnitudes in [1e-3, 1e6) with 4 decimals, others with 4 significant digits, NaN and infinities as words', async () => {
    const values: Record<string, number> = { zero: 0, milli: 1e-3, under: 9.99e-4, tinyNeg: -5e-4, neg: -0.5, high: 999999.5, million: 1e6, hugeNeg: -2.5e7, nan: NaN, inf: Infinity, negInf: -Infinity };
    const metrics = Object.entries(values).map(([name, v]) => ({ name, fn: () => v }));
    const { lines } = await run(1, [progressLogger()], metrics);
    expect(lines).toHaveLength(1);
    expect(lines[0].split(' - ').slice(3)).toEqual([
      'zero: 0.0000',
      'milli: 0.0010',
      'under: 9.990e-4',
      'tinyNeg: -5.000e-4',
      'neg: -0.5000',
      'high: 999999.5000',
      'million: 1.000e+6',
      'hugeNeg: -2.500e+7',
      'nan: NaN',
      'inf: Infinity',
      'negInf: -Infinity',
    ]);
  });

  /** A callback ahead of the logger that sets the clock: epoch e begins at 10 s * (e + 1) and lasts 1.234 s * (e + 1). */
  const clockCallbacks = (clock: { t: number }): Callback[] => [
    {
      onEpochBegin: (e) => void (clock.t = 10_000 * (e + 1)),
      onEpochEnd: (e) => void (clock.t += 1234 * (e + 1)),
    },
    progressLogger(),
  ];
  const seconds = (lines: string[]) => lines.map((l) => l.split(' - ')[1]);

  it("prints the seconds from the epoch's begin to its end on performance.now", async () => {
    const clock = { t: 0 };
    vi.spyOn(performance, 'now').mockImplementation(() => clock.t);
    expect(seconds((await run(2, clockCallbacks(clock))).lines)).toEqual(['1.23s', '2.47s']);
  });

  it('falls back to Date.now where there is no performance, or it has no now()', async () => {
    for (const stand of [undefined, {}]) {
      const clock = { t: 0 };
      vi.stubGlobal('performance', stand);
      vi.spyOn(Date, 'now').mockImplementation(() => clock.t);
      expect(seconds((await run(2, clockCallbacks(clock))).lines)).toEqual(['1.23s', '2.47s']);
      vi.restoreAllMocks();
      vi.unstubAllGlobals();
    }
  });
});
