/** Building a layer or cell from a PyTorch fixture and computing the fixture's loss. */
import { Tensor, add, mul, nn, sum } from '../../src/index.js';

const { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } = nn;
import { fromFixture, type FixtureTensor } from '../helpers.js';

/** A `recurrent` or `cell` fixture (see test/fixtures/torch/README.md). */
export interface RecurrentFixture {
  kind: 'recurrent' | 'cell';
  name: string;
  config: {
    module: string;
    input_size: number;
    hidden_size: number;
    num_layers?: number;
    bias: boolean;
    batch_first?: boolean;
    bidirectional?: boolean;
    nonlinearity?: 'tanh' | 'relu';
  };
  params: Record<string, FixtureTensor>;
  inputs: Record<string, FixtureTensor | number[]>;
  outputs: Record<string, FixtureTensor>;
  upstream: Record<string, FixtureTensor>;
  grads: Record<string, FixtureTensor>;
}

/** A layer's or cell's outputs by fixture name (output, h_n, c_n or h, c). */
export type Outputs = Record<string, Tensor>;

/** The module a fixture describes, with the fixture's parameters loaded. */
export function moduleFor(f: RecurrentFixture): nn.LSTM | nn.GRU | nn.RNN | nn.LSTMCell | nn.GRUCell | nn.RNNCell {
  const c = f.config;
  const common = {
    inputSize: c.input_size,
    hiddenSize: c.hidden_size,
    numLayers: c.num_layers,
    bias: c.bias,
    batchFirst: c.batch_first,
    bidirectional: c.bidirectional,
  };
  const cell = { inputSize: c.input_size, hiddenSize: c.hidden_size, bias: c.bias };
  const m = {
    LSTM: () => new LSTM(common),
    GRU: () => new GRU(common),
    RNN: () => new RNN({ ...common, nonlinearity: c.nonlinearity }),
    LSTMCell: () => new LSTMCell(cell),
    GRUCell: () => new GRUCell(cell),
    RNNCell: () => new RNNCell({ ...cell, nonlinearity: c.nonlinearity }),
  }[c.module]!();
  m.loadStateDict(Object.fromEntries(Object.entries(f.params).map(([k, v]) => [k, fromFixture(v)])));
  return m;
}

/** Runs the fixture's forward; inputs are leaves requiring grad, keyed by fixture name. */
export function runFixture(f: RecurrentFixture, m: ReturnType<typeof moduleFor>, inputs: Record<string, Tensor>): Outputs {
  const lengths = f.inputs.lengths as number[] | undefined;
  if (m instanceof LSTM) {
    const r = m.forward(inputs.x, { h0: inputs.h0, c0: inputs.c0, lengths });
    return { output: r.output, h_n: r.h, c_n: r.c };
  }
  if (m instanceof GRU || m instanceof RNN) {
    const r = m.forward(inputs.x, { h0: inputs.h0, lengths });
    return { output: r.output, h_n: r.h };
  }
  if (m instanceof LSTMCell) {
    const r = m.forward(inputs.x, { h: inputs.h, c: inputs.c });
    return { h: r.h, c: r.c };
  }
  return { h: m.forward(inputs.x, inputs.h) };
}

/** The fixture's loss: the sum over outputs of sum(output * upstream). */
export function fixtureLoss(f: RecurrentFixture, outputs: Outputs): Tensor {
  let loss: Tensor | null = null;
  for (const [name, up] of Object.entries(f.upstream)) {
    const term = sum(mul(outputs[name], fromFixture(up)));
    loss = loss === null ? term : add(loss, term);
  }
  return loss!;
}

/** The fixture's tensor inputs (x, h0, c0, h, c) as leaves requiring grad. */
export function fixtureInputs(f: RecurrentFixture): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(f.inputs)) if (!Array.isArray(v)) out[k] = fromFixture(v, true);
  return out;
}
