/**
 * Stochastic gradient descent with momentum, as torch.optim.SGD (PyTorch 1.13). Per element,
 * with g the gradient and b the momentum buffer:
 *
 *   g <- -g                                        if maximize
 *   g <- g + weightDecay * p
 *   b <- g                          (first step)   }
 *   b <- momentum b + (1 - dampening) g  (later)   }  when momentum != 0
 *   g <- g + momentum b  if nesterov,  else  g <- b }
 *   p <- p - lr g
 */
import type { Tensor } from '../tensor/tensor.js';
import { flag, nonNegative, unitInterval, type Fail } from './check.js';
import { Optimizer, type GroupOptions, type OptimizerOptions, type ParamGroupInput, type ParamState } from './optimizer.js';

/** The options of an {@link SGD} parameter group. */
export interface SGDOptions extends GroupOptions {
  /** Momentum factor (default 0: plain SGD). */
  momentum: number;
  /** Dampening of the gradient's share of the momentum, in [0, 1] (default 0). */
  dampening: number;
  /** Nesterov momentum; needs momentum > 0 and dampening 0 (default false). */
  nesterov: boolean;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

/** A parameter's SGD state. */
interface SGDState extends ParamState {
  momentumBuffer: Float32Array | null;
}

/** SGD, optionally with momentum, Nesterov momentum and weight decay; see the module comment. */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  protected readonly bufferNames = ['momentumBuffer'];

  /** `lr` has no default, as in PyTorch. */
  constructor(params: readonly Tensor[] | readonly ParamGroupInput<SGDOptions>[], options: Partial<SGDOptions> & { lr: number } & OptimizerOptions) {
    super('SGD', params, options, { lr: options?.lr, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false });
  }

  protected checkOptions(o: SGDOptions, fail: Fail): void {
    nonNegative(fail, 'lr', o.lr);
    nonNegative(fail, 'momentum', o.momentum);
    unitInterval(fail, 'dampening', o.dampening, true);
    nonNegative(fail, 'weightDecay', o.weightDecay);
    flag(fail, 'nesterov', o.nesterov);
    flag(fail, 'maximize', o.maximize);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) fail(`nesterov needs momentum > 0 and dampening 0, got momentum ${o.momentum}, dampening ${o.dampening}`);
  }

  protected newState(): SGDState {
    return { step: 0, momentumBuffer: null };
  }

  protected requiredBuffers(o: SGDOptions): readonly string[] {
    return o.momentum !== 0 ? this.bufferNames : [];
  }

  protected update(p: Float32Array, g: Float32Array, s: SGDState, o: SGDOptions): void {
    const { lr, momentum, dampening, nesterov, weightDecay, maximize } = o;
    const first = s.momentumBuffer === null;
    const b = momentum !== 0 ? (s.momentumBuffer ??= new Float32Array(p.length)) : null;
    s.step += 1;
    for (let i = 0; i < p.length; i++) {
      let d = maximize ? -g[i] : g[i];
      if (weightDecay !== 0) d += weightDecay * p[i];
      if (b !== null) {
        b[i] = first ? d : momentum * b[i] + (1 - dampening) * d;
        d = nesterov ? d + momentum * b[i] : b[i];
      }
      p[i] -= lr * d;
    }
  }
}
