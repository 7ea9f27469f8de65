/**
 * The character-level language model the CLI trains, and the run configuration that defines
 * it (saved in every checkpoint, so `sample`, `summary` and `--resume` rebuild it exactly).
 *
 *   ids (B, T) -> Embedding(V, E) -> RNN | LSTM | GRU (E -> H, L layers) -> Linear(H, V)
 *   logits (B, T, V); loss = cross entropy of the logits at step t against character t + 1
 */
import { Embedding } from '../../nn/embedding.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { GRU, LSTM, RNN } from '../../rnn/layers.js';
import { RecurrentError } from '../../tensor/errors.js';
import type { Tensor } from '../../tensor/tensor.js';

/** The recurrent layer kinds the CLI offers. */
export const MODEL_KINDS = ['lstm', 'gru', 'rnn'] as const;

/** One of {@link MODEL_KINDS}. */
export type ModelKind = (typeof MODEL_KINDS)[number];

/** Everything that decides a run's trajectory: model, data, optimisation, seed. */
export interface RunConfig {
  model: ModelKind;
  /** Embedding size E. */
  embed: number;
  /** Hidden size H. */
  hidden: number;
  /** Stacked recurrent layers L. */
  layers: number;
  /** Steps per training window T. */
  seq: number;
  /** Windows per batch B. */
  batch: number;
  /** Adam's learning rate. */
  lr: number;
  /** Maximum gradient norm (0: no clipping). */
  clip: number;
  /** Seeds the weights, the batches and the samples. */
  seed: number;
  /** Share of the text held out at its end for validation. */
  valFraction: number;
  /** Absolute path of the training text. */
  data: string;
  /** FNV-1a hash and length of the text, to notice a changed file on resume. */
  dataHash: string;
  dataLength: number;
}

/** The display name of a model kind: LSTM, GRU, RNN. */
export function modelName(kind: ModelKind): string {
  return kind.toUpperCase();
}

/** The recurrent state carried between calls when generating. */
export interface CharState {
  h0: Tensor;
  c0?: Tensor;
}

/** Embedding -> recurrent layer -> Linear, over a vocabulary of V characters. */
export class CharModel extends Module {
  readonly embed: Embedding;
  readonly rnn: RNN | LSTM | GRU;
  readonly head: Linear;

  constructor(config: RunConfig, vocabSize: number) {
    super();
    const seed = config.seed;
    this.embed = new Embedding({ numEmbeddings: vocabSize, embeddingDim: config.embed, seed });
    const options = { inputSize: config.embed, hiddenSize: config.hidden, numLayers: config.layers, batchFirst: true, seed: seed + 1 };
    this.rnn = config.model === 'lstm' ? new LSTM(options) : config.model === 'gru' ? new GRU(options) : new RNN(options);
    this.head = new Linear({ inFeatures: config.hidden, outFeatures: vocabSize, seed: seed + 2 });
  }

  /** ids (B, T) -> logits (B, T, V) and the final state, starting from `state` (zeros when absent). */
  forward(ids: Tensor, state?: CharState): { logits: Tensor; state: CharState } {
    const x = this.embed.forward(ids);
    if (this.rnn instanceof LSTM) {
      const { output, h, c } = this.rnn.forward(x, state);
      return { logits: this.head.forward(output), state: { h0: h, c0: c } };
    }
    const { output, h } = this.rnn.forward(x, state);
    return { logits: this.head.forward(output), state: { h0: h } };
  }
}

/** Checks a configuration read from a checkpoint (written by `recurrent train`). */
export function checkConfig(op: string, value: unknown): RunConfig {
  const c = value as Record<string, unknown>;
  const fail = (what: string): never => {
    throw new RecurrentError(op, `the checkpoint's config is not one \`recurrent train\` writes (${what})`, 'format');
  };
  if (c === null || typeof c !== 'object') fail('no config');
  if (!MODEL_KINDS.includes(c.model as ModelKind)) fail(`model ${JSON.stringify(c.model)}`);
  for (const key of ['embed', 'hidden', 'layers', 'seq', 'batch', 'dataLength']) {
    if (!Number.isSafeInteger(c[key]) || (c[key] as number) < 1) fail(`${key} ${JSON.stringify(c[key])}`);
  }
  for (const key of ['lr', 'clip', 'seed', 'valFraction']) if (typeof c[key] !== 'number' || !Number.isFinite(c[key])) fail(`${key} ${JSON.stringify(c[key])}`);
  if (typeof c.data !== 'string' || typeof c.dataHash !== 'string') fail('data');
  return c as unknown as RunConfig;
}
