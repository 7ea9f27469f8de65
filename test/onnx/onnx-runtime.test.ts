/**
 * exportOnnx against the real ONNX Runtime: each supported layer and configuration, a model
 * mixing the primitive ops, and the CLI's character model are exported from one example,
 * then run in ONNX Runtime at batch sizes and sequence lengths other than the example's and
 * compared with this library's own forward.
 */
import { expect, it } from 'vitest';
import { cat, dropout, F, nn, randint, randn, RecurrentError, stack, Tensor } from '../../src/index.js';
import { CharModel, type RunConfig } from '../../src/node/cli/char-model.js';
import { exportOnnx } from '../../src/onnx/index.js';
import { engineSuite, ortSkipReason } from '../engines.js';
import { expectRejected } from '../helpers.js';
import { Fn } from './fn-model.js';
import { expectSameInOrt, SIZES } from './ort-check.js';

/** A recurrent layer with its initial states as inputs, returning all of its outputs. */
class Layer extends nn.Module {
  constructor(readonly layer: nn.RNN | nn.LSTM | nn.GRU) {
    super();
  }
  forward(x: Tensor, h0?: Tensor, c0?: Tensor): unknown {
    return this.layer instanceof nn.LSTM ? this.layer.forward(x, { h0, c0 }) : this.layer.forward(x, { h0 });
  }
}

const KINDS = {
  'RNN tanh': (o: nn.RNNOptions) => new nn.RNN(o),
  'RNN relu': (o: nn.RNNOptions) => new nn.RNN({ ...o, nonlinearity: 'relu' }),
  LSTM: (o: nn.RNNOptions) => new nn.LSTM(o),
  GRU: (o: nn.RNNOptions) => new nn.GRU(o),
};
const CONFIGS = [
  { name: 'one layer', options: {}, states: false },
  { name: 'two layers, bidirectional, batchFirst, initial states', options: { numLayers: 2, bidirectional: true, batchFirst: true, dropout: 0.3 }, states: true },
  { name: 'three layers without bias', options: { numLayers: 3, bias: false }, states: true },
];

engineSuite('exportOnnx in ONNX Runtime', ortSkipReason, () => {
  for (const [kind, make] of Object.entries(KINDS)) {
    for (const config of CONFIGS) {
      it(`${kind}, ${config.name}`, async () => {
        const layer = make({ inputSize: 6, hiddenSize: 4, seed: 3, ...config.options });
        const LD = layer.numLayers * (layer.bidirectional ? 2 : 1);
        const inputs = (B: number, T: number) => {
          const x = randn(layer.batchFirst ? [B, T, 6] : [T, B, 6]);
          if (!config.states) return [x];
          const states = [x, randn([LD, B, 4])];
          return layer instanceof nn.LSTM ? [...states, randn([LD, B, 4])] : states;
        };
        await expectSameInOrt(new Layer(layer), inputs(3, 5), SIZES.map(([B, T]) => inputs(B, T)));
      });
    }
  }

  it('Embedding, Linear, activations, dropout, matmul, add/mul, reshape, transpose, select, narrow, cat, stack, chunk, reductions, softmax', async () => {
    class Mixed extends nn.Module {
      embed = new nn.Embedding({ numEmbeddings: 11, embeddingDim: 6, seed: 1 });
      lin = new nn.Linear({ inFeatures: 6, outFeatures: 5, seed: 2 });
      drop = new nn.Dropout({ p: 0.4, seed: 3 });
      w = randn([5, 5], { requiresGrad: true });
      forward(ids: Tensor): unknown {
        const a = this.drop.forward(this.lin.forward(this.embed.forward(ids)).relu()); // (B, T, 5)
        const b = a.tanh().mul(a.sigmoid()).add(0.5).sub(a.div(3)).clamp(-0.2, 0.9);
        const c = dropout(b.matmul(this.w).exp().log(), 0.5, false); // (B, T, 5)
        const d = cat([c, a.abs().sqrt().neg()], 2); // (B, T, 10)
        return {
          probs: d.reshape(-1, 10).softmax(-1), // (B*T, 10)
          logp: d.logSoftmax(2),
          last: d.select(1, -1),
          first: d.narrow(1, 0, 1).squeeze(1),
          steps: d.transpose(0, 1).unsqueeze(2), // (T, B, 1, 10)
          perm: d.permute(2, 0, 1),
          stats: cat([d.sum(2), d.mean(2), d.max(2), d.min(2), d.logsumexp(2)], 1),
          scaled: d.pow(2).mul(d.sum(-1, true)),
          stacked: stack(d.chunk(2, 2), 1), // (B, 2, T, 5)
        };
      }
    }
    const ids = (B: number, T: number) => [randint(0, 11, [B, T])];
    await expectSameInOrt(new Mixed(), ids(3, 5), SIZES.map(([B, T]) => ids(B, T)), [true]);
  });

  it('expand under a broadcasting op and alone, Linear without bias, narrow from the end, indexSelect, one-sided clamps, constant ids, ids read as floats', async () => {
    class Edges extends nn.Module {
      embed = new nn.Embedding({ numEmbeddings: 11, embeddingDim: 4, seed: 1 });
      lin = new nn.Linear({ inFeatures: 4, outFeatures: 4, bias: false, seed: 2 });
      w = randn([1, 4], { requiresGrad: true });
      forward(ids: Tensor): unknown {
        const e = this.lin.forward(this.embed.forward(ids)); // (B, T, 4)
        return {
          // Add reads w itself (so any batch works); tanh needs the Expand node.
          shifted: e.add(this.w.expand(e.shape)),
          tiled: this.w.expand([3, 4]).tanh(),
          fixed: this.embed.forward([1, 5, 5]),
          none: e.narrow(1, 0, 0),
          tail: e.narrow(1, -2, 2),
          before: e.narrow(1, -2, 1),
          picked: e.indexSelect(2, [3, 0, 0]),
          low: e.clamp(undefined, 0.1),
          high: e.clamp(-0.1),
          scaled: ids.unsqueeze(-1).div(10).add(e),
        };
      }
    }
    const ids = (B: number, T: number) => [randint(0, 11, [B, T])];
    await expectSameInOrt(new Edges(), ids(3, 5), SIZES.map(([B, T]) => ids(B, T)), [true]);
  });

  it('float inputs read as ids (cast to int64 in the graph)', async () => {
    class FloatIds extends nn.Module {
      embed = new nn.Embedding({ numEmbeddings: 12, embeddingDim: 3, seed: 1 });
      forward(x: Tensor): unknown {
        const half = x.mul(0.5);
        return { direct: this.embed.forward(x).add(half.unsqueeze(-1)), shifted: this.embed.forward(x.add(1)) };
      }
    }
    // A float input's last dim is its features, fixed in the graph.
    const x = (B: number, T: number) => [randint(0, 11, [B, T, 1])];
    await expectSameInOrt(new FloatIds(), x(3, 5), SIZES.map(([B, T]) => x(B, T)));
  });

  it("the CLI's character model (ids in, logits and the carried state out)", async () => {
    for (const model of ['lstm', 'gru', 'rnn'] as const) {
      const config = { model, embed: 8, hidden: 12, layers: 2, seed: 4 } as RunConfig;
      const char = new CharModel(config, 9);
      const ids = (B: number, T: number) => [randint(0, 9, [B, T])];
      await expectSameInOrt(char, ids(3, 5), SIZES.map(([B, T]) => ids(B, T)), [true]);
    }
  });

  it("the README's regressor (a Tensor out, under the name output)", async () => {
    class Regressor extends nn.Module {
      gru = new nn.GRU({ inputSize: 1, hiddenSize: 16, batchFirst: true, seed: 1 });
      head = new nn.Linear({ inFeatures: 16, outFeatures: 1, seed: 2 });
      forward(x: Tensor): Tensor {
        return this.head.forward(this.gru.forward(x).h.select(0, 0));
      }
    }
    const x = (B: number, T: number) => [randn([B, T, 1])];
    await expectSameInOrt(new Regressor(), x(3, 5), SIZES.map(([B, T]) => x(B, T)));
  });
});

