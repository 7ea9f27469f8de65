/**
 * Learning-rate schedules, as torch.optim.lr_scheduler (PyTorch 1.13). The epoch schedulers
 * use PyTorch's closed forms of e, the number of step() calls since construction (building
 * the scheduler applies e = 0), with base = each group's lr when the scheduler was built:
 *
 *   StepLR             lr = base gamma^floor(e / stepSize)
 *   ExponentialLR      lr = base gamma^e
 *   CosineAnnealingLR  lr = etaMin + (base - etaMin) (1 + cos(pi e / tMax)) / 2
 *   LinearLR           lr = base (startFactor + (endFactor - startFactor) min(e, totalIters) / totalIters)
 *
 * A closed form sets lr outright at every step, so two epoch schedulers on one optimizer do
 * not compose as PyTorch's chained forms do: the last to step wins.
 *
 * ReduceLROnPlateau instead watches a metric: once it has failed to improve (by more than
 * `threshold`) for more than `patience` steps, lr <- max(lr factor, minLr), followed by
 * `cooldown` steps in which bad epochs are not counted.
 */
import { RecurrentError } from '../tensor/errors.js';
import { failWith, integerAtLeast, knownKeys, nonNegative, unitInterval, type Fail } from './check.js';
import { Optimizer } from './optimizer.js';

/** An epoch scheduler's state as plain, JSON-able data. */
export interface LRSchedulerStateDict<H> {
  /** Steps taken since construction. */
  lastEpoch: number;
  /** Each group's lr when the scheduler was built. */
  baseLrs: number[];
  /** Each group's lr after the last step. */
  lastLr: number[];
  /** The scheduler's options. */
  options: H;
}

/** Fills in a scheduler's defaults and checks its options, reporting through `fail`. */
type Resolve<H> = (options: Partial<H>, fail: Fail) => H;

/** `name` must be an array of n finite numbers >= 0 (one lr per group). */
function lrList(fail: Fail, name: string, v: unknown, n: number): number[] {
  if (!Array.isArray(v) || v.length !== n) fail(`${name} must be an array of ${n} learning rates (one per parameter group)`);
  v.forEach((lr, i) => nonNegative(fail, `${name}[${i}]`, lr));
  return [...v];
}

/** The base of the epoch schedulers: see the module comment. H = the scheduler's options. */
export abstract class LRScheduler<H extends object> {
  /** The optimizer whose groups' lr this scheduler sets. */
  readonly optimizer: Optimizer;
  /** Each group's lr when the scheduler was built: `base` in the formulas. */
  baseLrs: number[];
  /** Steps taken since construction (0 right after it). */
  lastEpoch = -1;
  /** The scheduler's options, defaults filled in. */
  protected options: H;
  private lastLr: number[] = [];
  private readonly name: string;
  private readonly resolve: Resolve<H>;

  /** Records each group's lr as its base and applies epoch 0. */
  protected constructor(name: string, optimizer: Optimizer, options: Partial<H>, keys: readonly (keyof H & string)[], resolve: Resolve<H>) {
    const fail: Fail = failWith(name, '', 'argument');
    if (!(optimizer instanceof Optimizer)) fail('optimizer must be an Optimizer');
    if (typeof options !== 'object' || options === null) fail('options must be an object');
    // Names first, so that `step_size` is answered with "did you mean 'stepSize'", not "stepSize is required".
    knownKeys(fail, 'option', options, keys);
    this.options = resolve(options, fail);
    this.name = name;
    this.resolve = resolve;
    this.optimizer = optimizer;
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
    this.step();
  }

  /** The lr of a group whose base lr is `base`, at epoch `epoch`. */
  protected abstract lrAt(base: number, epoch: number): number;

