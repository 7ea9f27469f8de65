/**
 * Checks of optimizer and scheduler options. Each reports through `fail`, which the caller
 * builds to name the operation and where the value came from (the constructor's options, a
 * parameter group, a state dict), so a message reads `SGD: paramGroups[1].lr must be ...`.
 */
import { unknownOption } from '../tensor/check.js';
import { RecurrentError, show, type ErrorCode } from '../tensor/errors.js';

/** Throws a RecurrentError with the message, prefixed by the caller's op and location. */
export type Fail = (message: string) => never;

/** A {@link Fail} that throws `op: <where><message>` with `code`. */
export function failWith(op: string, where: string, code: ErrorCode): Fail {
  return (message) => {
    throw new RecurrentError(op, `${where}${message}`, code);
  };
}

/** `name` must be a finite number >= 0 (`required` names a missing value plainly). */
export function nonNegative(fail: Fail, name: string, v: unknown): void {
  if (v === undefined) fail(`${name} is required`);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`${name} must be a finite number >= 0, got ${show(v)}`);
}

/** `name` must be a number in [0, 1), or in [0, 1] when `closed`. */
export function unitInterval(fail: Fail, name: string, v: unknown, closed = false): void {
  if (typeof v !== 'number' || !(v >= 0 && (closed ? v <= 1 : v < 1))) fail(`${name} must be a number in [0, 1${closed ? ']' : ')'}, got ${show(v)}`);
}

/** `name` must be an integer >= min. */
export function integerAtLeast(fail: Fail, name: string, v: unknown, min: number): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail(`${name} must be an integer >= ${min}, got ${show(v)}`);
}

/** `name` must be true or false. */
export function flag(fail: Fail, name: string, v: unknown): void {
  if (typeof v !== 'boolean') fail(`${name} must be a boolean, got ${show(v)}`);
}

/** `name` must be a pair of numbers, each in [0, 1) (Adam's betas). */
export function betaPair(fail: Fail, name: string, v: unknown): void {
  if (!Array.isArray(v) || v.length !== 2) fail(`${name} must be a pair [beta1, beta2], got ${show(v)}`);
  unitInterval(fail, `${name}[0]`, v[0]);
  unitInterval(fail, `${name}[1]`, v[1]);
}

/** Throws unless every key of `given` is one of `known`. */
export function knownKeys(fail: Fail, what: string, given: object, known: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) fail(unknownOption(key, known, what));
  }
}
