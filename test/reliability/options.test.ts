/**
 * One option check everywhere, from the user's side: every creation function refuses an
 * option it does not take (a `{ seed: 1 }` that would be silently ignored leaves a run the
 * user thinks seeded unseeded) before drawing anything; every options object takes each value
 * of exactly its type (`{ strict: 0 }` is not false); CLI flags are exact and unknown ones get
 * a suggestion (the CLI run as a process).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as R from '../../src/index.js';
import { F, nn, optim } from '../../src/index.js';
import { plot } from '../../src/node/index.js';
import * as onnx from '../../src/onnx/index.js';
import { expectRecurrentError } from '../helpers.js';

const BIN = fileURLToPath(new URL('../../bin/recurrent.mjs', import.meta.url));

describe('creation functions refuse options they do not take, before drawing', () => {
  const calls: [string, (o: object) => unknown][] = [
    ['tensor', (o) => R.tensor([1, 2], o)],
    ['tensor', (o) => R.tensor([1, 2], [2], o)],
    ['zeros', (o) => R.zeros([2], o)],
    ['zeros', (o) => R.zeros(2, 3, o)],
    ['ones', (o) => R.ones([2], o)],
    ['full', (o) => R.full([2], 3, o)],
    ['zerosLike', (o) => R.zerosLike(R.zeros([2]), o)],
    ['onesLike', (o) => R.onesLike(R.zeros([2]), o)],
    ['arange', (o) => R.arange(0, 3, 1, o)],
    ['eye', (o) => R.eye(2, 2, o)],
    ['rand', (o) => R.rand([2], o)],
    ['randn', (o) => R.randn([2], o)],
    ['randn', (o) => R.randn(2, 2, o)],
    ['randint', (o) => R.randint(0, 5, [2], o)],
    ['init.uniform', (o) => nn.init.uniform(R.zeros([2, 2]), 0, 1, o)],
    ['init.normal', (o) => nn.init.normal(R.zeros([2, 2]), 0, 1, o)],
    ['init.xavierUniform', (o) => nn.init.xavierUniform(R.zeros([2, 2]), 1, o)],
    ['init.kaimingNormal', (o) => nn.init.kaimingNormal(R.zeros([2, 2]), o)],
    ['init.orthogonal', (o) => nn.init.orthogonal(R.zeros([2, 2]), 1, o)],
  ];

  it.each(calls.map(([name, call], i) => [`${name} #${i}`, call] as const))('%s', (_, call) => {
    const before = R.defaultGenerator.getState();
    expectRecurrentError(() => call({ seed: 1 }), "unknown option 'seed'");
    expectRecurrentError(() => call({ requires_grad: true }), "unknown option 'requires_grad'");
    expect(R.defaultGenerator.getState()).toEqual(before);
  });

  it('a misspelling gets the suggestion, a wrong type is refused', () => {
    expectRecurrentError(() => R.randn([2], { requires_grad: true } as never), "did you mean 'requiresGrad'?");
    expectRecurrentError(() => R.randn([2], { generater: new R.Generator(1) } as never), "did you mean 'generator'?");
    expectRecurrentError(() => R.zeros([2], { requiresGrad: 1 } as never), 'options.requiresGrad must be a boolean, got 1');
    expectRecurrentError(() => R.rand([2], { generator: { random: () => 0.5 } } as never), 'options.generator must be a Generator');
    expectRecurrentError(() => nn.init.kaimingUniform(R.zeros([2, 2]), { mode: 'fan_in' } as never), "options.mode must be 'fanIn' or 'fanOut'");
    expectRecurrentError(() => nn.init.kaimingUniform(R.zeros([2, 2]), { nonlinearity: 'relu' } as never), "unknown option 'nonlinearity'");
    // The right options still work.
    expect(R.randn([2], { generator: new R.Generator(1), requiresGrad: true }).requiresGrad).toBe(true);
    expect(R.zeros(2, 3, { requiresGrad: false }).shape).toEqual([2, 3]);
  });
});

describe('every options object takes each value of exactly its type', () => {
  const x = R.randn([3, 2, 4], { generator: new R.Generator(1) });
  const base = { inputSize: 4, hiddenSize: 3 };
  const model = () => new nn.Linear({ inFeatures: 2, outFeatures: 1, seed: 1 });

  it('loadStateDict({ strict: 0 }) is refused and changes nothing', () => {
    const m = model();
    const before = m.parameters().map((p) => Array.from(p.data));
    expectRecurrentError(() => m.loadStateDict({ weight: R.zeros([1, 2]) }, { strict: 0 } as never), 'options.strict must be a boolean, got 0');
    expectRecurrentError(() => m.loadStateDict({ weight: R.zeros([1, 2]) }, { strict: 'false' } as never), 'options.strict must be a boolean');
    expect(m.parameters().map((p) => Array.from(p.data))).toEqual(before);
    expect(m.loadStateDict({ weight: R.zeros([1, 2]) }, { strict: false }).missingKeys).toEqual(['bias']);
  });

  it('layers, forward calls, losses, backward and clipping', () => {
    expectRecurrentError(() => new nn.LSTM({ ...base, batchFirst: 1 } as never), 'options.batchFirst must be a boolean, got 1');
    expectRecurrentError(() => new nn.GRU({ ...base, seed: '1' } as never), 'options.seed must be an integer');
    expectRecurrentError(() => new nn.Linear({ inFeatures: 2, outFeatures: 2, bias: 'no' } as never), 'options.bias must be a boolean');
    expectRecurrentError(() => new nn.Embedding({ numEmbeddings: 3, embeddingDim: 2, paddingIdx: '0' } as never), 'options.paddingIdx must be a number, got "0"');
    expectRecurrentError(() => new nn.Dropout({ p: '0.5' } as never), 'options.p must be a number');
    expectRecurrentError(() => new nn.LSTM(base).forward(x, { h0: [[0]] } as never), 'options.h0 must be a Tensor');
    expectRecurrentError(() => F.crossEntropy(R.randn([2, 3]), [0, 1], { ignoreIndex: '1' } as never), 'options.ignoreIndex must be an integer');
    expectRecurrentError(() => F.mseLoss(x, x, { reduction: 0 } as never), 'options.reduction must be a string');
    const p = R.ones([2], { requiresGrad: true });
    expectRecurrentError(() => R.sum(p).backward(undefined, { retainGraph: 1 } as never), 'options.retainGraph must be a boolean');
    R.sum(p).backward();
    expectRecurrentError(() => optim.clipGradNorm([p], 1, 2, { errorIfNonfinite: 'yes' } as never), 'options.errorIfNonfinite must be a boolean');
  });

  it('optimizers and schedulers', () => {
    const params = () => [R.ones([1], { requiresGrad: true })];
    expectRecurrentError(() => new optim.Adam(params(), { lr: '0.1' } as never), 'lr must be a finite number >= 0');
    expectRecurrentError(() => new optim.Adam(params(), { amsgrad: 1 } as never), 'amsgrad must be a boolean');
    expectRecurrentError(() => new optim.SGD(params(), { lr: 0.1, nesterov: 'true' } as never), 'nesterov must be a boolean');
    expectRecurrentError(() => new optim.SGD(params(), { lr: 0.1, skipNonFinite: 0 } as never), 'skipNonFinite must be a boolean');
    const opt = new optim.SGD(params(), { lr: 0.1 });
    expectRecurrentError(() => new optim.StepLR(opt, { stepSize: '2' } as never), 'stepSize must be an integer');
    expectRecurrentError(() => new optim.StepLR(opt, { step_size: 2 } as never), "did you mean 'stepSize'?");
  });

  it('fit, evaluate, predict, summary, callbacks and charts', async () => {
    const m = model();
    const xs = R.randn([4, 2], { generator: new R.Generator(2) });
    const ys = R.randn([4, 1], { generator: new R.Generator(3) });
    const optimizer = new optim.SGD(m.parameters(), { lr: 0.1 });
    const before = m.parameters().map((p) => Array.from(p.data));
    await expect(R.fit(m, { x: xs, y: ys, lossFn: F.mseLoss, optimizer, shuffle: 1 } as never)).rejects.toThrow('options.shuffle must be a boolean, got 1');
    await expect(R.fit(m, { x: xs, y: ys, lossFn: F.mseLoss, optimizer, epoch: 2 } as never)).rejects.toThrow("did you mean 'epochs'?");
    expect(m.parameters().map((p) => Array.from(p.data))).toEqual(before);
    expectRecurrentError(() => R.evaluate(m, xs, ys, { lossFn: F.mseLoss, batchSize: '2' } as never), 'options.batchSize must be a number, got "2"');
    expectRecurrentError(() => R.predict(m, xs, { batchSize: 2.5 } as never), 'batchSize must be an integer >= 1');
    expectRecurrentError(() => R.summary(m, { depth: '2' } as never), 'options.depth must be a number');
    expectRecurrentError(() => R.summary(m, { inputShape: [1, 2n] } as never), 'inputShape must be a non-empty array of integers');
    expectRecurrentError(() => R.earlyStopping({ restoreBestWeights: 1 } as never), 'options.restoreBestWeights must be a boolean');
    expectRecurrentError(() => R.progressLogger({ every: '1' } as never), 'options.every must be a number');
    expectRecurrentError(() => plot.lineChart({ series: [], logY: 1 } as never), 'options.logY must be a boolean');
    expectRecurrentError(() => plot.heatmap({ values: [[1]], title: 5 } as never), 'options.title must be a string');
    expectRecurrentError(() => plot.lineChart({ series: [], xlabel: 'x' } as never), "did you mean 'xLabel'?");
  });

  it('exportOnnx', () => {
    const m = model();
    const x = R.randn([1, 2], { generator: new R.Generator(4) });
    expectRecurrentError(() => onnx.exportOnnx(m, x, { input_names: ['x'] } as never), "did you mean 'inputNames'?");
    expectRecurrentError(() => onnx.exportOnnx(m, x, { outputName: 5 } as never), 'options.outputName must be a string, got 5');
    expect(onnx.exportOnnx(m, x, { inputNames: ['x'], outputName: 'y' })).toBeInstanceOf(Uint8Array);
  });

  it('checkpoints', () => {
    const m = model();
    expectRecurrentError(() => R.encodeCheckpoint({ model: m, step: '3' } as never), 'parts.step must be an integer');
    expectRecurrentError(() => R.encodeCheckpoint({ model: m, optimiser: new optim.SGD(m.parameters(), { lr: 1 }) } as never), "did you mean 'optimizer'?");
    const bytes = R.encodeCheckpoint({ model: m });
    expectRecurrentError(() => R.restoreCheckpoint(bytes, { model: m, generator: new R.Generator(1) } as never), "did you mean 'generators'?");
    expectRecurrentError(() => R.restoreCheckpoint(bytes, { model: m, generators: { data: {} } } as never), 'targets.generators.data must be a Generator');
  });
});

describe('CLI flags, run as a process', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, RECURRENT_DEBUG: '' } });

  it("a number written with spaces is refused ('--temperature \" 1 \"')", () => {
    for (const value of [' 1 ', '1 ', '\t1', '\n1']) {
      const r = cli(['sample', '--checkpoint', 'nowhere', '--temperature', value]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--temperature must be a number`);
      expect(r.stderr).toContain(JSON.stringify(value));
    }
  });

  it('an unknown flag or command gets a suggestion', () => {
    const flag = cli(['sample', '--checkpoint', 'nowhere', '--temprature', '1']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain('unknown flag --temprature (did you mean --temperature?');
    const command = cli(['smaple']);
    expect(command.status).toBe(2);
    expect(command.stderr).toContain('unknown command "smaple" (did you mean sample?');
  });
});
