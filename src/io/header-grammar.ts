/**
 * The tokens of a safetensors header, read straight from its UTF-8 bytes: whitespace, strings
 * (validated, hashed, decoded only on demand), non-negative integers, and a short description
 * of any other value for messages. Nothing here recurses or builds a value the caller did not
 * ask for, so a hostile 100 MB header costs one pass over its bytes plus a few typed arrays.
 *
 * Strictness follows the reference reader (serde_json into usize and String): an integer is
 * digits only (`1.0`, `1e0`, `-0` and `01` are refused), and a `\u` escape of a lone UTF-16
 * surrogate is refused because no UTF-8 string can hold it.
 */
import { RecurrentError } from '../tensor/errors.js';
import { decodeUtf8 } from './utf8.js';

/** A growable column of numbers in a Float64Array: off the JS heap, 8 bytes an entry. */
export class Column {
  data = new Float64Array(16);
  length = 0;

  /** Appends one value. */
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Folds the UTF-8 bytes of code point `cp` into an FNV-1a hash. */
function hashCodePoint(h: number, cp: number): number {
  if (cp < 0x80) return Math.imul(h ^ cp, FNV_PRIME);
  if (cp < 0x800) return hashBytes(h, [0xc0 | (cp >> 6), 0x80 | (cp & 63)]);
  if (cp < 0x10000) return hashBytes(h, [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)]);
  return hashBytes(h, [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)]);
}

/** Folds bytes into an FNV-1a hash. */
function hashBytes(h: number, bytes: readonly number[]): number {
  for (const b of bytes) h = Math.imul(h ^ b, FNV_PRIME);
  return h;
}

