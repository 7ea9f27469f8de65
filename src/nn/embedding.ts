/**
 * Embedding: a lookup table, row i of W for token i.
 *
 *   y[..., :] = W[ids[...], :]        dL/dW[i] = sum of dL/dy at every position where ids = i
 *
 * Initialised N(0, 1) as PyTorch; the paddingIdx row starts at zero and never gets a gradient.
 */
import { checkOptions } from '../tensor/check.js';
import { indexSelect } from '../autograd/indexing.js';
import { record } from '../autograd/graph.js';
import { reshape } from '../autograd/shape-ops.js';
import { RecurrentError, show } from '../tensor/errors.js';
import { zeros } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { checkSize } from './check.js';
import { SEED_SCHEMA, layerGenerator, normal, type SeedOptions } from './init.js';
import { Module } from './module.js';

/** Options of {@link Embedding}. */
export interface EmbeddingOptions extends SeedOptions {
  numEmbeddings: number;
  embeddingDim: number;
  /** A row that stays zero and receives no gradient (negative counts from the end). */
  paddingIdx?: number;
}

/** A table of learned vectors indexed by integer ids. */
export class Embedding extends Module {
  /** (numEmbeddings, embeddingDim) */
  readonly weight: Tensor;
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;

  constructor(options: EmbeddingOptions) {
    super();
    options = checkOptions('Embedding', options, 'options', { numEmbeddings: 'number', embeddingDim: 'number', paddingIdx: 'number', ...SEED_SCHEMA });
    // An empty table is allowed, as in PyTorch (every index is then out of range).
    this.numEmbeddings = checkSize('Embedding', 'numEmbeddings', options?.numEmbeddings, 0);
    this.embeddingDim = checkSize('Embedding', 'embeddingDim', options.embeddingDim, 0);
    const p = options.paddingIdx;
    if (p !== undefined && (!Number.isInteger(p) || p < -this.numEmbeddings || p >= this.numEmbeddings)) {
      throw new RecurrentError('Embedding', `paddingIdx must be an integer in [-${this.numEmbeddings}, ${this.numEmbeddings}), got ${p}`);
    }
    this.paddingIdx = p === undefined ? null : p < 0 ? p + this.numEmbeddings : p;
    const w = normal(zeros([this.numEmbeddings, this.embeddingDim]), 0, 1, { generator: layerGenerator('Embedding', options) });
    if (this.paddingIdx !== null) w.data.fill(0, this.paddingIdx * this.embeddingDim, (this.paddingIdx + 1) * this.embeddingDim);
    w.markModified();
    this.weight = this.registerParameter('weight', w);
  }

  /** ids of any shape (integers, as a Tensor or array) -> (...ids.shape, embeddingDim) */
  forward(ids: Tensor | ArrayLike<number>): Tensor {
    if (!(ids instanceof Tensor) && (typeof ids !== 'object' || ids === null || typeof ids.length !== 'number')) {
      throw new RecurrentError('Embedding', `ids must be a Tensor or an array of integers, got ${show(ids)}`);
    }
    const shape = ids instanceof Tensor ? ids.shape : [ids.length];
    const rows = indexSelect(this.weight, 0, ids instanceof Tensor ? ids.data : ids);
    const out = reshape(this.paddingIdx === null ? rows : this.blockPadding(rows, ids instanceof Tensor ? ids.data : ids), [...shape, this.embeddingDim]);
    return out;
  }

  /** Identity forward whose backward zeroes the gradient of rows looked up by paddingIdx. */
  private blockPadding(rows: Tensor, ids: ArrayLike<number>): Tensor {
    const dim = this.embeddingDim;
    const pad = this.paddingIdx;
    return record('embeddingPadding', rows.data, rows.shape, [rows], (g) => {
      const out = Float32Array.from(g);
      for (let i = 0; i < ids.length; i++) if (ids[i] === pad) out.fill(0, i * dim, (i + 1) * dim);
      return [out];
    });
  }
}
