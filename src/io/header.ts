/**
 * Reading and validating a safetensors header before trusting any of it.
 *
 *   bytes 0..8        N, unsigned 64-bit little-endian
 *   bytes 8..8+N      UTF-8 JSON object, spaces after it allowed
 *   bytes 8+N..end    the data region, which the tensors' [begin, end) ranges tile exactly
 *
 * The checks follow the reference reader (huggingface/safetensors, `read_metadata` and
 * `Metadata::validate`), in the order a file is read, and refuse more than it does where it
 * is lenient: a header must start with `{`, may not repeat a key in any object, tensor
 * names are not empty (what loads can be saved back), entries
 * carry exactly dtype / shape / data_offsets, `__metadata__` is an object (not null), and a
 * tensor holds at most 2^31 - 1 elements. N is compared as a BigInt against 100,000,000 and
 * the file size before it becomes a Number, and nothing is allocated from a size the header
 * claims until the claims have been checked against the bytes actually present.
 *
 * Cost: the header is parsed by its grammar straight from the bytes (header-grammar.ts), in
 * one pass that keeps names, sizes and offsets as positions in typed arrays (off the JS
 * heap). Duplicate names (sorted hashes) and the tiling of the data region are checked on
 * those columns; only a header that passed every check becomes strings and objects. Every
 * refusal is a `RecurrentError` with code 'format' naming the tensor, offsets and sizes.
 */
import { decodeUtf8, isUtf8 } from './utf8.js';
import { RecurrentError, fmt } from '../tensor/errors.js';
import { MAX_NESTING, MAX_NUMEL } from '../tensor/shape.js';
import { DTYPE_BITS, isDtype, type Dtype } from './dtypes.js';
import { Column, HeaderReader } from './header-grammar.js';

/** The largest header the reference reader accepts, in bytes. */
export const MAX_HEADER_LENGTH = 100_000_000;

/** The keys of a tensor entry, all required and no others allowed. */
const ENTRY_KEYS = ['dtype', 'shape', 'data_offsets'] as const;

/** Every dtype name, indexed by the number the tensor columns store. */
const DTYPES = Object.keys(DTYPE_BITS) as Dtype[];

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
    // Stryker disable next-line ConditionalExpression: stepping 1 into an equal pair compares its equal low halves next, so false orders alike
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

/** N from the first 8 bytes, checked against the limit and the file size while still a BigInt. */
function headerLength(op: string, bytes: Uint8Array): number {
  if (bytes.length < 8) fail(op, `file is ${bytes.length} bytes, shorter than the 8-byte header length field`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_LENGTH)) fail(op, `header length ${n} is more than the ${MAX_HEADER_LENGTH} bytes allowed`);
  if (n > BigInt(bytes.length - 8)) fail(op, `header length ${n} runs past the end of the file (${bytes.length} bytes, so at most ${bytes.length - 8})`);
  return Number(n);
}

/** Checks that the header is UTF-8 and starts with `{` before any of it is parsed. */
function checkText(op: string, bytes: Uint8Array, n: number): void {
  const header = bytes.subarray(8, 8 + n);
  if (!isUtf8(header)) fail(op, `header (${n} bytes) is not valid UTF-8`);
  if (header[0] !== 0x7b) {
    // Its first 20 bytes, cut back to the start of a character (the header is valid UTF-8).
    let cut = Math.min(n, 20);
    while ((header[cut]! & 0xc0) === 0x80) cut--;
    fail(op, `header must be a JSON object starting with "{", got ${visible(decodeUtf8(header.subarray(0, cut))!)}`);
  }
}

/** Every tensor entry as numbers: the positions of names in the header, dtypes, shapes, offsets. */
class TensorColumns {
  readonly name = new Column();
  readonly hash = new Column();
  readonly dtype = new Column();
  /** Where the shape array starts in the header: a shape is read again only when it is kept. */
  readonly shapeAt = new Column();
  readonly begin = new Column();
  readonly end = new Column();
}

/** `__metadata__` as positions of its keys and values in the header. */
class MetadataColumns {
  readonly key = new Column();
  readonly hash = new Column();
  readonly value = new Column();
}

