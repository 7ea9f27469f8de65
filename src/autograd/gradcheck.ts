/**
 * Checks an analytic gradient against a numerical one.
 *
 * The function's output is reduced to a scalar with fixed random weights w,
 *   L(x) = sum_k w_k f(x)_k        (summed in float64)
 * backward gives the analytic dL/dx; the numerical one is the central difference
 *   dL/dx_j ~ (L(x + h e_j) - L(x - h e_j)) / (x_j+ - x_j-)
 * computed in float64, with the denominator taken from the float32 values actually used, so
 * the only float32 error left is the rounding of f itself. An entry fails when
 *   |analytic - numeric| > atol + rtol * |numeric|.
 */
import { checkOptions } from '../tensor/check.js';
import { RecurrentError, show } from '../tensor/errors.js';
import { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from './graph.js';

/** Options of {@link gradcheck}. */
export interface GradcheckOptions {
  /** Step of the central difference (default 1e-2, suited to float32). */
  eps?: number;
  /** Absolute tolerance (default 1e-2). */
  atol?: number;
  /** Relative tolerance (default 1e-2). */
  rtol?: number;
  /** Seed of the output weights w (default 0). */
  seed?: number;
}

/** Where the analytic and numerical gradients disagree most. */
export interface GradcheckResult {
  /** True when every entry is within tolerance. */
  ok: boolean;
  /** The largest |analytic - numeric| over all entries. */
  maxAbsError: number;
  /** The worst entry, measured as |analytic - numeric| / (atol + rtol * |numeric|). */
  worst: { input: number; index: number; analytic: number; numeric: number; ratio: number } | null;
}

/**
 * Compares the gradient of `fn` with respect to each of `inputs` (by backward) with central
 * differences. The inputs are copied; `fn` must be deterministic.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  if (typeof fn !== 'function') throw new RecurrentError('gradcheck', `fn must be a function, got ${show(fn)}`);
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((t) => t instanceof Tensor)) {
    throw new RecurrentError('gradcheck', `inputs must be a non-empty array of Tensors, got ${show(inputs)}`);
  }
  const { eps = 1e-2, atol = 1e-2, rtol = 1e-2 } = (options = checkOptions('gradcheck', options, 'options', { eps: 'number', atol: 'number', rtol: 'number', seed: 'integer' }));
  if (![eps, atol, rtol].every((v) => typeof v === 'number' && v >= 0 && Number.isFinite(v)) || eps === 0) {
    throw new RecurrentError('gradcheck', `eps, atol and rtol must be finite non-negative numbers (eps > 0), got ${show([eps, atol, rtol])}`);
  }
  const leaves = inputs.map((t) => {
    const c = new Tensor(Float32Array.from(t.data), t.shape);
    c.requiresGrad = true;
    return c;
  });
  const out = fn(...leaves);
  if (!(out instanceof Tensor)) throw new RecurrentError('gradcheck', 'fn must return a Tensor');
  const g = new Generator(options.seed ?? 0);
  const w = new Float32Array(out.data.length);
  for (let i = 0; i < w.length; i++) w[i] = g.uniform(-1, 1);
  const weighted = (t: Tensor): number => {
    let s = 0;
    for (let i = 0; i < w.length; i++) s += w[i] * t.data[i];
    return s;
  };
  if (out.requiresGrad) out.backward(new Tensor(w, out.shape));

  const result: GradcheckResult = { ok: true, maxAbsError: 0, worst: null };
  noGrad(() => {
    leaves.forEach((x, input) => {
      const analytic = x.grad?.data ?? new Float32Array(x.data.length);
      for (let index = 0; index < x.data.length; index++) {
        const v = x.data[index];
        x.data[index] = v + eps;
        x.markModified();
        const hi = x.data[index];
        const lp = weighted(fn(...leaves));
        x.data[index] = v - eps;
        x.markModified();
        const lo = x.data[index];
        const lm = weighted(fn(...leaves));
        x.data[index] = v;
        x.markModified();
        const numeric = (lp - lm) / (hi - lo);
        const err = Math.abs(analytic[index] - numeric);
        const ratio = err / (atol + rtol * Math.abs(numeric));
        result.maxAbsError = Math.max(result.maxAbsError, err);
        if (!(ratio <= 1)) result.ok = false;
        if (result.worst === null || ratio > result.worst.ratio || Number.isNaN(ratio)) {
          result.worst = { input, index, analytic: analytic[index], numeric, ratio };
        }
      }
    });
  });
  return result;
}
