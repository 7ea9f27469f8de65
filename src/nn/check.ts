/** Argument checks shared by the layer constructors: sizes are positive integers, flags are booleans. */
import { RecurrentError } from '../tensor/errors.js';

/** Throws unless `value` is an integer >= min (default 1). */
export function checkSize(op: string, name: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new RecurrentError(op, `${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** Throws unless `value` is a boolean or undefined; returns it or the default. */
export function checkFlag(op: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new RecurrentError(op, `${name} must be a boolean, got ${String(value)}`);
  return value;
}

/** Throws unless `value` is a probability in [0, 1); returns it or the default. */
export function checkProbability(op: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) throw new RecurrentError(op, `${name} must be a number in [0, 1), got ${String(value)}`);
  return value;
}
