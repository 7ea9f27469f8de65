/**
 * Half-precision (IEEE 754 binary16, "F16") and bfloat16 ("BF16") numbers widened to float32.
 * Both widenings are exact: every half and every bfloat16 value is a float32 value.
 *
 *   binary16:  s eeeee mmmmmmmmmm           value = (-1)^s * 2^(e-15) * (1 + m/1024)
 *                                            e = 0:  (-1)^s * 2^-14 * (m/1024)   (subnormal)
 *                                            e = 31: +-Infinity (m = 0) or NaN
 *   bfloat16:  s eeeeeeee mmmmmmm           the upper 16 bits of a float32: bits << 16
 */

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/**
 * The float32 bit pattern of a binary16 bit pattern (0..0xffff), exactly. A NaN keeps its
 * sign and payload (the payload moves to the top of the float32 mantissa), as PyTorch's
 * `.float()` keeps them; with a payload of 0 the same bits are +-Infinity.
 */
export function float16ToFloat32Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0x1f) return (((bits & 0x8000) << 16) | 0x7f800000 | (mantissa << 13)) >>> 0;
  if (exponent === 0) scratch[0] = sign * mantissa * 2 ** -24;
  else scratch[0] = sign * (1024 + mantissa) * 2 ** (exponent - 25);
  return scratchBits[0]!;
}

/** The float32 bit pattern of a bfloat16 bit pattern (0..0xffff): the same bits, shifted up. */
export function bfloat16ToFloat32Bits(bits: number): number {
  return (bits << 16) >>> 0;
}
