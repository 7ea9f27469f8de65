/**
 * hidden-states: looking inside a trained network. A small LSTM reads strings of brackets,
 * such as "(()(x))", and after every character says how deeply nested it is (the number of
 * brackets open so far). To do that it must keep a counter in its state, and we can find it:
 * the example draws every hidden unit over time as a heatmap and names the unit whose value
 * follows the depth most closely (Pearson correlation over many test strings).
 *
 * It shows: reading the hidden states at every step (the `output` of a layer), `heatmap` for
 * a (units, steps) matrix, and a quick look at what a unit computes.
 *
 *   node scripts/run.mjs examples/hidden-states.ts           the full run (about 6 s on a 2-core machine)
 *   node scripts/run.mjs examples/hidden-states.ts --quick   a shorter run (the tests use it)
 *
 * Writes examples/output/hidden-states.svg (the heatmap) and
 * examples/output/hidden-states-unit.svg (the depth and the best unit over time).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultOutDir } from './output-dir.js';
import { F, Generator, fit, mae, nn, noGrad, optim, tensor, type Tensor } from '../src/index.js';
import { heatmap, lineChart } from '../src/plot/index.js';

const SYMBOLS = ['(', ')', 'x'];
const LENGTH = 40; // characters per string
const MAX_DEPTH = 5;
const HIDDEN = 8;

/** A random well-nested prefix of LENGTH characters (depth never below 0 or above MAX_DEPTH), and the depth after each. */
function brackets(g: Generator): { text: string; depth: number[] } {
  let text = '';
  const depth: number[] = [];
  let d = 0;
  for (let t = 0; t < LENGTH; t++) {
    const r = g.random();
    const open = d === 0 || (d < MAX_DEPTH && r < 0.6);
    const c = r < 0.2 ? 'x' : open ? '(' : ')';
    d += c === '(' ? 1 : c === ')' ? -1 : 0;
    text += c;
    depth.push(d);
  }
  return { text, depth };
}

/** `count` strings drawn from `g`: one-hot characters x (count, LENGTH, 3), depths y (count, LENGTH, 1). */
function dataset(count: number, g: Generator): { x: Tensor; y: Tensor; texts: string[] } {
  const strings = Array.from({ length: count }, () => brackets(g));
  const oneHot = strings.flatMap(({ text }) => [...text].flatMap((c) => SYMBOLS.map((s) => (s === c ? 1 : 0))));
  return {
    x: tensor(oneHot, [count, LENGTH, SYMBOLS.length]),
    y: tensor(strings.flatMap((s) => s.depth), [count, LENGTH, 1]),
    texts: strings.map((s) => s.text),
  };
}

/** LSTM -> Linear on every step: the depth after each character. */
export class DepthCounter extends nn.Module {
  lstm = new nn.LSTM({ inputSize: SYMBOLS.length, hiddenSize: HIDDEN, batchFirst: true, seed: 1 });
  head = new nn.Linear({ inFeatures: HIDDEN, outFeatures: 1, seed: 2 });

  /** x (batch, LENGTH, 3) -> depth after each character (batch, LENGTH, 1). */
  forward(x: Tensor): Tensor {
    return this.head.forward(this.lstm.forward(x).output);
  }
}

/** Pearson correlation of unit `u` of `hidden` (flat, HIDDEN values per step) with `target` (one value per step). */
function correlation(hidden: Float32Array, u: number, target: Float32Array): number {
  const n = target.length;
  let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (let i = 0; i < n; i++) {
    const a = hidden[i * HIDDEN + u];
    const b = target[i];
    sa += a;
    sb += b;
    saa += a * a;
    sbb += b * b;
    sab += a * b;
  }
  return (n * sab - sa * sb) / Math.sqrt((n * saa - sa * sa) * (n * sbb - sb * sb));
}

