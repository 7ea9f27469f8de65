/**
 * safetensors headers at their edges, each test a slip the mutation run found unnoticed: more
 * entries than a column's first allocation, names long enough to be quoted by their raw bytes,
 * words that run into the data region, escaped keys and dtypes, keys in any order or twice,
 * tensors whose offsets tie, distinct names whose hashes collide, exact messages, and the
 * integer conversions that round on the integer.
 */
import { describe, expect, test, vi } from 'vitest';
import { Tensor, safetensors, tensor } from '../../src/index.js';
import { compareCodePoints } from '../../src/io/header.js';
import { safetensorsFile, thrownRecurrentError } from '../helpers.js';

const file = safetensorsFile;

/** One entry as JSON text. */
const entry = (dtype: string, shape: number[], begin: number, end: number) => JSON.stringify({ dtype, shape, data_offsets: [begin, end] });

/** float32 values, little-endian. */
const f32 = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);

/** Asserts that loading `bytes` fails with a 'format' error whose message is exactly `message` after the op. */
function refused(bytes: Uint8Array, message: string): void {
  const e = thrownRecurrentError(() => safetensors.load(bytes));
  expect(e.code).toBe('format');
  expect(e.message).toBe(`safetensors.load: ${message}`);
}

describe('integer dtypes read little-endian and round once on the integer', () => {
  /** A file of one tensor `t` of `dtype` holding `data`. */
  const one = (dtype: string, count: number, data: Uint8Array) => safetensors.load(file(`{"t":${entry(dtype, [count], 0, data.length)}}`, data)).t!;

  test('U16 and U32 take the low byte first', () => {
    expect(Array.from(one('U16', 2, new Uint8Array([1, 0, 0, 1])).data)).toEqual([1, 256]);
    expect(Array.from(one('U32', 2, new Uint8Array([1, 0, 0, 0, 4, 3, 2, 1])).data)).toEqual([1, 0x01020304]);
  });

  test('I64 and U64: ties to even, below a tie, above it, negative, and 24 significant bits kept exactly', () => {
    const values = [
      2n ** 60n + 2n ** 37n + 2n ** 36n, // a tie with an odd kept part: up to 2^60 + 2^38
      2n ** 60n + 2n ** 37n + 1n, // just above the float32 2^60 + 2^37, far below the tie
      -(2n ** 60n + 2n ** 36n + 1n), // just past a tie, negative: away from zero (a double would land on the tie, then on 2^60)
      2n ** 23n + 1n, // 24 bits, odd: exact
      -(2n ** 24n - 1n),
    ];
    const bytes = new Uint8Array(8 * values.length);
    values.forEach((v, i) => new DataView(bytes.buffer).setBigInt64(8 * i, v, true));
    const expected = [2 ** 60 + 2 ** 38, 2 ** 60 + 2 ** 37, -(2 ** 60 + 2 ** 37), 8388609, -16777215];
    expect(Array.from(one('I64', values.length, bytes).data)).toEqual(expected);
    const unsigned = values.slice(0, 2).concat([2n ** 23n + 1n]);
    const ubytes = new Uint8Array(8 * unsigned.length);
    unsigned.forEach((v, i) => new DataView(ubytes.buffer).setBigUint64(8 * i, v, true));
    expect(Array.from(one('U64', unsigned.length, ubytes).data)).toEqual([2 ** 60 + 2 ** 38, 2 ** 60 + 2 ** 37, 8388609]);
  });

  test('F32 signalling NaNs keep every bit (a copy of the bytes, not a trip through a double)', () => {
    const bits = new Uint32Array([0x7f800001, 0xffbfffff, 0x7fa00000]);
    const t = one('F32', 3, new Uint8Array(bits.buffer));
    expect(Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, 3), (b) => b.toString(16))).toEqual(['7f800001', 'ffbfffff', '7fa00000']);
  });
});

