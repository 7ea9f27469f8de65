/**
 * fit, evaluate and predict: fit equals the hand-written loop bit for bit, its history has the
 * documented shape, validationSplit holds out the last samples, a diverging run stops with a
 * plain-words error, bad options are rejected before anything changes, and a small LSTM
 * really learns through it.
 */
import { describe, expect, it } from 'vitest';
import { F, Generator, RecurrentError, nn, noGrad, optim, tensor, type Tensor } from '../../src/index.js';
import { evaluate, fit, predict, tensorDataset, type Dataset, type FitOptions } from '../../src/train/index.js';
import { SeqRegressor, fisherYates, paramBytes, sumTask } from './models.js';

const quiet = { verbose: 0 } as const;

/** Rejects with a RecurrentError of `op` whose message matches `pattern`. */
async function rejectsWith(promise: Promise<unknown>, op: string, pattern: RegExp, code = 'argument'): Promise<RecurrentError> {
  const error = await promise.then(
    () => expect.fail('expected a RecurrentError'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RecurrentError);
  const r = error as RecurrentError;
  expect(r.op).toBe(op);
  expect(r.code).toBe(code);
  expect(r.message).toMatch(pattern);
  return r;
}

describe('fit equals the hand-written loop', () => {
  // 23 samples, validationSplit 0.2: samples 0..17 train (batches 5, 5, 5, 3), 18..22 validate.
  const { x, y } = sumTask(23, 6, 3);
  const epochs = 3;
  const batchSize = 5;
  const nTrain = 18;
  const make = () => {
    const model = new SeqRegressor(4, { layers: 2, dropout: 0.3 });
    return { model, optimizer: new optim.Adam(model.parameters(), { lr: 1e-2 }) };
  };

  it('gives the same parameters, losses and validation losses bit for bit (shuffle, dropout, clipping)', async () => {
    const run = make();
    const history = await fit(run.model, {
      x,
      y,
      lossFn: F.mseLoss,
      optimizer: run.optimizer,
      epochs,
      batchSize,
      validationSplit: 0.2,
      clipGradNorm: 0.5,
      seed: 7,
      ...quiet,
    });

    const hand = make();
    const g = new Generator(7);
    const losses: number[] = [];
    const valLosses: number[] = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      hand.model.train();
      const perm = fisherYates(nTrain, g);
      let sum = 0;
      for (let s = 0; s < nTrain; s += batchSize) {
        const idx = perm.slice(s, s + batchSize);
        hand.optimizer.zeroGrad();
        const loss = F.mseLoss(hand.model.forward(x.indexSelect(0, idx)), y.indexSelect(0, idx));
        loss.backward();
        optim.clipGradNorm(hand.model.parameters(), 0.5);
        hand.optimizer.step();
        sum += loss.item() * idx.length;
      }
      losses.push(sum / nTrain);
      hand.model.eval();
      let valSum = 0;
      noGrad(() => {
        const idx = [18, 19, 20, 21, 22];
        valSum += F.mseLoss(hand.model.forward(x.indexSelect(0, idx)), y.indexSelect(0, idx)).item() * idx.length;
      });
      valLosses.push(valSum / 5);
    }
    expect(paramBytes(run.model)).toEqual(paramBytes(hand.model));
    expect(history.history.loss).toEqual(losses);
    expect(history.history.valLoss).toEqual(valLosses);
  });

  it('a Dataset gives the same run as the tensors it holds', async () => {
    const a = make();
    const b = make();
    const common = { lossFn: F.mseLoss, epochs: 2, batchSize, seed: 3, ...quiet };
    const ha = await fit(a.model, { x, y, optimizer: a.optimizer, ...common });
    const hb = await fit(b.model, { data: tensorDataset(x, y), optimizer: b.optimizer, ...common });
    expect(paramBytes(a.model)).toEqual(paramBytes(b.model));
    expect(hb).toEqual(ha);
  });

  it('the same seed repeats a run, another seed or no shuffling changes it', async () => {
    const once = async (extra: Partial<FitOptions>) => {
      const r = make();
      await fit(r.model, { x, y, lossFn: F.mseLoss, optimizer: r.optimizer, epochs: 2, batchSize, ...quiet, ...extra });
      return paramBytes(r.model);
    };
    const seeded = await once({ seed: 11 });
    expect(await once({ seed: 11 })).toEqual(seeded);
    expect(await once({ generator: new Generator(11) })).toEqual(seeded);
    expect(await once({ seed: 12 })).not.toEqual(seeded);
    expect(await once({ shuffle: false })).not.toEqual(seeded);
  });
});

