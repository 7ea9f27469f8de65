/**
 * Module: the base of every layer and model. It finds its parameters and child modules,
 * names them as PyTorch does (`rnn.weight_ih_l0`), switches training and evaluation mode,
 * and saves and loads its weights as a state dict.
 *
 * Parameters and children are found two ways, so both layer code and user models read well:
 *  - registered explicitly with `registerParameter` / `registerModule` (names built at run
 *    time, such as `weight_hh_l1_reverse`), in registration order;
 *  - or simply assigned as fields (`head = new Linear(...)`, `w = tensor(..., {requiresGrad:
 *    true})`), in field order, as PyTorch's attribute assignment does. A field counts as a
 *    parameter when it is a leaf Tensor that requires grad; arrays of modules count as
 *    children named `field.0`, `field.1`, ...
 */
import { noGrad } from '../autograd/graph.js';
import { checkOptions } from '../tensor/check.js';
import { RecurrentError, fmt, show } from '../tensor/errors.js';
import { Generator } from '../tensor/random.js';
import { sameShape } from '../tensor/shape.js';
import { overwrite, Tensor } from '../tensor/tensor.js';
import { isBranded } from '../tensor/brand.js';

/** A state dict: parameter name to tensor, with PyTorch's dotted names. */
export type StateDict = Record<string, Tensor>;

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /** Require exactly the module's names, no missing and no unexpected ones (default true). */
  strict?: boolean;
}

/** What {@link Module.loadStateDict} did not match (with strict false). */
export interface LoadStateDictResult {
  /** Names the module has but the dict lacked. */
  missingKeys: string[];
  /** Names in the dict the module does not have. */
  unexpectedKeys: string[];
}

/** Base class of layers and models. */
export class Module {
  /**
   * True only for objects this class's constructor built: a forged object whose prototype is
   * Module's (`Object.create(Module.prototype)`) is not one, so no check of the library can be
   * passed by an object without the fields the library then reads.
   * (See isBranded for the one exception.)
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(this, value, (v) => #brand in v);
  }
  readonly #brand = true;
  /** True in training mode (dropout active); see {@link Module.train} and {@link Module.eval}. */
  training = true;
  private readonly registeredParameters = new Map<string, Tensor>();
  private readonly registeredModules = new Map<string, Module>();

  /** Registers a parameter under `name` and returns it (marked requiresGrad). */
  protected registerParameter(name: string, param: Tensor): Tensor {
    param.requiresGrad = true;
    this.registeredParameters.set(name, param);
    return param;
  }

  /** Registers a child module under `name` and returns it. */
  protected registerModule<M extends Module>(name: string, module: M): M {
    this.registeredModules.set(name, module);
    return module;
  }

  /** This module's own parameters (not its children's), with their local names. */
  namedOwnParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [...this.registeredParameters];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Tensor && value.requiresGrad && value.isLeaf && !out.some(([, t]) => t === value)) out.push([key, value]);
    }
    return out;
  }

  /** The direct child modules, with their names. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [...this.registeredModules];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module && !out.some(([, m]) => m === value)) out.push([key, value]);
      else if (Array.isArray(value) && value.length > 0 && value.every((v) => v instanceof Module)) {
        value.forEach((m: Module, i) => {
          if (!out.some(([, seen]) => seen === m)) out.push([`${key}.${i}`, m]);
        });
      }
    }
    return out;
  }

  /** Every module in the tree, this one first, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    const stack: [string, Module][] = this.namedChildren().map(([n, m]) => [prefix ? `${prefix}.${n}` : n, m]);
    stack.reverse();
    while (stack.length > 0) {
      const [name, m] = stack.pop()!;
      out.push([name, m]);
      const kids = m.namedChildren().map(([n, c]): [string, Module] => [`${name}.${n}`, c]);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
    }
    return out;
  }

  /** Every parameter in the tree with its dotted PyTorch name, each tensor once. */
  namedParameters(): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, p] of m.namedOwnParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([prefix ? `${prefix}.${name}` : name, p]);
      }
    }
    return out;
  }

  /** Every parameter in the tree, each once. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /**
   * Every generator held by a module in the tree (dropout masks, initialisation), each once,
   * named `<module path>.<field>`: what a checkpoint must save for a run to resume exactly.
   */
  namedGenerators(): [string, Generator][] {
    const seen = new Set<Generator>();
    const out: [string, Generator][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [key, value] of Object.entries(m)) {
        if (value instanceof Generator && !seen.has(value)) {
          seen.add(value);
          out.push([prefix ? `${prefix}.${key}` : key, value]);
        }
      }
    }
    return out;
  }

  /** Total number of parameter elements. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.data.length, 0);
  }

  /** Sets training mode on this module and every child (dropout on when true). */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Sets evaluation mode (dropout off); same as train(false). */
  eval(): this {
    return this.train(false);
  }

  /** Clears the gradient of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** The parameters by dotted name, as tensors sharing storage with the module (detached). */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, p] of this.namedParameters()) out[name] = p.detach();
    return out;
  }

  /**
   * Copies values from `dict` into the parameters. Every name, shape and value is checked
   * (and copied) before anything is written, so on error the module is unchanged.
   */
  loadStateDict(dict: StateDict | Record<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const plan = planLoadStateDict(this, dict, options);
    plan.apply();
    return plan.result;
  }
}