  /** Advances one epoch and sets every group's lr. */
  step(): void {
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.baseLrs.length) {
      throw new RecurrentError(`${this.name}.step`, `the optimizer has ${groups.length} parameter groups but the scheduler was built for ${this.baseLrs.length}`, 'state');
    }
    this.lastEpoch += 1;
    for (let i = 0; i < groups.length; i++) groups[i].lr = this.lrAt(this.baseLrs[i], this.lastEpoch);
    this.lastLr = groups.map((g) => g.lr);
  }

  /** Each group's lr as set by the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's state as plain data (copies). */
  stateDict(): LRSchedulerStateDict<H> {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr], options: { ...this.options } };
  }

  /** Restores a state saved by {@link LRScheduler.stateDict}, checked fully before anything changes. The optimizer's lr is left to its own state dict. */
  loadStateDict(stateDict: LRSchedulerStateDict<H>): void {
    const fail: Fail = failWith(`${this.name}.loadStateDict`, '', 'format');
    const sd = stateDict;
    if (typeof sd !== 'object' || sd === null) fail('expected an object { lastEpoch, baseLrs, lastLr, options }');
    integerAtLeast(fail, 'lastEpoch', sd.lastEpoch, 0);
    const n = this.optimizer.paramGroups.length;
    const baseLrs = lrList(fail, 'baseLrs', sd.baseLrs, n);
    const lastLr = lrList(fail, 'lastLr', sd.lastLr, n);
    if (typeof sd.options !== 'object' || sd.options === null) fail('options must be an object');
    const options = this.resolve(sd.options, failWith(`${this.name}.loadStateDict`, 'options.', 'format'));
    knownKeys(fail, 'option', sd.options, Object.keys(options));
    this.lastEpoch = sd.lastEpoch;
    this.baseLrs = baseLrs;
    this.lastLr = lastLr;
    this.options = options;
  }
}

/** Options of {@link StepLR}. */
export interface StepLROptions {
  /** Epochs between two decays (an integer >= 1). */
  stepSize: number;
  /** Factor of each decay (default 0.1). */
  gamma?: number;
}

/** lr = base gamma^floor(e / stepSize): decay by gamma every stepSize epochs. */
export class StepLR extends LRScheduler<Required<StepLROptions>> {
  constructor(optimizer: Optimizer, options: StepLROptions) {
    super('StepLR', optimizer, options, ['stepSize', 'gamma'], (o, fail) => {
      const resolved = { stepSize: o.stepSize as number, gamma: o.gamma ?? 0.1 };
      integerAtLeast(fail, 'stepSize', resolved.stepSize, 1);
      nonNegative(fail, 'gamma', resolved.gamma);
      return resolved;
    });
  }

  protected lrAt(base: number, epoch: number): number {
    return base * this.options.gamma ** Math.floor(epoch / this.options.stepSize);
  }
}

/** Options of {@link ExponentialLR}. */
export interface ExponentialLROptions {
  /** Factor of the decay at every epoch. */
  gamma: number;
}

/** lr = base gamma^e. */
export class ExponentialLR extends LRScheduler<ExponentialLROptions> {
  constructor(optimizer: Optimizer, options: ExponentialLROptions) {
    super('ExponentialLR', optimizer, options, ['gamma'], (o, fail) => {
      nonNegative(fail, 'gamma', o.gamma);
      return { gamma: o.gamma as number };
    });
  }

  protected lrAt(base: number, epoch: number): number {
    return base * this.options.gamma ** epoch;
  }
}

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions {
  /** Epochs of the half cosine from base down to etaMin (an integer >= 1). */
  tMax: number;
  /** The lowest lr (default 0). */
  etaMin?: number;
}

/** lr = etaMin + (base - etaMin) (1 + cos(pi e / tMax)) / 2 (SGDR without restarts). */
export class CosineAnnealingLR extends LRScheduler<Required<CosineAnnealingLROptions>> {
  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    super('CosineAnnealingLR', optimizer, options, ['tMax', 'etaMin'], (o, fail) => {
      const resolved = { tMax: o.tMax as number, etaMin: o.etaMin ?? 0 };
      integerAtLeast(fail, 'tMax', resolved.tMax, 1);
      nonNegative(fail, 'etaMin', resolved.etaMin);
      return resolved;
    });
  }

  protected lrAt(base: number, epoch: number): number {
    const { tMax, etaMin } = this.options;
    return etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * epoch) / tMax))) / 2;
  }
}

/** Options of {@link LinearLR}. */
export interface LinearLROptions {
  /** Factor of base at epoch 0, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** Factor of base from epoch totalIters on, in [0, 1] (default 1). */
  endFactor?: number;
  /** Epochs of the linear ramp (an integer >= 1, default 5). */
  totalIters?: number;
}