describe('fit: history, validation and modes', () => {
  const { x, y } = sumTask(20, 4, 5);

  it('records loss, each metric and their validation values once per epoch', async () => {
    const model = new SeqRegressor(2);
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
    const h = await fit(model, { x, y, lossFn: F.mseLoss, optimizer, epochs: 4, batchSize: 8, metrics: ['mae', 'mse'], validationSplit: 0.25, ...quiet });
    expect(h.epochs).toEqual([0, 1, 2, 3]);
    expect(Object.keys(h.history)).toEqual(['loss', 'mae', 'mse', 'valLoss', 'valMae', 'valMse']);
    for (const values of Object.values(h.history)) {
      expect(values).toHaveLength(4);
      for (const v of values) expect(Number.isFinite(v)).toBe(true);
    }
    // The 'mse' metric is the MSE loss, measured on the same batches.
    h.history.mse.forEach((v, i) => expect(v).toBeCloseTo(h.history.loss[i], 5));
    expect(h.divergence).toBeNull();
    const plain = await fit(model, { x, y, lossFn: F.mseLoss, optimizer, epochs: 2, ...quiet });
    expect(Object.keys(plain.history)).toEqual(['loss']);
  });

  it('validationSplit trains on the first samples and validates on the last fraction, before shuffling', async () => {
    const seen = { train: new Set<number>(), validation: [] as number[] };
    const base = tensorDataset(x, y);
    let training = true;
    const spy: Dataset = {
      length: base.length,
      batch(indices) {
        for (const i of indices) (training ? seen.train.add(i) : seen.validation.push(i));
        return base.batch(indices);
      },
    };
    const model = new SeqRegressor(2);
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
    const h = await fit(model, {
      data: spy,
      lossFn: F.mseLoss,
      optimizer,
      epochs: 1,
      batchSize: 4,
      validationSplit: 0.3,
      callbacks: [{ onEpochEnd: () => void (training = true) }, { onBatchEnd: (b, _logs, c) => void (training = b + 1 < c.stepsPerEpoch) }],
      ...quiet,
    });
    expect([...seen.train].sort((a, b) => a - b)).toEqual([...Array(14).keys()]);
    expect(seen.validation).toEqual([14, 15, 16, 17, 18, 19]);
    // valLoss is evaluate() on the last 6 samples with the final weights.
    const last = evaluate(model, x.narrow(0, 14, 6), y.narrow(0, 14, 6), { lossFn: F.mseLoss, batchSize: 4 });
    expect(h.history.valLoss[0]).toBe(last.loss);
  });

  it('validationData given as [x, y] is evaluated in eval mode without gradients', async () => {
    const model = new SeqRegressor(2, { layers: 2, dropout: 0.5 });
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
    const v = sumTask(6, 4, 9);
    const h = await fit(model, { x, y, validationData: [v.x, v.y], lossFn: F.mseLoss, optimizer, epochs: 1, ...quiet });
    model.eval();
    const expected = noGrad(() => F.mseLoss(model.forward(v.x), v.y).item());
    expect(h.history.valLoss[0]).toBe(expected);
  });

  it('trains in training mode, validates in eval mode, and restores every module mode afterwards', async () => {
    const model = new SeqRegressor(2);
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
    const modes: boolean[] = [];
    const forward = (m: SeqRegressor, xb: Tensor) => {
      modes.push(m.lstm.training);
      return m.forward(xb);
    };
    model.eval();
    model.head.train();
    await fit(model, { x, y, lossFn: F.mseLoss, optimizer, epochs: 1, batchSize: 10, validationSplit: 0.5, forward, ...quiet });
    expect(modes).toEqual([true, false]);
    expect([model.training, model.lstm.training, model.head.training]).toEqual([false, false, true]);
  });

  it('takes a forward option for models whose forward does not return the prediction', async () => {
    const lstm = new nn.LSTM({ inputSize: 1, hiddenSize: 1, batchFirst: true, seed: 1 });
    const optimizer = new optim.SGD(lstm.parameters(), { lr: 0.01 });
    await rejectsWith(fit(lstm, { x, y, lossFn: F.mseLoss, optimizer, ...quiet }), 'fit', /forward must return a Tensor, got an object with keys output, h, c; pass a forward option/);
    const h = await fit(lstm, { x, y, lossFn: F.mseLoss, optimizer, forward: (m, xb) => m.forward(xb).h.select(0, 0), ...quiet });
    expect(h.history.loss).toHaveLength(1);
  });

  it('logs one plain line per epoch with verbose 1', async () => {
    const model = new SeqRegressor(2);
    const lines: string[] = [];
    await fit(model, { x, y, lossFn: F.mseLoss, optimizer: new optim.SGD(model.parameters(), { lr: 0.01 }), epochs: 2, metrics: ['mae'], log: (l) => lines.push(l) });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^epoch 1\/2 - \d+\.\d\ds - loss: \d+\.\d{4} - mae: \d+\.\d{4}$/);
    expect(lines[1]).toMatch(/^epoch 2\/2 /);
  });
});

