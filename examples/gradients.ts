/**
 * Vanishing and exploding gradients, made visible (docs/03-vanishing-and-exploding-gradients.md
 * explains why they happen). One task runs through the example: read a sequence of T symbols
 * (one of K = 4, one-hot) and name the first one at the end. Every later symbol is a
 * distractor from the same alphabet, so the first must be kept for T - 1 steps.
 *
 *   (a) How much of the loss's gradient reaches each input, against its distance from the
 *       loss. At PyTorch's default initialisation it vanishes for the RNN, the LSTM and the
 *       GRU alike; with the LSTM's forget gate (the GRU's update gate) opened by a bias of +3
 *       it reaches back across the whole sequence.
 *   (b) All five models trained alike (Adam, the same batches): the RNN and the default-init
 *       LSTM and GRU stay at chance (1/4) within this budget; the LSTM and the GRU with open
 *       gates learn the task. After training, the trained models' gradients are drawn again.
 *   (c) A ReLU RNN whose recurrent weights are 4 times too large: without clipping, the
 *       gradient explodes, the loss jumps to about 1e14 and then to NaN, and fit stops with its
 *       divergence report; with optim.clipGradNorm the same run trains.
 *
 *   node scripts/run.mjs examples/gradients.ts           T = 50 (about 75 s on a 2-core machine)
 *   node scripts/run.mjs examples/gradients.ts --quick   T = 30, smaller and shorter (the tests use it)
 *
 * Writes examples/output/gradients-at-init.svg, gradients-trained.svg and gradients-clipping.svg.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultOutDir } from './output-dir.js';
import { F, Generator, Tensor, fit, nn, optim } from '../src/index.js';
import { lineChart, type Series } from '../src/plot/index.js';

const K = 4; // symbols

/** `n` sequences of T random symbols, one-hot (n, T, K), and the class of each: its first symbol. */
function firstSymbolTask(n: number, T: number, generator: Generator): [Tensor, Tensor] {
  const x = new Float32Array(n * T * K);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) {
      const symbol = generator.randint(0, K);
      if (t === 0) y[i] = symbol;
      x[(i * T + t) * K + symbol] = 1;
    }
  }
  return [new Tensor(x, [n, T, K]), new Tensor(y, [n])];
}

type Kind = 'RNN' | 'LSTM' | 'GRU';

/** A recurrent layer and a linear head on its last hidden state: (B, T, K) -> class scores (B, K). */
export class Classifier extends nn.Module {
  readonly rnn: nn.RNN | nn.LSTM | nn.GRU;
  readonly head: nn.Linear;
  /** openGate: start the LSTM's forget gate or the GRU's update gate open; relu: an RNN with relu instead of tanh. */
  constructor(kind: Kind, hiddenSize: number, seed: number, options: { openGate?: boolean; relu?: boolean } = {}) {
    super();
    const config = { inputSize: K, hiddenSize, batchFirst: true, seed };
    this.rnn = kind === 'LSTM' ? new nn.LSTM(config) : kind === 'GRU' ? new nn.GRU(config) : new nn.RNN({ ...config, nonlinearity: options.relu ? 'relu' : 'tanh' });
    this.head = new nn.Linear({ inFeatures: hiddenSize, outFeatures: K, seed: seed + 1 });
    // The LSTM's forget gate and the GRU's update gate are rows H..2H of the biases; +3 makes them s(3) = 0.95 open.
    if (options.openGate) Object.fromEntries(this.rnn.namedParameters()).bias_hh_l0.data.fill(3, hiddenSize, 2 * hiddenSize);
  }

  /** Class scores from the hidden state after the last step. */
  forward(x: Tensor): Tensor {
    return this.head.forward(this.rnn.forward(x).h.select(0, 0));
  }
}

/**
 * |dLoss/dx_t| for every step t (over the whole batch), relative to its value at the last step,
 * listed by distance from the loss: index 0 is the last step (1 by definition), T - 1 the first.
 */
function gradientByDistance(model: Classifier, x: Tensor, y: Tensor): number[] {
  const input = x.detach().requiresGrad_();
  F.crossEntropy(model.forward(input), y).backward();
  model.zeroGrad();
  const T = x.shape[1];
  const squares = new Float64Array(T);
  input.grad!.data.forEach((g, i) => (squares[Math.floor(i / K) % T] += g * g));
  return Array.from({ length: T }, (_, d) => Math.sqrt(squares[T - 1 - d] / squares[T - 1]));
}

/** Writes a log-scale chart of gradient norms by distance. */
function gradientChart(path: string, title: string, series: Series[]): void {
  writeFileSync(path, lineChart({ title, xLabel: 'steps between the input and the loss', yLabel: '|dLoss/dx_t| relative to the last step', logY: true, series }));
}

const COLORS: Record<Kind, string> = { RNN: '#d62728', LSTM: '#1f77b4', GRU: '#2ca02c' };

/**
 * Runs the three experiments and writes the charts into `outDir`; returns the numbers the
 * test checks: (a) the gradient at the first step relative to the last, per model, at
 * initialisation; (b) the validation accuracy per model; (c) the runs without and with clipping.
 */
