/**
 * sentiment: many-to-one classification of variable-length sentences. Each sentence, such as
 * "the movie was not very good as far as i can tell", is labelled positive or negative. The
 * adjective alone does not decide: "not" flips it, so the network must remember the "not"
 * until the adjective comes (a bag of words cannot: "not" is positive before "bad" and negative
 * before "good"), then keep its verdict through up to twelve more words to the end.
 *
 * Four recurrent layers compete on the same data: RNN, LSTM, GRU and a bidirectional LSTM.
 * The gated ones learn it within a few epochs; the plain RNN, whose memory fades, takes much
 * longer. Sentences are padded to one length and each layer gets `lengths`, so it stops at
 * each sentence's last word: its final h is the state at the last valid step, not after padding.
 *
 * The data set is generated here from a small vocabulary written for this example.
 *
 *   node scripts/run.mjs examples/sentiment.ts           the full run (about 20 s on a 2-core machine)
 *   node scripts/run.mjs examples/sentiment.ts --quick   a shorter run (the tests use it)
 *
 * Writes examples/output/sentiment.svg (validation accuracy per epoch of the four models).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultOutDir } from './output-dir.js';
import { F, Generator, cat, evaluate, fit, nn, optim, predict, tensor, type Tensor } from '../src/index.js';
import { lineChart } from '../src/plot/index.js';

// The vocabulary. Word 0 is padding.
const OPENERS = ['the', 'this', 'that'];
const NOUNS = ['movie', 'film', 'plot', 'acting', 'food', 'service', 'music', 'book'];
const VERBS = ['was', 'is', 'felt', 'seemed'];
const INTENSIFIERS = ['very', 'really', 'truly', 'so'];
const POSITIVE = ['good', 'great', 'fun', 'lovely', 'brilliant'];
const NEGATIVE = ['bad', 'awful', 'boring', 'dull', 'terrible'];
const ENDINGS = ['at all', 'to me', 'overall', 'honestly', 'if you ask me', 'from start to finish', 'as far as i can tell', 'or so my friends told me'].map((e) => e.split(' '));
const VOCAB = ['<pad>', ...new Set([...OPENERS, ...NOUNS, ...VERBS, 'not', ...INTENSIFIERS, ...POSITIVE, ...NEGATIVE, ...ENDINGS.flat()])];
const HIDDEN = 24;
const MAX_WORDS = 19; // opener noun verb not, two intensifiers, adjective, two endings of up to six words

/** One sentence: its words, its label (1 positive, 0 negative) and whether it holds "not". */
interface Sentence {
  words: string[];
  label: number;
  negated: boolean;
}

/** A random sentence: opener noun verb [not] [0-2 intensifiers] adjective [0-2 endings]. */
function sentence(g: Generator): Sentence {
  const pick = <T>(list: T[]): T => list[g.randint(0, list.length)];
  const negated = g.random() < 0.5;
  const positive = g.random() < 0.5;
  const words = [pick(OPENERS), pick(NOUNS), pick(VERBS)];
  if (negated) words.push('not');
  for (let i = g.randint(0, 3); i > 0; i--) words.push(pick(INTENSIFIERS));
  words.push(pick(positive ? POSITIVE : NEGATIVE));
  for (let i = g.randint(0, 3); i > 0; i--) words.push(...pick(ENDINGS));
  return { words, label: positive !== negated ? 1 : 0, negated };
}

/** Word lists as ids, padded with 0 to MAX_WORDS: (N, MAX_WORDS). */
function encode(wordLists: string[][]): Tensor {
  const ids = wordLists.flatMap((words) => Array.from({ length: MAX_WORDS }, (_, t) => (t < words.length ? VOCAB.indexOf(words[t]) : 0)));
  return tensor(ids, [wordLists.length, MAX_WORDS]);
}

/** Sentences as inputs x (N, MAX_WORDS) and labels y (N). */
function dataset(sentences: Sentence[]): { x: Tensor; y: Tensor } {
  return { x: encode(sentences.map((s) => s.words)), y: tensor(sentences.map((s) => s.label)) };
}

/** Which recurrent layer a {@link Classifier} uses. */
type Kind = 'RNN' | 'LSTM' | 'GRU' | 'BiLSTM';

/** Embedding -> recurrent layer (with lengths) -> Linear on the state at the last valid word: two class scores. */
export class Classifier extends nn.Module {
  embed = new nn.Embedding({ numEmbeddings: VOCAB.length, embeddingDim: 16, paddingIdx: 0, seed: 1 });
  rnn: nn.RNN | nn.LSTM | nn.GRU;
  head: nn.Linear;