/** `__metadata__`'s object of strings, read into columns. */
function readMetadata(r: HeaderReader, m: MetadataColumns): void {
  if (r.peek() !== 0x7b) r.fail(`__metadata__ must be an object of strings, got ${r.describe()}`);
  r.pos++;
  if (r.peek() === 0x7d) {
    r.pos++;
    return;
  }
  do {
    const key = r.string();
    m.key.push(key);
    m.hash.push(r.hash);
    r.expect(':');
    if (r.peek() !== 0x22) r.fail(`__metadata__ ${r.quoted(key)} must be a string, got ${r.describe()}`);
    m.value.push(r.string());
  } while (r.more('}'));
}

/** `tensor "name"` for a message, the name cut short: built only when a message needs it. */
type What = () => string;

/** The elements of a shape, refusing counts that overflow or exceed what a tensor holds. */
function countOf(r: HeaderReader, what: What, shape: number[]): number {
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (count > Number.MAX_SAFE_INTEGER) r.fail(`${what()} shape ${fmt(shape)} overflows while counting its elements`);
  }
  if (count > MAX_NUMEL) r.fail(`${what()} shape ${fmt(shape)} has ${count} elements, more than a tensor can hold (${MAX_NUMEL})`);
  return count;
}

/**
 * The shape array `[d0, d1, ...]` of non-negative integers at the cursor. More than
 * MAX_NESTING dimensions are refused as they are read, so a shape of 50 million ones costs
 * nothing before its refusal.
 */
function readShape(r: HeaderReader, what: What): number[] {
  if (r.peek() !== 0x5b) r.fail(`${what()} shape must be an array of sizes, got ${r.describe()}`);
  r.pos++;
  const dims: number[] = [];
  if (r.peek() === 0x5d) r.pos++;
  else {
    const bad = (d: string): never => r.fail(`${what()} shape must hold non-negative integers, got ${d}`);
    do {
      if (dims.length === MAX_NESTING) r.fail(`${what()} shape has more than ${MAX_NESTING} dimensions`);
      dims.push(r.integer(bad));
    } while (r.more(']'));
  }
  return dims;
}

/** data_offsets `[begin, end]`. */
function readOffsets(r: HeaderReader, what: What): [number, number] {
  const bad = (d: string): never => r.fail(`${what()} data_offsets must be [begin, end] with non-negative integers, got ${d}`);
  if (r.peek() !== 0x5b) bad(r.describe());
  r.pos++;
  const begin = r.integer(bad);
  if (r.peek() !== 0x2c) bad('an array of one number');
  r.pos++;
  const end = r.integer(bad);
  if (r.peek() !== 0x5d) bad('an array of more than two numbers');
  r.pos++;
  if (end < begin) r.fail(`${what()} data_offsets [${begin},${end}] end before they begin`);
  return [begin, end];
}

/**
 * The text of the string literal at `start` (just read) when it holds an escape and is short
 * enough to spell an entry key or a dtype, else null. The longest of those has 12 characters,
 * 74 bytes with every one escaped; an unescaped literal was matched on its bytes already.
 */
function shortEscaped(r: HeaderReader, start: number): string | null {
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: decoding more (an unescaped literal, or one past 80 bytes) gives no key or dtype either, only costs; the tests see the escaped ones decoded
  return r.escaped && r.literalLength(start) <= 80 ? r.text(start) : null;
}

