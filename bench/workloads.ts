/**
 * The standard benchmark workloads, defined once so every runner measures the same thing.
 *
 *   M<n>        square matmul C = A B and the transposed variants A B^T, A^T B (GFLOP/s)
 *   L1/G1/R1    a training step (forward, backward, update) of LSTM / GRU / RNN(tanh):
 *               B = 32, T = 64, I = 32, H = 128, Linear 128 -> 32 on every step, MSE loss
 *   *-ref       the same step through the reference cells built from primitive ops
 */
import { Generator, Tensor, linear, mean, mul, nn, noGrad, randn, sub } from '../src/index.js';
import { matmulNN, matmulNT, matmulTN } from '../src/kernels/matmul.js';
import { recurrentReference } from '../src/rnn/reference.js';

/** A benchmark: a name, a setup that returns the function to time, and a work count. */
export interface Workload {
  name: string;
  /** What one call does, for the table. */
  what: string;
  /** Floating-point operations per call, when a GFLOP/s figure makes sense. */
  flops?: number;
  setup(): () => void;
}

function matmulWorkload(n: number, variant: 'NN' | 'NT' | 'TN'): Workload {
  const kernel = { NN: matmulNN, NT: matmulNT, TN: matmulTN }[variant];
  return {
    name: `M${n}-${variant}`,
    what: `matmul ${n}x${n} ${variant}`,
    flops: 2 * n * n * n,
    setup() {
      const g = new Generator(1);
      const a = randn([n, n], { generator: g }).data;
      const b = randn([n, n], { generator: g }).data;
      const c = new Float32Array(n * n);
      return () => kernel(n, n, n, a, 0, b, 0, c, 0, false);
    },
  };
}

/** One SGD step in place, enough to exercise a full training step until the optimizers land. */
function sgdStep(params: Tensor[], lr: number): void {
  noGrad(() => {
    for (const p of params) {
      if (!p.grad) continue;
      const g = p.grad.data;
      for (let i = 0; i < g.length; i++) p.data[i] -= lr * g[i];
      p.grad = null;
    }
  });
}

function recurrentStep(kind: 'LSTM' | 'GRU' | 'RNN', reference: boolean): Workload {
  const B = 32, T = 64, I = 32, H = 128;
  const tag = { LSTM: 'L1', GRU: 'G1', RNN: 'R1' }[kind];
  return {
    name: reference ? `${tag}-ref` : tag,
    what: `${kind} train step B${B} T${T} I${I} H${H}${reference ? ' (reference cells)' : ''}`,
    setup() {
      const g = new Generator(2);
      const opts = { inputSize: I, hiddenSize: H, batchFirst: true, seed: 3 };
      const rnn = kind === 'LSTM' ? new nn.LSTM(opts) : kind === 'GRU' ? new nn.GRU(opts) : new nn.RNN(opts);
      const head = new nn.Linear({ inFeatures: H, outFeatures: I, seed: 4 });
      const x = randn([B, T, I], { generator: g });
      const y = randn([B, T, I], { generator: g });
      const params = [...rnn.parameters(), ...head.parameters()];
      return () => {
        const out = reference ? recurrentReference(rnn, x).output : rnn.forward(x).output;
        const diff = sub(linear(out, head.weight, head.bias), y);
        const loss = mean(mul(diff, diff));
        loss.backward();
        sgdStep(params, 1e-3);
      };
    },
  };
}

/** Every workload, in table order. */
export const WORKLOADS: Workload[] = [
  ...[64, 128, 256, 512].map((n) => matmulWorkload(n, 'NN')),
  matmulWorkload(256, 'NT'),
  matmulWorkload(256, 'TN'),
  recurrentStep('LSTM', false),
  recurrentStep('LSTM', true),
  recurrentStep('GRU', false),
  recurrentStep('GRU', true),
  recurrentStep('RNN', false),
  recurrentStep('RNN', true),
];