describe('many entries', () => {
  test('40 tensors and 40 metadata strings load with their names, values and order', () => {
    const names = Array.from({ length: 40 }, (_, i) => `w${String(i).padStart(2, '0')}`);
    const metadata = Object.fromEntries(names.map((n, i) => [`k${n}`, `v${i}`]));
    const header = `{"__metadata__":${JSON.stringify(metadata)},${names.map((n, i) => `"${n}":${entry('F32', [1], 4 * i, 4 * i + 4)}`).join(',')}}`;
    const { tensors, metadata: back } = safetensors.loadWithMetadata(file(header, f32(...names.map((_, i) => i + 0.5))));
    expect(Object.keys(tensors)).toEqual(names);
    expect(names.map((n) => tensors[n]!.data[0])).toEqual(names.map((_, i) => i + 0.5));
    expect(back).toEqual(metadata);
    expect(Object.keys(back!)).toEqual(Object.keys(metadata));
  });
});

describe('names quoted in messages', () => {
  const notAnObject = (name: string) => `{${name}:5}`;
  const message = (quoted: string) => `tensor ${quoted} must be an object with dtype, shape and data_offsets, got number 5`;

  test('a literal of up to 160 bytes is decoded and cut at 40 characters', () => {
    refused(file(notAnObject(`"${'n'.repeat(158)}"`)), message(`"${'n'.repeat(40)}..."`));
    refused(file(notAnObject(`"\\u0041${'n'.repeat(152)}"`)), message(`"A${'n'.repeat(39)}..."`));
  });

  test('a longer one is quoted by its first 120 bytes as written, cut back to a whole character', () => {
    refused(file(notAnObject(`"${'n'.repeat(159)}"`)), message(`"${'n'.repeat(120)}..."`));
    // 'a' then 2-byte characters: byte 120 is the second half of one, so 59 of them are kept.
    refused(file(notAnObject(`"a${'é'.repeat(100)}"`)), message(`"a${'é'.repeat(59)}..."`));
    // Escapes are left as written, and an escaped quote does not end the literal.
    refused(file(notAnObject(`"\\"${'x'.repeat(200)}"`)), message(JSON.stringify(`\\"${'x'.repeat(118)}...`)));
  });

  test('a short name far into the header is quoted as it is', () => {
    const header = `{"__metadata__":{"k":"${'v'.repeat(200)}"},"b":5}`;
    refused(file(header), message('"b"'));
    refused(file(`{"__metadata__":{"k":"${'v'.repeat(200)}"},"bb":{"dtype":"F33","shape":[],"data_offsets":[0,4]}}`), 'tensor "bb" has an unknown dtype: the string "F33"');
  });
});

describe('values described in messages', () => {
  const shape = (text: string, data: ArrayLike<number> = []) => file(`{"a":{"dtype":"F32","shape":${text}`, data);

  test('a word ends where the header ends, not in the data region', () => {
    refused(shape('nul', [0x6c]), 'header is not valid JSON: expected a value, found "n" at byte 28');
    refused(shape('tru', [0x65]), 'header is not valid JSON: expected a value, found "t" at byte 28');
  });

  test('only a word that starts with a digit or a minus sign is a number', () => {
    refused(shape('+1,"data_offsets":[0,4]}}', f32(1)), 'header is not valid JSON: expected a value, found "+" at byte 28');
    refused(shape('x1,"data_offsets":[0,4]}}', f32(1)), 'header is not valid JSON: expected a value, found "x" at byte 28');
    refused(shape('-x,"data_offsets":[0,4]}}', f32(1)), 'header is not valid JSON: expected a value, found "-" at byte 28');
  });

  test('input that is not a Uint8Array is described', () => {
    for (const [bad, what] of [[new ArrayBuffer(16), 'an object'], [[1, 2, 3], 'an array'], [null, 'null'], ['ab', 'the string "ab"']] as const) {
      const e = thrownRecurrentError(() => safetensors.load(bad as unknown as Uint8Array));
      expect(e.code).toBe('argument');
      expect(e.message).toBe(`safetensors.load: bytes must be a Uint8Array, got ${what}`);
    }
    expect(thrownRecurrentError(() => safetensors.save({ w: {} as Tensor })).message).toBe('safetensors.save: tensors["w"] must be a Tensor, got an object');
  });
});

