/**
 * The loss functions (torch.nn.functional's losses), gathered; the public surface exposes
 * them as `F`. Each computes its per-element losses in float64 and keeps its backward beside
 * its forward.
 */
export { mseLoss, type MseLossOptions } from './mse.js';
export { crossEntropy, type CrossEntropyOptions } from './cross-entropy.js';
export { nllLoss, type NllLossOptions } from './nll.js';
export { binaryCrossEntropyWithLogits, type BceWithLogitsOptions } from './bce.js';
export { ctcLoss, type CtcLossOptions } from './ctc.js';
export type { ClassLossOptions } from './class-layout.js';
export type { IndexInput } from './indices.js';
export type { Reduction } from './reduction.js';
