/**
 * The one check of every options object, in every entry (core, node, plot): unknown names
 * refused with a "did you mean", each value of exactly its kind. It imports only the error
 * module, so the chart code can use it without pulling in tensors.
 */
import { RecurrentError, show } from './errors.js';

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

/** The sentence for an option nobody reads: `unknown option 'bais' (did you mean 'bias'? expected one of ...)`. */
export function unknownOption(key: string, known: readonly string[], what = 'option'): string {
  const best = nearestName(key, known);
  const hint = best === null ? '' : `did you mean '${best}'? `;
  return `unknown ${what} '${key}' (${hint}expected one of ${known.join(', ')})`;
}

/** The type an option's value must have (when it is not undefined); ranges are the caller's to check. */
export type OptionKind = 'boolean' | 'number' | 'integer' | 'string' | 'function' | 'array' | 'any' | ClassKind;

/** A kind checked by a predicate, such as `instanceof Tensor` (see TENSOR in ./check.ts). */
export interface ClassKind {
  /** The kind as a message names it: `a Tensor`. */
  readonly name: string;
  /** True for a value of this kind. */
  is(value: unknown): boolean;
}

/** Option names and the kind each takes: the one description every options object is checked against. */
export type OptionSchema = Readonly<Record<string, OptionKind>>;

function hasKind(kind: OptionKind, v: unknown): boolean {
  if (typeof kind === 'object') return kind.is(v);
  switch (kind) {
    case 'boolean':
    case 'number':
    case 'string':
    case 'function':
      return typeof v === kind;
    case 'integer':
      return typeof v === 'number' && Number.isSafeInteger(v);
    case 'array':
      return Array.isArray(v);
    case 'any':
      return true;
  }
}

const KIND_NAMES: Record<Exclude<OptionKind, ClassKind>, string> = {
  boolean: 'a boolean',
  number: 'a number',
  integer: 'an integer',
  string: 'a string',
  function: 'a function',
  array: 'an array',
  any: 'any value',
};

/**
 * The one check of every options object: `value` must be undefined (returns {}) or a
 * non-array object whose own keys are all named by `schema` (an unknown name is refused with
 * a "did you mean"), each holding undefined or a value of exactly its kind: `{ strict: 0 }` is
 * refused, not read as false. A key set to undefined changes nothing (`{ c0: undefined }`
 * passed along to any layer). Each value is read once, into the returned copy, so a getter or
 * proxy cannot answer differently after the check.
 */
export function checkOptions<T extends object>(op: string, value: T | undefined | null, arg: string, schema: OptionSchema): T {
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RecurrentError(op, `${arg} must be an object, got ${show(value)}`);
  const known = Object.keys(schema);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v: unknown = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (!Object.hasOwn(schema, key)) throw new RecurrentError(op, unknownOption(key, known));
    const kind = schema[key]!;
    if (!hasKind(kind, v)) throw new RecurrentError(op, `${arg}.${key} must be ${typeof kind === 'object' ? kind.name : KIND_NAMES[kind]}, got ${show(v)}`);
    out[key] = v;
  }
  return out as T;
}