describe('predict and evaluate', () => {
  const { x, y } = sumTask(10, 5, 8);
  const model = new SeqRegressor(6, { layers: 2, dropout: 0.5 });

  it('predict concatenates eval-mode, no-grad batches and restores the mode', () => {
    model.train();
    const out = predict(model, x, { batchSize: 4 });
    expect(model.training).toBe(true);
    expect(out.shape).toEqual([10, 1]);
    expect(out.requiresGrad).toBe(false);
    model.eval();
    const manual = noGrad(() => [0, 4, 8].flatMap((s) => Array.from(model.forward(x.narrow(0, s, Math.min(4, 10 - s))).data)));
    model.train();
    expect(Array.from(out.data)).toEqual(manual);
  });

  it('predict checks that the output keeps the batch first', () => {
    const seqFirst = new nn.Linear({ inFeatures: 1, outFeatures: 1, seed: 1 });
    expect(() => predict(seqFirst, x, { forward: (m, xb) => m.forward(xb).transpose(0, 1) })).toThrow(/predict: the model's output for a batch of 10 samples has shape \[5,10,1\]/);
  });

  it('evaluate weights each batch mean by its size, as Keras', () => {
    const result = evaluate(model, x, y, { lossFn: F.mseLoss, metrics: ['mae'], batchSize: 4 });
    model.eval();
    const parts = noGrad(() =>
      [0, 4, 8].map((s) => {
        const n = Math.min(4, 10 - s);
        const p = model.forward(x.narrow(0, s, n));
        const t = y.narrow(0, s, n);
        return { n, loss: F.mseLoss(p, t).item(), mae: p.sub(t).abs().mean().item() };
      }),
    );
    model.train();
    expect(result.loss).toBe(parts.reduce((a, p) => a + p.loss * p.n, 0) / 10);
    expect(result.mae).toBeCloseTo(parts.reduce((a, p) => a + p.mae * p.n, 0) / 10, 6);
    expect(Object.keys(result)).toEqual(['loss', 'mae']);
  });

  it('evaluate and predict reject bad arguments by name', () => {
    expect(() => evaluate(model, x, y.narrow(0, 0, 9), { lossFn: F.mseLoss })).toThrow(/^evaluate: x and y must have the same number of samples \(first dim\), got x \[10,5,1\] and y \[9,1\]/);
    expect(() => evaluate(model, x, y, { lossFn: F.mseLoss, metrics: ['f1' as 'mae'] })).toThrow(/^evaluate: unknown metric "f1" \(known: mae, mse, accuracy, binaryAccuracy\)/);
    expect(() => predict(model, x, { batchSize: 0 })).toThrow(/^predict: batchSize must be an integer >= 1, got 0/);
  });
});

describe('fit: divergence', () => {
  const { x, y } = sumTask(12, 3, 2);

  it('a NaN loss stops with a plain-words RecurrentError naming epoch and step, before that update', async () => {
    const model = new SeqRegressor(3);
    const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
    let calls = 0;
    let before: Uint8Array[] = [];
    const lossFn = (p: Tensor, t: Tensor) => {
      calls++;
      if (calls === 6) {
        before = paramBytes(model);
        return F.mseLoss(p, t).mul(NaN);
      }
      return F.mseLoss(p, t);
    };
    // 12 samples in batches of 4: 3 steps per epoch; the 6th call is epoch 2, batch 3.
    const e = await rejectsWith(fit(model, { x, y, lossFn, optimizer, epochs: 4, batchSize: 4, ...quiet }), 'fit', /training diverged in epoch 2\/4, batch 3\/3 \(step 6\): the loss is NaN\. That update was not applied\. Try a smaller learning rate \(lr is 0\.01\)/, 'numeric');
    expect(e.message).not.toMatch(/loss: NaN/);
    expect(paramBytes(model)).toEqual(before);
    expect(model.training).toBe(true);
  });

  it('a huge learning rate is caught at the first non-finite loss', async () => {
    const w = new nn.Linear({ inFeatures: 3, outFeatures: 1, seed: 1 });
    const xs = tensor([[1e3, -2e3, 3e3], [2e3, 1e3, -1e3]]);
    const ys = tensor([[1], [2]]);
    const optimizer = new optim.SGD(w.parameters(), { lr: 1e6 });
    const e = await rejectsWith(fit(w, { x: xs, y: ys, lossFn: F.mseLoss, optimizer, epochs: 50, ...quiet }), 'fit', /training diverged in epoch \d+\/50, batch 1\/1 \(step \d+\): the loss is (Infinity|NaN)/, 'numeric');
    expect(e.message).toMatch(/lr is 1000000|parameters already hold NaN or Infinity/);
  });

  it("an update the optimizer skips (skipNonFinite) is a divergence too, with the optimizer's reason", async () => {
    const model = new SeqRegressor(3);
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, skipNonFinite: true });
    // sqrt at 0 has an infinite slope: a finite loss (0) with non-finite gradients.
    const lossFn = (p: Tensor, t: Tensor) => p.sub(p.detach()).abs().sqrt().sum().add(F.mseLoss(p, t).detach());
    await rejectsWith(fit(model, { x, y, lossFn, optimizer, ...quiet }), 'fit', /batch 1\/1 \(step 1\): the optimizer skipped the update: paramGroups\[0\]\.params\[\d+\] \(shape \[[\d,]+\]\) has gradient (NaN|-?Infinity)/, 'numeric');
    await rejectsWith(fit(model, { x, y, lossFn, optimizer, clipGradNorm: 1, ...quiet }), 'fit', /the gradients' total norm is (NaN|Infinity)/, 'numeric');
  });

  it("onDivergence 'stop' returns the finished epochs; 'continue' skips the bad update; a callback can decide", async () => {
    const nanAt = (bad: Set<number>) => {
      let calls = 0;
      return (p: Tensor, t: Tensor) => (bad.has(++calls) ? F.mseLoss(p, t).mul(NaN) : F.mseLoss(p, t));
    };
    const run = async (options: Partial<FitOptions>) => {
      const model = new SeqRegressor(3);
      const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
      const h = await fit(model, { x, y, lossFn: nanAt(new Set([5])), optimizer, epochs: 3, batchSize: 4, ...quiet, ...options } as FitOptions);
      return { h, bytes: paramBytes(model) };
    };
    const stopped = await run({ onDivergence: 'stop' });
    expect(stopped.h.epochs).toEqual([0]);
    expect(stopped.h.divergence).toMatchObject({ epoch: 1, batch: 1, step: 4, reason: 'the loss is NaN' });
    const continued = await run({ onDivergence: 'continue' });
    expect(continued.h.epochs).toEqual([0, 1, 2]);
    expect(continued.h.history.loss.every(Number.isFinite)).toBe(true);
    expect(continued.h.divergence).toBeNull();
    const byCallback = await run({ callbacks: [{ onDivergence: () => 'continue' }] });
    expect(byCallback.bytes).toEqual(continued.bytes);
    const lines: string[] = [];
    await run({ onDivergence: 'stop', verbose: 1, log: (l: string) => lines.push(l) });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^training diverged in epoch 2\/3, batch 2\/3 \(step 5\): the loss is NaN/);
  });
});

