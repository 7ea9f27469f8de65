/**
 * Training and evaluation mode around a piece of work: every module's `training` flag is
 * saved first and put back afterwards, so fit, evaluate, predict and summary leave a model
 * in the mode (or mix of modes) they found it in.
 */
import { noGrad } from '../autograd/graph.js';
import type { Module } from '../nn/module.js';

/** Saves the `training` flag of every module in `model`; the returned function puts them back. */
export function saveModes(model: Module): () => void {
  const modules = model.namedModules().map(([, m]) => m);
  const modes = modules.map((m) => m.training);
  return () => modules.forEach((m, i) => (m.training = modes[i]));
}

/** Runs `fn` with `model` in evaluation mode and without recording gradients, then restores every mode. */
export function inference<T>(model: Module, fn: () => T): T {
  const restore = saveModes(model);
  model.eval();
  try {
    return noGrad(fn);
  } finally {
    restore();
  }
}
