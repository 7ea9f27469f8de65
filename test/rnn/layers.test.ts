/** Behaviour of the recurrent layers and cells beyond the fixtures: shapes, modes, state, errors. */
import { describe, expect, it } from 'vitest';
import { Generator, RecurrentError, Tensor, cat, mul, nn, noGrad, randn, sum, transpose } from '../../src/index.js';
import { recurrentReference } from '../../src/rnn/reference.js';
import { expectClose } from '../helpers.js';
import { FAST_VS_REFERENCE } from '../tolerances.js';

const g = () => new Generator(42);

describe('long sequences', () => {
  it('a 10,000-step LSTM runs forward and backward without a stack overflow', () => {
    const lstm = new nn.LSTM({ inputSize: 2, hiddenSize: 8, seed: 1 });
    const x = randn([10_000, 1, 2], { generator: g() }).requiresGrad_();
    const { output } = lstm.forward(x);
    sum(output).backward();
    expect(x.grad!.data.every(Number.isFinite)).toBe(true);
    expect(Object.fromEntries(lstm.namedParameters()).weight_hh_l0.grad!.data.some((v) => v !== 0)).toBe(true);
  });

  it('the reference path (about 15 graph nodes a step) backpropagates 10,000 steps iteratively', () => {
    const gru = new nn.GRU({ inputSize: 1, hiddenSize: 2, seed: 1 });
    const x = randn([10_000, 1, 1], { generator: g() }).requiresGrad_();
    const r = recurrentReference(gru, x);
    sum(r.h).backward();
    expect(x.grad!.data.every(Number.isFinite)).toBe(true);
  });
});

describe('shapes and layouts', () => {
  it('unbatched (T, I) input equals a batch of one', () => {
    const gru = new nn.GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 3 });
    const x = randn([5, 3], { generator: g() });
    const h0 = randn([4, 4], { generator: g() });
    const a = gru.forward(x, { h0 });
    const b = gru.forward(x.reshape(5, 1, 3), { h0: h0.reshape(4, 1, 4) });
    expect(a.output.shape).toEqual([5, 8]);
    expect(a.h.shape).toEqual([4, 4]);
    expect(Array.from(a.output.data)).toEqual(Array.from(b.output.data));
    expect(Array.from(a.h.data)).toEqual(Array.from(b.h.data));
  });

  it('batchFirst equals the time-major layout transposed', () => {
    const opts = { inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 5 };
    const a = new nn.LSTM({ ...opts, batchFirst: true });
    const b = new nn.LSTM(opts);
    const x = randn([2, 6, 3], { generator: g() });
    const ra = a.forward(x);
    const rb = b.forward(transpose(x, 0, 1));
    expect(ra.output.shape).toEqual([2, 6, 4]);
    expect(Array.from(ra.output.data)).toEqual(Array.from(transpose(rb.output, 0, 1).data));
    expect(Array.from(ra.c.data)).toEqual(Array.from(rb.c.data));
  });

  it('state dict names and shapes follow PyTorch', () => {
    const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true });
    const shapes = Object.fromEntries(Object.entries(lstm.stateDict()).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({
      weight_ih_l0: [20, 3], weight_hh_l0: [20, 5], bias_ih_l0: [20], bias_hh_l0: [20],
      weight_ih_l0_reverse: [20, 3], weight_hh_l0_reverse: [20, 5], bias_ih_l0_reverse: [20], bias_hh_l0_reverse: [20],
      weight_ih_l1: [20, 10], weight_hh_l1: [20, 5], bias_ih_l1: [20], bias_hh_l1: [20],
      weight_ih_l1_reverse: [20, 10], weight_hh_l1_reverse: [20, 5], bias_ih_l1_reverse: [20], bias_hh_l1_reverse: [20],
    });
    expect(Object.keys(new nn.GRUCell({ inputSize: 2, hiddenSize: 3, bias: false }).stateDict())).toEqual(['weight_ih', 'weight_hh']);
  });
});