describe('entries', () => {
  const one = f32(1);

  test('a shape of 1024 dimensions is read, one of 1025 refused', () => {
    const ones = (n: number) => `[${Array(n).fill(1).join(',')}]`;
    expect(safetensors.parseHeader(file(`{"a":{"dtype":"F32","shape":${ones(1024)},"data_offsets":[0,4]}}`, one)).tensors[0]!.shape).toHaveLength(1024);
    refused(file(`{"a":{"dtype":"F32","shape":${ones(1025)},"data_offsets":[0,4]}}`, one), 'tensor "a" shape has more than 1024 dimensions');
  });

  test('data_offsets with one or three numbers are named as such', () => {
    const offsets = (text: string) => file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":${text}}}`, one);
    refused(offsets('[0]'), 'tensor "a" data_offsets must be [begin, end] with non-negative integers, got an array of one number');
    refused(offsets('[0,4,8]'), 'tensor "a" data_offsets must be [begin, end] with non-negative integers, got an array of more than two numbers');
  });

  test('an empty entry, or one without a dtype, names the dtype as missing', () => {
    refused(file('{"a":{}}'), 'tensor "a" has no dtype');
    refused(file('{"a":{"shape":[1],"data_offsets":[0,4]}}', one), 'tensor "a" has no dtype');
    refused(file('{"a":{"dtype":"F32","data_offsets":[0,4]}}', one), 'tensor "a" has no shape');
  });

  test('an escaped key that is no entry key is refused by its decoded name', () => {
    refused(file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"\\u0078":[0,4]}}', one), 'tensor "a" has an unexpected key "x" (allowed: dtype, shape, data_offsets)');
    refused(file('{"a":{"offsets":[0,4]}}', one), 'tensor "a" has an unexpected key "offsets" (allowed: dtype, shape, data_offsets)');
  });

  test('the keys may come in any order, but each only once', () => {
    const t = safetensors.load(file('{"a":{"data_offsets":[0,4],"shape":[1],"dtype":"F32"}}', one)).a!;
    expect([t.shape, Array.from(t.data)]).toEqual([[1], [1]]);
    expect(safetensors.load(file('{"a":{"shape":[1],"data_offsets":[0,4],"dtype":"F32"}}', one)).a!.shape).toEqual([1]);
    refused(file('{"a":{"dtype":"F32","shape":[1],"shape":[2],"data_offsets":[0,4]}}', one), 'header has the key "shape" twice in the object under "a"');
    refused(file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"data_offsets":[0,4]}}', one), 'header has the key "data_offsets" twice in the object under "a"');
  });

  test('an escaped spelling of a dtype is that dtype', () => {
    const t = safetensors.load(file('{"a":{"dtype":"F\\u0033\\u0032","shape":[1],"data_offsets":[0,4]}}', one)).a!;
    expect(Array.from(t.data)).toEqual([1]);
    expect(safetensors.parseHeader(file('{"a":{"dtype":"\\u0042\\u004f\\u004fL","shape":[1],"data_offsets":[0,1]}}', [1])).tensors[0]!.dtype).toBe('BOOL');
  });

  test('a dtype that is no string is never looked for outside the header, even where the length field spells "U8"', () => {
    // N = 0x223855: the file starts with the bytes 'U', '8', '"'.
    const json = '{"a":{"dtype":5,"shape":[1],"data_offsets":[0,1]}}';
    const bytes = file(json, [7], 0x223855 - json.length);
    expect(Array.from(bytes.subarray(0, 3))).toEqual([0x55, 0x38, 0x22]);
    refused(bytes, 'tensor "a" has an unknown dtype: number 5');
  });

  test('a span that disagrees with the size is named with both offsets', () => {
    refused(file(`{"a":${entry('F32', [1], 0, 4)},"b":${entry('F32', [1], 4, 12)}}`, f32(1, 2, 3)), 'tensor "b" data_offsets [4,12] span 8 bytes, but F32 [1] takes 4');
  });
});

