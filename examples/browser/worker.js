/**
 * The training side of the live page, in a module worker so that the page stays responsive.
 * It loads the library's ESM build and trains a character-level language model:
 *
 *   Embedding(V, 24) -> LSTM(24, 96) -> Linear(96, V) -> cross entropy at every step
 *   Adam (lr 1e-2), gradient norm clipped at 1, windows of 32 characters, batches of 16
 *
 * Messages in:  start {text, temperature}, stop, resume, temperature {value},
 *               sample {temperature}, export
 * Messages out: backend {backend: 'wasm' | 'js', what runs the kernels here}, ready {vocab, parameters}, progress {step, losses, charsPerSecond},
 *               sample {step, temperature, text}, weights {bytes, step}, stopped {step},
 *               error {message}
 */
import { F, Generator, getBackend, nn, noGrad, optim, safetensors, tensor } from '../../dist/index.js';

postMessage({ type: 'backend', backend: getBackend() });

const SEQ = 32;
const BATCH = 16;
const SAMPLE_EVERY = 25;
const SAMPLE_LENGTH = 160;
const SLICE_MS = 60; // train this long, then yield so that stop / sample messages get through

class CharModel extends nn.Module {
  constructor(V) {
    super();
    this.embed = new nn.Embedding({ numEmbeddings: V, embeddingDim: 24, seed: 1 });
    this.lstm = new nn.LSTM({ inputSize: 24, hiddenSize: 96, batchFirst: true, seed: 2 });
    this.head = new nn.Linear({ inFeatures: 96, outFeatures: V, seed: 3 });
  }

  /** x: (B, T) character ids -> logits (B, T, V), and the state to continue from. */
  forward(x, state) {
    const { output, h, c } = this.lstm.forward(this.embed.forward(x), state);
    return { logits: this.head.forward(output), state: { h0: h, c0: c } };
  }
}

let run = null; // { vocab, ids, model, optimizer, rng, step, running, temperature, timer }

function start(text, temperature) {
  stop();
  const vocab = [...new Set(text)].sort();
  if (text.length < SEQ + 2 || vocab.length < 2) throw new Error(`the text needs at least ${SEQ + 2} characters and two different ones`);
  const index = new Map(vocab.map((ch, i) => [ch, i]));
  const model = new CharModel(vocab.length);
  run = {
    vocab,
    index,
    ids: Array.from(text, (ch) => index.get(ch)),
    model,
    optimizer: new optim.Adam(model.parameters(), { lr: 1e-2 }),
    rng: new Generator(4),
    step: 0,
    running: true,
    temperature,
    timer: 0,
  };
  postMessage({ type: 'ready', vocab: vocab.length, characters: text.length, parameters: model.numParameters() });
  schedule();
}

function stop() {
  if (run === null) return;
  run.running = false;
  clearTimeout(run.timer);
}

function schedule() {
  run.timer = setTimeout(trainSlice, 0);
}

/** One training step on a random batch of windows; returns the loss. */
function trainStep() {
  const { ids, model, optimizer, rng } = run;
  const V = run.vocab.length;
  const xs = [];
  const ys = [];
  for (let b = 0; b < BATCH; b++) {
    const s = rng.randint(0, ids.length - SEQ - 1);
    xs.push(ids.slice(s, s + SEQ));
    for (let t = s + 1; t <= s + SEQ; t++) ys.push(ids[t]);
  }
  const { logits } = model.forward(tensor(xs));
  const loss = F.crossEntropy(logits.reshape(-1, V), ys);
  optimizer.zeroGrad();
  loss.backward();
  optim.clipGradNorm(model.parameters(), 1);
  optimizer.step();
  run.step++;
  return loss.item();
}

function trainSlice() {
  if (run === null || !run.running) return;
  const started = performance.now();
  const losses = [];
  let trainingMs = 0; // sampling is not training: keep it out of the speed
  try {
    do {
      const t0 = performance.now();
      losses.push(trainStep());
      trainingMs += performance.now() - t0;
      if (run.step % SAMPLE_EVERY === 0) postMessage({ type: 'sample', step: run.step, temperature: run.temperature, text: sample(run.temperature) });
    } while (performance.now() - started < SLICE_MS);
  } catch (e) {
    run.running = false;
    postMessage({ type: 'error', message: String(e && e.message ? e.message : e) });
    return;
  }
  const seconds = trainingMs / 1000;
  postMessage({ type: 'progress', step: run.step, losses, charsPerSecond: (losses.length * BATCH * SEQ) / seconds });
  schedule();
}

/** Draws characters one at a time from softmax(logits / temperature), from a random start. */
function sample(temperature) {
  const { vocab, ids, model, rng } = run;
  const V = vocab.length;
  return noGrad(() => {
    let next = ids[rng.randint(0, ids.length)];
    let out = vocab[next];
    let state;
    for (let i = 0; i < SAMPLE_LENGTH; i++) {
      const step = model.forward(tensor([[next]]), state);
      state = step.state;
      const p = step.logits.reshape(V).div(Math.max(temperature, 1e-3)).softmax(-1).data;
      let r = rng.random();
      next = 0;
      while (next < V - 1 && (r -= p[next]) > 0) next++;
      out += vocab[next];
    }
    return out;
  });
}

/** The model's state dict as safetensors bytes, with the vocabulary in the metadata. */
function exportWeights() {
  return safetensors.save(run.model.stateDict(), {
    format: 'pt',
    model: 'char-lstm: Embedding(V, 24) -> LSTM(24, 96) -> Linear(96, V)',
    vocab: JSON.stringify(run.vocab),
    step: String(run.step),
  });
}

onmessage = (event) => {
  const message = event.data;
  try {
    switch (message.type) {
      case 'start':
        start(message.text, message.temperature);
        break;
      case 'stop':
        stop();
        postMessage({ type: 'stopped', step: run ? run.step : 0 });
        break;
      case 'resume':
        if (run !== null && !run.running) {
          run.running = true;
          schedule();
        }
        break;
      case 'temperature':
        if (run !== null) run.temperature = message.value;
        break;
      case 'sample':
        if (run !== null) postMessage({ type: 'sample', step: run.step, temperature: message.temperature, text: sample(message.temperature) });
        break;
      case 'export':
        if (run !== null) {
          const bytes = exportWeights();
          postMessage({ type: 'weights', bytes, step: run.step }, [bytes.buffer]);
        }
        break;
      default:
        throw new Error(`unknown message ${message.type}`);
    }
  } catch (e) {
    postMessage({ type: 'error', message: String(e && e.message ? e.message : e) });
  }
};
