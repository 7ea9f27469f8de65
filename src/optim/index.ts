/**
 * Optimizers (SGD, Adam, AdamW, RMSprop), gradient clipping and learning-rate schedules, as
 * torch.optim; gathered for the public surface.
 */
export {
  Optimizer,
  type GroupOptions,
  type OptimizerOptions,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
  type SavedParamGroup,
  type SavedParamState,
  type StepResult,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamFamily, type AdamOptions } from './adam.js';
export { AdamW } from './adamw.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from './clip.js';
export {
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  LRScheduler,
  ReduceLROnPlateau,
  StepLR,
  type CosineAnnealingLROptions,
  type ExponentialLROptions,
  type LinearLROptions,
  type LRSchedulerStateDict,
  type ReduceLROnPlateauOptions,
  type ReduceLROnPlateauStateDict,
  type ResolvedPlateauOptions,
  type StepLROptions,
} from './lr-scheduler.js';