/** One tensor entry: exactly dtype, shape and data_offsets, with sizes that agree; appended to `t`. */
function readEntry(r: HeaderReader, nameAt: number, t: TensorColumns): void {
  const what = () => `tensor ${r.quoted(nameAt)}`;
  if (r.peek() !== 0x7b) r.fail(`${what()} must be an object with dtype, shape and data_offsets, got ${r.describe()}`);
  r.pos++;
  let dtype: Dtype | null = null;
  let shape: number[] | null = null;
  let offsets: [number, number] | null = null;
  // Stryker disable next-line UnaryOperator: read only once a shape was read, which sets it
  let shapeAt = -1;
  // Stryker disable next-line UpdateOperator: an empty entry is refused below for its missing dtype, and nothing reads the cursor before
  if (r.peek() === 0x7d) r.pos++;
  else {
    do {
      const keyAt = r.string();
      // An escaped spelling (`"\u0064type"`) is still the key; only a short literal can be one.
      const key = r.spells(keyAt, 'dtype') ? 'dtype' : r.spells(keyAt, 'shape') ? 'shape' : r.spells(keyAt, 'data_offsets') ? 'data_offsets' : shortEscaped(r, keyAt);
      if (!(ENTRY_KEYS as readonly (string | null)[]).includes(key)) {
        r.fail(`${what()} has an unexpected key ${r.quoted(keyAt)} (allowed: ${ENTRY_KEYS.join(', ')})`);
      }
      if ((key === 'dtype' && dtype !== null) || (key === 'shape' && shape !== null) || (key === 'data_offsets' && offsets !== null)) {
        r.fail(`header has the key ${JSON.stringify(key)} twice in the object under ${r.quoted(nameAt)}`);
      }
      r.expect(':');
      if (key === 'dtype') {
        const at = r.peek() === 0x22 ? r.string() : -1;
        // Matched on the bytes; only a short escaped spelling ("F\u0033\u0032") is decoded.
        const value = at === -1 ? null : (DTYPES.find((d) => r.spells(at, d)) ?? shortEscaped(r, at));
        if (!isDtype(value)) r.fail(`${what()} has an unknown dtype: ${at === -1 ? r.describe() : `the string ${r.quoted(at)}`}`);
        dtype = value;
      } else if (key === 'shape') {
        shapeAt = r.pos;
        shape = readShape(r, what);
      } else {
        offsets = readOffsets(r, what);
      }
    } while (r.more('}'));
  }
  if (dtype === null || shape === null || offsets === null) r.fail(`${what()} has no ${dtype === null ? 'dtype' : shape === null ? 'shape' : 'data_offsets'}`);
  const bits = countOf(r, what, shape) * DTYPE_BITS[dtype];
  if (bits % 8 !== 0) r.fail(`${what()} ${dtype} ${fmt(shape)} takes ${bits} bits, not a whole number of bytes`);
  const [begin, end] = offsets;
  if (end - begin !== bits / 8) r.fail(`${what()} data_offsets [${begin},${end}] span ${end - begin} bytes, but ${dtype} ${fmt(shape)} takes ${bits / 8}`);
  t.name.push(nameAt);
  t.dtype.push(DTYPES.indexOf(dtype));
  t.shapeAt.push(shapeAt);
  t.begin.push(begin);
  t.end.push(end);
}

/** Keys are told apart by index below this factor and by hash above it (2^25 > any key count). */
const INDEX_RANGE = 2 ** 25;

/**
 * The start of the first key that appears twice among the string literals starting at `starts`,
 * or null. Keys are sorted by hash, and only keys with equal hashes are decoded and compared.
 */
function duplicateKey(r: HeaderReader, starts: Column, hashes: Column): number | null {
  const count = starts.length;
  const packed = new Float64Array(count);
  // Stryker disable next-line EqualityOperator: a write past the end of a typed array is dropped
  for (let i = 0; i < count; i++) packed[i] = (hashes.data[i]! % 2 ** 28) * INDEX_RANGE + i;
  packed.sort();
  // Stryker disable next-line EqualityOperator: at a = count the group is the one past the end, of size 1, and the loop ends
  for (let a = 0; a < count; ) {
    const group = Math.floor(packed[a]! / INDEX_RANGE);
    let z = a + 1;
    // Stryker disable next-line LogicalOperator,ConditionalExpression,EqualityOperator: past the end the group is NaN and the loop stops; a larger group still holds every key of equal hash, and keys of other hashes differ, so the same first repeat is found, at the cost of decoding more keys
    while (z < count && Math.floor(packed[z]! / INDEX_RANGE) === group) z++;
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: a group of one key has no repeat to find; checking it changes nothing
    if (z - a > 1) {
      const seen = new Set<string>();
      for (let k = a; k < z; k++) {
        const at = starts.data[packed[k]! % INDEX_RANGE]!;
        const key = r.text(at);
        if (seen.has(key)) return at;
        seen.add(key);
      }
    }
    a = z;
  }
  return null;
}

/**
 * Checks that the tensors, sorted by offsets, tile the data region exactly: the first begins
 * at 0, each begins where the previous ends, and the last ends at the end of the file.
 */
