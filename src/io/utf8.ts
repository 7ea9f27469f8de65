/**
 * UTF-8 encoding and strict decoding of strings, in the core so that safetensors headers work
 * in every runtime (QuickJS, for one, has no TextEncoder or TextDecoder).
 *
 *   code point       bytes
 *   U+0000..007F     0xxxxxxx
 *   U+0080..07FF     110xxxxx 10xxxxxx
 *   U+0800..FFFF     1110xxxx 10xxxxxx 10xxxxxx             (not U+D800..DFFF, the surrogates)
 *   U+10000..10FFFF  11110xxx 10xxxxxx 10xxxxxx 10xxxxxx
 *
 * The decoder refuses what the WHATWG decoder in fatal mode refuses: a bad lead or
 * continuation byte, a truncated sequence, an overlong form, a surrogate or a code point past
 * U+10FFFF. A byte-order mark is kept as U+FEFF.
 */

/** The UTF-8 bytes of a string that holds no lone surrogate (callers check that first). */
export function encodeUtf8(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/**
 * The code point of the UTF-8 sequence starting at `b[i]`, times 8, plus the sequence's length
 * in bytes (1 to 4); -1 when the bytes there are not valid UTF-8.
 */
function readCodePoint(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return c * 8 + 1;
  // n continuation bytes follow a lead byte; 0xC0, 0xC1 and 0xF5..0xFF never lead.
  const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
  if (n === 0) return -1;
  let cp = c & (0x3f >> n);
  for (let k = 1; k <= n; k++) {
    const d = b[i + k]; // undefined past the end, so a cut-off sequence fails here
    if ((d & 0xc0) !== 0x80) return -1;
    cp = (cp << 6) | (d & 63);
  }
  // Stryker disable next-line UnaryOperator: +1 would step one byte, onto a continuation byte, which is refused next
  if ((n === 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n === 3 && (cp < 0x10000 || cp > 0x10ffff))) return -1;
  return cp * 8 + n + 1;
}

/** True when the bytes are valid UTF-8; allocates nothing. */
export function isUtf8(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; ) {
    const r = readCodePoint(b, i);
    if (r === -1) return false;
    i += r & 7;
  }
  return true;
}

/** Code units gathered before they become a string piece: small enough for fromCharCode's arguments. */
const CHUNK = 4096;

/** The string a UTF-8 byte sequence spells, or null when the bytes are not valid UTF-8. */
export function decodeUtf8(b: Uint8Array): string | null {
  const pieces: string[] = [];
  const units: number[] = [];
  for (let i = 0; i < b.length; ) {
    const r = readCodePoint(b, i);
    if (r === -1) return null;
    const cp = r >> 3;
    if (cp < 0x10000) units.push(cp);
    else units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + (cp & 0x3ff));
    i += r & 7;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: where the pieces are cut does not change the string (the 3 MB test sees a piece too long for fromCharCode)
    if (units.length >= CHUNK) {
      pieces.push(String.fromCharCode(...units));
      units.length = 0;
    }
  }
  pieces.push(String.fromCharCode(...units));
  return pieces.join('');
}
