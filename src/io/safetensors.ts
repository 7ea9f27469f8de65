/**
 * safetensors: the weight-file format of huggingface/safetensors, read and written in plain
 * TypeScript, so state dicts move between PyTorch and this library. Loading runs no code
 * (unlike pickle-based `.pt` files, which this library never reads).
 *
 * Byte layout (integers little-endian):
 *
 *   offset 0       8 bytes   N, unsigned 64-bit: the length of the header in bytes
 *   offset 8       N bytes   header: a UTF-8 JSON object, padded with spaces
 *                              {"__metadata__":{"format":"pt"},                     (optional)
 *                               "bias":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},
 *                               "weight":{"dtype":"F32","shape":[4,2],"data_offsets":[16,48]}}
 *   offset 8 + N   the rest  data: each tensor's elements, row-major and little-endian, at
 *                            [begin, end) of this region; the tensors tile it exactly
 *
 * Writing ({@link save}) follows the reference writer byte for byte: tensors sorted by
 * descending dtype alignment and then by name (UTF-8 byte order, which is code point order;
 * every tensor here is F32, so the order is by name), `__metadata__` first and only when
 * given (its keys sorted the same way; the reference writes them in hash order), JSON without
 * spaces, the header padded with spaces to a multiple of 8 bytes, and data offsets contiguous
 * from 0, so that every F32 tensor starts 4-byte aligned in the file.
 *
 * Reading ({@link load}) validates the whole header first (see header.ts) and then converts
 * each tensor to float32 (see dtypes.ts for F16, BF16, F64 and the integer types). Values
 * are taken as stored: NaN and infinities load as they are, since PyTorch writes them.
 *
 * Copy or view: by default every tensor gets its own Float32Array. A view into the caller's
 * bytes would be zero-copy, but it would alias memory the caller still owns: reusing or
 * overwriting that buffer (a network read, a pooled file buffer) would silently change the
 * weights, and keeping one small tensor alive would keep the whole file alive. Copying costs
 * one memcpy per tensor, which is small beside reading the file. `{ copy: false }` opts into
 * views where possible: F32 data, a little-endian platform, and a 4-byte-aligned address.
 */
import { encodeUtf8 } from './utf8.js';
import { RecurrentError } from '../tensor/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { LITTLE_ENDIAN, READABLE_DTYPES, decodeFloat32 } from './dtypes.js';
import { compareCodePoints, defineOwn, describeValue, readHeader, type SafetensorsHeader, type TensorInfo } from './header.js';

export { type Dtype } from './dtypes.js';
export { type SafetensorsHeader, type TensorInfo } from './header.js';

/** Options of {@link load} and {@link loadWithMetadata}. */
export interface LoadOptions {
  /**
   * Give every tensor its own storage (default true). With false, F32 tensors that sit on a
   * 4-byte boundary of a little-endian platform's memory are views into `bytes` instead:
   * no copy, but writing to `bytes` then changes the tensors, and the reverse.
   */
  copy?: boolean;
}

/** What {@link loadWithMetadata} returns. */
export interface LoadResult {
  /** The tensors by name, in file order (JavaScript lists integer-like names such as "0" first). */
  tensors: Record<string, Tensor>;
  /** The file's `__metadata__` strings, or null when it has none. */
  metadata: Record<string, string> | null;
}

const SAVE = 'safetensors.save';
const LOAD = 'safetensors.load';

/** Matches a lone UTF-16 surrogate, which UTF-8 cannot encode. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Throws unless `s` can be written as UTF-8 unchanged. */
function checkWellFormed(s: string, what: string): void {
  if (LONE_SURROGATE.test(s)) throw new RecurrentError(SAVE, `${what} ${JSON.stringify(s)} has a lone UTF-16 surrogate, which UTF-8 cannot encode`);
}

/** The [name, tensor] pairs to write, validated and sorted by name. */
function tensorEntries(tensors: unknown): [string, Tensor][] {
  if (typeof tensors !== 'object' || tensors === null || Array.isArray(tensors)) {
    throw new RecurrentError(SAVE, `tensors must be an object mapping names to tensors, got ${describeValue(tensors)}`);
  }
  const entries = Object.keys(tensors).map((name): [string, Tensor] => {
    const t = (tensors as Record<string, unknown>)[name];
    if (name === '') throw new RecurrentError(SAVE, 'tensor names must be non-empty');
    if (name === '__metadata__') throw new RecurrentError(SAVE, 'a tensor cannot be named "__metadata__": the header reserves that key');
    checkWellFormed(name, 'tensor name');
    if (!(t instanceof Tensor)) throw new RecurrentError(SAVE, `tensors[${JSON.stringify(name)}] must be a Tensor, got ${describeValue(t)}`);
    return [name, t];
  });
  return entries.sort(([a], [b]) => compareCodePoints(a, b));
}

