/**
 * seq2seq: an encoder-decoder that maps one sequence to another of a different length.
 * A GRU encoder reads the source symbols into its final hidden state; a GRU decoder starts from
 * that state and writes the answer one symbol at a time, until it writes the end symbol.
 *
 *   reverse    "31415" -> "51413"
 *   add        "12+34" -> "46"
 *
 *   training   teacher forcing: the decoder reads the true answer shifted by one (start symbol
 *              first) and learns to predict each next symbol; padded steps are ignored
 *   testing    greedy decoding: the decoder reads back its own most likely symbol; an answer
 *              counts only when every symbol and its length are right (exact match), on
 *              problems held out from training
 *
 *   node scripts/run.mjs examples/seq2seq.ts           both tasks (about 80 s on a 2-core machine)
 *   node scripts/run.mjs examples/seq2seq.ts --quick   reversal of short strings only (the tests use it)
 *
 * Writes examples/output/seq2seq.svg (held-out exact match while training).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultOutDir } from './output-dir.js';
import { F, Generator, Tensor, nn, noGrad, optim } from '../src/index.js';
import { lineChart, type Series } from '../src/plot/index.js';

// The symbols: digits, '+', and two markers, start (^) and end ($), written only by the program.
const SYMBOLS = '0123456789+^$';
const START = SYMBOLS.indexOf('^');
const END = SYMBOLS.indexOf('$');

/** A task: a name and a random problem (source and answer strings) drawn from `generator`. */
interface Task {
  name: string;
  problem(generator: Generator): [string, string];
}

/** Reverse a string of minLength..maxLength random digits. */
function reverse(minLength: number, maxLength: number): Task {
  return {
    name: `reverse ${minLength}-${maxLength} digits`,
    problem(generator) {
      const digits = Array.from({ length: generator.randint(minLength, maxLength + 1) }, () => String(generator.randint(0, 10)));
      return [digits.join(''), digits.reverse().join('')];
    },
  };
}

/** Add two numbers below `limit`. */
function add(limit: number): Task {
  return {
    name: `add two numbers below ${limit}`,
    problem(generator) {
      const [a, b] = [generator.randint(0, limit), generator.randint(0, limit)];
      return [`${a}+${b}`, String(a + b)];
    },
  };
}

/** Strings as token ids in a (B, T) tensor, padded at the end with `pad` up to the longest. */
function batchOf(strings: string[], pad: number): Tensor {
  const T = Math.max(...strings.map((s) => s.length));
  const ids = strings.flatMap((s) => Array.from({ length: T }, (_, t) => (t < s.length ? SYMBOLS.indexOf(s[t]) : pad)));
  return new Tensor(Float32Array.from(ids), [strings.length, T]);
}

/** One embedding for both sides (they share the symbols), a GRU encoder, a GRU decoder and a Linear layer to symbol scores. */
class Seq2Seq extends nn.Module {
  readonly embed: nn.Embedding;
  readonly encoder: nn.GRU;
  readonly decoder: nn.GRU;
  readonly head: nn.Linear;
  constructor(hiddenSize: number) {
    super();
    this.embed = new nn.Embedding({ numEmbeddings: SYMBOLS.length, embeddingDim: 16, seed: 1 });
    this.encoder = new nn.GRU({ inputSize: 16, hiddenSize, batchFirst: true, seed: 2 });
    this.decoder = new nn.GRU({ inputSize: 16, hiddenSize, batchFirst: true, seed: 3 });
    this.head = new nn.Linear({ inFeatures: hiddenSize, outFeatures: SYMBOLS.length, seed: 4 });
  }

  /** The encoder's final state (1, B, H) for the sources, each read only up to its own length. */
  encode(sources: string[]): Tensor {
    return this.encoder.forward(this.embed.forward(batchOf(sources, END)), { lengths: sources.map((s) => s.length) }).h;
  }

  /** Decoder steps from state `h`: input ids (B, T) -> next-symbol scores (B, T, V) and the new state. */
  decode(inputs: Tensor, h: Tensor): { scores: Tensor; h: Tensor } {
    const out = this.decoder.forward(this.embed.forward(inputs), { h0: h });
    return { scores: this.head.forward(out.output), h: out.h };
  }

  /** Teacher forcing: the cross entropy of predicting answer + '$' from '^' + answer, padded steps ignored. */
  loss(sources: string[], answers: string[]): Tensor {
    const inputs = batchOf(answers.map((a) => '^' + a), END);
    const targets = batchOf(answers.map((a) => a + '$'), -100); // -100: crossEntropy's ignoreIndex
    const { scores } = this.decode(inputs, this.encode(sources));
    return F.crossEntropy(scores.reshape(-1, SYMBOLS.length), targets.reshape(-1));
  }