it('refuses an op with no ONNX form, naming it and where it was called, and leaves the model as it was', () => {
  const model = new Fn((m, x) => m.lin.forward(x).gather(1, new Tensor(new Float32Array([0, 1]), [2, 1])));
  model.train();
  const err = expectRejected(() => exportOnnx(model, randn([2, 3])), 'exportOnnx', 'state');
  expect(err.message).toMatch(/op gather cannot be exported to ONNX \(called in the model \(Fn\), at .*onnx-runtime\.test\.ts/);
  expect(Object.prototype.hasOwnProperty.call(model, 'forward')).toBe(false);
  expect(Object.prototype.hasOwnProperty.call(model.lin, 'forward')).toBe(false);
  expect(model.training && model.lin.training).toBe(true);
  // Nothing is left tracing: the same model exports once its forward is fixed.
  const fixed = new Fn((m, x) => m.lin.forward(x));
  expect(exportOnnx(fixed, randn([2, 3])).length).toBeGreaterThan(0);
});

it('refuses what would freeze traced values or the batch size into the graph', () => {
  const detached = new Fn((m, x) => m.lin.forward(x).detach().mul(2));
  expect(expectRejected(() => exportOnnx(detached, randn([2, 3])), 'exportOnnx').message).toMatch(/shares storage with a traced value/);
  const training = new Fn((m, x) => dropout(m.lin.forward(x), 0.5, true));
  expect(expectRejected(() => exportOnnx(training, randn([2, 3])), 'exportOnnx').message).toMatch(/op dropout .* in training mode/);
  const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 2 });
  class WithLengths extends nn.Module {
    lstm = lstm;
    forward(x: Tensor): Tensor {
      return this.lstm.forward(x, { lengths: [2, 1] }).output;
    }
  }
  expect(expectRejected(() => exportOnnx(new WithLengths(), randn([2, 2, 3])), 'exportOnnx').message).toMatch(/LSTM lengths cannot be exported .*called in lstm \(LSTM\)/);
  const argmax = new Fn((m, x) => m.lin.forward(x).mul(x.argmax(1, true)));
  expect(expectRejected(() => exportOnnx(argmax, randn([2, 3])), 'exportOnnx').message).toMatch(/a tensor of shape \[2,1\] depends on the input values .* used in the model \(Fn\), at .*onnx-runtime\.test\.ts/);
  const loss = new Fn((m, x) => F.mseLoss(m.lin.forward(x), x));
  expect(expectRejected(() => exportOnnx(loss, randn([2, 3])), 'exportOnnx').message).toMatch(/op mseLoss/);
  expect(() => exportOnnx(new Fn((m, x) => m.lin.forward(x)), [] as Tensor[])).toThrow(RecurrentError);
  const metadata = { vocab: '["a"]', version: 2 } as unknown as Record<string, string>;
  expect(expectRejected(() => exportOnnx(new Fn((m, x) => m.lin.forward(x)), randn([2, 3]), { metadata }), 'exportOnnx').message).toMatch(/metadata must be an object of strings, got/);
});
