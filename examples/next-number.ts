/**
 * next-number: many-to-one regression. An LSTM reads three consecutive numbers and predicts the
 * next one, [47, 48, 49] -> 50. It trains only on numbers below 50 and is scored on 50..99,
 * numbers it has never seen, so a small error there means it learned the rule "add one" rather
 * than a table of answers.
 *
 * It shows: scaling the inputs, `summary()`, `fit` with metrics ['mae'] and validation data, a
 * learning-rate schedule as a callback, and the History's curves drawn with `lineChart`.
 *
 *   node scripts/run.mjs examples/next-number.ts           the full run (about 4 s on a 2-core machine)
 *   node scripts/run.mjs examples/next-number.ts --quick   a shorter run (the tests use it)
 *
 * Writes examples/output/next-number-loss.svg and examples/output/next-number-mae.svg.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultOutDir } from './output-dir.js';
import { F, fit, lrSchedulerCallback, nn, optim, predict, summary, tensor, type Tensor } from '../src/index.js';
import { lineChart } from '../src/plot/index.js';

/**
 * Numbers are divided by this before the network sees them (and its output multiplied back).
 * Small inputs keep the LSTM's tanh and sigmoid units in their nearly linear middle, so the
 * rule it learns keeps working a little beyond the numbers it was trained on.
 */
const SCALE = 1000;
const HIDDEN = 32;

/** Every sequence [n, n+1, n+2] -> n+3 with n from `first` to `last`, scaled: x (N, 3, 1), y (N, 1). */
function sequences(first: number, last: number): { x: Tensor; y: Tensor } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let n = first; n <= last; n++) {
    xs.push(n / SCALE, (n + 1) / SCALE, (n + 2) / SCALE);
    ys.push((n + 3) / SCALE);
  }
  return { x: tensor(xs, [ys.length, 3, 1]), y: tensor(ys, [ys.length, 1]) };
}

/** LSTM over the sequence, then a Linear layer on its final hidden state: one number out. */
export class NextNumber extends nn.Module {
  lstm = new nn.LSTM({ inputSize: 1, hiddenSize: HIDDEN, batchFirst: true, seed: 1 });
  head = new nn.Linear({ inFeatures: HIDDEN, outFeatures: 1, seed: 2 });

  /** x (batch, 3, 1) -> the next number, scaled (batch, 1). */
  forward(x: Tensor): Tensor {
    const { h } = this.lstm.forward(x); // h: (layers, batch, hidden)
    return this.head.forward(h.select(0, 0));
  }
}

/** Options of {@link main}. */
export interface Options {
  /** A much shorter run, for the tests. */
  quick: boolean;
  /** Where the printed lines go (default console.log). */
  log?: (line: string) => void;
  /** Where the SVG charts go (default examples/output). */
  outDir?: string;
}

/** What {@link main} measured. */
export interface Result {
  /** Mean squared error (scaled units) in the first epoch and in the last. */
  firstLoss: number;
  lastLoss: number;
  /** Mean absolute error on the unseen numbers 50..99, in numbers (not scaled). */
  unseenMae: number;
  /** What the model says follows [47, 48, 49]. */
  after47: number;
}

/** Trains the model on numbers below 50, scores it on 50..99 and draws the training curves. */
export async function main({ quick, log = console.log, outDir = defaultOutDir(quick) }: Options): Promise<Result> {
  const train = sequences(0, 46); // [0, 1, 2] -> 3 ... [46, 47, 48] -> 49
  const unseen = sequences(50, 96); // [50, 51, 52] -> 53 ... [96, 97, 98] -> 99

  const model = new NextNumber();
  log(summary(model, { inputShape: [1, 3, 1] }).text);

  const epochs = quick ? 150 : 600;
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const history = await fit(model, {
    x: train.x,
    y: train.y,
    validationData: [unseen.x, unseen.y], // watched every epoch, never trained on
    lossFn: F.mseLoss,
    optimizer,
    metrics: ['mae'],
    epochs,
    batchSize: 8,
    seed: 1,
    // The learning rate falls from 1e-2 to 0 along half a cosine, so training settles at the end.
    callbacks: [lrSchedulerCallback(new optim.CosineAnnealingLR(optimizer, { tMax: epochs }))],
    verbose: 0,
  });

  const { loss, mae, valMae } = history.history;
  const guesses = predict(model, unseen.x); // evaluation mode, no gradients
  const errors = Array.from(guesses.data, (g, i) => Math.abs(g - unseen.y.data[i]) * SCALE);
  const unseenMae = errors.reduce((a, b) => a + b, 0) / errors.length;
  const after47 = predict(model, tensor([47, 48, 49].map((n) => n / SCALE), [1, 3, 1])).item() * SCALE;
  log(`loss (MSE, scaled) ${loss[0].toExponential(2)} in epoch 1 -> ${loss[loss.length - 1].toExponential(2)} in epoch ${epochs}`);
  log(`mean absolute error on the numbers it trained on: ${(mae[mae.length - 1] * SCALE).toFixed(3)}`);
  log(`mean absolute error on the unseen numbers 50..99:  ${unseenMae.toFixed(3)}`);
  log(`  off by ${errors[0].toFixed(2)} after [50, 51, 52], by ${errors[errors.length - 1].toFixed(2)} after [96, 97, 98]: the farther from the training range, the larger the drift`);
  log(`[47, 48, 49] -> ${after47.toFixed(2)}`);

  const epochNumbers = history.epochs.map((e) => e + 1);
  mkdirSync(outDir, { recursive: true });
  const files = {
    'next-number-loss.svg': lineChart({
      title: 'Training loss (MSE of scaled numbers)',
      xLabel: 'epoch',
      yLabel: 'MSE',
      logY: true,
      series: [
        { name: 'numbers 0..49 (trained)', x: epochNumbers, y: loss },
        { name: 'numbers 50..99 (unseen)', x: epochNumbers, y: history.history.valLoss, dashed: true },
      ],
    }),
    'next-number-mae.svg': lineChart({
      title: 'Mean absolute error, in numbers',
      xLabel: 'epoch',
      yLabel: 'MAE',
      logY: true,
      series: [
        { name: 'numbers 0..49 (trained)', x: epochNumbers, y: mae.map((v) => v * SCALE) },
        { name: 'numbers 50..99 (unseen)', x: epochNumbers, y: valMae.map((v) => v * SCALE), dashed: true },
      ],
    }),
  };
  for (const [name, svg] of Object.entries(files)) writeFileSync(join(outDir, name), svg);
  log(`charts: ${Object.keys(files).map((name) => join(outDir, name)).join(', ')}`);
  return { firstLoss: loss[0], lastLoss: loss[loss.length - 1], unseenMae, after47 };
}

// Run main only when this file is the program, not when a test imports it. scripts/run.mjs
// runs a bundle named after this file (.cache/run/next-number.mjs), so compare the names.
if (basename(process.argv[1] ?? '').replace(/\.m?[jt]s$/, '') === basename(fileURLToPath(import.meta.url), '.ts')) {
  await main({ quick: process.argv.includes('--quick') });
}
