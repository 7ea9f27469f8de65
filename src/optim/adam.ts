/**
 * Adam, as torch.optim.Adam (PyTorch 1.13). Per element, at step t (counted per parameter),
 * with g the gradient and m, v the first and second moment estimates:
 *
 *   g <- -g                                    if maximize
 *   g <- g + weightDecay * p                   (Adam: an L2 penalty folded into the gradient)
 *   m <- beta1 m + (1 - beta1) g
 *   v <- beta2 v + (1 - beta2) g^2
 *   v <- vmax = max(vmax, v)                   if amsgrad (the running maximum is used below)
 *   p <- p - (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 *
 * AdamW (adamw.ts) runs the same update with the decay decoupled from the gradient:
 * p <- p (1 - lr weightDecay) first, and no L2 term.
 */
import type { Tensor } from '../tensor/tensor.js';
import { betaPair, flag, nonNegative, type Fail } from './check.js';
import { Optimizer, type GroupOptions, type OptimizerOptions, type ParamGroupInput, type ParamState } from './optimizer.js';

/** The options of an {@link Adam} or AdamW parameter group. */
export interface AdamOptions extends GroupOptions {
  /** Decay rates of the moment estimates, each in [0, 1) (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps: number;
  /** Weight decay: an L2 penalty for Adam (default 0), decoupled for AdamW (default 1e-2). */
  weightDecay: number;
  /** Use the running maximum of the second moment (AMSGrad; default false). */
  amsgrad: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

/** A parameter's Adam state. */
interface AdamState extends ParamState {
  expAvg: Float32Array | null;
  expAvgSq: Float32Array | null;
  maxExpAvgSq: Float32Array | null;
}

/** What Adam and AdamW share (options, state, update); they differ in how weight decay applies. */
export abstract class AdamFamily extends Optimizer<AdamOptions, AdamState> {
  protected readonly bufferNames = ['expAvg', 'expAvgSq', 'maxExpAvgSq'];
  protected override readonly nonNegativeBuffers = ['expAvgSq', 'maxExpAvgSq'];
  /** True for AdamW: p <- p (1 - lr weightDecay) instead of g <- g + weightDecay p. */
  protected abstract readonly decoupled: boolean;

  protected checkOptions(o: AdamOptions, fail: Fail): void {
    nonNegative(fail, 'lr', o.lr);
    betaPair(fail, 'betas', o.betas);
    nonNegative(fail, 'eps', o.eps);
    nonNegative(fail, 'weightDecay', o.weightDecay);
    flag(fail, 'amsgrad', o.amsgrad);
    flag(fail, 'maximize', o.maximize);
  }

  protected newState(): AdamState {
    return { step: 0, expAvg: null, expAvgSq: null, maxExpAvgSq: null };
  }

  protected requiredBuffers(o: AdamOptions): readonly string[] {
    return o.amsgrad ? this.bufferNames : ['expAvg', 'expAvgSq'];
  }

  protected update(p: Float32Array, g: Float32Array, s: AdamState, o: AdamOptions): void {
    const n = p.length;
    const m = (s.expAvg ??= new Float32Array(n));
    const v = (s.expAvgSq ??= new Float32Array(n));
    const vmax = o.amsgrad ? (s.maxExpAvgSq ??= new Float32Array(n)) : null;
    const beta1 = o.betas[0];
    const beta2 = o.betas[1];
    const t = (s.step += 1);
    const stepSize = o.lr / (1 - beta1 ** t);
    const bias2Sqrt = Math.sqrt(1 - beta2 ** t);
    const l2 = this.decoupled ? 0 : o.weightDecay;
    const shrink = this.decoupled ? 1 - o.lr * o.weightDecay : 1;
    for (let i = 0; i < n; i++) {
      let d = o.maximize ? -g[i] : g[i];
      if (l2 !== 0) d += l2 * p[i];
      m[i] = beta1 * m[i] + (1 - beta1) * d;
      v[i] = beta2 * v[i] + (1 - beta2) * d * d;
      let second = v[i];
      if (vmax !== null) second = vmax[i] = Math.max(vmax[i], second);
      p[i] = p[i] * shrink - (stepSize * m[i]) / (Math.sqrt(second) / bias2Sqrt + o.eps);
    }
  }
}

/** Adam with an optional L2 penalty (weightDecay) and AMSGrad; see the module comment. */
export class Adam extends AdamFamily {
  protected readonly decoupled = false;

  /** Defaults as PyTorch: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0. */
  constructor(params: readonly Tensor[] | readonly ParamGroupInput<AdamOptions>[], options: Partial<AdamOptions> & OptimizerOptions = {}) {
    super('Adam', params, options, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
  }
}