export async function main(options: { quick: boolean; log?: (s: string) => void; outDir?: string }) {
  const log = options.log ?? console.log;
  const outDir = options.outDir ?? defaultOutDir(options.quick);
  mkdirSync(outDir, { recursive: true });
  const T = options.quick ? 30 : 50;
  const hidden = options.quick ? 16 : 32;
  const epochs = options.quick ? 4 : 5;
  const data = new Generator(1);
  const [xTrain, yTrain] = firstSymbolTask(options.quick ? 3200 : 4800, T, data);
  const [xVal, yVal] = firstSymbolTask(512, T, data);
  const [xProbe, yProbe] = [xVal.narrow(0, 0, 64), yVal.narrow(0, 0, 64)]; // where gradients are measured
  log(`Task: name the first of ${T} symbols (${K} kinds); chance is ${1 / K}.`);

  // (a) The gradient that reaches each step, before any training: default init, and gates opened.
  const setups: [Kind, boolean][] = [['RNN', false], ['LSTM', false], ['GRU', false], ['LSTM', true], ['GRU', true]];
  const models = setups.map(([kind, open]) => {
    const model = new Classifier(kind, hidden, 10, { openGate: open });
    const name = open ? `${kind}, ${kind === 'LSTM' ? 'forget' : 'update'} gate bias +3` : `${kind}, default init`;
    return { name, kind, open, model, atInit: gradientByDistance(model, xProbe, yProbe) };
  });
  const firstStep: Record<string, number> = {};
  for (const { name, atInit } of models) {
    firstStep[name] = atInit[T - 1];
    log(`(a) ${name}: the gradient at the first step is ${firstStep[name].toExponential(1)} of that at the last`);
  }
  const style = ({ kind, open }: { kind: Kind; open: boolean }) => ({ color: COLORS[kind], dashed: !open });
  gradientChart(join(outDir, 'gradients-at-init.svg'), `Gradient reaching each of ${T} steps, at initialisation`, models.map((m) => ({ name: m.name, y: m.atInit, ...style(m) })));

  // (b) Train every model alike: Adam, gradients clipped at 1, the same batches.
  const accuracy: Record<string, number> = {};
  for (const { name, model } of models) {
    const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
    const history = await fit(model, {
      x: xTrain, y: yTrain, lossFn: F.crossEntropy, optimizer, epochs, batchSize: 32, clipGradNorm: 1,
      validationData: [xVal, yVal], metrics: ['accuracy'], seed: 2, verbose: 0,
    });
    const byEpoch = history.history.valAccuracy;
    accuracy[name] = byEpoch[byEpoch.length - 1];
    log(`(b) ${name}: validation accuracy by epoch ${byEpoch.map((a) => a.toFixed(2)).join(' ')}`);
  }
  gradientChart(
    join(outDir, 'gradients-trained.svg'),
    `Gradient reaching each of ${T} steps, after training`,
    models.map((m) => ({ name: `${m.name}: accuracy ${accuracy[m.name].toFixed(2)}`, y: gradientByDistance(m.model, xProbe, yProbe), ...style(m) })),
  );

  // (c) A ReLU RNN whose recurrent weights are 4 times too large, trained by SGD on 15-step
  // sequences (a distance it can bridge), without and with clipping.
  const [xShort, yShort] = firstSymbolTask(1600, 15, new Generator(3));
  const run = async (clip: number | undefined) => {
    const model = new Classifier('RNN', 16, 24, { relu: true });
    Object.fromEntries(model.rnn.namedParameters()).weight_hh_l0.data.forEach((w, i, a) => (a[i] = 4 * w));
    const losses: number[] = [];
    const history = await fit(model, {
      x: xShort, y: yShort, lossFn: F.crossEntropy, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
      epochs: 3, batchSize: 32, clipGradNorm: clip, seed: 3, verbose: 0, onDivergence: 'stop',
      callbacks: [{ onBatchEnd: (_, logs) => void losses.push(logs.loss) }],
    });
    const last = losses.slice(-10);
    return { losses, divergence: history.divergence, maxLoss: Math.max(...losses), end: last.reduce((s, v) => s + v, 0) / last.length };
  };
  const unclipped = await run(undefined);
  const clipped = await run(1);
  log(`(c) without clipping: the loss reached ${unclipped.maxLoss.toExponential(1)}; ${unclipped.divergence?.message ?? 'no divergence reported'}`);
  log(`(c) with clipGradNorm(1): the loss went from ${clipped.losses[0].toExponential(1)} to ${clipped.end.toExponential(1)} (mean of the last 10 steps; chance is ${Math.log(K).toFixed(3)})`);
  writeFileSync(
    join(outDir, 'gradients-clipping.svg'),
    lineChart({
      title: 'ReLU RNN with too-large recurrent weights, SGD (lr 0.1)',
      xLabel: 'step', yLabel: 'training loss', logY: true,
      series: [{ name: 'no clipping (stops where it diverged)', y: unclipped.losses }, { name: 'clipGradNorm(1)', y: clipped.losses }],
    }),
  );
  log(`Charts: ${join(outDir, 'gradients-*.svg')}`);
  return {
    firstStep,
    accuracy,
    unclipped: { diverged: unclipped.divergence !== null, maxLoss: unclipped.maxLoss },
    clipped: { diverged: clipped.divergence !== null, first: clipped.losses[0], end: clipped.end },
  };
}

// Run main only when this file is the program. `node scripts/run.mjs examples/gradients.ts` runs a
// bundle (.cache/run/gradients.mjs, which is then process.argv[1]) while import.meta.url still names
// this file; tsx or node would put this file itself in argv[1]. Comparing the names without folder
// and extension covers both, and is false when a test imports this file (argv[1] is then vitest).
const stem = (path: string) => basename(path).replace(/\.[cm]?[jt]s$/, '');
if (process.argv[1] !== undefined && stem(process.argv[1]) === stem(fileURLToPath(import.meta.url))) {
  await main({ quick: process.argv.includes('--quick') });
}
