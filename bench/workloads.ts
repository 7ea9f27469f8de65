/**
 * The standard benchmark workloads, defined once so every runner (this suite, the peers in
 * bench/peers/) measures the same thing.
 *
 *   M<n>-NN/NT/TN  matmul C = A B, A B^T, A^T B with square n x n operands on the active
 *                  backend, copies in and out of its memory included (GFLOP/s)
 *   L1 / G1 / R1   one training step (forward, backward, Adam update) of LSTM / GRU / RNN(tanh):
 *                  batch 32, 64 steps, input 32, hidden 128, Linear 128 -> 32 on every step, MSE
 *   L1-T<n>        L1 at sequence length n (time should grow linearly with n)
 *   L2             a tiny model: batch 1, 32 steps, input 8, hidden 32, Linear 32 -> 1 on the last step
 *   L3             LSTMCell inference, one step, batch 1, input 32, hidden 128, state carried
 *   I1             LSTM inference, batch 1, 256 steps, input 32, hidden 128
 *   C1             char LM step: vocab 65, embedding 64, 2-layer LSTM hidden 256, batch 32,
 *                  64 steps, Linear to 65 on every step, cross entropy, Adam
 *   L4             L1 at a larger size: batch 64, 128 steps, input 128, hidden 512
 *   C4             C1 at L4's size: embedding 128, 2-layer LSTM hidden 512, batch 64, 128 steps
 *   *-ref          the same step through the reference cells built from primitive ops
 */
import { F, Generator, getBackend, getNumThreads, nn, noGrad, optim, randint, randn, setBackend, setNumThreads, type Tensor } from '../src/node/index.js';
import { backend } from '../src/kernels/backend.js';
import { parallelism } from '../src/kernels/threads.js';
import { recurrentReference } from '../src/rnn/reference.js';

/** How the library runs the workloads: backend and thread count. */
export interface EngineConfig {
  backend: 'js' | 'wasm';
  threads: number;
}

/**
 * Selects the backend and thread count, waits until the threads are up (workers boot in the
 * background), and returns what is in force.
 */
export async function configure(config: EngineConfig): Promise<EngineConfig> {
  setBackend(config.backend);
  setNumThreads(config.threads);
  const ready = Date.now();
  while (config.threads > 1 && parallelism() < config.threads && Date.now() - ready < 10_000) await new Promise((r) => setTimeout(r, 10));
  return { backend: getBackend(), threads: getNumThreads() };
}

/** A benchmark: a name, a setup that returns the function to time, and a work count. */
export interface Workload {
  name: string;
  /** What one call does, for the table. */
  what: string;
  /** Floating-point operations per call, when a GFLOP/s figure makes sense. */
  flops?: number;
  /** Returns the function to time (everything it needs is built here, outside the timing). */
  setup(): () => void;
}

function matmulWorkload(n: number, variant: 'NN' | 'NT' | 'TN'): Workload {
  return {
    name: `M${n}-${variant}`,
    what: `matmul ${n}x${n} ${variant}`,
    flops: 2 * n * n * n,
    setup() {
      const g = new Generator(1);
      const a = randn([n, n], { generator: g }).data;
      const b = randn([n, n], { generator: g }).data;
      const c = new Float32Array(n * n);
      const kernel = backend()[`matmul${variant}`];
      return () => kernel(n, n, n, a, 0, b, 0, c, 0, false);
    },
  };
}

type Kind = 'LSTM' | 'GRU' | 'RNN';

function recurrent(kind: Kind, options: nn.RecurrentOptions): nn.RecurrentBase & { forward(x: Tensor): { output: Tensor } } {
  return kind === 'LSTM' ? new nn.LSTM(options) : kind === 'GRU' ? new nn.GRU(options) : new nn.RNN(options);
}

/** Sizes of a training step: batch, steps, input, hidden. */
interface Sizes {
  B: number;
  T: number;
  I: number;
  H: number;
}

/**
 * A training step of `kind` at `sizes` (L1 / G1 / R1: B 32, T 64, I 32, H 128), Linear H -> I
 * on every step, MSE, Adam.
 */
function trainStep(name: string, kind: Kind, sizes: Sizes, reference = false): Workload {
  const { B, T, I, H } = sizes;
  return {
    name,
    what: `${kind} train step B${B} T${T} I${I} H${H}${reference ? ' (reference cells)' : ''}`,
    setup() {
      const g = new Generator(2);
      const rnn = recurrent(kind, { inputSize: I, hiddenSize: H, batchFirst: true, seed: 3 });
      const head = new nn.Linear({ inFeatures: H, outFeatures: I, seed: 4 });
      const x = randn([B, T, I], { generator: g });
      const y = randn([B, T, I], { generator: g });
      const params = [...rnn.parameters(), ...head.parameters()];
      const optimizer = new optim.Adam(params, { lr: 1e-3 });
      return () => {
        const out = reference ? recurrentReference(rnn, x).output : rnn.forward(x).output;
        const loss = F.mseLoss(head.forward(out), y);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
      };
    },
  };
}

