/**
 * Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_ (PyTorch 1.13),
 * in place on the gradients of the given parameters (those with a null grad are skipped):
 *
 *   clipGradNorm:   total = (sum over every gradient entry |g|^p)^(1/p)   (max |g| for p = Infinity)
 *                   g <- g * min(1, maxNorm / (total + 1e-6))
 *   clipGradValue:  g <- min(max(g, -c), c)
 *
 * The norm is summed in float64 (scaled by the largest |g|, so no power overflows).
 */
import { markStorageModified } from '../kernels/storage.js';
import { checkOptions } from '../tensor/check.js';
import { RecurrentError, show } from '../tensor/errors.js';
import { Tensor } from '../tensor/tensor.js';

/** Options of {@link clipGradNorm}. */
export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite, changing nothing (default false). */
  errorIfNonfinite?: boolean;
}

/** The gradients of `params` (one tensor or a list), skipping null ones. */
function gradients(op: string, params: Tensor | readonly Tensor[]): Float32Array[] {
  const list = params instanceof Tensor ? [params] : params;
  if (!Array.isArray(list)) throw new RecurrentError(op, 'params must be a Tensor or an array of Tensors');
  const out: Float32Array[] = [];
  // An index loop, not forEach: it stops at the first hole of a huge sparse array instead of
  // visiting four billion of them.
  for (let k = 0; k < list.length; k++) {
    const p: unknown = list[k];
    if (!(p instanceof Tensor)) throw new RecurrentError(op, `params[${k}] is not a Tensor`);
    if (p.grad !== null) out.push(p.grad.data);
  }
  return out;
}

/** The p-norm of all entries of `grads` together (NaN if any entry is NaN). */
function totalNorm(grads: readonly Float32Array[], p: number): number {
  let max = 0;
  for (const g of grads) {
    for (let i = 0; i < g.length; i++) {
      const a = Math.abs(g[i]);
      if (Number.isNaN(a)) return NaN;
      if (a > max) max = a;
    }
  }
  if (p === Infinity || max === 0 || max === Infinity) return max;
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += (Math.abs(g[i]) / max) ** p;
  return max * sum ** (1 / p);
}

/**
 * Scales the gradients so that their total `normType`-norm is at most `maxNorm`, and returns
 * the total norm before clipping (0 when no parameter has a gradient).
 *
 * A non-finite total throws with errorIfNonfinite. Without it, as PyTorch 1.13, the gradients
 * are still multiplied by the clip coefficient and the total is returned: an infinite total
 * gives coefficient 0 (finite entries become 0, infinite ones NaN), a NaN total makes every
 * entry NaN. Either way the step that follows is not meaningful; skip it (an optimizer built
 * with skipNonFinite does so by itself).
 */
export function clipGradNorm(params: Tensor | readonly Tensor[], maxNorm: number, normType = 2, options: ClipGradNormOptions = {}): number {
  const op = 'clipGradNorm';
  const grads = gradients(op, params);
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) throw new RecurrentError(op, `maxNorm must be a number >= 0, got ${show(maxNorm)}`);
  if (typeof normType !== 'number' || !(normType > 0)) throw new RecurrentError(op, `normType must be a number > 0 or Infinity, got ${show(normType)}`);
  const errorIfNonfinite = checkOptions('clipGradNorm', options, 'options', { errorIfNonfinite: 'boolean' }).errorIfNonfinite ?? false;
  if (typeof errorIfNonfinite !== 'boolean') throw new RecurrentError(op, `errorIfNonfinite must be a boolean, got ${show(errorIfNonfinite)}`);
  if (grads.length === 0) return 0;
  const total = totalNorm(grads, normType);
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new RecurrentError(op, `the total ${normType}-norm of the gradients of ${grads.length} parameters is ${total}; gradients left unchanged`, 'numeric');
  }
  const coef = Math.min(maxNorm / (total + 1e-6), 1);
  if (coef !== 1) {
    for (const g of grads) {
      for (let i = 0; i < g.length; i++) g[i] *= coef;
      markStorageModified(g);
    }
  }
  return total;
}

/** Clamps every gradient entry to [-clipValue, clipValue] in place (NaN stays NaN, as PyTorch). */
export function clipGradValue(params: Tensor | readonly Tensor[], clipValue: number): void {
  const op = 'clipGradValue';
  const grads = gradients(op, params);
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) throw new RecurrentError(op, `clipValue must be a number >= 0, got ${show(clipValue)}`);
  for (const g of grads) {
    for (let i = 0; i < g.length; i++) {
      if (g[i] > clipValue) g[i] = clipValue;
      else if (g[i] < -clipValue) g[i] = -clipValue;
    }
    markStorageModified(g);
  }
}