  /** Greedy decoding: from '^', feed back the most likely symbol until every answer has its '$' (or maxLength symbols). */
  answer(sources: string[], maxLength: number): string[] {
    return noGrad(() => {
      let h = this.encode(sources);
      let input = new Tensor(new Float32Array(sources.length).fill(START), [sources.length, 1]);
      const answers = sources.map(() => '');
      const done = sources.map(() => false);
      for (let step = 0; step < maxLength && done.includes(false); step++) {
        const out = this.decode(input, h);
        const next = out.scores.argmax(2);
        next.data.forEach((id, i) => {
          if (id === END) done[i] = true;
          else if (!done[i]) answers[i] += SYMBOLS[id];
        });
        [input, h] = [next, out.h];
      }
      return answers;
    });
  }
}

/** The fraction of `answers` equal to `expected`, symbol for symbol. */
function exactMatch(answers: string[], expected: string[]): number {
  return answers.filter((a, i) => a === expected[i]).length / answers.length;
}

/** Trains one model per task and measures exact match on held-out problems; returns it per task. */
export async function main(options: { quick: boolean; log?: (s: string) => void; outDir?: string }) {
  const log = options.log ?? console.log;
  const outDir = options.outDir ?? defaultOutDir(options.quick);
  const plan: [Task, number][] = options.quick ? [[reverse(3, 5), 300]] : [[reverse(3, 8), 800], [add(100), 1500]]; // task, steps
  const hidden = options.quick ? 64 : 96;
  const batchSize = 32;
  const maxAnswer = 12; // symbols greedy decoding may write before it gives up
  const results: Record<string, { accuracy: number; examples: string[] }> = {};
  const series: Series[] = [];

  for (const [task, steps] of plan) {
    // Data: 500 held-out problems, and training problems drawn fresh each step, never one of them.
    const generator = new Generator(7);
    const test = new Map<string, string>();
    while (test.size < 500) test.set(...task.problem(generator));
    const [testSources, testAnswers] = [[...test.keys()], [...test.values()]];
    const trainingBatch = () => {
      const batch: [string, string][] = [];
      while (batch.length < batchSize) {
        const [source, answer] = task.problem(generator);
        if (!test.has(source)) batch.push([source, answer]);
      }
      return batch;
    };

    // Model and training: Adam, its learning rate falling along a half cosine to 0; gradient norm clipped at 1.
    const model = new Seq2Seq(hidden);
    const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
    const schedule = new optim.CosineAnnealingLR(optimizer, { tMax: steps });
    const curve = { step: [] as number[], accuracy: [] as number[] };
    let answers: string[] = [];
    log(`${task.name}: ${steps} steps of ${batchSize} problems, ${test.size} held out`);
    for (let step = 1; step <= steps; step++) {
      const batch = trainingBatch();
      const loss = model.loss(batch.map(([s]) => s), batch.map(([, a]) => a));
      optimizer.zeroGrad();
      loss.backward();
      optim.clipGradNorm(model.parameters(), 1);
      optimizer.step();
      schedule.step();
      if (step % (steps / 10) === 0) {
        answers = model.answer(testSources, maxAnswer);
        curve.step.push(step);
        curve.accuracy.push(exactMatch(answers, testAnswers));
        log(`  step ${step}: loss ${loss.item().toFixed(3)}, held-out exact match ${curve.accuracy.at(-1)!.toFixed(3)}`);
      }
    }

    // Result: a few held-out problems and the model's last answers.
    const examples = testSources.slice(0, 6).map((s, i) => `${s} -> ${answers[i]} ${answers[i] === testAnswers[i] ? '(right)' : `(expected ${testAnswers[i]})`}`);
    log(`  ${examples.join('\n  ')}`);
    results[task.name] = { accuracy: curve.accuracy.at(-1)!, examples };
    series.push({ name: task.name, x: curve.step, y: curve.accuracy });
  }

  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'seq2seq.svg'), lineChart({ title: 'GRU encoder-decoder: exact match on held-out problems', xLabel: 'step', yLabel: 'exact match', series }));
  return results;
}

// Run main only when this file is the program. `node scripts/run.mjs examples/seq2seq.ts` runs a
// bundle (.cache/run/seq2seq.mjs, which is then process.argv[1]) while import.meta.url still names
// this file; tsx or node would put this file itself in argv[1]. Comparing the names without folder
// and extension covers both, and is false when a test imports this file (argv[1] is then vitest).
const stem = (path: string) => basename(path).replace(/\.[cm]?[jt]s$/, '');
if (process.argv[1] !== undefined && stem(process.argv[1]) === stem(fileURLToPath(import.meta.url))) {
  await main({ quick: process.argv.includes('--quick') });
}
