/**
 * Every recurrent layer and cell fixture from PyTorch: outputs, final states and the
 * gradients of the fixture's loss with respect to inputs, states and every parameter.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nn, safetensors } from '../../src/index.js';
import { expectClose, fixture } from '../helpers.js';
import { CELL, LAYER, LONG_SEQUENCE } from '../tolerances.js';
import { fixtureInputs, fixtureLoss, moduleFor, runFixture, type RecurrentFixture } from './recurrent-fixtures.js';

const NAMES = [
  'rnncell_tanh', 'lstmcell', 'grucell',
  'rnn_tanh_1layer', 'rnn_tanh_no_state', 'rnn_relu_2layer',
  'lstm_1layer', 'lstm_2layer_bidir', 'lstm_no_bias_seq_first', 'lstm_lengths', 'lstm_long_seq',
  'gru_1layer', 'gru_2layer_bidir', 'gru_lengths_bidir',
];

describe('recurrent layers and cells equal PyTorch', () => {
  for (const name of NAMES) {
    it(name, () => {
      const f = fixture<RecurrentFixture>(name);
      const tol = f.kind === 'cell' ? CELL : name.includes('long') ? LONG_SEQUENCE : LAYER;
      const m = moduleFor(f);
      const inputs = fixtureInputs(f);
      const outputs = runFixture(f, m, inputs);
      for (const [k, expected] of Object.entries(f.outputs)) expectClose(outputs[k], expected, tol, `${name} ${k}`);
      fixtureLoss(f, outputs).backward();
      const params = Object.fromEntries(m.namedParameters());
      for (const [k, expected] of Object.entries(f.grads)) {
        const t = inputs[k] ?? params[k];
        expect(t, `${name}: no tensor for gradient ${k}`).toBeDefined();
        expect(t.grad, `${name}: ${k} got no gradient`).not.toBeNull();
        expectClose(t.grad!, expected, tol, `${name} grad ${k}`);
      }
    });
  }
});

describe('weights saved by PyTorch as safetensors', () => {
  it('lstm_2layer_bidir.safetensors loads into an LSTM that reproduces the fixture', () => {
    const f = fixture<RecurrentFixture>('lstm_2layer_bidir');
    const bytes = new Uint8Array(readFileSync(new URL('../fixtures/torch/lstm_2layer_bidir.safetensors', import.meta.url)));
    const c = f.config;
    const lstm = new nn.LSTM({ inputSize: c.input_size, hiddenSize: c.hidden_size, numLayers: c.num_layers, batchFirst: c.batch_first, bidirectional: c.bidirectional });
    lstm.loadStateDict(safetensors.load(bytes));
    const inputs = fixtureInputs(f);
    const outputs = runFixture(f, lstm, inputs);
    for (const [k, expected] of Object.entries(f.outputs)) expectClose(outputs[k], expected, LAYER, k);
    fixtureLoss(f, outputs).backward();
    expectClose(inputs.x.grad!, f.grads.x, LAYER, 'grad x');
  });
});