function checkTiling(r: HeaderReader, t: TensorColumns, dataLength: number): void {
  const begin = t.begin.data;
  const end = t.end.data;
  const order = new Uint32Array(t.name.length).map((_, i) => i);
  order.sort((x, y) => begin[x]! - begin[y]! || end[x]! - end[y]! || x - y);
  const name = (i: number) => r.quoted(t.name.data[i]!);
  let expected = 0;
  let previous = -1;
  for (const i of order) {
    const at = () => `tensor ${name(i)} data_offsets [${begin[i]},${end[i]}]`;
    const where = () => (previous < 0 ? 'the data region starts' : `tensor ${name(previous)} ends`);
    if (begin[i]! > expected) r.fail(`${at()} leave a gap of ${begin[i]! - expected} bytes after byte ${expected}, where ${where()}`);
    if (begin[i]! < expected) r.fail(`${at()} overlap the ${expected - begin[i]!} bytes before byte ${expected}, where ${where()}`);
    if (end[i]! > dataLength) r.fail(`${at()} run past the end of the data region (${dataLength} bytes)`);
    expected = end[i]!;
    previous = i;
  }
  if (expected < dataLength) {
    r.fail(`the file has ${dataLength - expected} bytes after the last tensor (data region ${dataLength} bytes, tensors end at ${expected})`);
  }
}

/** The validated columns as the objects a caller gets, ordered as the bytes are, then by name. */
function materialize(r: HeaderReader, t: TensorColumns, m: MetadataColumns | null): { tensors: TensorInfo[]; metadata: Record<string, string> | null } {
  const tensors: TensorInfo[] = [];
  for (let i = 0; i < t.name.length; i++) {
    r.pos = t.shapeAt.data[i]!;
    tensors.push({
      name: r.text(t.name.data[i]!),
      dtype: DTYPES[t.dtype.data[i]!]!,
      // Stryker disable next-line ArrowFunction,StringLiteral: names a tensor in a refusal, and a shape read again was valid the first time
      shape: readShape(r, () => ''),
      dataOffsets: [t.begin.data[i]!, t.end.data[i]!],
    });
  }
  tensors.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1] || compareCodePoints(a.name, b.name));
  if (m === null) return { tensors, metadata: null };
  const metadata: Record<string, string> = {};
  for (let i = 0; i < m.key.length; i++) defineOwn(metadata, r.text(m.key.data[i]!), r.text(m.value.data[i]!));
  return { tensors, metadata };
}

/**
 * Reads and validates the header of a safetensors file without touching the tensor data:
 * names, dtypes, shapes and offsets (ordered as the bytes are), and the metadata. Throws a
 * 'format' RecurrentError from `op` naming the first problem found.
 */
export function readHeader(op: string, bytes: Uint8Array): SafetensorsHeader {
  if (!(bytes instanceof Uint8Array)) throw new RecurrentError(op, `bytes must be a Uint8Array, got ${describeValue(bytes)}`, 'argument');
  const n = headerLength(op, bytes);
  checkText(op, bytes, n);
  const r = new HeaderReader(op, bytes, 8, 8 + n);
  const t = new TensorColumns();
  let m: MetadataColumns | null = null;
  r.expect('{');
  if (r.peek() === 0x7d) r.pos++;
  else {
    do {
      const keyAt = r.string();
      const hash = r.hash;
      const empty = r.pos - keyAt === 2;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: no literal of 100 bytes or more spells __metadata__ (74 with every character escaped); the bound only spares decoding a long key
      const short = r.pos - keyAt < 100;
      const isMetadata = r.escaped ? short && r.text(keyAt) === '__metadata__' : r.spells(keyAt, '__metadata__');
      r.expect(':');
      if (isMetadata) {
        if (m !== null) r.fail('header has the key "__metadata__" twice in the top level');
        m = new MetadataColumns();
        readMetadata(r, m);
      } else {
        if (empty) r.fail('header has a tensor with an empty name, which safetensors.save cannot write back');
        readEntry(r, keyAt, t);
        t.hash.push(hash);
      }
    } while (r.more('}'));
  }
  if (r.peek() !== -1) r.syntax('only spaces after the header object');
  const twice = duplicateKey(r, t.name, t.hash);
  if (twice !== null) r.fail(`header has the key ${r.quoted(twice)} twice in the top level`);
  const twiceInMetadata = m === null ? null : duplicateKey(r, m.key, m.hash);
  if (twiceInMetadata !== null) r.fail(`header has the key ${r.quoted(twiceInMetadata)} twice in the object under "__metadata__"`);
  checkTiling(r, t, bytes.length - 8 - n);
  return { ...materialize(r, t, m), dataStart: 8 + n };
}
