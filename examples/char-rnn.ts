/**
 * A character-level language model in about 60 lines, written with the library's pieces
 * directly (`npm run demo` trains the same kind of model through the CLI). It reads
 * examples/data/corpus.txt and learns to predict each next character:
 *
 *   ids (B, T) -> Embedding(V, 32) -> LSTM(32, H) -> Linear(H, V) -> cross entropy against
 *   the text shifted by one; Adam; gradient norm clipped at 1
 *
 * then writes new text one character at a time from a prompt, feeding each drawn character
 * back in with the LSTM's state.
 *
 *   node scripts/run.mjs examples/char-rnn.ts           the full run (about a minute on a 2-core machine)
 *   node scripts/run.mjs examples/char-rnn.ts --quick   a shorter run (the tests use it)
 *
 * Writes examples/output/char-rnn.svg (the loss curve).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultOutDir } from './output-dir.js';
import { F, Generator, Tensor, nn, noGrad, optim } from '../src/index.js';
import { lineChart } from '../src/plot/index.js';

/** Embedding -> LSTM -> Linear: character ids in, next-character scores out, with the LSTM state. */
export class CharLSTM extends nn.Module {
  readonly embed: nn.Embedding;
  readonly lstm: nn.LSTM;
  readonly head: nn.Linear;
  constructor(vocabSize: number, hiddenSize: number) {
    super();
    this.embed = new nn.Embedding({ numEmbeddings: vocabSize, embeddingDim: 32, seed: 1 });
    this.lstm = new nn.LSTM({ inputSize: 32, hiddenSize, batchFirst: true, seed: 2 });
    this.head = new nn.Linear({ inFeatures: hiddenSize, outFeatures: vocabSize, seed: 3 });
  }

  /** ids (B, T) -> scores (B, T, V), starting from `state` (zeros when omitted); returns the state after the last step. */
  forward(ids: Tensor, state: nn.LSTMForwardOptions = {}) {
    const { output, h, c } = this.lstm.forward(this.embed.forward(ids), state);
    return { scores: this.head.forward(output), state: { h0: h, c0: c } };
  }
}

/** An index drawn with probability softmax(scores / temperature). */
function sample(scores: Float32Array, temperature: number, generator: Generator): number {
  const max = Math.max(...scores);
  const weights = Array.from(scores, (s) => Math.exp((s - max) / temperature));
  let r = generator.random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length - 1; i++) if ((r -= weights[i]) < 0) return i;
  return weights.length - 1;
}

/** Trains the model on the corpus and samples from it; returns the losses and the sample. */
export async function main(options: { quick: boolean; log?: (s: string) => void; outDir?: string }) {
  const log = options.log ?? console.log;
  const outDir = options.outDir ?? defaultOutDir(options.quick);
  const [steps, hidden, T, B] = options.quick ? [120, 64, 32, 16] : [400, 128, 48, 16];

  // Data: every character of the text as an id into the sorted list of its characters.
  const text = readFileSync(new URL('./data/corpus.txt', import.meta.url), 'utf8');
  const chars = [...new Set(text)].sort();
  const ids = Array.from(text, (c) => chars.indexOf(c));
  const V = chars.length;

  // Training: random windows of T + 1 characters; the model predicts characters 1..T from 0..T-1.
  const model = new CharLSTM(V, hidden);
  const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
  const generator = new Generator(4);
  const losses: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const starts = Array.from({ length: B }, () => generator.randint(0, ids.length - T - 1));
    const windows = (shift: number) => new Tensor(Float32Array.from(starts.flatMap((s) => ids.slice(s + shift, s + shift + T))), [B, T]);
    const { scores } = model.forward(windows(0));
    const loss = F.crossEntropy(scores.reshape(B * T, V), windows(1).reshape(B * T));
    optimizer.zeroGrad();
    loss.backward();
    optim.clipGradNorm(model.parameters(), 1);
    optimizer.step();
    losses.push(loss.item());
    if (step % (steps / 10) === 0) log(`step ${step}: loss ${loss.item().toFixed(3)} nats per character`);
  }

  // Sampling: read the prompt, then draw a character, feed it back, and repeat.
  const prompt = 'The ';
  let generated = prompt;
  noGrad(() => {
    let { scores, state } = model.forward(new Tensor(Float32Array.from(prompt, (c) => chars.indexOf(c)), [1, prompt.length]));
    for (let i = 0; i < 200; i++) {
      const next = sample(scores.data.subarray(scores.data.length - V), 0.8, generator);
      generated += chars[next];
      ({ scores, state } = model.forward(new Tensor(Float32Array.of(next), [1, 1]), state));
    }
  });
  log(`\nsample (temperature 0.8):\n${generated}`);

  mkdirSync(outDir, { recursive: true });
  const chart = lineChart({ title: `Character LSTM on corpus.txt (${V} characters)`, xLabel: 'step', yLabel: 'cross entropy (nats per character)', series: [{ name: 'training loss', y: losses }] });
  writeFileSync(join(outDir, 'char-rnn.svg'), chart);
  return { vocabulary: chars, firstLoss: losses[0], lastLoss: losses.slice(-10).reduce((a, b) => a + b, 0) / 10, prompt, sample: generated };
}

// Run main only when this file is the program. `node scripts/run.mjs examples/char-rnn.ts` runs a
// bundle (.cache/run/char-rnn.mjs, which is then process.argv[1]) while import.meta.url still names
// this file; tsx or node would put this file itself in argv[1]. Comparing the names without folder
// and extension covers both, and is false when a test imports this file (argv[1] is then vitest).
const stem = (path: string) => basename(path).replace(/\.[cm]?[jt]s$/, '');
if (process.argv[1] !== undefined && stem(process.argv[1]) === stem(fileURLToPath(import.meta.url))) {
  await main({ quick: process.argv.includes('--quick') });
}