/** lr = base (startFactor + (endFactor - startFactor) min(e, totalIters) / totalIters): a linear warmup (or decay). */
export class LinearLR extends LRScheduler<Required<LinearLROptions>> {
  constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
    super('LinearLR', optimizer, options, ['startFactor', 'endFactor', 'totalIters'], (o, fail) => {
      const resolved = { startFactor: o.startFactor ?? 1 / 3, endFactor: o.endFactor ?? 1, totalIters: o.totalIters ?? 5 };
      unitInterval(fail, 'startFactor', resolved.startFactor, true);
      if (resolved.startFactor === 0) fail('startFactor must be > 0 (lr would start at 0), got 0');
      unitInterval(fail, 'endFactor', resolved.endFactor, true);
      integerAtLeast(fail, 'totalIters', resolved.totalIters, 1);
      return resolved;
    });
  }

  protected lrAt(base: number, epoch: number): number {
    const { startFactor, endFactor, totalIters } = this.options;
    return base * (startFactor + ((endFactor - startFactor) * Math.min(epoch, totalIters)) / totalIters);
  }
}

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauOptions {
  /** 'min' (default): lower metrics are better; 'max': higher ones are. */
  mode?: 'min' | 'max';
  /** lr <- lr factor at each reduction, in [0, 1) (default 0.1). */
  factor?: number;
  /** Bad epochs tolerated before a reduction (default 10). */
  patience?: number;
  /** The least improvement that counts (default 1e-4). */
  threshold?: number;
  /** 'rel' (default): improvement relative to the best, best (1 -/+ threshold); 'abs': best -/+ threshold. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs after a reduction in which bad epochs are not counted (default 0). */
  cooldown?: number;
  /** The lowest lr, for every group or one per group (default 0). */
  minLr?: number | number[];
  /** A reduction smaller than this is not applied (default 1e-8). */
  eps?: number;
}

/** The options of {@link ReduceLROnPlateau} with every default filled in (minLr one per group). */
export type ResolvedPlateauOptions = Required<Omit<ReduceLROnPlateauOptions, 'minLr'>> & { minLr: number[] };

/** A {@link ReduceLROnPlateau}'s state as plain, JSON-able data. */
export interface ReduceLROnPlateauStateDict {
  /** Steps taken. */
  lastEpoch: number;
  /** The best metric so far; ±Infinity (no metric yet) is written as the string 'Infinity' or '-Infinity'. */
  best: number | 'Infinity' | '-Infinity';
  /** Bad epochs since the last improvement. */
  numBadEpochs: number;
  /** Epochs of cooldown left. */
  cooldownCounter: number;
  /** Each group's lr after the last step. */
  lastLr: number[];
  /** The options. */
  options: ResolvedPlateauOptions;
}

/** Fills in ReduceLROnPlateau's defaults for `groups` parameter groups and checks its options. */
function resolvePlateau(o: ReduceLROnPlateauOptions, groups: number, fail: Fail): ResolvedPlateauOptions {
  const mode = o.mode ?? 'min';
  const thresholdMode = o.thresholdMode ?? 'rel';
  if (mode !== 'min' && mode !== 'max') fail(`mode must be 'min' or 'max', got ${mode}`);
  if (thresholdMode !== 'rel' && thresholdMode !== 'abs') fail(`thresholdMode must be 'rel' or 'abs', got ${thresholdMode}`);
  const resolved = {
    mode,
    factor: o.factor ?? 0.1,
    patience: o.patience ?? 10,
    threshold: o.threshold ?? 1e-4,
    thresholdMode,
    cooldown: o.cooldown ?? 0,
    minLr: Array.isArray(o.minLr) ? [...o.minLr] : new Array<number>(groups).fill(o.minLr ?? 0),
    eps: o.eps ?? 1e-8,
  };
  unitInterval(fail, 'factor', resolved.factor);
  integerAtLeast(fail, 'patience', resolved.patience, 0);
  nonNegative(fail, 'threshold', resolved.threshold);
  integerAtLeast(fail, 'cooldown', resolved.cooldown, 0);
  lrList(fail, 'minLr', resolved.minLr, groups);
  nonNegative(fail, 'eps', resolved.eps);
  return resolved;
}