/** The value of a hex digit's character code, or a negative number. */
function hexValue(c: number): number {
  if (c <= 0x39) return c - 0x30; // negative below '0'
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** True for JSON whitespace: space, tab, line feed, carriage return. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * A cursor over header bytes `b[pos..end)`, which the caller has checked to be valid UTF-8.
 * Every refusal throws a 'format' RecurrentError from `op`.
 */
export class HeaderReader {
  pos: number;
  /** After {@link string}: the hash of the decoded string (equal strings, equal hashes). */
  hash = 0;
  /** After {@link string}: true when the literal holds an escape. */
  // Stryker disable next-line BooleanLiteral: read only after string() has set it
  escaped = false;
  /** A random start for the hashes, so that a file cannot be built to make them collide. */
  // Stryker disable next-line ArithmeticOperator: any seed gives equal strings equal hashes; the randomness only defeats crafted collisions, which no test can observe
  private readonly seed = (Math.random() * 2 ** 32) >>> 0;

  constructor(
    readonly op: string,
    readonly b: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** Throws the 'format' error of the reader's op. */
  fail(message: string): never {
    throw new RecurrentError(this.op, message, 'format');
  }

  /** Throws a syntax error naming what was expected and where. */
  syntax(expected: string): never {
    const at = this.pos < this.end ? `${JSON.stringify(String.fromCharCode(this.b[this.pos]!))} at byte ${this.pos - 8}` : 'the end of the header';
    this.fail(`header is not valid JSON: expected ${expected}, found ${at}`);
  }

  /** Skips whitespace and returns the next byte (-1 at the end). */
  peek(): number {
    for (; this.pos < this.end; this.pos++) if (!isSpace(this.b[this.pos]!)) return this.b[this.pos]!;
    return -1;
  }

  /** Skips whitespace and the byte `c` (a character such as ':'), or throws. */
  expect(c: string): void {
    if (this.peek() !== c.charCodeAt(0)) this.syntax(`"${c}"`);
    this.pos++;
  }

  /** After a member or an element: true when `,` follows, false when `close` does. */
  more(close: string): boolean {
    const c = this.peek();
    if (c === 0x2c /* , */) {
      this.pos++;
      return true;
    }
    if (c !== close.charCodeAt(0)) this.syntax(`"," or "${close}"`);
    this.pos++;
    return false;
  }

  /**
   * Reads the string literal at the cursor (after whitespace) and returns its start; the
   * cursor ends after the closing quote and {@link hash} holds the string's hash.
   */
  string(): number {
    if (this.peek() !== 0x22) this.syntax('a string');
    const { b, end } = this;
    const start = this.pos;
    let h = FNV_OFFSET ^ this.seed;
    let i = start + 1;
    // Stryker disable next-line BooleanLiteral: escaped only chooses the faster of two checks that agree (header.ts, isMetadata)
    let escaped = false;
    for (;;) {
      if (i >= end) this.fail(`header is not valid JSON: a string from byte ${start - 8} never ends`);
      const c = b[i]!;
      if (c === 0x22) break;
      if (c < 0x20) this.fail(`header is not valid JSON: a control character (${c}) inside a string at byte ${i - 8}`);
      if (c !== 0x5c /* \ */) {
        h = Math.imul(h ^ c, FNV_PRIME);
        i++;
        continue;
      }
      escaped = true;
      const e = b[i + 1];
      const simple = e === 0x22 ? 0x22 : e === 0x5c ? 0x5c : e === 0x2f ? 0x2f : e === 0x62 ? 8 : e === 0x66 ? 12 : e === 0x6e ? 10 : e === 0x72 ? 13 : e === 0x74 ? 9 : -1;
      // Stryker disable next-line EqualityOperator: simple is never 0 (a character code or -1)
      if (simple >= 0) {
        h = Math.imul(h ^ simple, FNV_PRIME);
        i += 2;
        continue;
      }
      if (e !== 0x75 /* u */) this.fail(`header is not valid JSON: an invalid escape inside a string at byte ${i - 8}`);
      let cp = this.unit(i);
      i += 6;
      if (cp >= 0xd800 && cp <= 0xdbff && b[i] === 0x5c && b[i + 1] === 0x75) {
        const low = this.unit(i);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          i += 6;
        }
      }
      if (cp >= 0xd800 && cp <= 0xdfff) {
        this.fail(`header has a lone UTF-16 surrogate \\u${cp.toString(16)} in a string at byte ${i - 6 - 8}, which UTF-8 cannot encode`);
      }
      h = hashCodePoint(h, cp);
    }
    this.pos = i + 1;
    this.hash = h >>> 0;
    this.escaped = escaped;
    return start;
  }

  /** The code unit of the `\u` escape (four hex digits) at `b[i]`. */
  private unit(i: number): number {
    let v = 0;
    for (let k = 2; k < 6; k++) {
      const d = i + k < this.end ? hexValue(this.b[i + k]!) : -1;
      if (d < 0) this.fail(`header is not valid JSON: an invalid \\u escape at byte ${i - 8}`);
      v = v * 16 + d;
    }
    return v;
  }

  /** The decoded value of the (already read, valid) string literal starting at `start`. */
  text(start: number): string {
    let close = start + 1;
    // Stryker disable next-line BooleanLiteral: JSON.parse of the quoted literal gives the same text as decoding without quotes when nothing is escaped
    let escaped = false;
    for (; this.b[close] !== 0x22; close++) {
      if (this.b[close] === 0x5c) {
        escaped = true;
        close++;
      }
    }
    const raw = decodeUtf8(this.b.subarray(escaped ? start : start + 1, escaped ? close + 1 : close))!;
    return escaped ? (JSON.parse(raw) as string) : raw;
  }

  /**
   * The string literal at `start` quoted for a message: its first 40 characters, or for a
   * literal over 160 bytes its first 120 bytes as written (at most 40 characters of 3 bytes):
   * a 99 MB name costs a scan for its end, not a 99 MB string (and another for its JSON).
   */
  quoted(start: number): string {
    if (this.literalLength(start) <= 160) {
      const s = this.text(start);
      return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s);
    }
    // A prefix of the raw bytes (escapes left as written), cut at a character boundary.
    let cut = start + 1 + 120;
    while ((this.b[cut]! & 0xc0) === 0x80) cut--;
    return JSON.stringify(`${decodeUtf8(this.b.subarray(start + 1, cut))!}...`);
  }

  /** The length in bytes of the string literal at `start`, quotes and escapes included. */
  literalLength(start: number): number {
    let close = start + 1;
    while (this.b[close] !== 0x22) close += this.b[close] === 0x5c ? 2 : 1;
    return close + 1 - start;
  }

  /** True when the string literal at `start` spells exactly `word` (ASCII) without escapes. */
  spells(start: number, word: string): boolean {
    if (this.b[start + 1 + word.length] !== 0x22) return false;
    for (let k = 0; k < word.length; k++) if (this.b[start + 1 + k] !== word.charCodeAt(k)) return false;
    return true;
  }

  /**
   * Reads a non-negative integer written as digits only, at most 2^53 - 1; anything else is
   * refused through `bad(description)` (for example `number 1.0`, `number -0`, `an array`).
   */
  integer(bad: (description: string) => never): number {
    const { b } = this;
    const c = this.peek();
    if (c < 0x30 || c > 0x39) bad(this.describe());
    const start = this.pos;
    let i = start;
    let v = 0;
    while (i < this.end && b[i]! >= 0x30 && b[i]! <= 0x39) v = v * 10 + (b[i++]! - 0x30);
    // Stryker disable next-line UnaryOperator: -1 or 1, any value but '.', 'e' and 'E' means the same below
    const next = i < this.end ? b[i]! : -1;
    if (next === 0x2e || next === 0x65 || next === 0x45 || (b[start] === 0x30 && i - start > 1) || !Number.isSafeInteger(v)) bad(this.describe());
    this.pos = i;
    return v;
  }

  /**
   * What the value at the cursor is, for a message: `an object`, `an array`, `null`,
   * `boolean true`, `number 1.0` or `the string "F33"` (a string is read past; nothing else is).
   */
  describe(): string {
    const c = this.peek();
    if (c === 0x7b) return 'an object';
    if (c === 0x5b) return 'an array';
    if (c === 0x22) return `the string ${this.quoted(this.string())}`;
    let i = this.pos;
    while (i < this.end && i - this.pos < 40 && /[-+.\w]/.test(String.fromCharCode(this.b[i]!))) i++;
    const word = String.fromCharCode(...this.b.subarray(this.pos, i));
    if (word === 'null') return 'null';
    if (word === 'true' || word === 'false') return `boolean ${word}`;
    if (/^-?\d/.test(word)) return `number ${word}`;
    this.syntax('a value');
  }
}