/** The straight line a v + b closest to `target` (least squares), applied to `v`. */
function fitLine(v: number[], target: ArrayLike<number>): number[] {
  const n = v.length;
  const mv = v.reduce((a, x) => a + x, 0) / n;
  let mt = 0;
  for (let i = 0; i < n; i++) mt += target[i] / n;
  let cov = 0, varV = 0;
  for (let i = 0; i < n; i++) {
    cov += (v[i] - mv) * (target[i] - mt);
    varV += (v[i] - mv) ** 2;
  }
  return v.map((x) => mt + (cov / varV) * (x - mv));
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

/** What {@link main} found. */
export interface Result {
  /** Mean absolute error of the predicted depth on test strings. */
  testMae: number;
  /** Correlation of every hidden unit with the depth, over all test steps. */
  correlations: number[];
  /** The unit with the largest |correlation|. */
  bestUnit: number;
  /** The heatmap's SVG (HIDDEN rows by LENGTH columns of cells). */
  heatmapSvg: string;
}

/** Trains the counter, then finds the unit that tracks the depth and draws the hidden states. */
export async function main({ quick, log = console.log, outDir = defaultOutDir(quick) }: Options): Promise<Result> {
  const train = dataset(quick ? 500 : 2000, new Generator(1));
  const test = dataset(200, new Generator(2));

  const model = new DepthCounter();
  await fit(model, {
    x: train.x,
    y: train.y,
    lossFn: F.mseLoss,
    optimizer: new optim.Adam(model.parameters(), { lr: 1e-2 }),
    epochs: quick ? 8 : 20,
    batchSize: 32,
    clipGradNorm: 1,
    seed: 1,
    verbose: 0,
  });

  // Hidden states at every step of every test string: (200, LENGTH, HIDDEN).
  const { hidden, depth } = noGrad(() => {
    const out = model.lstm.forward(test.x).output;
    return { hidden: out.data, depth: model.head.forward(out) };
  });
  const testMae = mae(depth, test.y);
  const correlations = Array.from({ length: HIDDEN }, (_, u) => correlation(hidden, u, test.y.data));
  const bestUnit = correlations.reduce((best, r, u) => (Math.abs(r) > Math.abs(correlations[best]) ? u : best), 0);
  log(`depth predicted within ${testMae.toFixed(3)} on average (mean absolute error on test strings)`);
  log(`correlation of each hidden unit with the depth: ${correlations.map((r) => r.toFixed(2)).join(' ')}`);
  log(`unit ${bestUnit} tracks the depth best: r = ${correlations[bestUnit].toFixed(3)}`);

  // The first test string: one row per hidden unit, one column per character.
  const unitsByStep = Array.from({ length: HIDDEN }, (_, u) => Array.from({ length: LENGTH }, (_, t) => hidden[t * HIDDEN + u]));
  log(`\nstring: ${test.texts[0]}`);
  log(`depth:  ${Array.from(test.y.data.subarray(0, LENGTH)).join('')}`);
  const heatmapSvg = heatmap({
    title: `LSTM hidden units reading ${test.texts[0]}`,
    xLabel: 'character (step)',
    yLabel: 'hidden unit',
    width: 800,
    height: 320,
    values: unitsByStep,
  });
  const steps = Array.from({ length: LENGTH }, (_, t) => t);
  // The unit's value, mapped onto depths by the best straight line (its own range is -1..1).
  const unitSvg = lineChart({
    title: `Depth and hidden unit ${bestUnit} (r = ${correlations[bestUnit].toFixed(2)}) on ${test.texts[0]}`,
    xLabel: 'character (step)',
    width: 800,
    series: [
      { name: 'depth', x: steps, y: test.y.data.subarray(0, LENGTH), color: '#999999' },
      { name: `unit ${bestUnit}, rescaled: a h + b`, x: steps, y: fitLine(unitsByStep[bestUnit], test.y.data.subarray(0, LENGTH)) },
    ],
  });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'hidden-states.svg'), heatmapSvg);
  writeFileSync(join(outDir, 'hidden-states-unit.svg'), unitSvg);
  log(`charts: ${join(outDir, 'hidden-states.svg')}, ${join(outDir, 'hidden-states-unit.svg')}`);
  return { testMae, correlations, bestUnit, heatmapSvg };
}

// Run main only when this file is the program, not when a test imports it. scripts/run.mjs
// runs a bundle named after this file (.cache/run/hidden-states.mjs), so compare the names.
if (basename(process.argv[1] ?? '').replace(/\.m?[jt]s$/, '') === basename(fileURLToPath(import.meta.url), '.ts')) {
  await main({ quick: process.argv.includes('--quick') });
}
