/**
 * Linear: y = x W^T + b on the last dim of x. W is (outFeatures, inFeatures) as in PyTorch,
 * initialised like PyTorch: W, b ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform with a = sqrt(5)).
 */
import { checkOptions } from '../tensor/check.js';
import { linear } from '../autograd/linear.js';
import { zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkFlag, checkSize } from './check.js';
import { SEED_SCHEMA, layerGenerator, uniform, type SeedOptions } from './init.js';
import { Module } from './module.js';

/** Options of {@link Linear}. */
export interface LinearOptions extends SeedOptions {
  inFeatures: number;
  outFeatures: number;
  /** Add a learned bias (default true). */
  bias?: boolean;
}

/** A fully connected layer, applied to the last dim of any input. */
export class Linear extends Module {
  /** (outFeatures, inFeatures) */
  readonly weight: Tensor;
  /** (outFeatures), or null without bias. */
  readonly bias: Tensor | null;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(options: LinearOptions) {
    super();
    options = checkOptions('Linear', options, 'options', { inFeatures: 'number', outFeatures: 'number', bias: 'boolean', ...SEED_SCHEMA });
    this.inFeatures = checkSize('Linear', 'inFeatures', options?.inFeatures, 0);
    this.outFeatures = checkSize('Linear', 'outFeatures', options?.outFeatures, 0);
    const hasBias = checkFlag('Linear', 'bias', options.bias, true);
    const g = layerGenerator('Linear', options);
    // As PyTorch: U(-1/sqrt(in), 1/sqrt(in)), and a zero bias when there are no inputs.
    const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
    this.weight = this.registerParameter('weight', uniform(zeros([this.outFeatures, this.inFeatures]), -bound, bound, { generator: g }));
    this.bias = hasBias ? this.registerParameter('bias', uniform(zeros([this.outFeatures]), -bound, bound, { generator: g })) : null;
  }

  /** x (..., inFeatures) -> (..., outFeatures) */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
