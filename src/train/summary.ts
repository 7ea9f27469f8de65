/**
 * summary: a Keras-like table of a model's layers (dotted name, class, output shape,
 * parameter count) and the totals:
 *
 *   total = sum of the sizes of the model's parameter tensors (a shared tensor counts once)
 *   trainable = the part with requiresGrad,   non-trainable = total - trainable
 *
 * A layer's count covers everything below it. Output shapes come from one forward pass of
 * zeros(inputShape) in evaluation mode without gradients, with each listed layer's forward
 * wrapped for that call to record what it returns; modes, forwards and the model's random
 * generators are put back afterwards. Without inputShape the shapes show as '?', and a
 * layer the forward pass never called shows '-'.
 */
import { checkOptions } from '../tensor/check.js';
import { zeros } from '../tensor/create.js';
import type { Module } from '../nn/module.js';
import { RecurrentError, fmt, show } from '../tensor/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { checkModel, integerOption } from './check.js';
import { inference } from './mode.js';

/** Options of {@link summary}. */
export interface SummaryOptions<M extends Module = Module> {
  /** The shape of an input batch, e.g. [1, 5, 1]: run the model once on zeros to learn the output shapes. */
  inputShape?: number[];
  /** How to run the model (default `model.forward(x)`). */
  forward?: (model: M, x: Tensor) => unknown;
  /** Levels of nested modules to list (default 1: the model's direct children). */
  depth?: number;
}

/** One line of the table. */
export interface SummaryRow {
  /** Dotted name, as in the state dict ('rnn', 'layers.0'); '(self)' for the model's own parameters. */
  name: string;
  /** The module's class name. */
  className: string;
  /** What its forward returned ('[1,5,10]', 'output [1,5,10], h [1,1,10]'), '?' without inputShape, '-' if not called. */
  outputShape: string;
  /** Parameter elements in the module and everything below it. */
  params: number;
}

/** What {@link summary} returns: the rows, the totals and the table as text. */
export interface ModelSummary {
  /** The model's class name. */
  name: string;
  /** One per listed module. */
  rows: SummaryRow[];
  /** What the whole model returned, or '?' without inputShape. */
  outputShape: string;
  /** Parameter elements in the model, each tensor once. */
  totalParams: number;
  /** Those that require grad. */
  trainableParams: number;
  /** Those that do not. */
  nonTrainableParams: number;
  /** The table, Keras style, ready to print. */
  text: string;
}

/** A forward's result in words: a tensor's shape, or the shapes of an object's or array's tensors. */
function describe(out: unknown): string {
  if (out instanceof Tensor) return fmt(out.shape);
  if (Array.isArray(out)) return out.map(describe).join(', ');
  if (typeof out === 'object' && out !== null) {
    const parts = Object.entries(out).filter(([, v]) => v instanceof Tensor);
    if (parts.length > 0) return parts.map(([k, v]) => `${k} ${fmt((v as Tensor).shape)}`).join(', ');
  }
  return '?';
}

/** The modules to list: children, grandchildren, ... down to `depth` levels, with dotted names. */
function layers(model: Module, depth: number): [string, Module][] {
  const out: [string, Module][] = [];
  const visit = (prefix: string, m: Module, level: number): void => {
    for (const [n, child] of m.namedChildren()) {
      const name = prefix ? `${prefix}.${n}` : n;
      out.push([name, child]);
      if (level < depth) visit(name, child, level + 1);
    }
  };
  visit('', model, 1);
  return out;
}

/** Parameter elements of `params`, and of those that require grad. */
function count(params: readonly Tensor[]): [number, number] {
  let total = 0;
  let trainable = 0;
  for (const p of params) {
    total += p.data.length;
    if (p.requiresGrad) trainable += p.data.length;
  }
  return [total, trainable];
}