const tiny: Workload = {
  name: 'L2',
  what: 'LSTM train step B1 T32 I8 H32, Linear on the last step',
  setup() {
    const g = new Generator(5);
    const lstm = new nn.LSTM({ inputSize: 8, hiddenSize: 32, batchFirst: true, seed: 6 });
    const head = new nn.Linear({ inFeatures: 32, outFeatures: 1, seed: 7 });
    const x = randn([1, 32, 8], { generator: g });
    const y = randn([1, 1], { generator: g });
    const optimizer = new optim.Adam([...lstm.parameters(), ...head.parameters()], { lr: 1e-3 });
    return () => {
      const { h } = lstm.forward(x);
      const loss = F.mseLoss(head.forward(h.select(0, 0)), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    };
  },
};

const cellLatency: Workload = {
  name: 'L3',
  what: 'LSTMCell inference, one step, B1 I32 H128, state carried',
  setup() {
    const g = new Generator(8);
    const cell = new nn.LSTMCell({ inputSize: 32, hiddenSize: 128, seed: 9 });
    const x = randn([1, 32], { generator: g });
    let state = { h: randn([1, 128], { generator: g }).mul(0), c: randn([1, 128], { generator: g }).mul(0) };
    return () => {
      state = noGrad(() => cell.forward(x, state));
    };
  },
};

const inference: Workload = {
  name: 'I1',
  what: 'LSTM inference B1 T256 I32 H128',
  setup() {
    const lstm = new nn.LSTM({ inputSize: 32, hiddenSize: 128, batchFirst: true, seed: 10 });
    const x = randn([1, 256, 32], { generator: new Generator(11) });
    return () => {
      noGrad(() => lstm.forward(x));
    };
  },
};

/** A char LM step: vocabulary 65, embedding E, 2-layer LSTM of H, Linear to 65 on every step, cross entropy, Adam. */
function charModel(name: string, { B, T, I: E, H }: Sizes): Workload {
  const V = 65;
  return {
    name,
    what: `char LM step V${V} E${E} 2xLSTM H${H} B${B} T${T}, cross entropy, Adam`,
    setup() {
      const g = new Generator(12);
      const embed = new nn.Embedding({ numEmbeddings: V, embeddingDim: E, seed: 13 });
      const lstm = new nn.LSTM({ inputSize: E, hiddenSize: H, numLayers: 2, batchFirst: true, seed: 14 });
      const head = new nn.Linear({ inFeatures: H, outFeatures: V, seed: 15 });
      const x = randint(0, V, [B, T], { generator: g });
      const y = randint(0, V, [B * T], { generator: g });
      const optimizer = new optim.Adam([...embed.parameters(), ...lstm.parameters(), ...head.parameters()], { lr: 1e-3 });
      return () => {
        const logits = head.forward(lstm.forward(embed.forward(x)).output);
        const loss = F.crossEntropy(logits.reshape(B * T, V), y);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
      };
    },
  };
}

/** L1's sizes, and L4's (64 times L1's multiply-adds per step). */
const SMALL: Sizes = { B: 32, T: 64, I: 32, H: 128 };
const LARGE: Sizes = { B: 64, T: 128, I: 128, H: 512 };

/** Every workload, in table order; the slow ones (reference paths, long sequences) are opt-in. */
export const WORKLOADS: Workload[] = [
  ...[64, 128, 256, 512].map((n) => matmulWorkload(n, 'NN')),
  matmulWorkload(256, 'NT'),
  matmulWorkload(256, 'TN'),
  trainStep('L1', 'LSTM', SMALL),
  trainStep('G1', 'GRU', SMALL),
  trainStep('R1', 'RNN', SMALL),
  tiny,
  cellLatency,
  inference,
  charModel('C1', { B: 32, T: 64, I: 64, H: 256 }),
  trainStep('L4', 'LSTM', LARGE),
  charModel('C4', LARGE),
];

/** Opt-in workloads: `npm run bench -- --all` or name them. */
export const EXTRA_WORKLOADS: Workload[] = [
  trainStep('L1-ref', 'LSTM', SMALL, true),
  trainStep('G1-ref', 'GRU', SMALL, true),
  trainStep('R1-ref', 'RNN', SMALL, true),
  trainStep('L1-T256', 'LSTM', { ...SMALL, T: 256 }),
  trainStep('L1-T1024', 'LSTM', { ...SMALL, T: 1024 }),
];
