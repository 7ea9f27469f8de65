/**
 * The three recurrent layers, with PyTorch's equations (W_* and b_* per layer and direction):
 *
 *   RNN:  h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),  act = tanh or relu
 *   LSTM: i = s(W_ii x + b_ii + W_hi h + b_hi)   f = s(W_if x + b_if + W_hf h + b_hf)
 *         g = tanh(W_ig x + b_ig + W_hg h + b_hg) o = s(W_io x + b_io + W_ho h + b_ho)
 *         c_t = f c_{t-1} + i g                 h_t = o tanh(c_t)
 *   GRU:  r = s(W_ir x + b_ir + W_hr h + b_hr)   z = s(W_iz x + b_iz + W_hz h + b_hz)
 *         n = tanh(W_in x + b_in + r (W_hn h + b_hn))   h_t = (1 - z) n + z h_{t-1}
 *
 * Shapes and options: see RecurrentBase. All run the fused path (src/rnn/fused-layer.ts).
 */
import { RecurrentError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { RecurrentBase, type RecurrentForwardOptions, type RecurrentOptions } from './rnn-base.js';

/** Options of {@link RNN}. */
export interface RNNOptions extends RecurrentOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

/** Forward options of {@link LSTM}: h0 and c0 (L*D, B, H), lengths. */
export interface LSTMForwardOptions extends RecurrentForwardOptions {
  /** Initial cell state, shaped as h0; zeros when omitted. */
  c0?: Tensor;
}

/** What RNN and GRU return: output (T, B, D*H) and h_n (L*D, B, H). */
export interface RecurrentOutput {
  output: Tensor;
  h: Tensor;
}

/** What LSTM returns: output, h_n, and c_n (L*D, B, H). */
export interface LSTMOutput extends RecurrentOutput {
  c: Tensor;
}

/** Elman RNN with tanh or relu, multi-layer and optionally bidirectional. */
export class RNN extends RecurrentBase {
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(options: RNNOptions) {
    const nl = options?.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new RecurrentError('RNN', `nonlinearity must be 'tanh' or 'relu', got ${String(nl)}`);
    super(nl === 'relu' ? 'rnnRelu' : 'rnnTanh', 'RNN', options);
    this.nonlinearity = nl;
  }
  /** x (T, B, I) [or (B, T, I) with batchFirst, or (T, I)] -> output and h_n. */
  forward(x: Tensor, options: RecurrentForwardOptions = {}): RecurrentOutput {
    const { output, h } = this.run('RNN', x, options);
    return { output, h };
  }
}

/** Long short-term memory, multi-layer and optionally bidirectional. */
export class LSTM extends RecurrentBase {
  constructor(options: RecurrentOptions) {
    super('lstm', 'LSTM', options);
  }
  /** x (T, B, I) [or (B, T, I) with batchFirst, or (T, I)] -> output, h_n and c_n. */
  forward(x: Tensor, options: LSTMForwardOptions = {}): LSTMOutput {
    const { output, h, c } = this.run('LSTM', x, options);
    return { output, h, c: c! };
  }
}

/** Gated recurrent unit, multi-layer and optionally bidirectional. */
export class GRU extends RecurrentBase {
  constructor(options: RecurrentOptions) {
    super('gru', 'GRU', options);
  }
  /** x (T, B, I) [or (B, T, I) with batchFirst, or (T, I)] -> output and h_n. */
  forward(x: Tensor, options: RecurrentForwardOptions = {}): RecurrentOutput {
    const { output, h } = this.run('GRU', x, options);
    return { output, h };
  }
}
