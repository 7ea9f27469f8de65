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
});

describe('utf8: long input', () => {
  it('decodes 3 MB of mixed text in pieces, exactly as TextDecoder does', () => {
    const text = 'abc \u00e9\u20ac\u{1f600} '.repeat(300_000);
    const bytes = new TextEncoder().encode(text);
    expect(decodeUtf8(bytes)).toBe(text);
  });
});
