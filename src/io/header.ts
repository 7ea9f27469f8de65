/**
 * Reading and validating a safetensors header before trusting any of it.
 *
 *   bytes 0..8        N, unsigned 64-bit little-endian
 *   bytes 8..8+N      UTF-8 JSON object, spaces after it allowed
 *   bytes 8+N..end    the data region, which the tensors' [begin, end) ranges tile exactly
 *
 * The checks follow the reference reader (huggingface/safetensors, `read_metadata` and
 * `Metadata::validate`), in the order a file is read, and refuse more than it does where it
 * is lenient: a header must start with `{`, may not repeat a key in any object or nest deeper
 * than a header can, entries carry exactly dtype / shape / data_offsets, `__metadata__` is
 * an object (not null), and a tensor holds at most 2^31 - 1 elements. N is compared as a
 * BigInt against 100,000,000 and the file size before it becomes a Number, and nothing is
 * allocated from a size the header claims until the claims have been checked against the
 * bytes actually present. Every refusal is a `RecurrentError` with code 'format' naming the
 * tensor, the offsets and the sizes involved.
 */
import { decodeUtf8 } from './utf8.js';
import { RecurrentError, fmt } from '../tensor/errors.js';
import { MAX_NUMEL } from '../tensor/shape.js';
import { DTYPE_BITS, isDtype, type Dtype } from './dtypes.js';
import { findJsonProblem } from './json-scan.js';

/** The largest header the reference reader accepts, in bytes. */
export const MAX_HEADER_LENGTH = 100_000_000;

/** Objects and arrays a valid header nests: the header, an entry, a shape or offset array. */
const MAX_DEPTH = 3;

/** The keys of a tensor entry, all required and no others allowed. */
const ENTRY_KEYS = ['dtype', 'shape', 'data_offsets'] as const;

/** One tensor's entry in a header: its name, element type, shape and where its bytes are. */
export interface TensorInfo {
  /** The tensor's name (a state dict key such as `weight_ih_l0`). */
  readonly name: string;
  /** The element type stored in the file. */
  readonly dtype: Dtype;
  /** The size of every dimension; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** [begin, end) of the tensor's bytes, counted from the start of the data region. */
  readonly dataOffsets: readonly [number, number];
}

/** A validated header: the tensors in file order, the metadata, and where the data starts. */
export interface SafetensorsHeader {
  /** Every tensor, ordered by its offsets (the order of its bytes in the file), then by name. */
  readonly tensors: readonly TensorInfo[];
  /** The `__metadata__` strings, or null when the file has none. */
  readonly metadata: Record<string, string> | null;
  /** Byte offset of the data region in the file: 8 + N. */
  readonly dataStart: number;
}

/** Throws the 'format' error of `op`. */
function fail(op: string, message: string): never {
  throw new RecurrentError(op, message, 'format');
}

/** A short description of a JSON value's kind for messages: `null`, `an array`, `number 5`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * Sets `obj[key] = value` as an own enumerable property, even for keys such as `__proto__`
 * that plain assignment would turn into a prototype change.
 */
export function defineOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/** A quoted snippet with everything outside printable ASCII escaped, so a BOM or NUL shows. */
function visible(text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Compares strings by code point, which is the byte order of their UTF-8 encodings. */
export function compareCodePoints(a: string, b: string): number {
  for (let i = 0; i < a.length && i < b.length; ) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

/** True for a non-null, non-array object, such as JSON.parse makes for `{...}`. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** N from the first 8 bytes, checked against the limit and the file size while still a BigInt. */
function headerLength(op: string, bytes: Uint8Array): number {
  if (bytes.length < 8) fail(op, `file is ${bytes.length} bytes, shorter than the 8-byte header length field`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_LENGTH)) fail(op, `header length ${n} is more than the ${MAX_HEADER_LENGTH} bytes allowed`);
  if (n > BigInt(bytes.length - 8)) fail(op, `header length ${n} runs past the end of the file (${bytes.length} bytes, so at most ${bytes.length - 8})`);
  return Number(n);
}

/** The header bytes as text: strict UTF-8 (a byte-order mark is kept, so it is refused below). */
function headerText(op: string, bytes: Uint8Array, n: number): string {
  const text = decodeUtf8(bytes.subarray(8, 8 + n));
  if (text === null) fail(op, `header (${n} bytes) is not valid UTF-8`);
  if (!text.startsWith('{')) fail(op, `header must be a JSON object starting with "{", got ${visible(text.slice(0, 20))}`);
  return text;
}

/** The header text parsed, after the scan for duplicate keys and deep nesting. */
function headerObject(op: string, text: string): Record<string, unknown> {
  const problem = findJsonProblem(text, MAX_DEPTH);
  if (problem !== null) fail(op, `header ${problem}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    fail(op, `header is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(parsed)) fail(op, `header must be a JSON object, got ${describeValue(parsed)}`);
  return parsed;
}

/** `__metadata__`: an object whose values are all strings, copied into a fresh object. */
function readMetadata(op: string, value: unknown): Record<string, string> {
  if (!isObject(value)) fail(op, `__metadata__ must be an object of strings, got ${describeValue(value)}`);
  const out: Record<string, string> = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (typeof v !== 'string') fail(op, `__metadata__ ${JSON.stringify(key)} must be a string, got ${describeValue(v)}`);
    defineOwn(out, key, v);
  }
  return out;
}

