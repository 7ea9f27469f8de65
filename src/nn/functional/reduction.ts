/**
 * How a loss turns its per-element values l_i (computed in float64) into the tensor it returns:
 *
 *   'none' -> l              dL/dl_i = g_i
 *   'sum'  -> sum_i l_i      dL/dl_i = g
 *   'mean' -> sum_i l_i / n  dL/dl_i = g / n     (n chosen by the loss: the element count, or
 *                                                  the total weight of the counted targets)
 */
import { RecurrentError } from '../../tensor/errors.js';

/** How a loss reduces its per-element values, as PyTorch's `reduction` argument. */
export type Reduction = 'mean' | 'sum' | 'none';

/** The reduction named by `value` ('mean' when undefined); anything else throws naming the op. */
export function checkReduction(op: string, value: unknown): Reduction {
  if (value === undefined) return 'mean';
  if (value === 'mean' || value === 'sum' || value === 'none') return value;
  const shown = typeof value === 'string' ? `'${value}'` : String(value);
  throw new RecurrentError(op, `reduction must be 'mean', 'sum' or 'none', got ${shown}`);
}

/** The loss tensor's data and shape: `l` itself (of `shape`) for 'none', else a scalar. */
export function reduceLoss(l: Float64Array, shape: readonly number[], reduction: Reduction, n: number): { data: Float32Array; shape: readonly number[] } {
  if (reduction === 'none') return { data: Float32Array.from(l), shape };
  let total = 0;
  for (let i = 0; i < l.length; i++) total += l[i];
  return { data: new Float32Array([reduction === 'sum' ? total : total / n]), shape: [] };
}

/** dL/dl_i for every element, given the loss tensor's gradient `g`. */
export function lossGrad(g: Float32Array, count: number, reduction: Reduction, n: number): Float64Array {
  const out = new Float64Array(count);
  if (reduction === 'none') for (let i = 0; i < count; i++) out[i] = g[i];
  else out.fill(reduction === 'sum' ? g[0] : g[0] / n);
  return out;
}
