/**
 * Single-step cells: RNNCell, LSTMCell and GRUCell, one step of the equations in layers.ts.
 *
 *   input x (B, I) or unbatched (I);  states h, c (B, H) or (H); zeros when omitted
 *   parameters weight_ih (gates*H, I), weight_hh (gates*H, H), bias_ih, bias_hh (gates*H)
 *
 * A cell is the fused layer run for one step, so it shares the kernels (and their tests).
 */
import { TENSOR, checkOptions, type OptionSchema } from '../tensor/check.js';
import { reshape } from '../autograd/shape-ops.js';
import { zeros } from '../tensor/create.js';
import { RecurrentError, fmt } from '../tensor/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { checkFlag, checkSize } from '../nn/check.js';
import { SEED_SCHEMA, layerGenerator, uniform, type SeedOptions } from '../nn/init.js';
import { Module } from '../nn/module.js';
import { gateCount, recurrentLayer, type CellKind, type DirectionWeights } from './fused-layer.js';
import { WorkspacePool } from '../kernels/workspace.js';

/** Options of the cells. */
export interface CellOptions extends SeedOptions {
  inputSize: number;
  hiddenSize: number;
  /** Learned biases (default true). */
  bias?: boolean;
}

/** Options of {@link RNNCell}. */
export interface RNNCellOptions extends CellOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

/** The shared implementation of the three cells. */
export class CellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  readonly weightIh: Tensor;
  readonly weightHh: Tensor;
  readonly biasIh: Tensor | null;
  readonly biasHh: Tensor | null;
  private readonly kind: CellKind;
  private readonly op: string;
  private readonly pool: WorkspacePool;
  /** (B) all ones: every row takes the single step. */
  private lengths = new Int32Array(0);

  constructor(kind: CellKind, op: string, options: CellOptions) {
    super();
    if (options === null || typeof options !== 'object') throw new RecurrentError(op, 'needs an options object { inputSize, hiddenSize, bias }');
    const schema: OptionSchema = { inputSize: 'number', hiddenSize: 'number', bias: 'boolean', ...SEED_SCHEMA };
    options = checkOptions(op, options, 'options', kind === 'lstm' || kind === 'gru' ? schema : { ...schema, nonlinearity: 'string' });
    this.kind = kind;
    this.op = op;
    this.inputSize = checkSize(op, 'inputSize', options.inputSize, 0);
    // hiddenSize 0 is allowed, as PyTorch's cells allow it (its layers do not): h is (B, 0).
    this.hiddenSize = checkSize(op, 'hiddenSize', options.hiddenSize, 0);
    this.bias = checkFlag(op, 'bias', options.bias, true);
    const g = layerGenerator(op, options);
    const G = gateCount(kind) * this.hiddenSize;
    const bound = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0; // H = 0: no weights to draw
    const init = (name: string, shape: number[]) => this.registerParameter(name, uniform(zeros(shape), -bound, bound, { generator: g }));
    this.weightIh = init('weight_ih', [G, this.inputSize]);
    this.weightHh = init('weight_hh', [G, this.hiddenSize]);
    this.biasIh = this.bias ? init('bias_ih', [G]) : null;
    this.biasHh = this.bias ? init('bias_hh', [G]) : null;
    this.pool = new WorkspacePool(this.hiddenSize, kind);
  }

  /** One step; returns h' and (LSTM) c' in the input's batching. */
  protected step(x: Tensor, h?: Tensor, c?: Tensor): { h: Tensor; c: Tensor | null } {
    const { op } = this;
    const I = this.inputSize;
    const H = this.hiddenSize;
    if (!(x instanceof Tensor) || (x.shape.length !== 1 && x.shape.length !== 2) || x.shape[x.shape.length - 1] !== I) {
      throw new RecurrentError(op, `input must be (B, ${I}) or (${I}), got ${x instanceof Tensor ? fmt(x.shape) : typeof x}`, 'shape');
    }
    const batched = x.shape.length === 2;
    const B = batched ? x.shape[0] : 1;
    const shape = batched ? [B, H] : [H];
    const state = (t: Tensor | undefined, name: string): Tensor => {
      if (t === undefined) return zeros([1, B, H]);
      if (!(t instanceof Tensor) || t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
        throw new RecurrentError(op, `${name} must have shape ${fmt(shape)} for input ${fmt(x.shape)}, got ${t instanceof Tensor ? fmt(t.shape) : typeof t}`, 'shape');
      }
      return reshape(t, [1, B, H]);
    };
    const h0 = state(h, 'h');
    const c0 = this.kind === 'lstm' ? state(c, 'c') : null;
    if (this.lengths.length !== B) this.lengths = new Int32Array(B).fill(1);
    const weights: DirectionWeights = { weightIh: this.weightIh, weightHh: this.weightHh, biasIh: this.biasIh, biasHh: this.biasHh };
    const r = recurrentLayer(this.kind, reshape(x, [1, B, I]), h0, c0, [weights], this.lengths, [this.pool]);
    return { h: reshape(r.h, shape), c: r.c && reshape(r.c, shape) };
  }
}

/** One step of an Elman RNN: h' = act(W_ih x + b_ih + W_hh h + b_hh). */
export class RNNCell extends CellBase {
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(options: RNNCellOptions) {
    const nl = options?.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new RecurrentError('RNNCell', `nonlinearity must be 'tanh' or 'relu', got ${String(nl)}`);
    super(nl === 'relu' ? 'rnnRelu' : 'rnnTanh', 'RNNCell', options);
    this.nonlinearity = nl;
  }
  /** x (B, I) or (I), h (B, H) or (H) -> h'. */
  forward(x: Tensor, h?: Tensor): Tensor {
    return this.step(x, h).h;
  }
}

/** One LSTM step (gate order i, f, g, o). */
export class LSTMCell extends CellBase {
  constructor(options: CellOptions) {
    super('lstm', 'LSTMCell', options);
  }
  /** x (B, I) or (I), state { h, c } (B, H) or (H) -> { h', c' }. */
  forward(x: Tensor, state: { h?: Tensor; c?: Tensor } = {}): { h: Tensor; c: Tensor } {
    const { h, c } = checkOptions('LSTMCell', state, 'state', { h: TENSOR, c: TENSOR });
    const r = this.step(x, h, c);
    return { h: r.h, c: r.c! };
  }
}

/** One GRU step (gate order r, z, n). */
export class GRUCell extends CellBase {
  constructor(options: CellOptions) {
    super('gru', 'GRUCell', options);
  }
  /** x (B, I) or (I), h (B, H) or (H) -> h'. */
  forward(x: Tensor, h?: Tensor): Tensor {
    return this.step(x, h).h;
  }
}
