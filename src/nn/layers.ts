/**
 * Small modules with no weights of their own: Dropout, the activations, and Sequential.
 *
 *   Dropout:  y = x m / (1 - p), m ~ Bernoulli(1 - p), in training mode only
 *   Tanh, Sigmoid, ReLU: elementwise;   Sequential: y = f_n(... f_2(f_1(x)))
 */
import { dropout } from '../autograd/dropout.js';
import { relu, sigmoid, tanh } from '../autograd/unary.js';
import { checkOptions } from '../tensor/check.js';
import { RecurrentError } from '../tensor/errors.js';
import type { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkProbability } from './check.js';
import { SEED_SCHEMA, layerGenerator, type SeedOptions } from './init.js';
import { Module } from './module.js';

/** A module mapping one tensor to one tensor, as Sequential chains them. */
export interface TensorModule extends Module {
  forward(x: Tensor): Tensor;
}

/** Options of {@link Dropout}. */
export interface DropoutOptions extends SeedOptions {
  /** Probability of zeroing an element (default 0.5). */
  p?: number;
}

/** Zeroes elements with probability p in training mode; the identity in eval mode. */
export class Dropout extends Module {
  readonly p: number;
  private readonly generator: Generator;
  constructor(options: DropoutOptions = {}) {
    super();
    options = checkOptions('Dropout', options, 'options', { p: 'number', ...SEED_SCHEMA });
    this.p = checkProbability('Dropout', 'p', options.p, 0.5);
    this.generator = layerGenerator('Dropout', options);
  }
  /** y = x m / (1 - p) in training mode, x in eval mode. */
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator);
  }
}

/** y = tanh x */
export class Tanh extends Module {
  /** Elementwise tanh. */
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** y = 1 / (1 + e^-x) */
export class Sigmoid extends Module {
  /** Elementwise logistic function. */
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** y = max(x, 0) */
export class ReLU extends Module {
  /** Elementwise rectifier. */
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** Applies modules one after the other; children are named 0, 1, 2, ... as in PyTorch. */
export class Sequential extends Module {
  private readonly layers: TensorModule[];
  constructor(...layers: TensorModule[]) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module) || typeof (m as TensorModule).forward !== 'function') {
        throw new RecurrentError('Sequential', `argument ${i} must be a Module with forward(x)`);
      }
      this.registerModule(String(i), m);
    });
    this.layers = layers;
  }
  /** y = f_n(... f_1(x)) */
  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.layers) y = m.forward(y);
    return y;
  }
}
