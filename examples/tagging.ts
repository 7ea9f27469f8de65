/**
 * tagging: many-to-many sequence labelling, one tag per input token. Sentences hold a few
 * quote marks ("); a word is QUOTED when it stands between an opening mark and the mark that
 * closes it. Marks pair up from the left, and a last mark with no partner opens nothing:
 *
 *   the cat " said hello " and ran " home    ->   QUOTED: said, hello (not home: its mark is never closed)
 *
 * So whether a word is quoted depends on both sides: an odd number of marks before it, and a
 * mark somewhere after it. A unidirectional GRU reads left to right and cannot see that second
 * part when it tags a word; a bidirectional GRU reads the sentence both ways, and at every
 * position combines what came before with what comes after.
 *
 * It shows: a bidirectional layer's `output` (forward and backward states side by side), a
 * Linear layer on every step, cross entropy over every token, and the `accuracy` metric over
 * (batch, steps, classes) predictions.
 *
 *   node scripts/run.mjs examples/tagging.ts           the full run (about 10 s on a 2-core machine)
 *   node scripts/run.mjs examples/tagging.ts --quick   a shorter run (the tests use it)
 *
 * Writes examples/output/tagging.svg (per-token test accuracy per epoch).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultOutDir } from './output-dir.js';
import { F, Generator, fit, nn, optim, predict, tensor, type Tensor } from '../src/index.js';
import { lineChart } from '../src/plot/index.js';

const WORDS = ['the', 'cat', 'dog', 'said', 'hello', 'and', 'ran', 'home', 'sat', 'there'];
const MARK = '"';
const VOCAB = [...WORDS, MARK];
const LENGTH = 16; // tokens per sentence

/** A random sentence of LENGTH tokens with 0 to 4 marks, and its tags (1 = QUOTED). */
function sentence(g: Generator): { tokens: string[]; tags: number[] } {
  const tokens = Array.from({ length: LENGTH }, () => WORDS[g.randint(0, WORDS.length)]);
  for (let marks = g.randint(0, 5); marks > 0; marks--) tokens[g.randint(0, LENGTH)] = MARK;
  const total = tokens.filter((t) => t === MARK).length;
  let seen = 0;
  const tags = tokens.map((t) => {
    if (t === MARK) {
      seen++;
      return 0;
    }
    // Inside a pair: an odd number of marks so far, and a partner still to come.
    return seen % 2 === 1 && seen < total ? 1 : 0;
  });
  return { tokens, tags };
}

/** `count` sentences drawn from `g` as token ids x (count, LENGTH) and tags y (count, LENGTH). */
function dataset(count: number, g: Generator): { x: Tensor; y: Tensor } {
  const sentences = Array.from({ length: count }, () => sentence(g));
  return {
    x: tensor(sentences.flatMap((s) => s.tokens.map((t) => VOCAB.indexOf(t))), [count, LENGTH]),
    y: tensor(sentences.flatMap((s) => s.tags), [count, LENGTH]),
  };
}

/** Embedding -> GRU (one or two directions) -> Linear on every step: two tag scores per token. */
export class Tagger extends nn.Module {
  embed = new nn.Embedding({ numEmbeddings: VOCAB.length, embeddingDim: 8, seed: 1 });
  gru: nn.GRU;
  head = new nn.Linear({ inFeatures: 32, outFeatures: 2, seed: 3 });

  /** Both taggers hand 32 features per step to the head: 16 + 16 from two directions, or 32 from one. */
  constructor(bidirectional: boolean) {
    super();
    this.gru = new nn.GRU({ inputSize: 8, hiddenSize: bidirectional ? 16 : 32, bidirectional, batchFirst: true, seed: 2 });
  }

  /** ids (batch, LENGTH) -> tag scores (batch, LENGTH, 2). */
  forward(ids: Tensor): Tensor {
    return this.head.forward(this.gru.forward(this.embed.forward(ids)).output);
  }
}

/** Cross entropy over every token: scores (batch, steps, 2) and tags (batch, steps) flattened to one row per token. */
function tokenLoss(scores: Tensor, tags: Tensor): Tensor {
  return F.crossEntropy(scores.reshape(-1, 2), tags.reshape(-1));
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

/** Per-token accuracy on the test sentences. */
export interface Result {
  bidirectional: number;
  unidirectional: number;
  /** Always answering the most common tag (not quoted). */
  majority: number;
}

/** Trains a bidirectional and a unidirectional GRU tagger on the same sentences and compares them. */
export async function main({ quick, log = console.log, outDir = defaultOutDir(quick) }: Options): Promise<Result> {
  const train = dataset(quick ? 1000 : 2000, new Generator(1));
  const test = dataset(500, new Generator(2));
  const quotedShare = test.y.data.reduce((a, b) => a + b, 0) / test.y.data.length;
  const majority = Math.max(quotedShare, 1 - quotedShare);

  const curves: Record<string, number[]> = {};
  const models: Record<string, Tagger> = {};
  for (const [name, bidirectional] of [['bidirectional GRU', true], ['unidirectional GRU', false]] as const) {
    const model = new Tagger(bidirectional);
    const history = await fit(model, {
      x: train.x,
      y: train.y,
      validationData: [test.x, test.y],
      lossFn: tokenLoss,
      optimizer: new optim.Adam(model.parameters(), { lr: 1e-2 }),
      metrics: ['accuracy'], // argmax over the last dim (the 2 tags) against each token's tag
      epochs: quick ? 7 : 10,
      batchSize: 32,
      clipGradNorm: 1,
      seed: 1,
      verbose: 0,
    });
    curves[name] = history.history.valAccuracy;
    models[name] = model;
  }
  const result: Result = { bidirectional: curves['bidirectional GRU'].at(-1)!, unidirectional: curves['unidirectional GRU'].at(-1)!, majority };
  log(`per-token test accuracy: bidirectional GRU ${result.bidirectional.toFixed(3)}, unidirectional GRU ${result.unidirectional.toFixed(3)}, always "not quoted" ${majority.toFixed(3)}`);

  // The first four test sentences as each model tags them.
  for (const [name, model] of Object.entries(models)) {
    const scores = predict(model, test.x.narrow(0, 0, 4));
    log(`\n${name} (words it tags QUOTED in capitals):`);
    for (let s = 0; s < 4; s++) {
      const words = Array.from({ length: LENGTH }, (_, t) => {
        const i = s * LENGTH + t;
        const word = VOCAB[test.x.data[i]];
        return scores.data[2 * i + 1] > scores.data[2 * i] ? word.toUpperCase() : word;
      });
      log(`  ${words.join(' ')}`);
    }
  }

  const epochs = curves['bidirectional GRU'].map((_, e) => e + 1);
  const svg = lineChart({
    title: 'Per-token test accuracy: is the word quoted?',
    xLabel: 'epoch',
    yLabel: 'accuracy',
    series: [
      ...Object.entries(curves).map(([name, y]) => ({ name, x: epochs, y })),
      { name: 'always "not quoted"', x: epochs, y: epochs.map(() => majority), color: '#999999', dashed: true },
    ],
  });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'tagging.svg'), svg);
  log(`\nchart: ${join(outDir, 'tagging.svg')}`);
  return result;
}

// Run main only when this file is the program, not when a test imports it. scripts/run.mjs
// runs a bundle named after this file (.cache/run/tagging.mjs), so compare the names.
if (basename(process.argv[1] ?? '').replace(/\.m?[jt]s$/, '') === basename(fileURLToPath(import.meta.url), '.ts')) {
  await main({ quick: process.argv.includes('--quick') });
}
