/**
 * The optimizer base, as torch.optim.Optimizer: parameter groups, the update loop and state
 * dicts.
 *
 *   step():  for every group, for every parameter p whose grad g is not null,
 *              p.data <- update(p.data, g.data, state[p], group options)     (in place, float32)
 *
 * A subclass states its update rule, its option checks and the names of its state buffers.
 * Options are per group: a group given as { params, ...options } takes the constructor's
 * options for those it leaves out. Every check runs before anything changes, so a step or a
 * load that throws leaves parameters and state as they were. A parameter's state buffers are
 * allocated at its first update and reused by every later step.
 */
import { RecurrentError, fmt, show } from '../tensor/errors.js';
import { sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { failWith, flag, integerAtLeast, knownKeys, type Fail } from './check.js';
import { isBranded } from '../tensor/brand.js';

/** The option every parameter group has: its learning rate, which schedulers change. */
export interface GroupOptions {
  /** Learning rate. */
  lr: number;
}

/** A parameter group as given to an optimizer: its parameters, and options overriding the defaults. */
export type ParamGroupInput<O extends GroupOptions> = { params: readonly Tensor[] } & Partial<O>;

/** A parameter group as an optimizer holds it: its parameters and every option (options may be changed between steps). */
export type ParamGroup<O extends GroupOptions> = O & { params: Tensor[] };

/** Options of every optimizer, besides the hyperparameters of its update. */
export interface OptimizerOptions {
  /** When some gradient holds NaN or Infinity, step() changes nothing and says why (default false). */
  skipNonFinite?: boolean;
}

/** What step() did: updated the parameters, or (with skipNonFinite) left everything as it was, and why. */
export type StepResult = { readonly skipped: false } | { readonly skipped: true; readonly reason: string };

/** The state of one parameter: its update count; each optimizer adds its float32 buffers (null until first used). */
export interface ParamState {
  /** Updates applied to the parameter so far. */
  step: number;
}

/** One parameter's state as plain data: `step` and each buffer, as a number array (a Float32Array is accepted too). */
export type SavedParamState = { step: number } & Record<string, number | readonly number[] | Float32Array>;

/** One parameter group as plain data: its options and the indices of its parameters. */
export type SavedParamGroup = { params: number[] } & Record<string, unknown>;

/**
 * An optimizer's state as plain, JSON-able data, laid out as PyTorch's state_dict: parameters
 * are numbered across all groups in order, and `state` is keyed by that number.
 */
export interface OptimizerStateDict {
  /** The optimizer's class name ('Adam', 'AdamW', ...); {@link Optimizer.loadStateDict} refuses a dict of another. */
  type?: string;
  /** Per-parameter state, keyed by parameter index; parameters never updated have none. */
  state: Record<string, SavedParamState>;
  /** Every group's options and parameter indices. */
  paramGroups: SavedParamGroup[];
}

const STEPPED: StepResult = Object.freeze({ skipped: false });

/** `o` seen as a record of its options by name. */
function entries(o: object): Record<string, unknown> {
  return o as Record<string, unknown>;
}

/** An option value copied so that the caller's array (betas) is never shared. */
function copyOption(v: unknown): unknown {
  return Array.isArray(v) ? [...v] : v;
}

/** The base of every optimizer: see the module comment. O = the options of a group, S = a parameter's state. */
export abstract class Optimizer<O extends GroupOptions = GroupOptions, S extends ParamState = ParamState> {
  /**
   * True only for objects this class's constructor built: a forged object whose prototype is
   * Optimizer's (`Object.create(Optimizer.prototype)`) is not one, so no check of the library can be
   * passed by an object without the fields the library then reads.
   * (See isBranded for the one exception.)
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(this, value, (v) => #brand in v);
  }
  readonly #brand = true;
  /** The parameter groups; their options (lr above all) may be changed between steps. */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** The options a group takes for those it does not set. */
  readonly defaults: Readonly<O>;
  /** When a gradient holds NaN or Infinity, step() skips the update (see {@link OptimizerOptions}). */
  skipNonFinite: boolean;
  /** Per-parameter state, created at a parameter's first update. */
  protected readonly state = new Map<Tensor, S>();
  /** The names of every state buffer this optimizer may keep, as they appear in state dicts. */
  protected abstract readonly bufferNames: readonly string[];
  /** The buffers that hold squares (second moments), which a state dict may not make negative. */
  protected readonly nonNegativeBuffers: readonly string[] = [];
  private readonly opName: string;

  /**
   * @param name the optimizer's name, for error messages
   * @param params the parameters (one group), or groups `{ params, ...options }`
   * @param options defaults for every group's options, and {@link OptimizerOptions}
   * @param defaults the value of every option the user leaves out
   */
  protected constructor(name: string, params: readonly Tensor[] | readonly ParamGroupInput<O>[], options: Partial<O> & OptimizerOptions, defaults: O) {
    if (new.target === (Optimizer as unknown)) throw new RecurrentError('Optimizer', 'is abstract: construct SGD, Adam, AdamW or RMSprop');
    this.opName = name;
    const fail: Fail = failWith(name, '', 'argument');
    if (typeof options !== 'object' || options === null) fail('options must be an object');
    const keys = Object.keys(defaults);
    knownKeys(fail, 'option', options, [...keys, 'skipNonFinite']);
    const merged = { ...defaults };
    for (const key of keys) if (entries(options)[key] !== undefined) entries(merged)[key] = copyOption(entries(options)[key]);
    this.checkOptions(merged, fail);
    this.defaults = merged;
    const skip = options.skipNonFinite ?? false;
    flag(fail, 'skipNonFinite', skip);
    this.skipNonFinite = skip;
    if (!Array.isArray(params) || params.length === 0) fail('got an empty parameter list');
    const groups = params.every((p) => p instanceof Tensor) ? [{ params: params as readonly Tensor[] } as ParamGroupInput<O>] : (params as readonly ParamGroupInput<O>[]);
    for (const group of groups) this.addParamGroup(group);
  }

  /**
   * Adds a group `{ params, ...options }` (options left out take the defaults). Parameters must
   * be leaves, and none may already belong to the optimizer.
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    const fail: Fail = failWith(this.opName, `paramGroups[${this.paramGroups.length}].`, 'argument');
    if (typeof group !== 'object' || group === null || !Array.isArray(group.params)) fail('params must be an array of Tensors');
    const keys = Object.keys(this.defaults);
    knownKeys(fail, 'option', group, [...keys, 'params']);
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    group.params.forEach((p, k) => {
      if (!(p instanceof Tensor)) fail(`params[${k}] is not a Tensor`);
      if (!p.isLeaf) fail(`params[${k}] was computed by ${p.gradFn!.name}; only leaf tensors can be optimized`);
      if (seen.has(p)) fail(`params[${k}] (shape ${fmt(p.shape)}) appears twice among the optimizer's parameters`);
      seen.add(p);
    });
    const merged = { params: [...group.params] } as ParamGroup<O>;
    for (const key of keys) {
      const given = entries(group)[key];
      entries(merged)[key] = copyOption(given !== undefined ? given : entries(this.defaults)[key]);
    }
    this.checkOptions(merged, fail);
    this.paramGroups.push(merged);
  }

  /**
   * Updates every parameter that has a gradient, in place. Options and gradient shapes are
   * checked first; with skipNonFinite, a NaN or infinite gradient anywhere skips the whole step.
   */
  step(): StepResult {
    const groups = this.paramGroups;
    for (let gi = 0; gi < groups.length; gi++) {
      const group = groups[gi];
      this.checkOptions(group, failWith(this.opName, `paramGroups[${gi}].`, 'argument'));
      for (let k = 0; k < group.params.length; k++) {
        const p = group.params[k];
        // Reading `data` throws when a parameter or its gradient lost its elements (its
        // ArrayBuffer transferred or resized): checked before any parameter is updated.
        p.data;
        p.grad?.data;
        if (p.grad !== null && !sameShape(p.grad.shape, p.shape)) {
          throw new RecurrentError(this.opName, `paramGroups[${gi}].params[${k}] has shape ${fmt(p.shape)} but its grad has shape ${fmt(p.grad.shape)}`, 'shape');
        }
      }
    }
    if (this.skipNonFinite) {
      const reason = this.nonFiniteGradient();
      if (reason !== null) return { skipped: true, reason };
    }
    for (let gi = 0; gi < groups.length; gi++) {
      const group = groups[gi];
      for (let k = 0; k < group.params.length; k++) {
        const p = group.params[k];
        if (p.grad === null) continue;
        let s = this.state.get(p);
        if (s === undefined) {
          s = this.newState();
          this.state.set(p, s);
        }
        this.update(p.data, p.grad.data, s, group);
        p.markModified();
      }
    }
    return STEPPED;
  }

  /** Clears every parameter's gradient: sets it to null (default, as PyTorch), or fills it with zeros. */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) p.grad = null;
        else if (p.grad !== null) {
          p.grad.data.fill(0);
          p.grad.markModified();
        }
      }
    }
  }

  /** The options and state as plain data (copies), for {@link Optimizer.loadStateDict} or JSON. */
  stateDict(): OptimizerStateDict {
    const state: Record<string, SavedParamState> = {};
    const paramGroups: SavedParamGroup[] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const saved: SavedParamGroup = { params: [] };
      for (const key of Object.keys(this.defaults)) saved[key] = copyOption(entries(group)[key]);
      for (const p of group.params) {
        const s = this.state.get(p);
        if (s !== undefined) {
          const entry: SavedParamState = { step: s.step };
          for (const name of this.bufferNames) {
            const buffer = entries(s)[name] as Float32Array | null;
            if (buffer !== null) entry[name] = Array.from(buffer);
          }
          state[index] = entry;
        }
        saved.params.push(index++);
      }
      paramGroups.push(saved);
    }
    return { type: this.opName, state, paramGroups };
  }

  /**
   * Restores options and state saved by {@link Optimizer.stateDict} (parameters are matched by
   * position). Everything is checked before anything changes; a bad dict throws a
   * RecurrentError with code 'format' and leaves the optimizer as it was. The dict's `type`,
   * when given, must be this optimizer's (an AdamW state never loads into Adam); only own
   * properties count; every buffer value must be finite after rounding to float32, and
   * second moments (`expAvgSq`, `maxExpAvgSq`, `squareAvg`) must be >= 0.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    this.planLoad(stateDict)();
  }

  /**
   * Everything {@link Optimizer.loadStateDict} checks, without changing anything: returns the
   * function that applies the checked copy. `nameOf` names a parameter in messages (a
   * checkpoint names it by its model path).
   */
  private planLoad(stateDict: OptimizerStateDict, nameOf?: (p: Tensor) => string): () => void {
    const op = `${this.opName}.loadStateDict`;
    const fail: Fail = failWith(op, '', 'format');
    const sd = stateDict;
    if (typeof sd !== 'object' || sd === null || typeof sd.state !== 'object' || sd.state === null || !Array.isArray(sd.paramGroups)) {
      fail('expected an object { state, paramGroups }');
    }
    if (Object.hasOwn(sd, 'type') && sd.type !== this.opName) fail(`is the state of ${show(sd.type)}, not of ${this.opName}`);
    if (sd.paramGroups.length !== this.paramGroups.length) fail(`has ${sd.paramGroups.length} parameter groups, the optimizer has ${this.paramGroups.length}`);
    const keys = Object.keys(this.defaults);
    const options: O[] = [];
    const byIndex = new Map<number, { param: Tensor; options: O }>();
    sd.paramGroups.forEach((saved, gi) => {
      const gfail: Fail = failWith(op, `paramGroups[${gi}].`, 'format');
      if (typeof saved !== 'object' || saved === null || !Array.isArray(saved.params)) gfail('params must be an array of parameter indices');
      const params = this.paramGroups[gi].params;
      if (saved.params.length !== params.length) gfail(`has ${saved.params.length} parameters, the optimizer's group has ${params.length}`);
      knownKeys(gfail, 'option', saved, [...keys, 'params']);
      const o = {} as O;
      for (const key of keys) {
        if (!Object.hasOwn(saved, key)) gfail(`${key} is missing`);
        entries(o)[key] = copyOption(saved[key]);
      }
      this.checkOptions(o, gfail);
      options.push(o);
      saved.params.forEach((index, k) => {
        if (!Number.isSafeInteger(index) || byIndex.has(index)) gfail(`params[${k}] must be an index used once, got ${index}`);
        byIndex.set(index, { param: params[k], options: o });
      });
    });
    const state = new Map<Tensor, S>();
    for (const [key, saved] of Object.entries(sd.state)) {
      const owner = byIndex.get(Number(key));
      if (owner === undefined || String(Number(key)) !== key) fail(`state has an entry '${key}' that is no parameter's index`);
      const sfail: Fail = failWith(op, `state[${key}]${nameOf ? ` (${nameOf(owner.param)})` : ''}.`, 'format');
      if (typeof saved !== 'object' || saved === null) sfail('must be an object');
      integerAtLeast(sfail, 'step', Object.hasOwn(saved, 'step') ? saved.step : undefined, 0);
      knownKeys(sfail, 'state entry', saved, ['step', ...this.bufferNames]);
      const s = this.newState();
      s.step = saved.step;
      const n = owner.param.data.length;
      const required = this.requiredBuffers(owner.options);
      for (const name of this.bufferNames) {
        const v = Object.hasOwn(saved, name) ? saved[name] : undefined;
        if (v === undefined) {
          if (saved.step > 0 && required.includes(name)) sfail(`${name} is missing`);
          continue;
        }
        if (!(Array.isArray(v) || v instanceof Float32Array) || v.length !== n) sfail(`${name} must be an array of ${n} numbers (the parameter's size)`);
        const buffer = new Float32Array(n);
        const nonNegative = this.nonNegativeBuffers.includes(name);
        for (let i = 0; i < n; i++) {
          const x = (v as ArrayLike<unknown>)[i];
          if (typeof x !== 'number') sfail(`${name}[${i}] must be a number, got ${show(x)}`);
          buffer[i] = x;
          // Checked after the float32 store: 1e39 is finite as a double but Infinity as a float32.
          if (!Number.isFinite(buffer[i])) sfail(`${name}[${i}] must be a finite float32, got ${x}`);
          if (nonNegative && buffer[i]! < 0) sfail(`${name}[${i}] is ${x}, but a second moment must be >= 0`);
        }
        entries(s)[name] = buffer;
      }
      state.set(owner.param, s);
    }
    return () => {
      this.paramGroups.forEach((group, gi) => Object.assign(group, options[gi]));
      this.state.clear();
      for (const [p, s] of state) this.state.set(p, s);
    };
  }

  /** A description of the first NaN or infinite gradient entry, or null when all are finite. */
  private nonFiniteGradient(): string | null {
    for (let gi = 0; gi < this.paramGroups.length; gi++) {
      const params = this.paramGroups[gi].params;
      for (let k = 0; k < params.length; k++) {
        const g = params[k].grad;
        if (g === null) continue;
        const d = g.data;
        for (let i = 0; i < d.length; i++) {
          if (!Number.isFinite(d[i])) return `paramGroups[${gi}].params[${k}] (shape ${fmt(g.shape)}) has gradient ${d[i]} at flat index ${i}`;
        }
      }
    }
    return null;
  }

  /** Throws through `fail` unless every option of a group is valid. */
  protected abstract checkOptions(o: O, fail: Fail): void;
  /** A fresh state: step 0, every buffer null. */
  protected abstract newState(): S;
  /** The buffers a parameter updated at least once must have, given its group's options. */
  protected abstract requiredBuffers(o: O): readonly string[];
  /** Applies one update to the flat parameter `p` in place, given its gradient `g`. */
  protected abstract update(p: Float32Array, g: Float32Array, s: S, o: O): void;
}

/**
 * Checks `stateDict` as `optimizer.loadStateDict` would, changing nothing, and returns the
 * function that loads it: a checkpoint checks model, optimizer and generators before it writes
 * any of them, and its save runs the same check so that it never writes what restore refuses.
 */
export function planOptimizerLoad(optimizer: Optimizer<any, any>, stateDict: OptimizerStateDict, nameOf?: (p: Tensor) => string): () => void {
  // planLoad is private to keep it off the public class; this module is its one other caller.
  return optimizer['planLoad'](stateDict, nameOf);
}
