/**
 * sine: many-to-many time-series prediction. An LSTM reads a noisy sine wave one value at a
 * time and, at every step, predicts the next value. Each wave has its own amplitude, frequency
 * and phase, so the network has to work them out from what it has read so far.
 *
 * Then it runs free: after reading the first part of a wave it is fed its own predictions as
 * input, and draws the rest of the wave by itself. Errors pile up step after step, so free
 * running is much harder than predicting one step ahead from true values.
 *
 * It shows: a per-step output (a Linear layer on the LSTM's `output` at every step), carrying
 * the state (h, c) from one call to the next, and prediction vs truth drawn with `lineChart`.
 *
 *   node scripts/run.mjs examples/sine.ts           the full run (about 20 s on a 2-core machine)
 *   node scripts/run.mjs examples/sine.ts --quick   a shorter run (the tests use it)
 *
 * Writes examples/output/sine.svg.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultOutDir } from './output-dir.js';
import { F, Generator, cat, fit, lrSchedulerCallback, nn, noGrad, optim, predict, tensor, type Tensor } from '../src/index.js';
import { lineChart } from '../src/plot/index.js';

const STEPS = 60; // values per wave
const NOISE = 0.05; // standard deviation of the noise added to every value
const WARMUP = 30; // values read before free running starts
const FREE_K = 10; // the free-running error is also reported over its first FREE_K steps
const HIDDEN = 32;

/** `count` waves A sin(w t + phase), A in [0.5, 1.5], period 15..40 steps: clean and noisy, (count, STEPS) flat. */
function waves(count: number, seed: number): { clean: Float32Array; noisy: Float32Array } {
  const g = new Generator(seed);
  const clean = new Float32Array(count * STEPS);
  const noisy = new Float32Array(count * STEPS);
  for (let i = 0; i < count; i++) {
    const amplitude = g.uniform(0.5, 1.5);
    const w = (2 * Math.PI) / g.uniform(15, 40);
    const phase = g.uniform(0, 2 * Math.PI);
    for (let t = 0; t < STEPS; t++) {
      clean[i * STEPS + t] = amplitude * Math.sin(w * t + phase);
      noisy[i * STEPS + t] = clean[i * STEPS + t] + NOISE * g.normal();
    }
  }
  return { clean, noisy };
}

/** Steps from..to-1 of every wave in `values` (flat, STEPS per wave) as a (waves, to - from, 1) tensor. */
function steps(values: Float32Array, from: number, to: number): Tensor {
  const count = values.length / STEPS;
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(...values.subarray(i * STEPS + from, i * STEPS + to));
  return tensor(out, [count, to - from, 1]);
}

/** An LSTM with a Linear layer on its output at every step: the next value after each one read. */
export class NextValue extends nn.Module {
  lstm = new nn.LSTM({ inputSize: 1, hiddenSize: HIDDEN, batchFirst: true, seed: 1 });
  head = new nn.Linear({ inFeatures: HIDDEN, outFeatures: 1, seed: 2 });

  /** x (batch, steps, 1) -> the predicted next value after every step (batch, steps, 1). */
  forward(x: Tensor): Tensor {
    return this.head.forward(this.lstm.forward(x).output);
  }

  /** Reads `start` (batch, steps, 1), then feeds each prediction back as the next input: (batch, count) values. */
  generate(start: Tensor, count: number): Tensor {
    return noGrad(() => {
      let { output, h, c } = this.lstm.forward(start);
      const made: Tensor[] = [];
      let next = this.head.forward(output.narrow(1, start.shape[1] - 1, 1)); // (batch, 1, 1)
      for (let k = 0; k < count; k++) {
        made.push(next);
        ({ output, h, c } = this.lstm.forward(next, { h0: h, c0: c })); // one step, the state carried on
        next = this.head.forward(output);
      }
      return cat(made, 1).reshape(start.shape[0], count);
    });
  }
}

/** Options of {@link main}. */
export interface Options {
  /** A much shorter run, for the tests. */
  quick: boolean;
  /** Where the printed lines go (default console.log). */
  log?: (line: string) => void;
  /** Where the SVG chart goes (default examples/output). */
  outDir?: string;
}

/** What {@link main} measured on held-out waves, against the clean (noise-free) values. */
export interface Result {
  /** Variance of the clean values: the MSE of always guessing their mean. */
  signalVariance: number;
  /** Mean squared error of the one-step-ahead predictions (steps 1..STEPS-1). */
  oneStepMse: number;
  /** Root mean squared error of free running over its first FREE_K (10) steps, and over all STEPS - WARMUP (30). */
  freeRmseFirstK: number;
  freeRmseAll: number;
}