  constructor(kind: Kind) {
    super();
    const options = { inputSize: 16, hiddenSize: HIDDEN, batchFirst: true, bidirectional: kind === 'BiLSTM', seed: 2 };
    this.rnn = kind === 'RNN' ? new nn.RNN(options) : kind === 'GRU' ? new nn.GRU(options) : new nn.LSTM(options);
    this.head = new nn.Linear({ inFeatures: kind === 'BiLSTM' ? 2 * HIDDEN : HIDDEN, outFeatures: 2, seed: 3 });
  }

  /** ids (batch, MAX_WORDS), 0-padded -> class scores (batch, 2). */
  forward(ids: Tensor): Tensor {
    const lengths = Array.from({ length: ids.shape[0] }, (_, b) => ids.data.subarray(b * MAX_WORDS, (b + 1) * MAX_WORDS).filter((id) => id !== 0).length);
    const { h } = this.rnn.forward(this.embed.forward(ids), { lengths }); // h: (directions, batch, HIDDEN)
    // h[0] is the state after each sentence's last word. A bidirectional layer's h[1] is its
    // backward direction's state after reading the sentence from that last word back to the first.
    const last = this.rnn.bidirectional ? cat([h.select(0, 0), h.select(0, 1)], 1) : h.select(0, 0);
    return this.head.forward(last);
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

/** Each model's test accuracy: on all test sentences, on those with "not", and after each epoch. */
export type Result = Record<Kind, { accuracy: number; negatedAccuracy: number; perEpoch: number[] }>;

/** Trains the four models on the same sentences and compares them on new ones. */
export async function main({ quick, log = console.log, outDir = defaultOutDir(quick) }: Options): Promise<Result> {
  const trainGenerator = new Generator(1);
  const testGenerator = new Generator(2);
  const trainSentences = Array.from({ length: quick ? 800 : 2000 }, () => sentence(trainGenerator));
  const testSentences = Array.from({ length: 500 }, () => sentence(testGenerator));
  const train = dataset(trainSentences);
  const test = dataset(testSentences);
  const negated = dataset(testSentences.filter((s) => s.negated));
  log(`${VOCAB.length - 1} words; for example "${trainSentences[0].words.join(' ')}" is ${trainSentences[0].label ? 'positive' : 'negative'}`);

  const result = {} as Result;
  const models = {} as Record<Kind, Classifier>;
  for (const kind of ['RNN', 'LSTM', 'GRU', 'BiLSTM'] as const) {
    const model = new Classifier(kind);
    const history = await fit(model, {
      x: train.x,
      y: train.y,
      validationData: [test.x, test.y],
      lossFn: F.crossEntropy,
      optimizer: new optim.Adam(model.parameters(), { lr: 1e-2 }),
      metrics: ['accuracy'],
      epochs: quick ? 4 : 8,
      batchSize: 16,
      clipGradNorm: 1,
      seed: 1,
      verbose: 0,
    });
    const perEpoch = history.history.valAccuracy; // measured on the test sentences after every epoch
    const negatedAccuracy = evaluate(model, negated.x, negated.y, { lossFn: F.crossEntropy, metrics: ['accuracy'] }).accuracy;
    result[kind] = { accuracy: perEpoch[perEpoch.length - 1], negatedAccuracy, perEpoch };
    models[kind] = model;
  }

  log('\nmodel    test accuracy   with "not"   first epoch at 99%');
  for (const [kind, r] of Object.entries(result)) {
    const epoch = r.perEpoch.findIndex((a) => a >= 0.99) + 1;
    log(`${kind.padEnd(8)} ${r.accuracy.toFixed(3).padStart(13)} ${r.negatedAccuracy.toFixed(3).padStart(12)} ${(epoch === 0 ? 'not yet' : String(epoch)).padStart(20)}`);
  }

  // The LSTM's verdict on a few sentences written by hand.
  const texts = ['the movie was good', 'the movie was not good', 'the food was not bad at all', 'this book is not really very boring if you ask me', 'the acting was truly awful or so my friends told me'];
  const scores = predict(models.LSTM, encode(texts.map((text) => text.split(' '))));
  log('\nthe LSTM reads:');
  texts.forEach((text, i) => log(`  ${text.padEnd(52)} -> ${scores.data[2 * i + 1] > scores.data[2 * i] ? 'positive' : 'negative'}`));

  const svg = lineChart({
    title: 'Test accuracy during training',
    xLabel: 'epoch',
    yLabel: 'accuracy',
    series: Object.entries(result).map(([name, r]) => ({ name, x: r.perEpoch.map((_, e) => e + 1), y: r.perEpoch })),
  });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'sentiment.svg'), svg);
  log(`\nchart: ${join(outDir, 'sentiment.svg')}`);
  return result;
}

// Run main only when this file is the program, not when a test imports it. scripts/run.mjs
// runs a bundle named after this file (.cache/run/sentiment.mjs), so compare the names.
if (basename(process.argv[1] ?? '').replace(/\.m?[jt]s$/, '') === basename(fileURLToPath(import.meta.url), '.ts')) {
  await main({ quick: process.argv.includes('--quick') });
}