/** A shape: non-negative safe integers whose product never overflows and fits a Float32Array. */
function readShape(op: string, what: string, value: unknown): number[] {
  if (!Array.isArray(value)) fail(op, `${what} shape must be an array of sizes, got ${describeValue(value)}`);
  let count = 1;
  for (const d of value) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0 || Object.is(d, -0)) {
      fail(op, `${what} shape must hold non-negative integers, got ${describeValue(d)} in ${JSON.stringify(value)}`);
    }
    count *= d;
    if (count > Number.MAX_SAFE_INTEGER) fail(op, `${what} shape ${fmt(value)} overflows while counting its elements`);
  }
  if (count > MAX_NUMEL) fail(op, `${what} shape ${fmt(value)} has ${count} elements, more than a tensor can hold (${MAX_NUMEL})`);
  return value.slice() as number[];
}

/** data_offsets: [begin, end], safe integers with 0 <= begin <= end. */
function readOffsets(op: string, what: string, value: unknown): [number, number] {
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  if (!Array.isArray(value) || value.length !== 2 || !ok(value[0]) || !ok(value[1])) {
    fail(op, `${what} data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(value)}`);
  }
  const [begin, end] = value as [number, number];
  if (end < begin) fail(op, `${what} data_offsets [${begin},${end}] end before they begin`);
  return [begin, end];
}

/** The byte size of `count` elements of `dtype`, refusing sizes that are not whole bytes. */
function byteSize(op: string, what: string, dtype: Dtype, shape: number[]): number {
  const bits = shape.reduce((n, d) => n * d, 1) * DTYPE_BITS[dtype];
  if (bits % 8 !== 0) fail(op, `${what} ${dtype} ${fmt(shape)} takes ${bits} bits, not a whole number of bytes`);
  return bits / 8;
}

/** One tensor entry: exactly dtype, shape and data_offsets, with sizes that agree. */
function readEntry(op: string, name: string, value: unknown): TensorInfo {
  const what = `tensor ${JSON.stringify(name)}`;
  if (!isObject(value)) fail(op, `${what} must be an object with dtype, shape and data_offsets, got ${describeValue(value)}`);
  const extra = Object.keys(value).find((k) => !(ENTRY_KEYS as readonly string[]).includes(k));
  if (extra !== undefined) fail(op, `${what} has an unexpected key ${JSON.stringify(extra)} (allowed: ${ENTRY_KEYS.join(', ')})`);
  const missing = ENTRY_KEYS.find((k) => !Object.hasOwn(value, k));
  if (missing !== undefined) fail(op, `${what} has no ${missing}`);
  if (!isDtype(value.dtype)) fail(op, `${what} has an unknown dtype: ${describeValue(value.dtype)}`);
  const dtype = value.dtype;
  const shape = readShape(op, what, value.shape);
  const dataOffsets = readOffsets(op, what, value.data_offsets);
  const size = byteSize(op, what, dtype, shape);
  const [begin, end] = dataOffsets;
  if (end - begin !== size) {
    fail(op, `${what} data_offsets [${begin},${end}] span ${end - begin} bytes, but ${dtype} ${fmt(shape)} takes ${size}`);
  }
  return { name, dtype, shape, dataOffsets };
}

/**
 * Checks that the tensors, sorted by offsets, tile the data region exactly: the first begins
 * at 0, each begins where the previous ends, and the last ends at the end of the file.
 */
function checkTiling(op: string, tensors: readonly TensorInfo[], dataLength: number): void {
  let expected = 0;
  let previous = 'the data region starts';
  for (const t of tensors) {
    const [begin, end] = t.dataOffsets;
    const at = `tensor ${JSON.stringify(t.name)} data_offsets [${begin},${end}]`;
    if (begin > expected) fail(op, `${at} leave a gap of ${begin - expected} bytes after byte ${expected}, where ${previous}`);
    if (begin < expected) fail(op, `${at} overlap the ${expected - begin} bytes before byte ${expected}, where ${previous}`);
    if (end > dataLength) fail(op, `${at} run past the end of the data region (${dataLength} bytes)`);
    expected = end;
    previous = `tensor ${JSON.stringify(t.name)} ends`;
  }
  if (expected < dataLength) {
    fail(op, `the file has ${dataLength - expected} bytes after the last tensor (data region ${dataLength} bytes, tensors end at ${expected})`);
  }
}

/**
 * Reads and validates the header of a safetensors file without touching the tensor data:
 * names, dtypes, shapes and offsets (ordered as the bytes are), and the metadata. Throws a
 * 'format' RecurrentError from `op` naming the first problem found.
 */
export function readHeader(op: string, bytes: Uint8Array): SafetensorsHeader {
  if (!(bytes instanceof Uint8Array)) throw new RecurrentError(op, `bytes must be a Uint8Array, got ${describeValue(bytes)}`, 'argument');
  const n = headerLength(op, bytes);
  const header = headerObject(op, headerText(op, bytes, n));
  let metadata: Record<string, string> | null = null;
  const tensors: TensorInfo[] = [];
  for (const key of Object.keys(header)) {
    if (key === '__metadata__') metadata = readMetadata(op, header[key]);
    else tensors.push(readEntry(op, key, header[key]));
  }
  tensors.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1] || compareCodePoints(a.name, b.name));
  checkTiling(op, tensors, bytes.length - 8 - n);
  return { tensors, metadata, dataStart: 8 + n };
}