describe('duplicate names', () => {
  const three = (names: string[]) => file(`{${names.map((n, i) => `"${n}":${entry('F32', [1], 4 * i, 4 * i + 4)}`).join(',')}}`, f32(1, 2, 3));

  test('the name that repeats is named, wherever the two stand', () => {
    refused(three(['x', 'a', 'a']), 'header has the key "a" twice in the top level');
    refused(three(['a', 'x', 'a']), 'header has the key "a" twice in the top level');
    refused(three(['a', 'x', 'x']), 'header has the key "x" twice in the top level');
  });

  test('distinct names whose hashes collide are distinct names', () => {
    // With the hash seed at 0 (Math.random() = 0), "k18224" and "k59740" have FNV-1a hashes
    // equal in their low 28 bits, the part duplicates are sorted by.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    try {
      const { tensors, metadata } = safetensors.loadWithMetadata(file(`{"__metadata__":{"k59740":"b","k18224":"a"},"k18224":${entry('F32', [1], 0, 4)},"k59740":${entry('F32', [1], 4, 8)}}`, f32(1, 2)));
      expect(metadata).toEqual({ k59740: 'b', k18224: 'a' });
      expect(Object.keys(tensors)).toEqual(['k18224', 'k59740']);
      expect(Array.from(tensors.k59740!.data)).toEqual([2]);
      refused(file(`{"__metadata__":{"k59740":"b","k18224":"a","k59740":"c"}}`), 'header has the key "k59740" twice in the object under "__metadata__"');
    } finally {
      random.mockRestore();
    }
  });
});

describe('order of tensors and of the tiling check', () => {
  const names = (bytes: Uint8Array) => safetensors.parseHeader(bytes).tensors.map((t) => t.name);

  test('ordered by begin, then by end, whatever the header order and the names', () => {
    const emptyAfter = file(`{"a":${entry('F32', [0], 4, 4)},"b":${entry('F32', [1], 0, 4)}}`, f32(1));
    expect(names(emptyAfter)).toEqual(['b', 'a']);
    expect(Object.keys(safetensors.load(emptyAfter))).toEqual(['b', 'a']);
    const emptyFirst = file(`{"a":${entry('F32', [1], 0, 4)},"b":${entry('F32', [0], 0, 0)}}`, f32(1));
    expect(names(emptyFirst)).toEqual(['b', 'a']);
  });

  test('of two tensors with the same offsets, the later one in the header overlaps the earlier', () => {
    refused(file(`{"x":${entry('F32', [1], 0, 4)},"y":${entry('F32', [1], 0, 4)}}`, f32(1)), 'tensor "y" data_offsets [0,4] overlap the 4 bytes before byte 4, where tensor "x" ends');
  });

  test('an escaped __metadata__ key is the metadata wherever it stands', () => {
    const { tensors, metadata } = safetensors.loadWithMetadata(file(`{"a":${entry('F32', [1], 0, 4)},"\\u005f_metadata__":{"k":"v"}}`, f32(1)));
    expect(metadata).toEqual({ k: 'v' });
    expect(Object.keys(tensors)).toEqual(['a']);
  });
});

describe('what load returns belongs to the caller', () => {
  test('tensors and metadata can be replaced and deleted', () => {
    const { tensors, metadata } = safetensors.loadWithMetadata(safetensors.save({ a: tensor([1]), b: tensor([2]) }, { k: 'v', j: 'w' }));
    const c = tensor([3]);
    tensors.a = c;
    delete tensors.b;
    metadata!.k = 'x';
    delete metadata!.j;
    expect(tensors).toEqual({ a: c });
    expect(metadata).toEqual({ k: 'x' });
  });
});

describe('compareCodePoints', () => {
  test('a string sorts after its prefixes, by code point past U+FFFF', () => {
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
    expect(compareCodePoints('\u{1f600}a', '\u{1f600}')).toBeGreaterThan(0);
    expect(compareCodePoints('\u{1f600}', '\uffff')).toBeGreaterThan(0);
    expect(compareCodePoints('ab', 'ab')).toBe(0);
  });
});