/** Runs the model on zeros(inputShape) with every listed module's forward wrapped; what each returned. */
function traceShapes<M extends Module>(model: M, modules: Module[], inputShape: number[], forward: SummaryOptions<M>['forward']): { shapes: Map<Module, string>; output: string } {
  const own = (model as unknown as { forward?: unknown }).forward;
  if (forward === undefined && typeof own !== 'function') throw new RecurrentError('summary', `model (${model.constructor.name}) has no forward(x) method; pass a forward option`);
  const shapes = new Map<Module, string>();
  const restores: (() => void)[] = [];
  for (const m of new Set(modules)) {
    const target = m as unknown as { forward?: (...args: unknown[]) => unknown };
    const original = target.forward;
    if (typeof original !== 'function') continue;
    const hadOwn = Object.prototype.hasOwnProperty.call(m, 'forward');
    target.forward = (...args: unknown[]) => {
      const out = original.apply(m, args);
      if (!shapes.has(m)) shapes.set(m, describe(out));
      return out;
    };
    restores.push(() => {
      if (hadOwn) target.forward = original;
      else delete target.forward;
    });
  }
  const generators = model.namedGenerators().map(([, g]) => [g, g.getState()] as const);
  try {
    const x = zeros(inputShape);
    const out = inference(model, () => (forward ? forward(model, x) : (own as (x: Tensor) => unknown).call(model, x)));
    return { shapes, output: describe(out) };
  } finally {
    for (const restore of restores) restore();
    for (const [g, state] of generators) g.setState(state);
  }
}

/** A count with thousands separators: 12,345. */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The rows and totals laid out as Keras prints them. */
function table(name: string, rows: SummaryRow[], total: number, trainable: number): string {
  const cells = [['Layer (type)', 'Output Shape', 'Param #'], ...rows.map((r) => [`${r.name} (${r.className})`, r.outputShape, grouped(r.params)])];
  const widths = [0, 1, 2].map((c) => Math.max(...cells.map((row) => row[c].length)) + 3);
  const line = (row: string[]) => ` ${row.map((cell, c) => cell.padEnd(widths[c])).join('')}`.trimEnd();
  const width = widths.reduce((a, b) => a + b, 1);
  return [
    `Model: "${name}"`,
    '_'.repeat(width),
    line(cells[0]),
    '='.repeat(width),
    ...cells.slice(1).map(line),
    '='.repeat(width),
    `Total params: ${grouped(total)}`,
    `Trainable params: ${grouped(trainable)}`,
    `Non-trainable params: ${grouped(total - trainable)}`,
    '_'.repeat(width),
  ].join('\n');
}

/**
 * A Keras-like summary of `model`: its layers with their output shapes (when `inputShape` is
 * given) and parameter counts, and the totals, as rows and as printable `text`.
 */
export function summary<M extends Module>(model: M, options: SummaryOptions<M> = {}): ModelSummary {
  const op = 'summary';
  checkModel(op, model);
  options = checkOptions(op, options, 'options', { inputShape: 'array', forward: 'function', depth: 'number' });
  const { inputShape, forward } = options;
  if (inputShape !== undefined && (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((s) => Number.isSafeInteger(s) && s >= 1))) {
    throw new RecurrentError(op, `inputShape must be a non-empty array of integers >= 1, got ${show(inputShape)}`, 'shape');
  }
  if (forward !== undefined && typeof forward !== 'function') throw new RecurrentError(op, `forward must be a function (model, x) => output, got ${typeof forward}`);
  const depth = integerOption(op, 'depth', options.depth, 1);
  const listed = layers(model, depth);
  const ownParams = model.namedOwnParameters().map(([, p]) => p);
  const traced = inputShape === undefined ? null : traceShapes(model, listed.map(([, m]) => m), inputShape, forward);
  const rows: SummaryRow[] = listed.map(([name, m]) => ({
    name,
    className: m.constructor.name,
    outputShape: traced === null ? '?' : (traced.shapes.get(m) ?? '-'),
    params: count(m.parameters())[0],
  }));
  if (ownParams.length > 0 || listed.length === 0) {
    rows.unshift({ name: '(self)', className: model.constructor.name, outputShape: traced === null ? '?' : traced.output, params: count(ownParams)[0] });
  }
  const [total, trainable] = count(model.parameters());
  return {
    name: model.constructor.name,
    rows,
    outputShape: traced === null ? '?' : traced.output,
    totalParams: total,
    trainableParams: trainable,
    nonTrainableParams: total - trainable,
    text: table(model.constructor.name, rows, total, trainable),
  };
}