/** Trains on noisy waves, then measures one-step and free-running predictions on new waves and draws one. */
export async function main({ quick, log = console.log, outDir = defaultOutDir(quick) }: Options): Promise<Result> {
  const train = waves(quick ? 256 : 1024, 1);
  const test = waves(64, 2);

  const model = new NextValue();
  const epochs = quick ? 10 : 20;
  const optimizer = new optim.Adam(model.parameters(), { lr: 2e-2 });
  const history = await fit(model, {
    x: steps(train.noisy, 0, STEPS - 1), // values 0..58 in,
    y: steps(train.noisy, 1, STEPS), // values 1..59 out: the value after each one read
    lossFn: F.mseLoss,
    optimizer,
    epochs,
    batchSize: 32,
    clipGradNorm: 1,
    seed: 1,
    // The learning rate falls from 2e-2 to 0 along half a cosine, so training settles at the end.
    callbacks: [lrSchedulerCallback(new optim.CosineAnnealingLR(optimizer, { tMax: epochs }))],
    verbose: quick ? 0 : 1,
    log,
  });

  // One step ahead on the held-out waves: read the noisy values, compare with the clean next ones.
  const oneStep = predict(model, steps(test.noisy, 0, STEPS - 1));
  const truth = steps(test.clean, 1, STEPS);
  const mean = truth.data.reduce((a, b) => a + b, 0) / truth.data.length;
  const signalVariance = truth.data.reduce((a, v) => a + (v - mean) ** 2, 0) / truth.data.length;
  const oneStepMse = F.mseLoss(oneStep, truth).item();

  // Free running: read the first WARMUP noisy values, then continue alone to the end of the wave.
  const free = model.generate(steps(test.noisy, 0, WARMUP), STEPS - WARMUP);
  const freeTruth = steps(test.clean, WARMUP, STEPS).reshape(free.shape[0], STEPS - WARMUP);
  const rmse = (k: number) => Math.sqrt(F.mseLoss(free.narrow(1, 0, k), freeTruth.narrow(1, 0, k)).item());
  const freeRmseFirstK = rmse(FREE_K);
  const freeRmseAll = rmse(STEPS - WARMUP);

  log(`final training loss ${history.history.loss.at(-1)!.toFixed(4)} (the noise alone costs ${(NOISE ** 2).toFixed(4)})`);
  log(`held-out waves: variance of the signal ${signalVariance.toFixed(4)}`);
  log(`  one step ahead: MSE ${oneStepMse.toFixed(4)}, ${(signalVariance / oneStepMse).toFixed(0)}x below the variance`);
  log(`  free running:   RMSE ${freeRmseFirstK.toFixed(3)} over the first ${FREE_K} steps, ${freeRmseAll.toFixed(3)} over all ${STEPS - WARMUP}`);

  // The first held-out wave: what the model read, its predictions, and the truth.
  const t = Array.from({ length: STEPS }, (_, i) => i);
  const svg = lineChart({
    title: 'A held-out wave: one step ahead, then free running',
    xLabel: 'step',
    yLabel: 'value',
    width: 800,
    series: [
      { name: 'truth (clean)', x: t, y: test.clean.subarray(0, STEPS), color: '#999999' },
      { name: 'input (noisy)', x: t, y: test.noisy.subarray(0, STEPS), color: '#cccccc', dashed: true },
      { name: 'one step ahead', x: t.slice(1), y: oneStep.data.subarray(0, STEPS - 1) },
      { name: `free running (from step ${WARMUP})`, x: t.slice(WARMUP), y: free.data.subarray(0, STEPS - WARMUP), dashed: true },
    ],
  });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'sine.svg'), svg);
  log(`chart: ${join(outDir, 'sine.svg')}`);
  return { signalVariance, oneStepMse, freeRmseFirstK, freeRmseAll };
}

// Run main only when this file is the program, not when a test imports it. scripts/run.mjs
// runs a bundle named after this file (.cache/run/sine.mjs), so compare the names.
if (basename(process.argv[1] ?? '').replace(/\.m?[jt]s$/, '') === basename(fileURLToPath(import.meta.url), '.ts')) {
  await main({ quick: process.argv.includes('--quick') });
}
