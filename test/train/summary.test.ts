/**
 * summary: parameter counts per layer and in total, output shapes from a traced forward pass,
 * the Keras-style table, and a model left exactly as it was.
 */
import { describe, expect, it } from 'vitest';
import { nn, type Tensor } from '../../src/index.js';
import { summary } from '../../src/train/index.js';

/** Keras' classic example: SimpleRNN(10) on one feature, then Dense(1). */
class RnnRegressor extends nn.Module {
  rnn = new nn.RNN({ inputSize: 1, hiddenSize: 10, batchFirst: true, seed: 1 });
  head = new nn.Linear({ inFeatures: 10, outFeatures: 1, seed: 2 });
  forward(x: Tensor): Tensor {
    return this.head.forward(this.rnn.forward(x).h.select(0, 0));
  }
}

describe('summary', () => {
  it('counts an RNN(1 -> 10) and a Linear(10 -> 1): 130 + 11 = 141 (PyTorch has two RNN biases; Keras 120 + 11 = 131 has one)', () => {
    const s = summary(new RnnRegressor());
    // W_ih 10x1 + W_hh 10x10 + b_ih 10 + b_hh 10 = 130, as torch's sum(p.numel()); Keras' SimpleRNN
    // keeps a single bias (10 + 100 + 10 = 120), hence its 131.
    expect(s.rows.map((r) => [r.name, r.className, r.params])).toEqual([
      ['rnn', 'RNN', 130],
      ['head', 'Linear', 11],
    ]);
    expect([s.totalParams, s.trainableParams, s.nonTrainableParams]).toEqual([141, 141, 0]);
    const mlp = summary(new nn.Sequential(new nn.Linear({ inFeatures: 10, outFeatures: 12 }), new nn.Linear({ inFeatures: 12, outFeatures: 1 })));
    expect(mlp.totalParams).toBe(10 * 12 + 12 + 12 + 1);
  });

  it('prints a Keras-style table; without inputShape the shapes are ?', () => {
    const { text } = summary(new RnnRegressor());
    expect(text.split('\n')).toEqual([
      'Model: "RnnRegressor"',
      '_'.repeat(42),
      ' Layer (type)    Output Shape   Param #',
      '='.repeat(42),
      ' rnn (RNN)       ?              130',
      ' head (Linear)   ?              11',
      '='.repeat(42),
      'Total params: 141',
      'Trainable params: 141',
      'Non-trainable params: 0',
      '_'.repeat(42),
    ]);
  });

  it('traces output shapes with a zeros input, and leaves modes, forwards and generators as they were', () => {
    const model = new nn.Sequential(new nn.Linear({ inFeatures: 3, outFeatures: 4, seed: 1 }), new nn.Dropout({ p: 0.5, seed: 3 }), new nn.Tanh(), new nn.Linear({ inFeatures: 4, outFeatures: 2, seed: 2 }));
    model.train();
    const generators = model.namedGenerators().map(([, g]) => g.getState());
    const s = summary(model, { inputShape: [5, 3] });
    expect(s.rows.map((r) => [r.name, r.className, r.outputShape, r.params])).toEqual([
      ['0', 'Linear', '[5,4]', 16],
      ['1', 'Dropout', '[5,4]', 0],
      ['2', 'Tanh', '[5,4]', 0],
      ['3', 'Linear', '[5,2]', 10],
    ]);
    expect(s.outputShape).toBe('[5,2]');
    expect(model.training).toBe(true);
    expect(model.namedModules().every(([, m]) => !Object.prototype.hasOwnProperty.call(m, 'forward'))).toBe(true);
    expect(model.namedGenerators().map(([, g]) => g.getState())).toEqual(generators);
  });

  it('describes structured outputs, unused layers, nested levels, own and frozen parameters', () => {
    class Net extends nn.Module {
      scale = new nn.Linear({ inFeatures: 1, outFeatures: 1, seed: 1 }).weight; // an own parameter
      encoder = new nn.Sequential(new nn.Linear({ inFeatures: 2, outFeatures: 3, seed: 1 }), new nn.Tanh());
      lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 4, seed: 2 });
      spare = new nn.Linear({ inFeatures: 4, outFeatures: 4, seed: 3 });
      forward(x: Tensor): Tensor {
        return this.lstm.forward(this.encoder.forward(x)).output.mul(this.scale.sum());
      }
    }
    const net = new Net();
    net.spare.weight.requiresGrad = false;
    const s = summary(net, { inputShape: [6, 2, 2], depth: 2 });
    expect(s.rows.map((r) => [r.name, r.className, r.outputShape, r.params])).toEqual([
      ['(self)', 'Net', '[6,2,4]', 1],
      ['encoder', 'Sequential', '[6,2,3]', 9],
      ['encoder.0', 'Linear', '[6,2,3]', 9],
      ['encoder.1', 'Tanh', '[6,2,3]', 0],
      ['lstm', 'LSTM', 'output [6,2,4], h [1,2,4], c [1,2,4]', 4 * 4 * (3 + 4 + 2)],
      ['spare', 'Linear', '-', 20],
    ]);
    expect([s.totalParams, s.trainableParams, s.nonTrainableParams]).toEqual([1 + 9 + 144 + 20, 1 + 9 + 144 + 4, 16]);
    expect(s.text).toContain('Non-trainable params: 16');
  });

  it('groups large counts with commas', () => {
    const s = summary(new nn.LSTM({ inputSize: 100, hiddenSize: 100 }));
    expect(s.rows).toEqual([{ name: '(self)', className: 'LSTM', outputShape: '?', params: 80800 }]);
    expect(s.text).toContain('Total params: 80,800');
  });

  it('rejects bad options by name and restores the model when the forward pass fails', () => {
    const model = new RnnRegressor();
    expect(() => summary(model, { inputShape: [2, 0, 1] })).toThrow(/^summary: inputShape must be a non-empty array of integers >= 1, got \[2,0,1\]$/);
    expect(() => summary(model, { depth: 0 })).toThrow(/^summary: depth must be an integer >= 1, got 0$/);
    expect(() => summary(new nn.Module(), { inputShape: [1] })).toThrow(/^summary: model \(Module\) has no forward\(x\) method/);
    expect(() => summary(model, { inputShape: [2, 5, 3] })).toThrow(/^RNN: input's last dim must be inputSize 1/);
    expect(model.namedModules().every(([, m]) => !Object.prototype.hasOwnProperty.call(m, 'forward'))).toBe(true);
    expect(model.training).toBe(true);
  });
});
