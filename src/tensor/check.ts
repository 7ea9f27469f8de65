/** Argument checks shared by the public functions, each throwing a RecurrentError naming the op and the argument. */
import { RecurrentError, show } from './errors.js';
import { type ClassKind } from './options.js';
import { Generator } from './random.js';
import { Tensor } from './tensor.js';

/** Throws unless `value` is a Tensor. */
export function checkTensor(op: string, value: unknown, arg = 'input'): Tensor {
  if (!(value instanceof Tensor)) throw new RecurrentError(op, `${arg} must be a Tensor, got ${show(value)}`);
  return value;
}

/** Throws unless `value` is an array of integers. */
export function checkIntegers(op: string, value: unknown, arg: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isSafeInteger(v))) {
    throw new RecurrentError(op, `${arg} must be an array of integers, got ${show(value)}`);
  }
  return value as number[];
}

/** The option kind of a Tensor value (`weight`, `h0`). */
export const TENSOR: ClassKind = { name: 'a Tensor', is: (v) => v instanceof Tensor };

/** The option kind of a Generator value. */
export const GENERATOR: ClassKind = { name: 'a Generator', is: (v) => v instanceof Generator };

export { checkOptions, nearestName, unknownOption, type OptionSchema } from './options.js';
