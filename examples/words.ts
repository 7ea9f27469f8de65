/**
 * words: word-level text generation (one-to-many). The text of examples/data/corpus.txt is cut
 * into words by a tiny tokenizer, an LSTM language model learns to predict each next word, and
 * then it writes new text from a prompt, one word at a time, at a low and a high temperature.
 *
 *   tokenizer   lowercase; every word and punctuation mark is a token; words seen fewer than
 *               twice in the training text become <unk>, so the vocabulary stays small and
 *               every word of new text has an id
 *   model       Embedding(V, 64) -> LSTM(64, 64) -> Linear(64, V), cross entropy on every next
 *               token, Adam, gradient norm clipped at 1
 *   result      perplexity exp(mean cross entropy) on the last 10% of the text, which the
 *               model never trains on (<unk> counts as a word, as usual): about V (a uniform
 *               guess) before training, far lower after
 *   sampling    p_i = softmax(scores / temperature)_i: a low temperature keeps to the likeliest
 *               words and repeats itself, a high one uses more of the vocabulary
 *
 *   node scripts/run.mjs examples/words.ts           the full run (about 20 s on a 2-core machine)
 *   node scripts/run.mjs examples/words.ts --quick   a shorter run (the tests use it)
 *
 * Writes examples/output/words.svg (training and validation perplexity).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultOutDir } from './output-dir.js';
import { F, Generator, Tensor, nn, noGrad, optim } from '../src/index.js';
import { lineChart } from '../src/plot/index.js';

const UNK = '<unk>';

/** The lowercase words and punctuation marks of `text`, in order. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9']+|[.,;:!?()]/g) ?? [];
}

/** Word <-> index for the words seen at least `minCount` times; index 0 is <unk>, which stands for every other word. */
export class Vocabulary {
  readonly words: string[];
  private readonly index: Map<string, number>;

  constructor(tokens: string[], minCount: number) {
    const counts = new Map<string, number>();
    for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    this.words = [UNK, ...[...counts].filter(([, n]) => n >= minCount).map(([word]) => word).sort()];
    this.index = new Map(this.words.map((word, i) => [word, i]));
  }

  /** The id of each token (0, <unk>, for words not in the vocabulary). */
  encode(tokens: string[]): number[] {
    return tokens.map((t) => this.index.get(t) ?? 0);
  }

  /** The words of `ids` as text, with punctuation attached to the word before it. */
  decode(ids: number[]): string {
    return ids.map((i) => this.words[i]).join(' ').replace(/ ([.,;:!?)])/g, '$1').replace(/\( /g, '(');
  }
}

/** Embedding -> LSTM -> Linear: token ids in, next-token scores out, with the LSTM state. */
export class WordLSTM extends nn.Module {
  readonly embed: nn.Embedding;
  readonly lstm: nn.LSTM;
  readonly head: nn.Linear;
  constructor(vocabSize: number) {
    super();
    this.embed = new nn.Embedding({ numEmbeddings: vocabSize, embeddingDim: 64, seed: 1 });
    this.lstm = new nn.LSTM({ inputSize: 64, hiddenSize: 64, batchFirst: true, seed: 2 });
    this.head = new nn.Linear({ inFeatures: 64, outFeatures: vocabSize, seed: 3 });
  }

  /** ids (B, T) -> scores (B, T, V), starting from `state` (zeros when omitted); returns the state after the last step. */
  forward(ids: Tensor, state: nn.LSTMForwardOptions = {}) {
    const { output, h, c } = this.lstm.forward(this.embed.forward(ids), state);
    return { scores: this.head.forward(output), state: { h0: h, c0: c } };
  }
}

/** exp(mean cross entropy) of predicting every token of `ids` from the ones before it, read in one pass. */
function perplexity(model: WordLSTM, ids: number[]): number {
  return noGrad(() => {
    const { scores } = model.forward(new Tensor(Float32Array.from(ids.slice(0, -1)), [1, ids.length - 1]));
    return Math.exp(F.crossEntropy(scores.reshape(ids.length - 1, -1), ids.slice(1)).item());
  });
}

/** An index drawn with probability proportional to weights[i]. */
function draw(weights: number[], generator: Generator): number {
  let r = generator.random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length - 1; i++) if ((r -= weights[i]) < 0) return i;
  return weights.length - 1;
}

