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

/**
 * The limits of every numeric config entry: the flags' limits, which a checkpoint's config
 * must keep too (a 17 KB file must not ask for a million layers).
 */
export const CONFIG_LIMITS = {
  embed: { min: 1, max: 4096 },
  hidden: { min: 1, max: 4096 },
  layers: { min: 1, max: 16 },
  seq: { min: 1, max: 100000 },
  batch: { min: 1, max: 4096 },
  seed: { min: 0, max: 2147483647 },
} as const;

/** The display name of a model kind: LSTM, GRU, RNN. */
export function modelName(kind: ModelKind): string {
  return kind.toUpperCase();
}

/** The display name with its article, as read aloud: an LSTM, a GRU, an RNN. */
export function aModelName(kind: ModelKind): string {
  return `${kind === 'gru' ? 'a' : 'an'} ${modelName(kind)}`;
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

/**
 * The name and shape of every parameter of `new CharModel(config, vocabSize)`, computed
 * without building it, so a checkpoint's tensors are compared with its config first.
 */
export function expectedShapes(config: RunConfig, vocabSize: number): Map<string, number[]> {
  const { embed: E, hidden: H, layers: L } = config;
  const G = (config.model === 'lstm' ? 4 : config.model === 'gru' ? 3 : 1) * H;
  const shapes = new Map<string, number[]>([['embed.weight', [vocabSize, E]]]);
  for (let k = 0; k < L; k++) {
    shapes.set(`rnn.weight_ih_l${k}`, [G, k === 0 ? E : H]);
    shapes.set(`rnn.weight_hh_l${k}`, [G, H]);
    shapes.set(`rnn.bias_ih_l${k}`, [G]);
    shapes.set(`rnn.bias_hh_l${k}`, [G]);
  }
  shapes.set('head.weight', [vocabSize, H]);
  shapes.set('head.bias', [vocabSize]);
  return shapes;
}

/** Checks a configuration read from a checkpoint (written by `recurrent train`). */
export function checkConfig(op: string, value: unknown): RunConfig {
  const c = value as Record<string, unknown>;
  const fail = (what: string): never => {
    throw new RecurrentError(op, `the checkpoint's config is not one \`recurrent train\` writes (${what})`, 'format');
  };
  if (c === null || typeof c !== 'object') fail('no config');
  if (!MODEL_KINDS.includes(c.model as ModelKind)) fail(`model ${JSON.stringify(c.model)}`);
  for (const [key, { min, max }] of Object.entries(CONFIG_LIMITS)) {
    if (!Number.isSafeInteger(c[key]) || (c[key] as number) < min || (c[key] as number) > max) fail(`${key} ${JSON.stringify(c[key])}, outside ${min}..${max}`);
  }
  if (!Number.isSafeInteger(c.dataLength) || (c.dataLength as number) < 1) fail(`dataLength ${JSON.stringify(c.dataLength)}`);
  const number = (key: string, ok: (v: number) => boolean) => {
    if (typeof c[key] !== 'number' || !Number.isFinite(c[key]) || !ok(c[key] as number)) fail(`${key} ${JSON.stringify(c[key])}`);
  };
  number('lr', (v) => v > 0 && v <= 10);
  number('clip', (v) => v >= 0);
  number('valFraction', (v) => v >= 0 && v <= 0.5);
  if (typeof c.data !== 'string' || typeof c.dataHash !== 'string') fail('data');
  return c as unknown as RunConfig;
}
