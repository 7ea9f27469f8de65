/** Argument checks shared by the public functions, each throwing a RecurrentError naming the op and the argument. */
import { RecurrentError, show } from './errors.js';
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

/** Throws unless `value` is undefined or a plain options object; returns it or {}. */
export function checkOptions<T extends object>(op: string, value: T | undefined | null, arg = 'options'): T {
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RecurrentError(op, `${arg} must be an object, got ${show(value)}`);
  return value;
}
