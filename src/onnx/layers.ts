/**
 * Whole layers mapped onto one ONNX operator each: nn.RNN / nn.LSTM / nn.GRU onto ONNX's own
 * RNN / LSTM / GRU (one node per stacked layer), nn.Embedding onto Gather.
 *
 * ONNX stores a layer's weights per direction as W (D, G*H, I), R (D, G*H, H) and
 * B (D, 2*G*H) = [Wb, Rb], with the gates in another order than PyTorch:
 *
 *   LSTM  PyTorch i, f, g, o   ONNX i, o, f, c   -> blocks 0, 3, 1, 2
 *   GRU   PyTorch r, z, n      ONNX z, r, h      -> blocks 1, 0, 2   (linear_before_reset = 1
 *                                                   is PyTorch's n = tanh(W x + b + r (R h + b)))
 *
 * Each node reads X (T, B, I) and returns Y (T, D, B, H) and Y_h (D, B, H) (and Y_c); Y is
 * transposed and reshaped to the next layer's (T, B, D*H), and the final states of the
 * layers are concatenated into h_n (L*D, B, H), as the layer here returns them.
 */
import { Embedding } from '../nn/embedding.js';
import type { Module } from '../nn/module.js';
import { RecurrentBase } from '../rnn/rnn-base.js';
import { RecurrentError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ModuleConverter } from './trace.js';

const ONNX_OP = { lstm: 'LSTM', gru: 'GRU', rnnTanh: 'RNN', rnnRelu: 'RNN' } as const;
const GATE_ORDER = { lstm: [0, 3, 1, 2], gru: [1, 0, 2], rnnTanh: [0], rnnRelu: [0] } as const;

/** Rows of a (G*H, ...) weight (or a (G*H) bias) with the gate blocks in ONNX's order, appended to `out`. */
function reorderGates(out: number[], w: Tensor, order: readonly number[]): void {
  const block = w.data.length / order.length;
  for (const g of order) for (let i = 0; i < block; i++) out.push(w.data[g * block + i]);
}

interface RecurrentArgs {
  h0?: Tensor;
  c0?: Tensor;
  lengths?: ArrayLike<number>;
}

const recurrent: ModuleConverter = (t, module, run, args) => {
  const m = module as RecurrentBase;
  const [x, options = {}] = args as [Tensor, RecurrentArgs | undefined];
  const result = t.untraced(run) as { output: Tensor; h: Tensor; c?: Tensor };
  if (x.shape.length !== 3) throw new RecurrentError('exportOnnx', `${m.constructor.name} input must be batched (3-D) to export, got [${x.shape.join(',')}] (called ${t.where()})`, 'shape');
  if (options.lengths !== undefined) {
    throw new RecurrentError('exportOnnx', `${m.constructor.name} lengths cannot be exported (they would fix the batch size); export without lengths (called ${t.where()})`, 'state');
  }
  const H = m.hiddenSize;
  const D = m.bidirectional ? 2 : 1;
  const order = GATE_ORDER[m.kind];
  const G = order.length * H;
  const params = new Map(m.namedOwnParameters());
  const attrs: Record<string, number | string | string[]> = { hidden_size: H, direction: D === 2 ? 'bidirectional' : 'forward' };
  if (m.kind === 'gru') attrs.linear_before_reset = 1;
  if (m.kind === 'rnnTanh' || m.kind === 'rnnRelu') attrs.activations = new Array<string>(D).fill(m.kind === 'rnnTanh' ? 'Tanh' : 'Relu');
  // Layer l's rows of an initial state (L*D, B, H).
  const state = (s: Tensor | undefined, l: number): string =>
    s === undefined ? '' : t.g.op('Slice', [t.name(s), t.g.int64s('starts', [l * D]), t.g.int64s('ends', [(l + 1) * D]), t.g.int64s('axes', [0])]);
  let seq = t.name(x);
  if (m.batchFirst) seq = t.g.op('Transpose', [seq], { perm: [1, 0, 2] });
  /** Each layer's node outputs: Y, Y_h and (LSTM) Y_c. */
  const finals: string[][] = [];
  for (let l = 0; l < m.numLayers; l++) {
    const w: number[] = [];
    const r: number[] = [];
    const b: number[] = [];
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
      reorderGates(w, params.get(`weight_ih${sfx}`)!, order);
      reorderGates(r, params.get(`weight_hh${sfx}`)!, order);
      if (m.bias) {
        reorderGates(b, params.get(`bias_ih${sfx}`)!, order);
        reorderGates(b, params.get(`bias_hh${sfx}`)!, order);
      }
    }
    const inSize = w.length / (D * G);
    const inputs = [seq, t.g.floats(`W_l${l}`, [D, G, inSize], w), t.g.floats(`R_l${l}`, [D, G, H], r), m.bias ? t.g.floats(`B_l${l}`, [D, 2 * G], b) : '', '', state(options.h0, l)];
    if (m.kind === 'lstm') inputs.push(state(options.c0, l));
    const outputs = t.g.node(ONNX_OP[m.kind], inputs, attrs, m.kind === 'lstm' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h']);
    finals.push(outputs);
    // (T, D, B, H) -> (T, B, D, H) -> (T, B, D*H)
    seq = t.g.op('Reshape', [t.g.op('Transpose', [outputs[0]], { perm: [0, 2, 1, 3] }), t.g.int64s('shape', [0, 0, -1])]);
  }
  // The final states of the layers, stacked along the first dim: (L*D, B, H).
  const join = (k: number) => t.g.op('Concat', finals.map((o) => o[k]), { axis: 0 });
  t.set(result.output, m.batchFirst ? t.g.op('Transpose', [seq], { perm: [1, 0, 2] }) : seq);
  t.set(result.h, join(1));
  if (result.c) t.set(result.c, join(2));
  return result;
};

const embedding: ModuleConverter = (t, module, run, args) => {
  const m = module as Embedding;
  const ids = args[0] as Tensor | ArrayLike<number>;
  const out = t.untraced(run) as Tensor;
  t.set(out, t.g.op('Gather', [t.name(m.weight), t.ids(ids)], { axis: 0 }));
  return out;
};

/** The converter of a module converted whole, if it is one. */
export function layerConverter(m: Module): ModuleConverter | undefined {
  if (m instanceof RecurrentBase) return recurrent;
  if (m instanceof Embedding) return embedding;
  return undefined;
}