describe('fit: bad options are rejected by name before anything changes', () => {
  const { x, y } = sumTask(10, 3, 1);
  const model = new SeqRegressor(5);
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
  const base = { x, y, lossFn: F.mseLoss, optimizer, ...quiet };
  const cases: [string, Record<string, unknown>, RegExp, string?][] = [
    ['epochs 0', { epochs: 0 }, /^fit: epochs must be an integer >= 1, got 0$/],
    ['fractional batchSize', { batchSize: 2.5 }, /^fit: batchSize must be an integer >= 1, got 2\.5$/],
    ['unknown metric', { metrics: ['f1'] }, /^fit: unknown metric "f1" \(known: mae, mse, accuracy, binaryAccuracy\)$/],
    ['validationSplit 1.5', { validationSplit: 1.5 }, /^fit: validationSplit must be a number in \[0, 1\), got 1\.5$/],
    ['x and y of different lengths', { y: y.narrow(0, 0, 7) }, /^fit: x and y must have the same number of samples \(first dim\), got x \[10,3,1\] and y \[7,1\]$/, 'shape'],
    ['a split leaving no training sample', { validationSplit: 0.95 }, /^fit: validationSplit 0\.95 of 10 samples leaves 0 for training and 10 for validation; both need at least one$/],
    ['both split and validationData', { validationSplit: 0.5, validationData: [x, y] }, /^fit: give either validationSplit or validationData/],
    ['a misspelt option', { batch_size: 4 }, /^fit: unknown option 'batch_size' \(did you mean 'batchSize'\? expected one of x, y, data, /],
    ['no data', { x: undefined, y: undefined }, /^fit: needs training data: x and y/],
    ['another model\'s optimizer', { optimizer: new optim.SGD(new SeqRegressor(1).parameters(), { lr: 1 }) }, /^fit: the optimizer holds none of the model's parameters/],
    ['a clip of 0', { clipGradNorm: 0 }, /^fit: clipGradNorm must be a finite number > 0, got 0$/],
    ['initialEpoch past epochs', { epochs: 2, initialEpoch: 2 }, /^fit: initialEpoch must be below epochs \(2\), got 2$/],
    ['seed and generator', { seed: 1, generator: new Generator(1) }, /^fit: give either seed or generator/],
    ['verbose 2', { verbose: 2 }, /^fit: verbose must be 0 or 1, got 2$/],
    ['a bad onDivergence', { onDivergence: 'ignore' }, /^fit: onDivergence must be 'throw', 'stop' or 'continue', got ignore$/],
    ['a non-scalar loss', { lossFn: (p: Tensor, t: Tensor) => p.sub(t) }, /^fit: lossFn must return a scalar Tensor, got shape \[10,1\]$/, 'shape'],
  ];
  for (const [what, options, pattern, code] of cases) {
    it(what, async () => {
      const before = paramBytes(model);
      model.eval();
      await rejectsWith(fit(model, { ...base, ...options } as FitOptions<SeqRegressor>), 'fit', pattern, code);
      expect(paramBytes(model)).toEqual(before);
      expect(model.training).toBe(false);
    });
  }
});

describe('fit: learning', () => {
  it('a small LSTM learns to sum a sequence: the loss falls at least 20-fold', async () => {
    const train = sumTask(256, 8, 21);
    const test = sumTask(64, 8, 22);
    const model = new SeqRegressor(9, { hidden: 16 });
    const optimizer = new optim.Adam(model.parameters(), { lr: 2e-2 });
    const h = await fit(model, { x: train.x, y: train.y, validationData: [test.x, test.y], lossFn: F.mseLoss, optimizer, epochs: 30, batchSize: 32, clipGradNorm: 5, metrics: ['mae'], seed: 1, ...quiet });
    const first = h.history.valLoss[0];
    const last = h.history.valLoss[h.history.valLoss.length - 1];
    expect(first).toBeGreaterThan(1);
    expect(last).toBeLessThan(first / 20);
    expect(evaluate(model, test.x, test.y, { lossFn: F.mseLoss }).loss).toBe(last);
  });
});
