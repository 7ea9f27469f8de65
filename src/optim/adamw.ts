/**
 * AdamW, as torch.optim.AdamW (PyTorch 1.13): Adam with weight decay decoupled from the
 * gradient (Loshchilov & Hutter). Per element, at step t:
 *
 *   p <- p (1 - lr weightDecay)
 *   then Adam's update (adam.ts) without the L2 term:
 *   m <- beta1 m + (1 - beta1) g,   v <- beta2 v + (1 - beta2) g^2   (v <- max(vmax, v) if amsgrad)
 *   p <- p - (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 */
import type { Tensor } from '../tensor/tensor.js';
import { AdamFamily, type AdamOptions } from './adam.js';
import type { OptimizerOptions, ParamGroupInput } from './optimizer.js';

/** Adam with decoupled weight decay; see the module comment. */
export class AdamW extends AdamFamily {
  protected readonly decoupled = true;

  /** Defaults as PyTorch: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 1e-2. */
  constructor(params: readonly Tensor[] | readonly ParamGroupInput<AdamOptions>[], options: Partial<AdamOptions> & OptimizerOptions = {}) {
    super('AdamW', params, options, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false });
  }
}