describe('initialisation and dropout', () => {
  it('draws every weight from U(-1/sqrt(H), 1/sqrt(H)), reproducibly per seed', () => {
    const make = (seed: number) => new nn.GRU({ inputSize: 4, hiddenSize: 16, numLayers: 2, seed });
    const bound = 1 / Math.sqrt(16);
    const a = make(9).parameters().flatMap((p) => Array.from(p.data));
    expect(a.every((v) => v >= -bound && v < bound)).toBe(true);
    expect(Math.max(...a)).toBeGreaterThan(0.9 * bound);
    expect(a).toEqual(make(9).parameters().flatMap((p) => Array.from(p.data)));
    expect(a).not.toEqual(make(10).parameters().flatMap((p) => Array.from(p.data)));
  });

  it('applies dropout between layers in training mode only', () => {
    const opts = { inputSize: 3, hiddenSize: 8, numLayers: 2 };
    const withDrop = new nn.LSTM({ ...opts, dropout: 0.5, seed: 1 });
    const without = new nn.LSTM({ ...opts, seed: 1 });
    const x = randn([4, 2, 3], { generator: g() });
    const train = Array.from(withDrop.forward(x).output.data);
    const plain = Array.from(without.forward(x).output.data);
    expect(train).not.toEqual(plain);
    withDrop.eval();
    expect(Array.from(withDrop.forward(x).output.data)).toEqual(plain);
    // The same seed draws the same masks.
    const again = new nn.LSTM({ ...opts, dropout: 0.5, seed: 1 });
    expect(Array.from(again.forward(x).output.data)).toEqual(train);
  });
});

describe('state dicts change nothing on error', () => {
  it('rejects a wrong shape or a missing key before writing anything', () => {
    const lstm = new nn.LSTM({ inputSize: 2, hiddenSize: 3, seed: 1 });
    const before = lstm.parameters().map((p) => Array.from(p.data));
    const good = lstm.stateDict();
    const other = new nn.LSTM({ inputSize: 2, hiddenSize: 3, seed: 2 }).stateDict();
    const badShape = { ...other, weight_hh_l0: randn([12, 4]) };
    expect(() => lstm.loadStateDict(badShape)).toThrow(/weight_hh_l0 has shape \[12,4\], the module expects \[12,3\]/);
    const { bias_hh_l0: _, ...missing } = other;
    expect(() => lstm.loadStateDict(missing)).toThrow(/missing keys: bias_hh_l0/);
    expect(lstm.parameters().map((p) => Array.from(p.data))).toEqual(before);
    lstm.loadStateDict(other);
    expect(Array.from(lstm.parameters()[0].data)).toEqual(Array.from(other.weight_ih_l0.data));
    expect(Array.from(good.weight_ih_l0.data)).toEqual(Array.from(lstm.parameters()[0].data));
  });
});

describe('truncated BPTT', () => {
  it('carrying h.detach() between chunks gives the same forward values as one pass, with gradients stopping at chunk borders', () => {
    const lstm = new nn.LSTM({ inputSize: 2, hiddenSize: 4, batchFirst: true, seed: 4 });
    const x = randn([3, 12, 2], { generator: g() });
    const whole = lstm.forward(x).output;
    let h: Tensor | undefined;
    let c: Tensor | undefined;
    const outs: Tensor[] = [];
    const chunks: Tensor[] = [];
    const gradsAfterOwnBackward: number[][] = [];
    for (let start = 0; start < 12; start += 4) {
      const chunk = x.narrow(1, start, 4).requiresGrad_();
      const r = lstm.forward(chunk, { h0: h, c0: c });
      sum(r.output).backward();
      chunks.push(chunk);
      gradsAfterOwnBackward.push(Array.from(chunk.grad!.data));
      outs.push(r.output);
      h = r.h.detach();
      c = r.c.detach();
    }
    expectClose(cat(outs, 1), whole, FAST_VS_REFERENCE, 'chunked output');
    // Later chunks' backward passes never reached earlier chunks' inputs.
    chunks.forEach((chunk, i) => expect(Array.from(chunk.grad!.data)).toEqual(gradsAfterOwnBackward[i]));
  });
});

