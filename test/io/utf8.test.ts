/** The core's UTF-8 codec agrees with the platform's (WHATWG, fatal mode) on random input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, encodeUtf8 } from '../../src/io/utf8.js';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function platformDecode(bytes: Uint8Array): string | null {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

describe('utf8', () => {
  it('encodes like TextEncoder for strings without lone surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(Array.from(encodeUtf8(s))).toEqual(Array.from(new TextEncoder().encode(s)));
      }),
      { numRuns: 2000, seed: 1 },
    );
  });

  it('decodes (or refuses) exactly like a fatal TextDecoder, on random and near-valid bytes', () => {
    const nearValid = fc.tuple(fc.string({ unit: 'grapheme' }), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([s, at, byte]) => {
      const b = new TextEncoder().encode(s);
      if (b.length > 0) b[at % b.length] = byte;
      return b;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 12 }), nearValid), (bytes) => {
        expect(decodeUtf8(bytes)).toBe(platformDecode(bytes));
      }),
      { numRuns: 20000, seed: 2 },
    );
  });

  it('refuses overlong forms, surrogates, code points past U+10FFFF and cut-off sequences', () => {
    for (const bad of [[0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xff]]) {
      expect(decodeUtf8(Uint8Array.from(bad)), bad.join(',')).toBeNull();
    }
    expect(decodeUtf8(Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b]))).toBe('\ufeff{');
  });

  it('encodes and decodes the first and last code point of every sequence length as the platform does', () => {
    // U+007F/0080, U+07FF/0800, U+FFFF/10000 and U+10FFFF: where the encoder switches length.
    const edges = [0x00, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x10ffff];
    for (const cp of edges) {
      const s = String.fromCodePoint(cp);
      const bytes = new TextEncoder().encode(s);
      expect(Array.from(encodeUtf8(s)), cp.toString(16)).toEqual(Array.from(bytes));
      expect(decodeUtf8(bytes), cp.toString(16)).toBe(s);
    }
    // The lead bytes on either side of each range: C1/C2, DF/E0, EF/F0, F4/F5.
    // ...and the first and last surrogate, U+D800 and U+DFFF, which UTF-8 never encodes.
    for (const bad of [[0xc1, 0xbf], [0xf5, 0x80, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf]]) expect(decodeUtf8(Uint8Array.from(bad)), bad.join(',')).toBeNull();
    for (const good of [[0xc2, 0x80], [0xdf, 0xbf], [0xe0, 0xa0, 0x80], [0xef, 0xbf, 0xbf], [0xf0, 0x90, 0x80, 0x80], [0xf4, 0x8f, 0xbf, 0xbf]]) {
      expect(decodeUtf8(Uint8Array.from(good)), good.join(',')).toBe(platformDecode(Uint8Array.from(good)));
    }
  });
});

describe('utf8: long input', () => {
  it('decodes 3 MB of mixed text in pieces, exactly as TextDecoder does', () => {
    const text = 'abc \u00e9\u20ac\u{1f600} '.repeat(300_000);
    const bytes = new TextEncoder().encode(text);
    expect(decodeUtf8(bytes)).toBe(text);
  });
});
