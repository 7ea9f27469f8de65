/**
 * NaN propagates wherever PyTorch propagates it: one NaN placed anywhere in the input of every
 * elementwise op, reduction, softmax, matmul, loss and recurrent layer shows up in the output,
 * and detectAnomaly stops at the first op that produced it, relu included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as R from '../../src/index.js';
import { F, RecurrentError, Tensor, nn } from '../../src/index.js';

type Op = (x: Tensor) => Tensor;

/** Ops whose every output element depends on the NaN (or, elementwise, the one at its place). */
const ELEMENTWISE: [string, Op][] = [
  ['relu', R.relu], ['neg', R.neg], ['exp', R.exp], ['log', (x) => R.log(R.abs(x))], ['sqrt', (x) => R.sqrt(R.abs(x))], ['abs', R.abs],
  ['tanh', R.tanh], ['sigmoid', R.sigmoid], ['clamp', (x) => R.clamp(x, -0.5, 0.5)], ['clone', R.clone],
  ['add', (x) => R.add(x, 1)], ['mul', (x) => R.mul(x, 2)], ['sub', (x) => R.sub(x, 1)], ['div', (x) => R.div(x, 3)], ['pow', (x) => R.pow(x, 2)],
];

const REDUCING: [string, Op][] = [
  ['sum', (x) => R.sum(x)], ['mean', (x) => R.mean(x)], ['max', (x) => R.max(x)], ['min', (x) => R.min(x)],
  ['sum dim', (x) => R.sum(R.sum(x, 1))], ['max dim', (x) => R.sum(R.max(x, 1))], ['logsumexp', (x) => R.sum(R.logsumexp(x, 1))],
  ['softmax', (x) => R.sum(R.softmax(x, 1))], ['logSoftmax', (x) => R.sum(R.logSoftmax(x, 1))],
  ['matmul', (x) => R.sum(R.matmul(x, R.ones([4, 2])))], ['relu then sum', (x) => R.sum(R.relu(x))],
  ['mseLoss', (x) => F.mseLoss(x, R.zeros([3, 4]))], ['crossEntropy', (x) => F.crossEntropy(x, [0, 1, 2])],
  ['binaryCrossEntropyWithLogits', (x) => F.binaryCrossEntropyWithLogits(x, R.zeros([3, 4]))],
];

const withNaN = fc.tuple(fc.nat({ max: 11 }), fc.array(fc.float({ min: -3, max: 3, noNaN: true }), { minLength: 12, maxLength: 12 })).map(([at, values]) => {
  const data = Float32Array.from(values);
  data[at] = NaN;
  return { at, x: new Tensor(data, [3, 4]) };
});

describe('NaN propagates as in PyTorch', () => {
  it('through every elementwise op, at its own position', () => {
    fc.assert(
      fc.property(withNaN, ({ at, x }) => {
        for (const [name, op] of ELEMENTWISE) expect(Number.isNaN(op(x).data[at]), name).toBe(true);
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it('through reductions, softmax, matmul and losses', () => {
    fc.assert(
      fc.property(withNaN, ({ x }) => {
        for (const [name, op] of REDUCING) expect(Number.isNaN(op(x).item()), name).toBe(true);
      }),
      { numRuns: 200, seed: 4 },
    );
  });

  it('softmax, logSoftmax and crossEntropy of a row holding +Infinity are NaN across the row, as PyTorch', () => {
    // torch.tensor([[inf, 1.], [0., 1.]]).softmax(1) -> [[nan, nan], [0.2689, 0.7311]]; log_softmax and cross_entropy nan too
    const x = new Tensor(Float32Array.from([Infinity, 1, 0, 1]), [2, 2]);
    const y = Array.from(R.softmax(x, 1).data);
    expect(y.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(y[2]).toBeCloseTo(0.2689, 4);
    expect(Array.from(R.logSoftmax(x, 1).data).slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(Number.isNaN(F.crossEntropy(new Tensor(Float32Array.from([Infinity, 1]), [1, 2]), R.tensor([1])).item())).toBe(true);
    // a row of -Infinity alone is NaN in PyTorch too
    expect(Array.from(R.softmax(new Tensor(Float32Array.from([-Infinity, -Infinity]), [2]), 0).data).every(Number.isNaN)).toBe(true);
  });

  it('argmax takes the first NaN as the maximum', () => {
    expect(Array.from(R.argmax(new Tensor(Float32Array.from([1, NaN, 5, NaN]), [1, 4]), 1).data)).toEqual([1]);
  });

  it('through relu, tanh RNNs, LSTMs and GRUs with one NaN weight', () => {
    const x = R.randn([5, 2, 3], { generator: new R.Generator(1) });
    const layers: nn.Module[] = [
      new nn.RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'relu', seed: 1 }),
      new nn.RNN({ inputSize: 3, hiddenSize: 4, seed: 1 }),
      new nn.LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 }),
      new nn.GRU({ inputSize: 3, hiddenSize: 4, seed: 1 }),
    ];
    for (const layer of layers) {
      const w = layer.parameters()[0]!;
      w.data[0] = NaN; // weight_ih_l0[0, 0]: feeds hidden unit 0 at every step
      const { output } = (layer as nn.RNN).forward(x);
      expect(output.data.some(Number.isNaN), layer.constructor.name).toBe(true);
      expect(Number.isNaN(R.sum(output).item()), layer.constructor.name).toBe(true);
    }
  });

  it('detectAnomaly names relu when a NaN weight sits behind it', () => {
    const w = new Tensor(Float32Array.from([NaN, -1, 2]), [3]).requiresGrad_();
    let error: unknown = null;
    try {
      R.detectAnomaly(() => R.sum(R.relu(w)).backward());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RecurrentError);
    expect((error as RecurrentError).message).toMatch(/relu/);
    // The relu-RNN kernel: the loss is NaN, not 0.
    const rnn = new nn.RNN({ inputSize: 1, hiddenSize: 1, nonlinearity: 'relu', bias: false, seed: 1 });
    rnn.parameters()[0]!.data[0] = NaN;
    expect(Number.isNaN(R.sum(rnn.forward(R.ones([3, 1, 1])).output).item())).toBe(true);
  });
});
