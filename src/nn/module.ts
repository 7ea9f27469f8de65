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
import { RecurrentError, fmt } from '../tensor/errors.js';
import { Generator } from '../tensor/random.js';
import { sameShape } from '../tensor/shape.js';
import { overwrite, Tensor } from '../tensor/tensor.js';

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
   * Copies values from `dict` into the parameters. Every name and shape is checked before
   * anything is written, so on error the module is unchanged.
   */
  loadStateDict(dict: StateDict | Record<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = checkOptions('loadStateDict', options, 'options', ['strict']).strict ?? true;
    if (dict === null || typeof dict !== 'object') throw new RecurrentError('loadStateDict', 'dict must be an object of tensors', 'format');
    const own = new Map(this.namedParameters());
    const keys = Object.keys(dict);
    const missingKeys = [...own.keys()].filter((k) => !Object.prototype.hasOwnProperty.call(dict, k));
    const unexpectedKeys = keys.filter((k) => !own.has(k));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts = [];
      if (missingKeys.length) parts.push(`missing keys: ${missingKeys.join(', ')}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
      throw new RecurrentError('loadStateDict', parts.join('; '), 'format');
    }
    const writes: [Tensor, Float32Array][] = [];
    const destinations = new Set([...own.values()].map((p) => p.data.buffer));
    for (const [name, p] of own) {
      if (!Object.prototype.hasOwnProperty.call(dict, name)) continue;
      const src = dict[name];
      if (!(src instanceof Tensor)) throw new RecurrentError('loadStateDict', `${name} must be a Tensor`, 'format');
      if (!sameShape(src.shape, p.shape)) {
        throw new RecurrentError('loadStateDict', `${name} has shape ${fmt(src.shape)}, the module expects ${fmt(p.shape)}`, 'shape');
      }
      for (let i = 0; i < src.data.length; i++) {
        if (!Number.isFinite(src.data[i])) throw new RecurrentError('loadStateDict', `${name}[${i}] is ${src.data[i]}; parameters must be finite`, 'value');
      }
      // A source that shares storage with a parameter (two biases swapped) is copied before any write.
      writes.push([p, destinations.has(src.data.buffer) ? src.data.slice() : src.data]);
    }
    noGrad(() => {
      for (const [p, data] of writes) overwrite(p, data);
    });
    return { missingKeys, unexpectedKeys };
  }
}
