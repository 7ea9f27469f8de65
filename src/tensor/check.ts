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

/** Edit distance between two strings (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/**
 * The known name a mistyped `key` most likely meant: the one equal up to case and underscores
 * (`batch_first`, `errorIfNonFinite`), else the nearest within two edits (`numLayer`, `hx`),
 * else null.
 */
export function nearestName(key: string, known: readonly string[]): string | null {
  const plain = (s: string) => s.replace(/_/g, '').toLowerCase();
  let best: string | null = known.find((k) => plain(k) === plain(key)) ?? null;
  if (best === null) {
    let bestDistance = 3;
    for (const k of known) {
      const d = distance(key, k);
      if (d < bestDistance) [best, bestDistance] = [k, d];
    }
  }
  return best;
}

/**
 * The sentence for an option nobody reads: `unknown option 'bais' (did you mean 'bias'?
 * expected one of ...)`, the suggestion from {@link nearestName}.
 */
export function unknownOption(key: string, known: readonly string[], what = 'option'): string {
  const best = nearestName(key, known);
  const hint = best === null ? '' : `did you mean '${best}'? `;
  return `unknown ${what} '${key}' (${hint}expected one of ${known.join(', ')})`;
}

/**
 * Throws unless `value` is undefined or a plain options object whose own keys are all among
 * `known` (when given; a key whose value is undefined is ignored); returns it or {}.
 */
export function checkOptions<T extends object>(op: string, value: T | undefined | null, arg = 'options', known?: readonly string[]): T {
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RecurrentError(op, `${arg} must be an object, got ${show(value)}`);
  if (known !== undefined) {
    for (const key of Object.keys(value)) {
      // A key set to undefined changes nothing (`{ c0: undefined }` passed along to any layer).
      if (!known.includes(key) && (value as Record<string, unknown>)[key] !== undefined) throw new RecurrentError(op, unknownOption(key, known));
    }
  }
  return value;
}