/** Reduces every group's lr when a metric stops improving; see the module comment. */
export class ReduceLROnPlateau {
  /** The optimizer whose groups' lr this scheduler sets. */
  readonly optimizer: Optimizer;
  /** Steps taken. */
  lastEpoch = 0;
  /** The best metric so far (Infinity in 'min' mode, -Infinity in 'max' mode, before any). */
  best: number;
  /** Bad epochs since the last improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  private options: ResolvedPlateauOptions;
  private lastLr: number[];

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const fail: Fail = failWith('ReduceLROnPlateau', '', 'argument');
    if (!(optimizer instanceof Optimizer)) fail('optimizer must be an Optimizer');
    if (typeof options !== 'object' || options === null) fail('options must be an object');
    knownKeys(fail, 'option', options, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']);
    this.options = resolvePlateau(options, optimizer.paramGroups.length, fail);
    this.optimizer = optimizer;
    this.best = this.options.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Records this epoch's metric, reducing every group's lr when it has stopped improving. */
  step(metric: number): void {
    if (typeof metric !== 'number') throw new RecurrentError('ReduceLROnPlateau.step', `metric must be a number, got ${typeof metric}`);
    const groups = this.optimizer.paramGroups;
    const { minLr, factor, eps, patience, cooldown } = this.options;
    if (groups.length !== minLr.length) {
      throw new RecurrentError('ReduceLROnPlateau.step', `the optimizer has ${groups.length} parameter groups but the scheduler was built for ${minLr.length}`, 'state');
    }
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > patience) {
      for (let i = 0; i < groups.length; i++) {
        const reduced = Math.max(groups[i].lr * factor, minLr[i]);
        if (groups[i].lr - reduced > eps) groups[i].lr = reduced;
      }
      this.cooldownCounter = cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = groups.map((g) => g.lr);
  }

  /** True when `metric` improves on the best by more than the threshold (NaN never does). */
  private isBetter(metric: number): boolean {
    const { mode, threshold, thresholdMode } = this.options;
    if (mode === 'min') return thresholdMode === 'rel' ? metric < this.best * (1 - threshold) : metric < this.best - threshold;
    return thresholdMode === 'rel' ? metric > this.best * (1 + threshold) : metric > this.best + threshold;
  }

  /** Each group's lr after the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's state as plain data (copies). */
  stateDict(): ReduceLROnPlateauStateDict {
    const best = this.best === Infinity ? 'Infinity' : this.best === -Infinity ? '-Infinity' : this.best;
    const options = { ...this.options, minLr: [...this.options.minLr] };
    return { lastEpoch: this.lastEpoch, best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastLr: [...this.lastLr], options };
  }

  /** Restores a state saved by {@link ReduceLROnPlateau.stateDict}, checked fully before anything changes. */
  loadStateDict(stateDict: ReduceLROnPlateauStateDict): void {
    const fail: Fail = failWith('ReduceLROnPlateau.loadStateDict', '', 'format');
    const sd = stateDict;
    if (typeof sd !== 'object' || sd === null) fail('expected an object { lastEpoch, best, numBadEpochs, cooldownCounter, lastLr, options }');
    integerAtLeast(fail, 'lastEpoch', sd.lastEpoch, 0);
    integerAtLeast(fail, 'numBadEpochs', sd.numBadEpochs, 0);
    integerAtLeast(fail, 'cooldownCounter', sd.cooldownCounter, 0);
    const best = sd.best === 'Infinity' ? Infinity : sd.best === '-Infinity' ? -Infinity : sd.best;
    if (typeof best !== 'number' || Number.isNaN(best)) fail(`best must be a number, 'Infinity' or '-Infinity', got ${sd.best}`);
    const n = this.optimizer.paramGroups.length;
    const lastLr = lrList(fail, 'lastLr', sd.lastLr, n);
    if (typeof sd.options !== 'object' || sd.options === null) fail('options must be an object');
    const options = resolvePlateau(sd.options, n, failWith('ReduceLROnPlateau.loadStateDict', 'options.', 'format'));
    knownKeys(fail, 'option', sd.options, Object.keys(options));
    this.lastEpoch = sd.lastEpoch;
    this.best = best;
    this.numBadEpochs = sd.numBadEpochs;
    this.cooldownCounter = sd.cooldownCounter;
    this.lastLr = lastLr;
    this.options = options;
  }
}