describe('workspaces never alias', () => {
  it('two forwards of one model before one backward give the same gradients as the reference', () => {
    const gru = new nn.GRU({ inputSize: 3, hiddenSize: 4, seed: 8 });
    const x1 = randn([5, 2, 3], { generator: g() });
    const x2 = randn([5, 2, 3], { generator: new Generator(1) });
    const grads = (fast: boolean) => {
      gru.zeroGrad();
      const run = (x: Tensor) => (fast ? gru.forward(x) : recurrentReference(gru, x));
      const a = run(x1);
      const b = run(x2);
      sum(mul(a.output, b.output)).backward();
      return gru.parameters().map((p) => p.grad!);
    };
    const fast = grads(true);
    const ref = grads(false);
    fast.forEach((gr, i) => expectClose(gr, ref[i], FAST_VS_REFERENCE, `param ${i}`));
  });

  it('interleaving two models of the same shape is bit-identical to running them one after the other', () => {
    const make = () => [new nn.LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 }), new nn.LSTM({ inputSize: 3, hiddenSize: 4, seed: 2 })];
    const x = randn([6, 2, 3], { generator: g() });
    const [a1, b1] = make();
    const la = sum(a1.forward(x).output);
    const lb = sum(b1.forward(x).output);
    lb.backward();
    la.backward();
    const [a2, b2] = make();
    sum(a2.forward(x).output).backward();
    sum(b2.forward(x).output).backward();
    expect(a1.parameters().map((p) => Array.from(p.grad!.data))).toEqual(a2.parameters().map((p) => Array.from(p.grad!.data)));
    expect(b1.parameters().map((p) => Array.from(p.grad!.data))).toEqual(b2.parameters().map((p) => Array.from(p.grad!.data)));
  });

  it('inference under noGrad records no graph', () => {
    const rnn = new nn.RNN({ inputSize: 2, hiddenSize: 3, seed: 1 });
    const r = noGrad(() => rnn.forward(randn([4, 1, 2])));
    expect(r.output.requiresGrad).toBe(false);
    expect(r.output.gradFn).toBeNull();
  });
});

describe('cells', () => {
  it('each cell equals its one-step layer', () => {
    const x = randn([3, 4], { generator: g() });
    const h = randn([3, 5], { generator: g() });
    const c = randn([3, 5], { generator: g() });
    const cell = new nn.LSTMCell({ inputSize: 4, hiddenSize: 5, seed: 2 });
    const layer = new nn.LSTM({ inputSize: 4, hiddenSize: 5 });
    layer.loadStateDict(Object.fromEntries(Object.entries(cell.stateDict()).map(([k, v]) => [`${k}_l0`, v])));
    const a = cell.forward(x, { h, c });
    const b = layer.forward(x.reshape(1, 3, 4), { h0: h.reshape(1, 3, 5), c0: c.reshape(1, 3, 5) });
    expect(Array.from(a.h.data)).toEqual(Array.from(b.h.data));
    expect(Array.from(a.c.data)).toEqual(Array.from(b.c.data));
    const gru = new nn.GRUCell({ inputSize: 4, hiddenSize: 5 });
    expect(gru.forward(x.select(0, 0)).shape).toEqual([5]);
    expect(new nn.RNNCell({ inputSize: 4, hiddenSize: 5, nonlinearity: 'relu' }).forward(x).data.every((v) => v >= 0)).toBe(true);
  });
});

describe('bad input', () => {
  const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
  const cases: [string, () => unknown, RegExp][] = [
    ['input size', () => lstm.forward(randn([5, 2, 7])), /LSTM: input's last dim must be inputSize 3, got \[5,2,7\]/],
    ['rank', () => lstm.forward(randn([5])), /LSTM: input must be/],
    ['h0 shape', () => lstm.forward(randn([5, 2, 3]), { h0: randn([1, 2, 4]) }), /LSTM: h0 must have shape \[2,2,4\] for input \[5,2,3\], got \[1,2,4\]/],
    ['lengths count', () => lstm.forward(randn([5, 2, 3]), { lengths: [5] }), /lengths must hold one length per batch entry \(2\)/],
    ['lengths range', () => lstm.forward(randn([5, 2, 3]), { lengths: [5, 6] }), /lengths\[1\] must be an integer in \[1, 5\], got 6/],
    ['hidden size', () => new nn.GRU({ inputSize: 3, hiddenSize: 0 }), /GRU: hiddenSize must be an integer >= 1, got 0/],
    ['fractional layers', () => new nn.RNN({ inputSize: 3, hiddenSize: 2, numLayers: 1.5 }), /RNN: numLayers must be an integer/],
    ['dropout', () => new nn.LSTM({ inputSize: 3, hiddenSize: 2, dropout: 1.5 }), /LSTM: dropout must be a number in \[0, 1\)/],
    ['nonlinearity', () => new nn.RNN({ inputSize: 3, hiddenSize: 2, nonlinearity: 'sigmoid' as 'tanh' }), /nonlinearity must be 'tanh' or 'relu'/],
    ['cell state', () => new nn.GRUCell({ inputSize: 3, hiddenSize: 2 }).forward(randn([4, 3]), randn([3, 2])), /GRUCell: h must have shape \[4,2\]/],
  ];
  for (const [name, fn, message] of cases) {
    it(name, () => {
      expect(fn).toThrow(RecurrentError);
      expect(fn).toThrow(message);
    });
  }
});
