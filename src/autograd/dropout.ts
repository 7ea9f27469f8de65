/**
 * Inverted dropout: each element is zeroed with probability p and the survivors scaled so
 * the expectation is unchanged.
 *
 *   m_i ~ Bernoulli(1 - p),   y_i = x_i m_i / (1 - p),   dL/dx_i = dL/dy_i m_i / (1 - p)
 */
import { checkTensor } from '../tensor/check.js';
import { RecurrentError, show } from '../tensor/errors.js';
import { defaultGenerator, Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { record } from './graph.js';

/** Dropout with probability p when `training`, else the identity (as torch.nn.functional.dropout). */
export function dropout(x: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  checkTensor('dropout', x);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RecurrentError('dropout', `p must be in [0, 1], got ${show(p)}`);
  if (typeof training !== 'boolean') throw new RecurrentError('dropout', `training must be a boolean, got ${show(training)}`);
  if (!(generator instanceof Generator)) throw new RecurrentError('dropout', `generator must be a Generator, got ${show(generator)}`);
  if (!training || p === 0) return x;
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const xd = x.data;
  const mask = new Float32Array(xd.length);
  for (let i = 0; i < mask.length; i++) mask[i] = generator.random() >= p ? scale : 0;
  const y = new Float32Array(xd.length);
  for (let i = 0; i < y.length; i++) y[i] = xd[i] * mask[i];
  return record('dropout', y, x.shape, [x], (g) => {
    const gx = new Float32Array(g.length);
    for (let i = 0; i < gx.length; i++) gx[i] = g[i] * mask[i];
    return [gx];
  });
}
