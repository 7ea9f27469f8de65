/**
 * The recurrent cells written with primitive differentiable ops, exactly as the equations
 * read, so autograd derives backpropagation through time by itself. This is the readable
 * version of the fused path in fused-layer.ts and its test oracle; it is slow (a dozen graph
 * nodes per step) and meant for learning and checking, not training.
 *
 *   LSTM: gates = x W_ih^T + b_ih + h W_hh^T + b_hh = [i | f | g | o]
 *         c' = s(f) c + s(i) tanh(g),   h' = s(o) tanh(c')
 *   GRU:  [r_x | z_x | n_x] = x W_ih^T + b_ih,   [r_h | z_h | n_h] = h W_hh^T + b_hh
 *         r = s(r_x + r_h),  z = s(z_x + z_h),  n = tanh(n_x + r n_h),  h' = (1 - z) n + z h
 *   RNN:  h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)
 */
import { add, mul, sub, where } from '../autograd/binary.js';
import { linear } from '../autograd/linear.js';
import { cat, chunk, select, stack, transpose } from '../autograd/shape-ops.js';
import { relu, sigmoid, tanh } from '../autograd/unary.js';
import { tensor, zeros } from '../tensor/create.js';
import { RecurrentError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { CellKind, DirectionWeights } from './fused-layer.js';
import type { RecurrentBase } from './rnn-base.js';

/** One LSTM step from primitive ops: x (B, I), h and c (B, H) -> h', c'. */
export function lstmCellReference(x: Tensor, h: Tensor, c: Tensor, w: DirectionWeights): { h: Tensor; c: Tensor } {
  const gates = add(linear(x, w.weightIh, w.biasIh), linear(h, w.weightHh, w.biasHh));
  const [i, f, g, o] = chunk(gates, 4, 1);
  const cNext = add(mul(sigmoid(f), c), mul(sigmoid(i), tanh(g)));
  return { h: mul(sigmoid(o), tanh(cNext)), c: cNext };
}

/** One GRU step from primitive ops: x (B, I), h (B, H) -> h'. */
export function gruCellReference(x: Tensor, h: Tensor, w: DirectionWeights): Tensor {
  const [rx, zx, nx] = chunk(linear(x, w.weightIh, w.biasIh), 3, 1);
  const [rh, zh, nh] = chunk(linear(h, w.weightHh, w.biasHh), 3, 1);
  const r = sigmoid(add(rx, rh));
  const z = sigmoid(add(zx, zh));
  const n = tanh(add(nx, mul(r, nh)));
  return add(mul(sub(1, z), n), mul(z, h));
}

/** One Elman RNN step from primitive ops: x (B, I), h (B, H) -> h'. */
export function rnnCellReference(x: Tensor, h: Tensor, w: DirectionWeights, nonlinearity: 'tanh' | 'relu'): Tensor {
  const pre = add(linear(x, w.weightIh, w.biasIh), linear(h, w.weightHh, w.biasHh));
  return nonlinearity === 'relu' ? relu(pre) : tanh(pre);
}

function cellStep(kind: CellKind, x: Tensor, h: Tensor, c: Tensor, w: DirectionWeights): { h: Tensor; c: Tensor } {
  if (kind === 'lstm') return lstmCellReference(x, h, c, w);
  if (kind === 'gru') return { h: gruCellReference(x, h, w), c };
  return { h: rnnCellReference(x, h, w, kind === 'rnnRelu' ? 'relu' : 'tanh'), c };
}

/**
 * A whole RNN / LSTM / GRU layer stack from the reference cells, step by step, with the
 * layer's own parameters: the oracle the fused path is tested against. Dropout is not applied
 * (use the layer in eval mode or with dropout 0 to compare). With lengths, a finished
 * sequence keeps its state (h' = m h_cell + (1 - m) h) and outputs zero.
 */
export function recurrentReference(
  layer: RecurrentBase,
  x: Tensor,
  options: { h0?: Tensor; c0?: Tensor; lengths?: ArrayLike<number> } = {},
): { output: Tensor; h: Tensor; c: Tensor | null } {
  if (x.shape.length !== 3) throw new RecurrentError('recurrentReference', 'needs batched input (3-D)', 'shape');
  const seq = layer.batchFirst ? transpose(x, 0, 1) : x;
  const [T, B] = seq.shape;
  const H = layer.hiddenSize;
  const D = layer.bidirectional ? 2 : 1;
  const params = Object.fromEntries(layer.namedParameters());
  const lengths = options.lengths ?? new Array<number>(B).fill(T);
  // mask[t] is (B, 1): 1 while step t is inside sequence b, else 0.
  const mask = Array.from({ length: T }, (_, t) => tensor(Array.from(lengths, (n) => [t < n ? 1 : 0])));
  let input = seq;
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  for (let l = 0; l < layer.numLayers; l++) {
    const outputs: Tensor[] = [];
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
      const w: DirectionWeights = {
        weightIh: params[`weight_ih${sfx}`],
        weightHh: params[`weight_hh${sfx}`],
        biasIh: params[`bias_ih${sfx}`] ?? null,
        biasHh: params[`bias_hh${sfx}`] ?? null,
      };
      const k = l * D + d;
      let h = options.h0 ? select(options.h0, 0, k) : zeros([B, H]);
      let c = options.c0 ? select(options.c0, 0, k) : zeros([B, H]);
      const ys = new Array<Tensor>(T);
      for (let s = 0; s < T; s++) {
        const t = d === 1 ? T - 1 - s : s;
        const next = cellStep(layer.kind, select(input, 0, t), h, c, w);
        const m = mask[t];
        h = where(m, next.h, h);
        c = where(m, next.c, c);
        ys[t] = mul(h, m);
      }
      outputs.push(stack(ys, 0));
      hs.push(h);
      cs.push(c);
    }
    input = D === 1 ? outputs[0] : cat(outputs, 2);
  }
  const output = layer.batchFirst ? transpose(input, 0, 1) : input;
  const h = stack(hs, 0);
  return { output, h, c: layer.kind === 'lstm' ? stack(cs, 0) : null };
}
