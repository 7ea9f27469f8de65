/**
 * RMSprop, as torch.optim.RMSprop (PyTorch 1.13). Per element, with g the gradient, v the
 * running mean of g^2, a the running mean of g and b the momentum buffer:
 *
 *   g <- -g                                     if maximize
 *   g <- g + weightDecay * p
 *   v <- alpha v + (1 - alpha) g^2
 *   a <- alpha a + (1 - alpha) g                if centered
 *   d  = sqrt(v - a^2) + eps  if centered,  else  sqrt(v) + eps
 *   b <- momentum b + g / d,   p <- p - lr b    if momentum > 0
 *   p <- p - lr g / d                           otherwise
 */
import type { Tensor } from '../tensor/tensor.js';
import { flag, nonNegative, unitInterval, type Fail } from './check.js';
import { Optimizer, type GroupOptions, type OptimizerOptions, type ParamGroupInput, type ParamState } from './optimizer.js';

/** The options of an {@link RMSprop} parameter group. */
export interface RMSpropOptions extends GroupOptions {
  /** Smoothing constant of the running means, in [0, 1] (default 0.99). */
  alpha: number;
  /** Added to the denominator for stability (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Normalise by the estimated variance of the gradient instead of its second moment (default false). */
  centered: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

/** A parameter's RMSprop state. */
interface RMSpropState extends ParamState {
  squareAvg: Float32Array | null;
  gradAvg: Float32Array | null;
  momentumBuffer: Float32Array | null;
}

/** RMSprop, optionally centered and with momentum; see the module comment. */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  protected readonly bufferNames = ['squareAvg', 'gradAvg', 'momentumBuffer'];
  protected override readonly nonNegativeBuffers = ['squareAvg'];

  /** Defaults as PyTorch: lr 1e-2, alpha 0.99, eps 1e-8, weightDecay 0, momentum 0. */
  constructor(params: readonly Tensor[] | readonly ParamGroupInput<RMSpropOptions>[], options: Partial<RMSpropOptions> & OptimizerOptions = {}) {
    super('RMSprop', params, options, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false });
  }

  protected checkOptions(o: RMSpropOptions, fail: Fail): void {
    nonNegative(fail, 'lr', o.lr);
    unitInterval(fail, 'alpha', o.alpha, true);
    nonNegative(fail, 'eps', o.eps);
    nonNegative(fail, 'weightDecay', o.weightDecay);
    nonNegative(fail, 'momentum', o.momentum);
    flag(fail, 'centered', o.centered);
    flag(fail, 'maximize', o.maximize);
  }

  protected newState(): RMSpropState {
    return { step: 0, squareAvg: null, gradAvg: null, momentumBuffer: null };
  }

  protected requiredBuffers(o: RMSpropOptions): readonly string[] {
    return ['squareAvg', ...(o.centered ? ['gradAvg'] : []), ...(o.momentum > 0 ? ['momentumBuffer'] : [])];
  }

  protected update(p: Float32Array, g: Float32Array, s: RMSpropState, o: RMSpropOptions): void {
    const n = p.length;
    const { lr, alpha, eps, weightDecay, momentum, maximize } = o;
    const v = (s.squareAvg ??= new Float32Array(n));
    const a = o.centered ? (s.gradAvg ??= new Float32Array(n)) : null;
    const b = momentum > 0 ? (s.momentumBuffer ??= new Float32Array(n)) : null;
    s.step += 1;
    for (let i = 0; i < n; i++) {
      let d = maximize ? -g[i] : g[i];
      if (weightDecay !== 0) d += weightDecay * p[i];
      v[i] = alpha * v[i] + (1 - alpha) * d * d;
      let denom: number;
      if (a !== null) {
        a[i] = alpha * a[i] + (1 - alpha) * d;
        // a^2 rounded to float32 as PyTorch's addcmul rounds it: a tiny a squares to 0 there,
        // where in float64 it would leave v - a^2 < 0 (v underflowed to 0) and a NaN sqrt.
        denom = Math.sqrt(v[i] - Math.fround(a[i] * a[i])) + eps;
      } else {
        denom = Math.sqrt(v[i]) + eps;
      }
      if (b !== null) {
        b[i] = momentum * b[i] + d / denom;
        p[i] -= lr * b[i];
      } else {
        p[i] -= (lr * d) / denom;
      }
    }
  }
}