/**
 * Everything {@link Module.loadStateDict} checks, without writing: returns what it would
 * report and the write itself. Each source is read once into a copy of the parameter's size,
 * so a forged Tensor-like source (a data array longer than its shape, a getter that answers
 * differently the second time) or one sharing storage with a parameter cannot change between
 * the check and the write. Checkpoint restores use it to check model, optimizer and generators
 * before writing any of them.
 */
export function planLoadStateDict(module: Module, dict: unknown, options: unknown): { result: LoadStateDictResult; apply(): void } {
  const op = 'loadStateDict';
  const { strict } = checkOptions(op, options as LoadStateDictOptions | undefined, 'options', { strict: 'boolean' });
  if (dict === null || typeof dict !== 'object') throw new RecurrentError(op, `dict must be an object of tensors, got ${show(dict)}`, 'format');
  const own = new Map(module.namedParameters());
  const keys = Object.keys(dict);
  const has = (k: string) => Object.prototype.hasOwnProperty.call(dict, k);
  const missingKeys = [...own.keys()].filter((k) => !has(k));
  const unexpectedKeys = keys.filter((k) => !own.has(k));
  if ((strict ?? true) && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
    const parts = [];
    if (missingKeys.length) parts.push(`missing keys: ${missingKeys.join(', ')}`);
    if (unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
    throw new RecurrentError(op, parts.join('; '), 'format');
  }
  const writes: [Tensor, Float32Array][] = [];
  for (const [name, p] of own) {
    if (!has(name)) continue;
    const src: unknown = (dict as Record<string, unknown>)[name];
    if (!(src instanceof Tensor)) throw new RecurrentError(op, `${name} must be a Tensor, got ${show(src)}`, 'format');
    const shape: unknown = src.shape;
    const data: unknown = src.data;
    if (!Array.isArray(shape) || !sameShape(shape, p.shape)) {
      throw new RecurrentError(op, `${name} has shape ${Array.isArray(shape) ? fmt(shape) : show(shape)}, the module expects ${fmt(p.shape)}`, 'shape');
    }
    if (!(data instanceof Float32Array) || data.length !== p.data.length) {
      throw new RecurrentError(op, `${name} is not a Tensor of shape ${fmt(p.shape)}: its data is ${show(data)}${ArrayBuffer.isView(data) ? ` of length ${(data as Float32Array).length}` : ''}`, 'format');
    }
    const copy = new Float32Array(p.data.length);
    copy.set(data);
    for (let i = 0; i < copy.length; i++) {
      if (!Number.isFinite(copy[i])) throw new RecurrentError(op, `${name}[${i}] is ${copy[i]}; parameters must be finite`, 'value');
    }
    writes.push([p, copy]);
  }
  return {
    result: { missingKeys, unexpectedKeys },
    apply: () =>
      noGrad(() => {
        for (const [p, data] of writes) overwrite(p, data);
      }),
  };
}
