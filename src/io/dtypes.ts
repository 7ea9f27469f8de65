/**
 * The element types a safetensors header can name, their sizes, and how each readable one
 * becomes float32 (the only element type of a Tensor here).
 *
 *   F32                     copied bit for bit (NaN payloads, -0 and infinities kept)
 *   F16, BF16               widened exactly (every such value is a float32 value; a NaN keeps
 *                           its sign and payload)
 *   F64                     rounded to the nearest float32, ties to even; past the float32
 *                           range it becomes +-Infinity, as PyTorch's `.float()` does
 *   I8 U8 I16 U16           exact
 *   I32 U32 I64 U64         rounded once to the nearest float32, ties to even (exact up to
 *                           2^24 in magnitude), as PyTorch's `.float()` does
 *   BOOL                    0 for a zero byte, 1 for any other byte
 *
 * The 8-, 6- and 4-bit floats and C64 are valid in a header but cannot be read as float32
 * here; the loader rejects them by name.
 */
import { bfloat16ToFloat32Bits, float16ToFloat32Bits } from './float16.js';

/** A safetensors element type name, as written in a header's `dtype` field. */
export type Dtype =
  | 'BOOL'
  | 'F4'
  | 'F6_E2M3'
  | 'F6_E3M2'
  | 'U8'
  | 'I8'
  | 'F8_E5M2'
  | 'F8_E4M3'
  | 'F8_E8M0'
  | 'F8_E4M3FNUZ'
  | 'F8_E5M2FNUZ'
  | 'I16'
  | 'U16'
  | 'F16'
  | 'BF16'
  | 'I32'
  | 'U32'
  | 'F32'
  | 'C64'
  | 'F64'
  | 'I64'
  | 'U64';

/** The size of one element of every dtype, in bits (the reference's `Dtype::bitsize`). */
export const DTYPE_BITS: Readonly<Record<Dtype, number>> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

/** True when `value` is a dtype name the safetensors format defines. */
export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && Object.hasOwn(DTYPE_BITS, value);
}

/** True on little-endian platforms, where float32 bytes in a file match a Float32Array's. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Fills `out` with the elements read from `src` (little-endian, packed), as float32. */
type Fill = (src: DataView, out: Float32Array) => void;

/**
 * Readers of the dtypes that convert to float32. Storing a number into a Float32Array
 * rounds it to the nearest float32, ties to even, exactly once.
 */
const FILLS: Partial<Record<Dtype, Fill>> = {
  F64: (src, out) => {
    for (let i = 0; i < out.length; i++) out[i] = src.getFloat64(8 * i, true);
  },
  // Stryker disable all: only a big-endian platform reads F32 here (decodeFloat32 copies the bytes on a little-endian one), and none runs the tests
  F32: (src, out) => {
    for (let i = 0; i < out.length; i++) out[i] = src.getFloat32(4 * i, true);
  },
  // Stryker restore all
  F16: (src, out) => {
    const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < out.length; i++) bits[i] = float16ToFloat32Bits(src.getUint16(2 * i, true));
  },
  BF16: (src, out) => {
    const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < out.length; i++) bits[i] = bfloat16ToFloat32Bits(src.getUint16(2 * i, true));
  },
  I64: (src, out) => {
    for (let i = 0; i < out.length; i++) out[i] = bigIntToFloat32(src.getBigInt64(8 * i, true));
  },
  U64: (src, out) => {
    for (let i = 0; i < out.length; i++) out[i] = bigIntToFloat32(src.getBigUint64(8 * i, true));
  },
  I32: (src, out) => {
    for (let i = 0; i < out.length; i++) out[i] = src.getInt32(4 * i, true);
  },
  U32: (src, out) => {
    for (let i = 0; i < out.length; i++) out[i] = src.getUint32(4 * i, true);
  },
  I16: (src, out) => {
    for (let i = 0; i < out.length; i++) out[i] = src.getInt16(2 * i, true);
  },
  U16: (src, out) => {
    for (let i = 0; i < out.length; i++) out[i] = src.getUint16(2 * i, true);
  },
  I8: (src, out) => {
    for (let i = 0; i < out.length; i++) out[i] = src.getInt8(i);
  },
  U8: (src, out) => {
    for (let i = 0; i < out.length; i++) out[i] = src.getUint8(i);
  },
  BOOL: (src, out) => {
    for (let i = 0; i < out.length; i++) out[i] = src.getUint8(i) === 0 ? 0 : 1;
  },
};

/** The dtypes {@link decodeFloat32} reads, in the reference's order. */
export const READABLE_DTYPES: readonly Dtype[] = (Object.keys(DTYPE_BITS) as Dtype[]).filter((d) => FILLS[d] !== undefined);

/**
 * An int64 or uint64 rounded once to the nearest float32, ties to even. Going through a
 * double first would round twice and can land on the wrong side of a tie (2^60 + 2^36 + 1
 * would become 2^60 instead of 2^60 + 2^37), so magnitudes past 2^53 are rounded here on
 * the integer: keep the top 24 significant bits and round on the bits dropped.
 */
function bigIntToFloat32(value: bigint): number {
  // Stryker disable next-line EqualityOperator: <= differs only at 0n, and -0n is 0n
  const magnitude = value < 0n ? -value : value;
  // Stryker disable next-line EqualityOperator: < differs only at 2^53, which both paths give exactly (24 bits kept, nothing dropped)
  if (magnitude <= 2n ** 53n) return Number(value);
  const dropped = BigInt(magnitude.toString(2).length - 24);
  let kept = magnitude >> dropped;
  const rest = magnitude - (kept << dropped);
  const half = 1n << (dropped - 1n);
  if (rest > half || (rest === half && (kept & 1n) === 1n)) kept += 1n;
  const rounded = Number(kept) * 2 ** Number(dropped);
  // Stryker disable next-line EqualityOperator: <= differs only at 0n, which returned above
  return value < 0n ? -rounded : rounded;
}

/**
 * `count` elements of `dtype` stored little-endian at `bytes[start...]`, as a new
 * Float32Array (never a view of `bytes`). `dtype` must be one of {@link READABLE_DTYPES}.
 */
export function decodeFloat32(dtype: Dtype, bytes: Uint8Array, start: number, count: number): Float32Array {
  const length = (count * DTYPE_BITS[dtype]) / 8;
  const out = new Float32Array(count);
  // subarray, not slice: a Node Buffer's slice() is a view into a shared pool, not a copy.
  // Stryker disable next-line BlockStatement,ConditionalExpression,StringLiteral: without this fast path (emptied, never taken, or asked of no dtype) the DataView fill below decodes the same floats, only slower; always taking it is caught by every other dtype's test
  if (dtype === 'F32' && LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes.subarray(start, start + length));
    return out;
  }
  FILLS[dtype]!(new DataView(bytes.buffer, bytes.byteOffset + start, length), out);
  return out;
}
