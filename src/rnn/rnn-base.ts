/**
 * The multi-layer, optionally bidirectional recurrent layer that RNN, LSTM and GRU share.
 *
 * Legend: T = steps, B = batch, I = inputSize, H = hiddenSize, L = numLayers, D = 2 if
 * bidirectional else 1. Shapes as PyTorch:
 *   input   (T, B, I), or (B, T, I) with batchFirst, or unbatched (T, I)
 *   output  (T, B, D*H) / (B, T, D*H) / (T, D*H): the last layer's h at every step
 *   h_n     (L*D, B, H) / (L*D, H): every layer's and direction's final state
 * Layer l > 0 reads the previous layer's output (dropout between layers in training mode).
 * Parameters: weight_ih_l{l}[_reverse] (gates*H, I or D*H), weight_hh_l{l}[_reverse]
 * (gates*H, H), bias_ih_l{l}[_reverse], bias_hh_l{l}[_reverse] (gates*H), all drawn from
 * U(-1/sqrt(H), 1/sqrt(H)) as PyTorch does.
 */
import { dropout } from '../autograd/dropout.js';
import { cat, narrow, squeeze, transpose, unsqueeze } from '../autograd/shape-ops.js';
import { TENSOR, checkOptions, type OptionSchema } from '../tensor/check.js';
import { zeros } from '../tensor/create.js';
import { RecurrentError, fmt, show } from '../tensor/errors.js';
import type { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { checkFlag, checkProbability, checkSize } from '../nn/check.js';
import { SEED_SCHEMA, layerGenerator, uniform, type SeedOptions } from '../nn/init.js';
import { Module } from '../nn/module.js';
import { gateCount, recurrentLayer, type CellKind, type DirectionWeights } from './fused-layer.js';
import { WorkspacePool } from '../kernels/workspace.js';

/** The option names every recurrent layer takes (RNN adds nonlinearity). */
const RECURRENT_SCHEMA: OptionSchema = { inputSize: 'number', hiddenSize: 'number', numLayers: 'number', bias: 'boolean', batchFirst: 'boolean', dropout: 'number', bidirectional: 'boolean', ...SEED_SCHEMA };

/** Constructor options shared by {@link RNN}, {@link LSTM} and {@link GRU}. */
export interface RecurrentOptions extends SeedOptions {
  /** Features per input step (I). */
  inputSize: number;
  /** Features of the hidden state (H). */
  hiddenSize: number;
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Learned biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output as (B, T, features) instead of (T, B, features) (default false). */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, in training mode (default 0). */
  dropout?: number;
  /** Run a second direction from the end of the sequence and concatenate (default false). */
  bidirectional?: boolean;
}

/** Per-call options of a recurrent layer's forward. */
export interface RecurrentForwardOptions {
  /** Initial hidden state (L*D, B, H), or (L*D, H) for unbatched input; zeros when omitted. */
  h0?: Tensor;
  /**
   * Valid length of each batch entry, in [1, T] and in any order: steps past a sequence's
   * length are skipped (output zero, state carried), as with pack_padded_sequence.
   */
  lengths?: ArrayLike<number>;
}

/** The shared implementation of RNN, LSTM and GRU. */
export class RecurrentBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** The cell each layer runs. */
  readonly kind: CellKind;
  private readonly generator: Generator;
  private readonly weights: DirectionWeights[][] = [];
  private readonly pools: WorkspacePool[][] = [];

  constructor(kind: CellKind, op: string, options: RecurrentOptions) {
    super();
    if (options === null || typeof options !== 'object') throw new RecurrentError(op, 'needs an options object { inputSize, hiddenSize, ... }');
    options = checkOptions(op, options, 'options', kind === 'rnnTanh' || kind === 'rnnRelu' ? { ...RECURRENT_SCHEMA, nonlinearity: 'string' } : RECURRENT_SCHEMA);
    this.kind = kind;
    this.inputSize = checkSize(op, 'inputSize', options.inputSize, 0);
    this.hiddenSize = checkSize(op, 'hiddenSize', options.hiddenSize);
    this.numLayers = checkSize(op, 'numLayers', options.numLayers ?? 1);
    this.bias = checkFlag(op, 'bias', options.bias, true);
    this.batchFirst = checkFlag(op, 'batchFirst', options.batchFirst, false);
    this.bidirectional = checkFlag(op, 'bidirectional', options.bidirectional, false);
    this.dropout = checkProbability(op, 'dropout', options.dropout, 0);
    this.generator = layerGenerator(op, options);
    const H = this.hiddenSize;
    const G = gateCount(kind) * H;
    const bound = 1 / Math.sqrt(H);
    const init = (name: string, shape: number[]) =>
      this.registerParameter(name, uniform(zeros(shape), -bound, bound, { generator: this.generator }));
    const D = this.bidirectional ? 2 : 1;
    for (let l = 0; l < this.numLayers; l++) {
      const inSize = l === 0 ? this.inputSize : D * H;
      const layer: DirectionWeights[] = [];
      const pools: WorkspacePool[] = [];
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        layer.push({
          weightIh: init(`weight_ih${sfx}`, [G, inSize]),
          weightHh: init(`weight_hh${sfx}`, [G, H]),
          biasIh: this.bias ? init(`bias_ih${sfx}`, [G]) : null,
          biasHh: this.bias ? init(`bias_hh${sfx}`, [G]) : null,
        });
        pools.push(new WorkspacePool(H, kind));
      }
      this.weights.push(layer);
      this.pools.push(pools);
    }
  }

  /** Runs all layers; c0 and the returned c are used by the LSTM only. */
  protected run(op: string, x: Tensor, options: RecurrentForwardOptions & { c0?: Tensor }): { output: Tensor; h: Tensor; c: Tensor | null } {
    const { h0, c0, lengths } = checkOptions(op, options, 'options', this.kind === 'lstm' ? { h0: TENSOR, c0: TENSOR, lengths: 'any' } : { h0: TENSOR, lengths: 'any' });
    if (!(x instanceof Tensor)) throw new RecurrentError(op, 'input must be a Tensor');
    const I = this.inputSize;
    const H = this.hiddenSize;
    const D = this.bidirectional ? 2 : 1;
    const LD = this.numLayers * D;
    const batched = x.shape.length === 3;
    if (!batched && x.shape.length !== 2) {
      throw new RecurrentError(op, `input must be (T, B, ${I}), (B, T, ${I}) with batchFirst, or unbatched (T, ${I}); got ${fmt(x.shape)}`, 'shape');
    }
    if (x.shape[x.shape.length - 1] !== I) throw new RecurrentError(op, `input's last dim must be inputSize ${I}, got ${fmt(x.shape)}`, 'shape');
    let seq = batched ? (this.batchFirst ? transpose(x, 0, 1) : x) : unsqueeze(x, 1);
    const [T, B] = seq.shape;
    // As PyTorch: no steps is an error, an empty batch gives empty outputs.
    if (T === 0) throw new RecurrentError(op, `input needs at least one step, got ${fmt(x.shape)}`, 'shape');
    const stateShape = batched ? [LD, B, H] : [LD, H];
    const state = (t: Tensor | undefined, name: string): Tensor => {
      if (t === undefined) return zeros([LD, B, H]);
      if (!(t instanceof Tensor) || t.shape.length !== stateShape.length || t.shape.some((s, i) => s !== stateShape[i])) {
        throw new RecurrentError(op, `${name} must have shape ${fmt(stateShape)} for input ${fmt(x.shape)}, got ${t instanceof Tensor ? fmt(t.shape) : typeof t}`, 'shape');
      }
      return batched ? t : unsqueeze(t, 1);
    };
    const h0All = state(h0, 'h0');
    const c0All = this.kind === 'lstm' ? state(c0, 'c0') : null;
    const lens = this.checkLengths(op, lengths, batched, T, B);
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const h0l = this.numLayers === 1 ? h0All : narrow(h0All, 0, l * D, D);
      const c0l = c0All === null ? null : this.numLayers === 1 ? c0All : narrow(c0All, 0, l * D, D);
      const r = recurrentLayer(this.kind, seq, h0l, c0l, this.weights[l], lens, this.pools[l]);
      hs.push(r.h);
      if (r.c) cs.push(r.c);
      const last = l === this.numLayers - 1;
      seq = !last && this.training && this.dropout > 0 ? dropout(r.output, this.dropout, true, this.generator) : r.output;
    }
    let output = seq;
    let h = hs.length === 1 ? hs[0] : cat(hs, 0);
    let c = cs.length === 0 ? null : cs.length === 1 ? cs[0] : cat(cs, 0);
    if (batched && this.batchFirst) output = transpose(output, 0, 1);
    if (!batched) {
      output = squeeze(output, 1);
      h = squeeze(h, 1);
      c = c && squeeze(c, 1);
    }
    return { output, h, c };
  }

  private checkLengths(op: string, lengths: ArrayLike<number> | undefined, batched: boolean, T: number, B: number): Int32Array {
    const out = new Int32Array(B).fill(T);
    if (lengths === undefined) return out;
    if (!batched) throw new RecurrentError(op, 'lengths needs batched input');
    if (lengths === null || typeof lengths !== 'object' || lengths.length !== B) {
      throw new RecurrentError(op, `lengths must hold one length per batch entry (${B}), got ${lengths === null || typeof lengths !== 'object' ? show(lengths) : lengths.length}`, 'shape');
    }
    for (let b = 0; b < B; b++) {
      const n = lengths[b];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > T) throw new RecurrentError(op, `lengths[${b}] must be an integer in [1, ${T}], got ${show(n)}`);
      out[b] = n;
    }
    return out;
  }
}