/** `length` token ids continuing `prompt`, each drawn with probability softmax(scores / temperature), never <unk> (id 0). */
function generate(model: WordLSTM, prompt: number[], length: number, temperature: number, generator: Generator): number[] {
  return noGrad(() => {
    const out: number[] = [];
    let { scores, state } = model.forward(new Tensor(Float32Array.from(prompt), [1, prompt.length]));
    while (out.length < length) {
      const last = scores.data.subarray(scores.data.length - model.head.outFeatures);
      const max = Math.max(...last);
      const next = draw(Array.from(last, (s, i) => (i === 0 ? 0 : Math.exp((s - max) / temperature))), generator);
      out.push(next);
      ({ scores, state } = model.forward(new Tensor(Float32Array.of(next), [1, 1]), state));
    }
    return out;
  });
}

/** Trains the word model and samples from it; returns the perplexities and the samples. */
export async function main(options: { quick: boolean; log?: (s: string) => void; outDir?: string }) {
  const log = options.log ?? console.log;
  const outDir = options.outDir ?? defaultOutDir(options.quick);
  const steps = options.quick ? 100 : 300;
  const [T, B] = [24, 16]; // tokens per window, windows per batch

  // Data: the first 90% of the tokens train, the last 10% validate; the vocabulary comes from the training part.
  const tokens = tokenize(readFileSync(new URL('./data/corpus.txt', import.meta.url), 'utf8'));
  const split = Math.floor(tokens.length * 0.9);
  const vocab = new Vocabulary(tokens.slice(0, split), 2);
  const train = vocab.encode(tokens.slice(0, split));
  const validation = vocab.encode(tokens.slice(split));
  const V = vocab.words.length;
  const unknown = validation.filter((id) => id === 0).length / validation.length;
  log(`${tokens.length} tokens, vocabulary of ${V} (${(unknown * 100).toFixed(0)}% of the validation tokens are <unk>)`);

  // Training: random windows of T + 1 tokens; predict tokens 1..T from 0..T-1.
  const model = new WordLSTM(V);
  const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
  const generator = new Generator(5);
  const untrained = perplexity(model, validation);
  const curve = { step: [0], train: [NaN], validation: [untrained] };
  log(`untrained: validation perplexity ${untrained.toFixed(0)}`);
  let lossSum = 0;
  for (let step = 1; step <= steps; step++) {
    const starts = Array.from({ length: B }, () => generator.randint(0, train.length - T - 1));
    const windows = (shift: number) => new Tensor(Float32Array.from(starts.flatMap((s) => train.slice(s + shift, s + shift + T))), [B, T]);
    const loss = F.crossEntropy(model.forward(windows(0)).scores.reshape(B * T, V), windows(1).reshape(B * T));
    optimizer.zeroGrad();
    loss.backward();
    optim.clipGradNorm(model.parameters(), 1);
    optimizer.step();
    lossSum += loss.item();
    if (step % (steps / 10) === 0) {
      curve.step.push(step);
      curve.train.push(Math.exp(lossSum / (steps / 10)));
      curve.validation.push(perplexity(model, validation));
      log(`step ${step}: training perplexity ${curve.train.at(-1)!.toFixed(1)}, validation ${curve.validation.at(-1)!.toFixed(1)}`);
      lossSum = 0;
    }
  }

  // Sampling: the same prompt at a low and a high temperature.
  const prompt = vocab.encode(tokenize('The forget gate'));
  const samples = [0.5, 1.5].map((temperature) => ({ temperature, ids: generate(model, prompt, 60, temperature, new Generator(6)) }));
  for (const { temperature, ids } of samples) {
    log(`\ntemperature ${temperature} (${new Set(ids).size} distinct tokens):\n${vocab.decode([...prompt, ...ids])}`);
  }

  mkdirSync(outDir, { recursive: true });
  const chart = lineChart({
    title: `Word LSTM on corpus.txt: perplexity (vocabulary ${V})`,
    xLabel: 'step', yLabel: 'perplexity', logY: true,
    series: [{ name: 'training (mean since the last point)', x: curve.step, y: curve.train }, { name: 'validation', x: curve.step, y: curve.validation }],
  });
  writeFileSync(join(outDir, 'words.svg'), chart);
  return { vocabulary: vocab.words, untrained, trained: curve.validation.at(-1)!, samples };
}

// Run main only when this file is the program. `node scripts/run.mjs examples/words.ts` runs a
// bundle (.cache/run/words.mjs, which is then process.argv[1]) while import.meta.url still names
// this file; tsx or node would put this file itself in argv[1]. Comparing the names without folder
// and extension covers both, and is false when a test imports this file (argv[1] is then vitest).
const stem = (path: string) => basename(path).replace(/\.[cm]?[jt]s$/, '');
if (process.argv[1] !== undefined && stem(process.argv[1]) === stem(fileURLToPath(import.meta.url))) {
  await main({ quick: process.argv.includes('--quick') });
}