/** The [key, value] metadata pairs to write, validated and sorted by key. */
function metadataEntries(metadata: unknown): [string, string][] {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new RecurrentError(SAVE, `metadata must be an object of strings, got ${describeValue(metadata)}`);
  }
  const entries = Object.keys(metadata).map((key): [string, string] => {
    const v = (metadata as Record<string, unknown>)[key];
    if (typeof v !== 'string') throw new RecurrentError(SAVE, `metadata ${JSON.stringify(key)} must be a string, got ${describeValue(v)}`);
    checkWellFormed(key, 'metadata key');
    checkWellFormed(v, 'metadata value');
    return [key, v];
  });
  return entries.sort(([a], [b]) => compareCodePoints(a, b));
}

/** The header JSON as the reference writer prints it (serde_json's compact form). */
function headerJson(tensors: [string, Tensor][], metadata: [string, string][] | null): string {
  const parts: string[] = [];
  if (metadata !== null) {
    parts.push(`"__metadata__":{${metadata.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
  }
  let offset = 0;
  for (const [name, t] of tensors) {
    const end = offset + t.data.byteLength;
    parts.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype: 'F32', shape: t.shape, data_offsets: [offset, end] })}`);
    offset = end;
  }
  return `{${parts.join(',')}}`;
}

/** Copies float32 values into `out` at byte `at`, little-endian. */
function writeFloat32(out: Uint8Array, at: number, data: Float32Array): void {
  // Stryker disable next-line ConditionalExpression: true is what a little-endian platform, every one the tests run on, computes
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    return;
  }
  // Stryker disable next-line all: only a big-endian platform writes here, and none runs the tests
  const view = new DataView(out.buffer, out.byteOffset + at, data.byteLength);
  // Stryker disable next-line all: the same
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i]!, true);
}

/**
 * Writes tensors (and optional string metadata) as a safetensors file, F32 little-endian,
 * laid out exactly as the reference writer lays it out (see the module comment). Values are
 * written as they are, NaN and infinities included. Names must be non-empty and not
 * `__metadata__`; metadata values must be strings.
 *
 *   const bytes = safetensors.save(model.stateDict(), { format: 'pt' });
 */
export function save(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const entries = tensorEntries(tensors);
  const json = headerJson(entries, metadata === undefined ? null : metadataEntries(metadata));
  const text = encodeUtf8(json);
  const headerLength = Math.ceil(text.length / 8) * 8;
  const dataLength = entries.reduce((n, [, t]) => n + t.data.byteLength, 0);
  const out = new Uint8Array(8 + headerLength + dataLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.fill(0x20, 8, 8 + headerLength);
  out.set(text, 8);
  let at = 8 + headerLength;
  for (const [, t] of entries) {
    writeFloat32(out, at, t.data);
    at += t.data.byteLength;
  }
  return out;
}

/**
 * Reads and validates a safetensors header without reading the tensor data: every tensor's
 * name, dtype, shape and byte range (in file order), the metadata and where the data starts.
 * Accepts every dtype the format defines, including those {@link load} cannot convert.
 * Throws a 'format' RecurrentError naming the first problem, as {@link load} does.
 */
export function parseHeader(bytes: Uint8Array): SafetensorsHeader {
  return readHeader(LOAD, bytes);
}

/** One tensor's values as float32: a view when allowed and possible, else a conversion. */
function tensorData(bytes: Uint8Array, dataStart: number, info: TensorInfo, copy: boolean): Float32Array {
  const start = dataStart + info.dataOffsets[0];
  const count = info.shape.reduce((n, d) => n * d, 1);
  if (!copy && info.dtype === 'F32' && LITTLE_ENDIAN && (bytes.byteOffset + start) % 4 === 0) {
    return new Float32Array(bytes.buffer, bytes.byteOffset + start, count);
  }
  return decodeFloat32(info.dtype, bytes, start, count);
}

/**
 * Reads a safetensors file into tensors and its metadata. The header is validated in full
 * before any tensor is built; every dtype is checked to be convertible (F32, F64, F16, BF16,
 * the integer types and BOOL) before any is converted. Throws a 'format' RecurrentError
 * naming what is wrong.
 */
export function loadWithMetadata(bytes: Uint8Array, options: LoadOptions = {}): LoadResult {
  const header = readHeader(LOAD, bytes);
  const unreadable = header.tensors.find((t) => !READABLE_DTYPES.includes(t.dtype));
  if (unreadable !== undefined) {
    throw new RecurrentError(LOAD, `tensor ${JSON.stringify(unreadable.name)} has dtype ${unreadable.dtype}, which cannot be loaded as float32 (loadable: ${READABLE_DTYPES.join(', ')})`, 'format');
  }
  const tensors: Record<string, Tensor> = {};
  for (const info of header.tensors) {
    defineOwn(tensors, info.name, new Tensor(tensorData(bytes, header.dataStart, info, options.copy !== false), info.shape));
  }
  return { tensors, metadata: header.metadata };
}

/**
 * Reads a safetensors file into tensors by name (float32; see {@link loadWithMetadata}).
 *
 *   const state = safetensors.load(bytes);   // { weight_ih_l0: Tensor, ... }
 */
export function load(bytes: Uint8Array, options: LoadOptions = {}): Record<string, Tensor> {
  return loadWithMetadata(bytes, options).tensors;
}
