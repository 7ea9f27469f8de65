/**
 * `npm run demo`: trains a character-level LSTM on built-in text (examples/data/corpus.txt,
 * written for this project) and samples from it as it learns.
 *
 *   Embedding(V, 32) -> LSTM(32, 128) -> Linear(128, V) -> cross entropy on every step
 *   Adam (lr 3e-3), gradient norm clipped at 1, sequences of 48 characters, batches of 16
 */
import { readFileSync } from 'node:fs';
import { F, Generator, nn, noGrad, optim, tensor, type Tensor } from '../src/index.js';

const text = readFileSync(new URL('./data/corpus.txt', import.meta.url), 'utf8');
const vocab = [...new Set(text)].sort();
const ids = Array.from(text, (ch) => vocab.indexOf(ch));
const V = vocab.length;
const steps = Number(process.argv[2] ?? 600);
const seq = 48;
const batch = 16;

class CharModel extends nn.Module {
  embed = new nn.Embedding({ numEmbeddings: V, embeddingDim: 32, seed: 1 });
  lstm = new nn.LSTM({ inputSize: 32, hiddenSize: 128, batchFirst: true, seed: 2 });
  head = new nn.Linear({ inFeatures: 128, outFeatures: V, seed: 3 });
  forward(x: Tensor | number[], state?: { h0: Tensor; c0: Tensor }) {
    const { output, h, c } = this.lstm.forward(this.embed.forward(x), state);
    return { logits: this.head.forward(output), state: { h0: h, c0: c } };
  }
}

const model = new CharModel();
const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
const rng = new Generator(4);

function sample(prompt: string, length: number, temperature = 0.8): string {
  return noGrad(() => {
    let out = prompt;
    let { logits, state } = model.forward(tensor([Array.from(prompt, (ch) => vocab.indexOf(ch))]));
    for (let i = 0; i < length; i++) {
      const last = logits.select(1, logits.shape[1] - 1).div(temperature).softmax(-1).data;
      let r = rng.random();
      let next = 0;
      while (next < V - 1 && (r -= last[next]) > 0) next++;
      out += vocab[next];
      ({ logits, state } = model.forward(tensor([[next]]), state));
    }
    return out;
  });
}

console.log(`corpus: ${text.length} characters, vocabulary ${V}; model: ${model.numParameters()} parameters`);
const started = Date.now();
for (let step = 1; step <= steps; step++) {
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let b = 0; b < batch; b++) {
    const s = rng.randint(0, ids.length - seq - 1);
    xs.push(ids.slice(s, s + seq));
    ys.push(...ids.slice(s + 1, s + seq + 1));
  }
  const { logits } = model.forward(tensor(xs));
  const loss = F.crossEntropy(logits.reshape(-1, V), ys);
  optimizer.zeroGrad();
  loss.backward();
  optim.clipGradNorm(model.parameters(), 1);
  optimizer.step();
  if (step % 50 === 0 || step === 1) {
    const seconds = (Date.now() - started) / 1000;
    console.log(`step ${String(step).padStart(4)}  loss ${loss.item().toFixed(3)}  ${((step * batch * seq) / seconds).toFixed(0)} chars/s`);
  }
  if (step % 200 === 0) console.log(`  sample: ${JSON.stringify(sample('The ', 80))}`);
}
