/**
 * safetensors: the PyTorch fixture, the reference writer's exact bytes, round trips of random
 * state dicts, the float16 / bfloat16 / float64 / integer conversions against hand-computed
 * bit patterns, one test per rejection rule, prototype safety, and a mutation fuzz.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { RecurrentError, Tensor, nn, tensor } from '../../src/index.js';
import * as safetensors from '../../src/io/safetensors.js';
import { fixture, safetensorsFile, type FixtureTensor } from '../helpers.js';

// ---------------------------------------------------------------------------------------------
// Building files by hand
// ---------------------------------------------------------------------------------------------

const file = safetensorsFile;

/** A file whose first 8 bytes claim header length `n`, followed by `rest`. */
function withLength(n: bigint, rest: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(8 + rest.length);
  new DataView(out.buffer).setBigUint64(0, n, true);
  out.set(rest, 8);
  return out;
}

/** One header entry as JSON text. */
function entry(dtype: string, shape: unknown, begin: unknown, end: unknown): string {
  return JSON.stringify({ dtype, shape, data_offsets: [begin, end] });
}

/**
 * Any Unicode scalar value (U+0000 to U+10FFFF without the surrogates) as a string: what
 * fast-check's `unit: 'binary'` draws, without the table of 1.1 million entries that unit builds
 * (0.7 s in every fresh worker, which a mutation run pays once per mutant).
 */
const SURROGATES = 0xe000 - 0xd800;
const scalarValue = fc.integer({ min: 0, max: 0x10ffff - SURROGATES }).map((n) => String.fromCodePoint(n < 0xd800 ? n : n + SURROGATES));

type Setter<T> = (view: DataView, offset: number, value: T) => void;

/** Values packed little-endian, `size` bytes each. */
function packed<T>(size: number, set: Setter<T>, values: readonly T[]): Uint8Array {
  const out = new Uint8Array(size * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => set(view, size * i, v));
  return out;
}

const f32 = (...v: number[]) => packed(4, (d, o, x) => d.setFloat32(o, x, true), v);
const f64 = (...v: number[]) => packed(8, (d, o, x) => d.setFloat64(o, x, true), v);
const u16 = (...v: number[]) => packed(2, (d, o, x) => d.setUint16(o, x, true), v);

/** Raw bytes of a tensor's storage (for bit-exact comparisons, NaN payloads included). */
function rawBytes(data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Asserts that `fn` throws a RecurrentError with code 'format' whose message matches. */
function expectFormat(fn: () => unknown, message: RegExp): void {
  let error: unknown = null;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a RecurrentError').toBeInstanceOf(RecurrentError);
  const e = error as RecurrentError;
  expect(e.code).toBe('format');
  expect(e.op).toBe('safetensors.load');
  expect(e.message).toMatch(message);
}

/** Asserts that save throws a RecurrentError with code 'argument' whose message matches. */
function expectSaveRejects(fn: () => unknown, message: RegExp): void {
  let error: unknown = null;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a RecurrentError').toBeInstanceOf(RecurrentError);
  expect((error as RecurrentError).code).toBe('argument');
  expect((error as RecurrentError).op).toBe('safetensors.save');
  expect((error as RecurrentError).message).toMatch(message);
}

/** The header text of a written file, padding included. */
function headerOf(bytes: Uint8Array): string {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return new TextDecoder().decode(bytes.subarray(8, 8 + n));
}

/** Code point order, written independently of the module (via arrays of code points). */
function byCodePoint(a: string, b: string): number {
  const ca = Array.from(a, (c) => c.codePointAt(0)!);
  const cb = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) if (ca[i] !== cb[i]) return ca[i]! - cb[i]!;
  return ca.length - cb.length;
}

const FIXTURE_BYTES = new Uint8Array(readFileSync(new URL('../fixtures/torch/lstm_2layer_bidir.safetensors', import.meta.url)));

// ---------------------------------------------------------------------------------------------

describe('safetensors: the PyTorch fixture', () => {
  const params = fixture<{ params: Record<string, FixtureTensor> }>('lstm_2layer_bidir').params;

  test('loads the same tensors as lstm_2layer_bidir.json, exactly: names, order, shapes, values', () => {
    const { tensors, metadata } = safetensors.loadWithMetadata(FIXTURE_BYTES);
    expect(Object.keys(tensors)).toEqual(Object.keys(params));
    for (const [name, expected] of Object.entries(params)) {
      expect(tensors[name], name).toBeInstanceOf(Tensor);
      expect(tensors[name]!.shape, name).toEqual(expected.shape);
      expect(Array.from(tensors[name]!.data), name).toEqual(Array.from(Float32Array.from(expected.data)));
    }
    expect(metadata).toEqual({ format: 'pt' });
  });

  test('parseHeader reports names, dtypes, shapes and offsets without reading the data', () => {
    const header = safetensors.parseHeader(FIXTURE_BYTES);
    expect(header.dataStart).toBe(8 + 1232);
    expect(header.metadata).toEqual({ format: 'pt' });
    expect(header.tensors[0]).toEqual({ name: 'weight_ih_l0', dtype: 'F32', shape: [24, 4], dataOffsets: [0, 384] });
    expect(header.tensors.map((t) => t.name)).toEqual(Object.keys(params));
  });

  test('the weights load into nn.LSTM by their PyTorch names and save back unchanged', () => {
    const lstm = new nn.LSTM({ inputSize: 4, hiddenSize: 6, numLayers: 2, bidirectional: true, batchFirst: true });
    const loaded = safetensors.load(FIXTURE_BYTES);
    expect(lstm.loadStateDict(loaded)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const again = safetensors.load(safetensors.save(lstm.stateDict()));
    for (const [name, t] of Object.entries(loaded)) expect(rawBytes(again[name]!.data), name).toEqual(rawBytes(t.data));
  });

  test('loads from a Node Buffer as read by readFileSync (whose slice is a view, not a copy)', () => {
    const buffer = readFileSync(new URL('../fixtures/torch/lstm_2layer_bidir.safetensors', import.meta.url));
    const fromBuffer = safetensors.load(buffer);
    const fromCopy = safetensors.load(FIXTURE_BYTES);
    for (const [name, t] of Object.entries(fromCopy)) expect(rawBytes(fromBuffer[name]!.data), name).toEqual(rawBytes(t.data));
  });

  test('saving the loaded tensors and loading them again gives the same values', () => {
    const first = safetensors.load(FIXTURE_BYTES);
    const second = safetensors.load(safetensors.save(first, { format: 'pt' }));
    expect(Object.keys(second).sort()).toEqual(Object.keys(first).sort());
    for (const name of Object.keys(first)) expect(rawBytes(second[name]!.data)).toEqual(rawBytes(first[name]!.data));
  });
});

describe('safetensors.save: the reference writer layout', () => {
  // Byte vectors from huggingface/safetensors safetensors/src/tensor.rs (test_serialization,
  // test_serialization_forced_alignement, test_empty).
  test('one F32 tensor [1,2,3]: the reference bytes, header exactly 64 bytes', () => {
    const bytes = safetensors.save({ 'attn.0': tensor([0, 1, 2, 3, 4, 5], [1, 2, 3]) });
    expect(Array.from(bytes)).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34,
      115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91,
      48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
  });

  test('a header of 65 bytes is padded with 7 spaces to 72', () => {
    const bytes = safetensors.save({ attn0: tensor([0, 1, 2, 3, 4, 5], [1, 1, 2, 3]) });
    expect(Array.from(bytes)).toEqual([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115,
      104, 97, 112, 101, 34, 58, 91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91,
      48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32, 32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160,
      64,
    ]);
  });

  test('no tensors: "{}" and six spaces; with metadata, "__metadata__" only', () => {
    expect(Array.from(safetensors.save({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect(Array.from(safetensors.save({}, { framework: 'pt' }))).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111,
      114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
  });

  test('header text: metadata first, then tensors by name in UTF-8 byte order, offsets contiguous', () => {
    const bytes = safetensors.save(
      { '😀': tensor([7]), b: tensor(2), '\uFFFD': tensor([8]), a: tensor([1, 2]), é: tensor([[3], [4]]), B: new Tensor(new Float32Array(0), [1, 0]) },
      { z: 'last', a: 'first' },
    );
    // U+1F600 sorts after U+FFFD in UTF-8 (and code point) order, but before it in UTF-16.
    const json =
      '{"__metadata__":{"a":"first","z":"last"},' +
      '"B":{"dtype":"F32","shape":[1,0],"data_offsets":[0,0]},' +
      '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"b":{"dtype":"F32","shape":[],"data_offsets":[8,12]},' +
      '"é":{"dtype":"F32","shape":[2,1],"data_offsets":[12,20]},' +
      '"\uFFFD":{"dtype":"F32","shape":[1],"data_offsets":[20,24]},' +
      '"😀":{"dtype":"F32","shape":[1],"data_offsets":[24,28]}}';
    const length = new TextEncoder().encode(json).length;
    expect(headerOf(bytes)).toBe(json + ' '.repeat(Math.ceil(length / 8) * 8 - length));
    expect(Array.from(new Float32Array(bytes.slice(bytes.length - 28).buffer))).toEqual([1, 2, 2, 3, 4, 8, 7]);
  });

  test('names past U+FFFF sort by code point after U+FFFF, and a name sorts after its prefixes', () => {
    const t = tensor([1]);
    const names = (dict: Record<string, Tensor>) => safetensors.parseHeader(safetensors.save(dict)).tensors.map((x) => x.name);
    expect(names({ '\u{10000}': t, '\uffffb': t, '\uffffa': t, '\uffff': t })).toEqual(['\uffff', '\uffffa', '\uffffb', '\u{10000}']);
    expect(names({ '\u{1f600}b': t, '\u{1f600}a': t, ab: t, a: t })).toEqual(['a', 'ab', '\u{1f600}a', '\u{1f600}b']);
  });

  test('names are escaped as serde_json escapes them: quote, backslash, control characters only', () => {
    const name = 'a"b\\c\n\t\u0001\u007f\u2028/é';
    const text = headerOf(safetensors.save({ [name]: tensor([1]) }));
    expect(text.trimEnd()).toBe('{"a\\"b\\\\c\\n\\t\\u0001\u007f\u2028/é":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
  });

  test('NaN (with its payload), infinities and -0 are written bit for bit', () => {
    const bits = new Uint32Array([0x7fc00001, 0xffbfffff, 0x7f800000, 0xff800000, 0x80000000, 0x00000001]);
    const t = new Tensor(new Float32Array(bits.buffer), [6]);
    const bytes = safetensors.save({ t });
    expect(bytes.subarray(bytes.length - 24)).toEqual(rawBytes(t.data));
    expect(rawBytes(safetensors.load(bytes).t!.data)).toEqual(rawBytes(t.data));
  });

  test('accepts null-prototype dicts and names such as __proto__, and leaves its inputs unchanged', () => {
    const dict = Object.create(null) as Record<string, Tensor>;
    Object.defineProperty(dict, '__proto__', { value: tensor([1, 2]), enumerable: true });
    dict.w = tensor([3]);
    const loaded = safetensors.load(safetensors.save(dict));
    expect(Object.keys(loaded)).toEqual(['__proto__', 'w']);
    expect(Array.from(loaded['__proto__']!.data)).toEqual([1, 2]);
    expect(Array.from(dict.w.data)).toEqual([3]);
  });

  test('rejects invalid names, non-tensors and non-string metadata with an argument error', () => {
    expectSaveRejects(() => safetensors.save({ '': tensor([1]) }), /non-empty/);
    expectSaveRejects(() => safetensors.save({ __metadata__: tensor([1]) }), /"__metadata__"/);
    expectSaveRejects(() => safetensors.save({ w: [1, 2] as unknown as Tensor }), /tensors\["w"\] must be a Tensor, got an array/);
    expectSaveRejects(() => safetensors.save({ w: 'w'.repeat(41) as unknown as Tensor }), /tensors\["w"\] must be a Tensor, got the string "w{40}\.\.\."$/);
    expectSaveRejects(() => safetensors.save({ w: 'w'.repeat(40) as unknown as Tensor }), /tensors\["w"\] must be a Tensor, got the string "w{40}"$/);
    expectSaveRejects(() => safetensors.save(null as unknown as Record<string, Tensor>), /tensors must be an object/);
    expectSaveRejects(() => safetensors.save([tensor([1])] as unknown as Record<string, Tensor>), /tensors must be an object/);
    expectSaveRejects(() => safetensors.save({ w: tensor([1]) }, { v: 1 as unknown as string }), /metadata "v" must be a string, got number 1/);
    expectSaveRejects(() => safetensors.save({}, 'pt' as unknown as Record<string, string>), /metadata must be an object/);
    expectSaveRejects(() => safetensors.save('ab' as unknown as Record<string, Tensor>), /tensors must be an object mapping names to tensors, got the string "ab"$/);
    expectSaveRejects(() => safetensors.save({}, null as unknown as Record<string, string>), /metadata must be an object of strings, got null$/);
    expectSaveRejects(() => safetensors.save({}, ['pt'] as unknown as Record<string, string>), /metadata must be an object of strings, got an array$/);
    expectSaveRejects(() => safetensors.save({ 'a\uD800': tensor([1]) }), /tensor name "a\\ud800" has a lone UTF-16 surrogate, which UTF-8 cannot encode$/);
    expectSaveRejects(() => safetensors.save({}, { k: '\uDC00' }), /metadata value "\\udc00" has a lone UTF-16 surrogate/);
    expectSaveRejects(() => safetensors.save({}, { '\uDC00': 'v' }), /metadata key "\\udc00" has a lone UTF-16 surrogate/);
  });
});

describe('safetensors: round trip (property)', () => {
  const nameArb = fc
    .oneof(
      fc.string({ unit: scalarValue, minLength: 1, maxLength: 10 }),
      fc.array(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }).map((p) => p.join('.')),
      fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'weight_ih_l0', '0', '10', 'é', '😀', '\uFFFD', 'a"b\\c\n'),
    )
    .filter((n) => n !== '__metadata__');
  const tensorArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }).chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return fc.int32Array({ minLength: n, maxLength: n }).map((bits) => new Tensor(new Float32Array(bits.buffer), shape));
  });
  const metadataArb = fc.option(fc.dictionary(fc.string({ unit: scalarValue, maxLength: 8 }), fc.string({ unit: scalarValue, maxLength: 16 }), { maxKeys: 4 }), {
    nil: undefined,
  });

  test('save then load gives the same names, shapes, bytes and metadata; the layout is aligned', () => {
    fc.assert(
      fc.property(fc.dictionary(nameArb, tensorArb, { maxKeys: 6 }), metadataArb, (dict, metadata) => {
        const bytes = safetensors.save(dict, metadata);
        const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
        expect(n % 8).toBe(0);
        const text = headerOf(bytes);
        expect(text.length - text.trimEnd().length).toBeLessThan(8);
        expect(text.startsWith('{"__metadata__":')).toBe(metadata !== undefined);

        const header = safetensors.parseHeader(bytes);
        const names = Object.keys(dict).sort(byCodePoint);
        expect(header.tensors.map((t) => t.name)).toEqual(names);
        for (const t of header.tensors) expect((header.dataStart + t.dataOffsets[0]) % 4).toBe(0);
        const dataBytes = names.reduce((s, k) => s + 4 * dict[k]!.numel(), 0);
        expect(bytes.length).toBe(8 + n + dataBytes);

        const { tensors, metadata: back } = safetensors.loadWithMetadata(bytes);
        expect(Object.keys(tensors).sort(byCodePoint)).toEqual(names);
        for (const name of names) {
          expect(tensors[name]!.shape).toEqual(dict[name]!.shape);
          expect(rawBytes(tensors[name]!.data)).toEqual(rawBytes(dict[name]!.data));
        }
        if (metadata === undefined) expect(back).toBeNull();
        else expect(Object.entries(back!).sort()).toEqual(Object.entries(metadata).sort());
      }),
      { numRuns: 300 },
    );
  });
});

describe('safetensors.load: other dtypes become float32', () => {
  test('F16: 1, -2.5, +-65504, subnormals, the smallest normal, -0, +-Infinity, NaN, 1/3', () => {
    const halves = [0x3c00, 0xc100, 0x7bff, 0xfbff, 0x0001, 0x03ff, 0x0400, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x3555];
    const expected = [
      1, -2.5, 65504, -65504, 5.960464477539063e-8, 6.097555160522461e-5, 6.103515625e-5, -0, Infinity, -Infinity, NaN, 0.333251953125,
    ];
    const t = safetensors.load(file(`{"h":${entry('F16', [12], 0, 24)}}`, u16(...halves))).h!;
    expect(t.shape).toEqual([12]);
    expect(Array.from(t.data)).toEqual(expected);
    expect(Object.is(t.data[7], -0)).toBe(true);
  });

  test('BF16: 1, -2.5, the largest finite, the smallest subnormal, -0, +-Infinity, NaN', () => {
    const bf = [0x3f80, 0xc020, 0x7f7f, 0x0001, 0x8000, 0x7f80, 0xff80, 0x7fc0, 0x3eab, 0x0080];
    const expected = [1, -2.5, 3.3895313892515355e38, 9.183549615799121e-41, -0, Infinity, -Infinity, NaN, 0.333984375, 1.1754943508222875e-38];
    const t = safetensors.load(file(`{"b":${entry('BF16', [2, 5], 0, 20)}}`, u16(...bf))).b!;
    expect(t.shape).toEqual([2, 5]);
    expect(Array.from(t.data)).toEqual(expected);
    expect(Object.is(t.data[4], -0)).toBe(true);
  });

  test('F64: rounded to the nearest float32, ties to even, overflow to Infinity, underflow to 0', () => {
    const values = [1, -2.5, 0.1, 1 + 2 ** -24, 1 + 3 * 2 ** -24, 1e300, -1e300, 1e-50, -1e-50, 1e-45, 16777217, NaN];
    const expected = [1, -2.5, 0.10000000149011612, 1, 1.000000238418579, Infinity, -Infinity, 0, -0, 1.401298464324817e-45, 16777216, NaN];
    const t = safetensors.load(file(`{"d":${entry('F64', [12], 0, 96)}}`, f64(...values))).d!;
    expect(Array.from(t.data)).toEqual(expected);
    expect(Object.is(t.data[8], -0)).toBe(true);
  });

  test('integer dtypes and BOOL: exact when small, rounded once (ties to even) when large', () => {
    const i8 = packed(1, (d, o, x: number) => d.setInt8(o, x), [-128, 127, 0]);
    const u8 = packed(1, (d, o, x: number) => d.setUint8(o, x), [0, 255]);
    const i16 = packed(2, (d, o, x: number) => d.setInt16(o, x, true), [-32768, 32767]);
    const i32 = packed(4, (d, o, x: number) => d.setInt32(o, x, true), [-(2 ** 31), 16777217, 16777219]);
    const u32 = packed(4, (d, o, x: number) => d.setUint32(o, x, true), [4294967295]);
    const i64 = packed(8, (d, o, x: bigint) => d.setBigInt64(o, x, true), [-(2n ** 63n), 2n ** 60n + 2n ** 36n + 1n, 2n ** 60n + 2n ** 36n, 2n ** 53n + 1n, -5n]);
    const u64 = packed(8, (d, o, x: bigint) => d.setBigUint64(o, x, true), [2n ** 64n - 1n, 3n]);
    const bool = new Uint8Array([0, 1, 2, 255]);
    const parts: [string, string, number, Uint8Array][] = [
      ['i64', 'I64', 5, i64],
      ['u64', 'U64', 2, u64],
      ['i32', 'I32', 3, i32],
      ['u32', 'U32', 1, u32],
      ['i16', 'I16', 2, i16],
      ['u16', 'U16', 1, u16(65535)],
      ['i8', 'I8', 3, i8],
      ['u8', 'U8', 2, u8],
      ['bool', 'BOOL', 4, bool],
    ];
    let offset = 0;
    const entries = parts.map(([name, dtype, n, bytes]) => {
      const e = `"${name}":${entry(dtype, [n], offset, offset + bytes.length)}`;
      offset += bytes.length;
      return e;
    });
    const data = new Uint8Array(offset);
    let at = 0;
    for (const [, , , bytes] of parts) {
      data.set(bytes, at);
      at += bytes.length;
    }
    const t = safetensors.load(file(`{${entries.join(',')}}`, data));
    const values = (name: string) => Array.from(t[name]!.data);
    expect(values('i64')).toEqual([-9223372036854775808, 1152921642045800448, 1152921504606846976, 9007199254740992, -5]);
    expect(values('u64')).toEqual([18446744073709551616, 3]);
    expect(values('i32')).toEqual([-2147483648, 16777216, 16777220]);
    expect(values('u32')).toEqual([4294967296]);
    expect(values('i16')).toEqual([-32768, 32767]);
    expect(values('u16')).toEqual([65535]);
    expect(values('i8')).toEqual([-128, 127, 0]);
    expect(values('u8')).toEqual([0, 255]);
    expect(values('bool')).toEqual([0, 1, 1, 1]);
  });

  test('entries may list tensors in any order and offsets need no alignment', () => {
    const data = new Uint8Array([...u16(0x3c00), ...f32(2, 3), ...f64(4)]);
    const header = `{"c":${entry('F64', [], 10, 18)},"a":${entry('F16', [1], 0, 2)},"b":${entry('F32', [2], 2, 10)}}`;
    const t = safetensors.load(file(header, data));
    expect(Object.keys(t)).toEqual(['a', 'b', 'c']);
    expect([...t.a!.data, ...t.b!.data, ...t.c!.data]).toEqual([1, 2, 3, 4]);
    expect(t.c!.shape).toEqual([]);
  });

  test('dtypes that cannot become float32 are refused by load and described by parseHeader', () => {
    const bytes = file(`{"q":${entry('F8_E4M3', [2], 0, 2)},"w":${entry('F32', [1], 2, 6)}}`, [1, 2, ...f32(1)]);
    expectFormat(() => safetensors.load(bytes), /tensor "q" has dtype F8_E4M3, which cannot be loaded as float32 \(loadable: BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64\)$/);
    expect(safetensors.parseHeader(bytes).tensors.map((t) => t.dtype)).toEqual(['F8_E4M3', 'F32']);
    expectFormat(() => safetensors.load(file(`{"c":${entry('C64', [1], 0, 8)}}`, new Uint8Array(8))), /dtype C64/);
  });
});

describe('safetensors.load: copy or view', () => {
  const bytes = safetensors.save({ w: tensor([1, 2, 3]) });

  test('by default every tensor owns its storage: changing the file bytes changes nothing', () => {
    const copyOfBytes = bytes.slice();
    const w = safetensors.load(copyOfBytes).w!;
    expect(w.data.buffer).not.toBe(copyOfBytes.buffer);
    copyOfBytes.fill(0, 8);
    expect(Array.from(w.data)).toEqual([1, 2, 3]);
  });

  test('copy: false gives a view of aligned F32 data', () => {
    const copyOfBytes = bytes.slice();
    const w = safetensors.load(copyOfBytes, { copy: false }).w!;
    expect(w.data.buffer).toBe(copyOfBytes.buffer);
    copyOfBytes.set(f32(9), copyOfBytes.length - 12);
    expect(Array.from(w.data)).toEqual([9, 2, 3]);
  });

  /** A file whose data starts `at` bytes past a multiple of 4 (the header padded with spaces). */
  const placed = (header: string, data: Uint8Array, at: number) => file(header, data, (((at - 8 - header.length) % 4) + 4) % 4);

  test('copy: false views F32 data wherever its address is a multiple of 4, even in a view at an odd offset', () => {
    const header = `{"w":${entry('F32', [2], 0, 8)}}`;
    const bytes = placed(header, f32(5, 6), 3);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const w = safetensors.load(shifted.subarray(1), { copy: false }).w!;
    expect(w.data.buffer).toBe(shifted.buffer);
    expect(Array.from(w.data)).toEqual([5, 6]);
  });

  test('copy: false converts other dtypes as a copy does', () => {
    const halves = placed(`{"h":${entry('F16', [2], 0, 4)}}`, u16(0x3c00, 0xc000), 0);
    const h = safetensors.load(halves, { copy: false }).h!;
    expect(h.data.buffer).not.toBe(halves.buffer);
    expect(Array.from(h.data)).toEqual([1, -2]);
  });

  test('copy: false still copies F32 data that is not 4-byte aligned in memory', () => {
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const view = shifted.subarray(1);
    const w = safetensors.load(view, { copy: false }).w!;
    expect(w.data.buffer).not.toBe(shifted.buffer);
    expect(Array.from(w.data)).toEqual([1, 2, 3]);
  });
});

describe('safetensors.load: rejections', () => {
  const ok = `"a":${entry('F32', [1], 0, 4)}`;
  const one = f32(1);

  test('a file shorter than 8 bytes', () => {
    expectFormat(() => safetensors.load(new Uint8Array(0)), /file is 0 bytes, shorter than the 8-byte header length field/);
    expectFormat(() => safetensors.load(new Uint8Array(7)), /file is 7 bytes/);
  });

  test('a header length above 100,000,000, read as a 64-bit integer', () => {
    expectFormat(() => safetensors.load(withLength(100_000_001n, new Uint8Array(8))), /header length 100000001 is more than the 100000000 bytes allowed/);
    expectFormat(() => safetensors.load(withLength(2n ** 64n - 1n, new Uint8Array(8))), /header length 18446744073709551615 is more than/);
    expectFormat(() => safetensors.load(withLength(2n ** 53n + 1n, new Uint8Array(8))), /header length 9007199254740993 is more/);
  });

  test('the limits themselves are allowed: a header of exactly 100,000,000 bytes, 2^31 - 1 elements, 2^53 - 1 as a size', () => {
    // Each passes its own check and fails the next one, which names what it checked.
    expectFormat(() => safetensors.load(withLength(100_000_000n, new Uint8Array(4))), /header length 100000000 runs past the end of the file/);
    const shaped = (shape: string, dtype = 'U8') => safetensors.load(file(`{"a":{"dtype":"${dtype}","shape":${shape},"data_offsets":[0,1]}}`, [1]));
    expectFormat(() => shaped('[2147483647]'), /^safetensors\.load: tensor "a" data_offsets \[0,1\] span 1 bytes, but U8 \[2147483647\] takes 2147483647$/);
    expectFormat(() => shaped('[2147483648]'), /tensor "a" shape \[2147483648\] has 2147483648 elements, more than a tensor can hold \(2147483647\)$/);
    expectFormat(() => shaped('[9007199254740991]'), /tensor "a" shape \[9007199254740991\] has 9007199254740991 elements, more than a tensor can hold/);
    expectFormat(() => shaped('[9007199254740992]'), /tensor "a" shape must hold non-negative integers, got number 9007199254740992$/);
    expectFormat(() => shaped('[4503599627370496,2]'), /tensor "a" shape \[4503599627370496,2\] overflows while counting its elements$/);
  });

  test('a header length past the end of the file', () => {
    expectFormat(() => safetensors.load(withLength(100n, new TextEncoder().encode('{}'))), /header length 100 runs past the end of the file \(10 bytes, so at most 2\)/);
    expectFormat(() => safetensors.load(withLength(1n, [])), /header length 1 runs past the end/);
  });

  test('a header that is not UTF-8 (invalid bytes, overlong forms, encoded surrogates)', () => {
    for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
      const text = [...new TextEncoder().encode('{"'), ...bad, ...new TextEncoder().encode('":1}')];
      expectFormat(() => safetensors.load(withLength(BigInt(text.length), text)), /header \(\d+ bytes\) is not valid UTF-8/);
    }
  });

  test('a header that does not start with "{" (a byte-order mark, leading space, an array)', () => {
    const bom = [0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{}')];
    expectFormat(() => safetensors.load(withLength(BigInt(bom.length), bom)), /header must be a JSON object starting with "\{", got "\\ufeff\{\}"/);
    expectFormat(() => safetensors.load(file(' {}')), /starting with "\{", got " \{\}"/);
    expectFormat(() => safetensors.load(file('[]')), /starting with "\{"/);
    expectFormat(() => safetensors.load(file('')), /starting with "\{", got ""/);
    // The first 20 bytes, cut back to whole characters: 19 spaces, not half an e-acute.
    expectFormat(() => safetensors.load(file(`${' '.repeat(19)}\u00e9{}`)), new RegExp(`starting with "\\{", got "${' '.repeat(19)}"$`));
    expectFormat(() => safetensors.load(file(`${' '.repeat(18)}\u20ac{}`)), new RegExp(`starting with "\\{", got "${' '.repeat(18)}"$`));
    expectFormat(() => safetensors.load(file(`${' '.repeat(18)}\u00e9{}`)), new RegExp(`starting with "\\{", got "${' '.repeat(18)}\\\\u00e9"$`));
  });

  test('a header that is not JSON', () => {
    expectFormat(() => safetensors.load(file('{"a":')), /header is not valid JSON/);
    expectFormat(() => safetensors.load(file("{'a':1}")), /header is not valid JSON/);
    expectFormat(() => safetensors.load(file('{} x')), /header is not valid JSON/);
    expectFormat(() => safetensors.load(file('{"a\u0001":1}')), /header has an invalid string|not valid JSON/);
  });

  test('a JSON syntax error names what was expected and the byte of the header where it was found', () => {
    const syntax = (header: string, message: string) => expectFormat(() => safetensors.load(file(header)), new RegExp(`^safetensors\\.load: header ${message.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}`));
    syntax(`{'a':1}`, `is not valid JSON: expected a string, found "'" at byte 1`);
    syntax('{"a" 1}', 'is not valid JSON: expected ":", found "1" at byte 5');
    syntax('{} x', 'is not valid JSON: expected only spaces after the header object, found "x" at byte 3');
    syntax('{"__metadata__":{"k":"v" "x":"y"}}', 'is not valid JSON: expected "," or "}", found "\\"" at byte 25');
    syntax('{"a":', 'is not valid JSON: expected a value, found the end of the header');
    syntax('{"ab', 'is not valid JSON: a string from byte 1 never ends');
    // The header's end, not the file's: a quote in the data region does not end the string.
    expectFormat(() => safetensors.load(file('{"ab', [0x22, 0x3a, 0x7d])), /header is not valid JSON: a string from byte 1 never ends$/);
    syntax('{"a\u0001":1}', 'is not valid JSON: a control character (1) inside a string at byte 3');
    syntax('{"a\\x":1}', 'is not valid JSON: an invalid escape inside a string at byte 3');
    syntax('{"\\u12G4":1}', 'is not valid JSON: an invalid \\u escape at byte 2');
    // The characters next to the digits and letters: '/', ':', '@', '`', 'W' and 'g'.
    for (const c of '/:@`Wg') syntax(`{"\\u00${c}0":1}`, 'is not valid JSON: an invalid \\u escape at byte 2');
    syntax('{"\\u12', 'is not valid JSON: an invalid \\u escape at byte 2');
    syntax('{"x\\udc00":1}', 'has a lone UTF-16 surrogate \\udc00 in a string at byte 3, which UTF-8 cannot encode');
    syntax('{"\\ud800\\u0041":1}', 'has a lone UTF-16 surrogate \\ud800 in a string at byte 2, which UTF-8 cannot encode');
  });

  test('a value of the wrong kind is described in the message, long ones cut at 40 characters', () => {
    const shape = (value: string, described: string) =>
      expectFormat(() => safetensors.load(file(`{"a":{"dtype":"F32","shape":${value},"data_offsets":[0,4]}}`, f32(1))), new RegExp(`tensor "a" shape must be an array of sizes, got ${described}$`));
    shape('true', 'boolean true');
    shape('false', 'boolean false');
    shape('null', 'null');
    shape('{}', 'an object');
    shape('1e5', 'number 1e5');
    shape('-0.5', 'number -0\\.5');
    shape('1'.repeat(50), `number 1{40}`);
    shape(`"${'s'.repeat(40)}"`, `the string "s{40}"`);
    shape(`"${'s'.repeat(41)}"`, `the string "s{40}\\.\\.\\."`);
    expectFormat(() => safetensors.load(file(`{"a":{"dtype":"${'D'.repeat(41)}","shape":[1],"data_offsets":[0,4]}}`, f32(1))), /tensor "a" has an unknown dtype: the string "D{40}\.\.\."$/);
    expectFormat(() => safetensors.load(file(`{"a":{"dtype":"${'D'.repeat(40)}","shape":[1],"data_offsets":[0,4]}}`, f32(1))), /tensor "a" has an unknown dtype: the string "D{40}"$/);
  });

  test('surrogate escapes: only a high one followed by the escape of a low one makes a pair', () => {
    const pair = (escapes: string) => Object.keys(safetensors.load(file(`{"${escapes}":${entry('F32', [1], 0, 4)}}`, f32(1))));
    expect(pair('\\ud800\\udc00')).toEqual(['\u{10000}']);
    expect(pair('\\udbff\\udfff')).toEqual(['\u{10ffff}']);
    const lone = (escapes: string, unit: string, at: number) =>
      expectFormat(() => safetensors.load(file(`{"${escapes}":${entry('F32', [1], 0, 4)}}`, f32(1))), new RegExp(`lone UTF-16 surrogate \\\\${unit} in a string at byte ${at},`));
    lone('\\udfff', 'udfff', 2);
    lone('\\ud800\\ue000', 'ud800', 2); // a \u escape, but not of a low surrogate
    lone('\\ud800abdc00', 'ud800', 2); // hex digits, but no backslash
    lone('\\ud800\\"dc00', 'ud800', 2); // a backslash, but not \u
    lone('\\udc00\\udc00', 'udc00', 2); // a low one first
    lone('\\ud800xudc00', 'ud800', 2); // u and hex digits, but no backslash
    lone('\\u0041\\udc00', 'udc00', 8); // a low one after an escape that is no surrogate
  });

  test('a header ends where its length says, even inside an escape, a number or a key', () => {
    expectFormat(() => safetensors.load(file('{"\\u12', [0x33, 0x34, 0x22])), /header is not valid JSON: an invalid \\u escape at byte 2$/);
    expectFormat(() => safetensors.load(file('{"\\u123', [0x34, 0x22])), /header is not valid JSON: an invalid \\u escape at byte 2$/);
    expectFormat(() => safetensors.load(file('{"a":{"dtype":"F32","shape":[9007199254740991', [0x31])), /expected "," or "\]", found the end of the header$/);
    expectFormat(() => safetensors.load(file('{"a":{"dtype":"F32","shape":[1', new TextEncoder().encode('2'.repeat(20)))), /expected "," or "\]", found the end of the header$/);
    expectFormat(() => safetensors.load(file('{"a":{"dtype":"F32","shape":[1', new TextEncoder().encode('.5e1'))), /expected "," or "\]", found the end of the header$/);
    for (const size of ['1e0', '1E0', '1.0']) {
      expectFormat(() => safetensors.load(file(`{"a":{"dtype":"F32","shape":[${size}],"data_offsets":[0,4]}}`, f32(1))), new RegExp(`shape must hold non-negative integers, got number ${size.replace('.', '\\.')}$`));
    }
    expectFormat(() => safetensors.load(file(`{"a":{"dtypes":"F32","shape":[1],"data_offsets":[0,4]}}`, f32(1))), /tensor "a" has an unexpected key "dtypes"/);
    expect(Object.keys(safetensors.load(file(`{"__metadata__x":${entry('F32', [1], 0, 4)},"__metadata__":{}}`, f32(1))))).toEqual(['__metadata__x']);
  });

  test('escapes decode to the characters they name, and every spelling of a name is the same name', () => {
    // Each simple escape, \u in either case, and a surrogate pair, in one name.
    const header = `{"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u00C9\\u00fF\\u0039\\u00aA\\ud83d\\ude00":${entry('F32', [1], 0, 4)}}`;
    expect(Object.keys(safetensors.load(file(header, f32(1))))).toEqual(['"\\/\b\f\n\r\tA\u00e9\u00c9\u00ff9\u00aa\u{1f600}']);
    // Escaped and literal spellings of 1-, 2-, 3- and 4-byte characters, and two escapes of one
    // control character, are one key twice.
    const pairs = [['\\u0061', 'a'], ['\\u007f', '\u007f'], ['\\u0080', '\u0080'], ['\\u07ff', '\u07ff'], ['\\u0800', '\u0800'], ['\\uffff', '\uffff'], ['\\ud800\\udc00', '\u{10000}'], ['\\u00e9', '\u00e9'], ['\\u20AC', '\u20ac'], ['\\ud83d\\ude00', '\u{1f600}'], ['\\/', '/'], ['\\n', '\\u000a'], ['\\t', '\\u0009'], ['\\r', '\\u000D'], ['\\b', '\\u0008'], ['\\f', '\\u000c'], ['\\"', '\\u0022'], ['\\\\', '\\u005c']];
    for (const [one, other] of pairs) {
      const twice = `{"x${one}":${entry('F32', [1], 0, 4)},"x${other}":${entry('F32', [1], 4, 8)}}`;
      expectFormat(() => safetensors.load(file(twice, f32(1, 2))), /^safetensors\.load: header has the key "x.{1,2}" twice in the top level/u);
    }
  });

  test('JSON whitespace (space, tab, line feed, carriage return) may stand between any tokens, nothing else', () => {
    const header = '{\t"a"\n:\r{ "dtype" :\t"F32",\n"shape":[ 1\t]\r,"data_offsets":\n[0 ,\r4]}\n}\t\r\n ';
    expect(Object.keys(safetensors.load(file(header, f32(1))))).toEqual(['a']);
    expectFormat(() => safetensors.load(file('{\f}')), /expected a string, found "\\f" at byte 1/);
    expectFormat(() => safetensors.load(file('{}\v')), /expected only spaces after the header object, found "\\u000b" at byte 2/);
  });

  test('trailing spaces after the JSON are accepted as padding', () => {
    expect(Object.keys(safetensors.load(file(`{${ok}}`, one, 13)))).toEqual(['a']);
  });

  test('duplicate tensor names, however they are spelled', () => {
    expectFormat(() => safetensors.load(file(`{${ok},${ok}}`, one)), /header has the key "a" twice in the top level/);
    expectFormat(() => safetensors.load(file(`{${ok},"\\u0061":${entry('F32', [1], 0, 4)}}`, one)), /key "a" twice in the top level/);
  });

  test('duplicate keys inside an entry or in __metadata__', () => {
    const twice = `{"a":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}}`;
    expectFormat(() => safetensors.load(file(twice, one)), /header has the key "dtype" twice in the object under "a"/);
    expectFormat(() => safetensors.load(file(`{"__metadata__":{"k":"1","k":"2"}}`)), /key "k" twice in the object under "__metadata__"/);
  });

  test('nesting where a header has none is refused at its first bracket, nothing built', () => {
    expectFormat(() => safetensors.load(file(`{"a":${entry('F32', [[1]], 0, 4)}}`, one)), /tensor "a" shape must hold non-negative integers, got an array/);
    expectFormat(() => safetensors.load(file(`{"a":[${'['.repeat(100_000)}`)), /tensor "a" must be an object with dtype, shape and data_offsets, got an array/);
    expectFormat(() => safetensors.load(file(`{"__metadata__":{"k":${'['.repeat(100_000)}`)), /__metadata__ "k" must be a string, got an array/);
  });

  test('__metadata__ that is not an object', () => {
    for (const bad of ['"pt"', 'null', '["pt"]', '1']) {
      expectFormat(() => safetensors.load(file(`{"__metadata__":${bad}}`)), /__metadata__ must be an object of strings/);
    }
  });

  test('__metadata__ values that are not strings', () => {
    expectFormat(() => safetensors.load(file('{"__metadata__":{"k":1}}')), /__metadata__ "k" must be a string, got number 1/);
    expectFormat(() => safetensors.load(file('{"__metadata__":{"k":null}}')), /__metadata__ "k" must be a string, got null/);
    expectFormat(() => safetensors.load(file('{"__metadata__":{"k":{}}}')), /__metadata__ "k" must be a string, got an object/);
  });

  test('an entry that is not an object', () => {
    expectFormat(() => safetensors.load(file('{"a":5}')), /tensor "a" must be an object with dtype, shape and data_offsets, got number 5/);
    expectFormat(() => safetensors.load(file('{"a":[]}')), /tensor "a" must be an object/);
  });

  test('an entry with a missing or an extra key', () => {
    expectFormat(() => safetensors.load(file('{"a":{"dtype":"F32","data_offsets":[0,4]}}', one)), /tensor "a" has no shape/);
    expectFormat(() => safetensors.load(file('{"a":{"dtype":"F32","shape":[1]}}', one)), /tensor "a" has no data_offsets/);
    const extra = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"offsets":[0,4]}}';
    expectFormat(() => safetensors.load(file(extra, one)), /tensor "a" has an unexpected key "offsets"/);
  });

  test('an unknown dtype', () => {
    expectFormat(() => safetensors.load(file(`{"a":${entry('F33', [1], 0, 4)}}`, one)), /tensor "a" has an unknown dtype: the string "F33"/);
    expectFormat(() => safetensors.load(file(`{"a":${entry('f32', [1], 0, 4)}}`, one)), /unknown dtype/);
    expectFormat(() => safetensors.load(file(`{"a":${entry('__proto__', [1], 0, 4)}}`, one)), /unknown dtype/);
    expectFormat(() => safetensors.load(file('{"a":{"dtype":32,"shape":[1],"data_offsets":[0,4]}}', one)), /unknown dtype: number 32/);
  });

  test('a shape that is not an array of non-negative integers', () => {
    expectFormat(() => safetensors.load(file(`{"a":${entry('F32', 1, 0, 4)}}`, one)), /tensor "a" shape must be an array of sizes, got number 1/);
    expectFormat(() => safetensors.load(file(`{"a":${entry('F32', [-1], 0, 4)}}`, one)), /tensor "a" shape must hold non-negative integers, got number -1/);
    expectFormat(() => safetensors.load(file(`{"a":${entry('F32', [1.5], 0, 4)}}`, one)), /non-negative integers, got number 1.5/);
    expectFormat(() => safetensors.load(file(`{"a":{"dtype":"F32","shape":[-0],"data_offsets":[0,0]}}`)), /non-negative integers/);
    expectFormat(() => safetensors.load(file(`{"a":${entry('F32', ['1'], 0, 4)}}`, one)), /non-negative integers, got the string "1"/);
    expectFormat(() => safetensors.load(file(`{"a":${entry('F32', [2 ** 53], 0, 4)}}`, one)), /non-negative integers/);
  });

  test('a shape with more elements than a tensor can hold, or whose count overflows', () => {
    expectFormat(() => safetensors.load(file(`{"a":${entry('F32', [65536, 32768], 0, 4)}}`, one)), /shape \[65536,32768\] has 2147483648 elements, more than a tensor can hold/);
    expectFormat(() => safetensors.load(file(`{"a":${entry('F32', [2 ** 40, 2 ** 40, 0], 0, 0)}}`)), /shape \[1099511627776,1099511627776,0\] overflows/);
    expect(safetensors.load(file(`{"a":${entry('F32', [0, 2 ** 40], 0, 0)}}`)).a!.shape).toEqual([0, 2 ** 40]);
  });

  test('data_offsets that are not two non-negative integers, or end before they begin', () => {
    for (const bad of ['[0]', '[0,4,8]', '[-4,0]', '[0,4.5]', '[0,"4"]', `[0,${2 ** 53}]`, '{"0":0,"1":4}', 'null']) {
      const header = `{"a":{"dtype":"F32","shape":[1],"data_offsets":${bad}}}`;
      expectFormat(() => safetensors.load(file(header, one)), /tensor "a" data_offsets must be \[begin, end\] with non-negative integers/);
    }
    expectFormat(() => safetensors.load(file(`{"a":${entry('F32', [0], 4, 0)}}`, one)), /tensor "a" data_offsets \[4,0\] end before they begin/);
  });

  test('data_offsets whose length is not elements x dtype size', () => {
    expectFormat(() => safetensors.load(file(`{"a":${entry('F32', [2], 0, 4)}}`, one)), /tensor "a" data_offsets \[0,4\] span 4 bytes, but F32 \[2\] takes 8/);
    expectFormat(() => safetensors.load(file(`{"a":${entry('F16', [3], 0, 4)}}`, one)), /span 4 bytes, but F16 \[3\] takes 6/);
  });

  test('sizes that are not whole bytes (sub-byte dtypes)', () => {
    expectFormat(() => safetensors.load(file(`{"a":${entry('F4', [3], 0, 2)}}`, [0, 0])), /tensor "a" F4 \[3\] takes 12 bits, not a whole number of bytes/);
    expect(safetensors.parseHeader(file(`{"a":${entry('F4', [4], 0, 2)}}`, [0, 0])).tensors[0]!.dtype).toBe('F4');
  });

  test('a gap before the first tensor or between tensors', () => {
    expectFormat(() => safetensors.load(file(`{"a":${entry('F32', [1], 4, 8)}}`, f32(0, 1))), /tensor "a" data_offsets \[4,8\] leave a gap of 4 bytes after byte 0, where the data region starts/);
    const header = `{"a":${entry('F32', [1], 0, 4)},"b":${entry('F32', [1], 8, 12)}}`;
    expectFormat(() => safetensors.load(file(header, f32(0, 1, 2))), /tensor "b" data_offsets \[8,12\] leave a gap of 4 bytes after byte 4, where tensor "a" ends/);
  });

  test('overlapping tensors', () => {
    const header = `{"a":${entry('F32', [2], 0, 8)},"b":${entry('F32', [1], 4, 8)}}`;
    expectFormat(() => safetensors.load(file(header, f32(0, 1))), /tensor "b" data_offsets \[4,8\] overlap the 4 bytes before byte 8, where tensor "a" ends/);
    const same = `{"a":${entry('F32', [1], 0, 4)},"b":${entry('F32', [1], 0, 4)}}`;
    expectFormat(() => safetensors.load(file(same, f32(0))), /data_offsets \[0,4\] overlap/);
  });

  test('tensors that run past the end of the data', () => {
    expectFormat(() => safetensors.load(file(`{"a":${entry('F32', [2], 0, 8)}}`, one)), /tensor "a" data_offsets \[0,8\] run past the end of the data region \(4 bytes\)/);
  });

  test('bytes after the last tensor (no trailing data, no polyglot files)', () => {
    expectFormat(() => safetensors.load(file(`{${ok}}`, f32(1, 2))), /the file has 4 bytes after the last tensor \(data region 8 bytes, tensors end at 4\)/);
    expectFormat(() => safetensors.load(file('{}', [1, 2, 3])), /the file has 3 bytes after the last tensor/);
  });

  test('input that is not a Uint8Array is an argument error', () => {
    for (const bad of [new ArrayBuffer(16), [1, 2, 3], null]) {
      let error: unknown;
      try {
        safetensors.load(bad as unknown as Uint8Array);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RecurrentError);
      expect((error as RecurrentError).code).toBe('argument');
    }
  });
});

describe('safetensors.load: prototype safety', () => {
  test('keys such as __proto__ and constructor become own properties and touch no prototype', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const names = ['__proto__', 'constructor', 'prototype', 'toString'];
    const header = `{"__metadata__":{"__proto__":"x","constructor":"y"},${names.map((n, i) => `"${n}":${entry('F32', [1], 4 * i, 4 * i + 4)}`).join(',')}}`;
    const { tensors, metadata } = safetensors.loadWithMetadata(file(header, f32(0, 1, 2, 3)));
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    expect(Object.keys(tensors)).toEqual(names);
    for (const [i, n] of names.entries()) {
      expect(Object.hasOwn(tensors, n)).toBe(true);
      expect(tensors[n]!.data[0]).toBe(i);
    }
    expect(Object.hasOwn(metadata!, '__proto__')).toBe(true);
    expect(metadata!['__proto__']).toBe('x');
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(typeof ({} as Record<string, unknown>).toString).toBe('function');
  });
});

describe('safetensors.load: mutation fuzz', () => {
  /** A small valid file with several dtypes, metadata and an empty tensor. */
  function mixedFile(): Uint8Array {
    const data = new Uint8Array([...f64(1.5), ...f32(2, -3), ...u16(0x3c00, 0x3f80), ...new Uint8Array([1, 0])]);
    const header =
      `{"__metadata__":{"format":"pt","note":"ok"},"d":${entry('F64', [1], 0, 8)},"f":${entry('F32', [2, 1], 8, 16)},` +
      `"h":${entry('F16', [1], 16, 18)},"b":${entry('BF16', [1], 18, 20)},"z":${entry('F32', [0, 3], 20, 20)},"k":${entry('BOOL', [2], 20, 22)}}`;
    return file(header, data, 2);
  }
  const bases = [FIXTURE_BYTES, mixedFile(), safetensors.save({ w: tensor([[1, 2], [3, 4]]), s: tensor(5) }, { a: 'b' })];

  /** A file with the header text replaced and N fixed (the data kept). */
  function rewriteHeader(bytes: Uint8Array, edit: (text: string) => string): Uint8Array {
    const header = safetensors.parseHeader(bytes);
    const text = new TextDecoder().decode(bytes.subarray(8, header.dataStart));
    return file(edit(text), bytes.subarray(header.dataStart));
  }

  const JSON_CHARS = '{}[]":,0123456789-.eE \\_aFIUB';
  const VALUES: unknown[] = [-1, 0, 1, 1.5, 3, 2 ** 31, 2 ** 53, 1e308, '', 'F32', 'F16', 'BF16', 'I64', 'F4', 'C64', 'X', null, true, [], [0], [1, 2, 3], [0, 4], {}, { a: 1 }];

  /** Structured hostile JSON text, inserted as it is: floats, signs, surrogates, prototype keys, huge empty shapes. */
  const RAW_TOKENS = [
    '1.0', '4.0', '1e0', '0e0', '-0', '01', '1E+0', '"\\ud800"', '"\\udc00x"', '"\\ud83d\\ude00"', '"\\u0000"', '"__proto__"',
    '"constructor"', '"toString"', '"\\u005f_proto__"', '[0,65536,65536]', '[65536,0,65536]', '[0,1e10]', '[0,2147483648]', '[-0,0]',
    '[0,4.0]', '[1.0]', '{"__proto__":1}', '9007199254740993', '[' .repeat(50), '"' + 'x'.repeat(300) + '"',
  ];

  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }), inHeader: fc.boolean() }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('append' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 9 }) }),
    fc.record({
      kind: fc.constant('length' as const),
      n: fc.oneof(fc.bigInt(0n, 2n ** 64n - 1n), fc.bigInt(2n ** 64n - 1024n, 2n ** 64n - 1n), fc.bigInt(0n, 4096n), fc.bigInt(99_999_990n, 100_000_010n)),
    }),
    fc.record({
      kind: fc.constant('text' as const),
      at: fc.nat(),
      remove: fc.integer({ min: 0, max: 3 }),
      insert: fc.oneof(fc.string({ unit: fc.constantFrom(...JSON_CHARS), maxLength: 4 }), fc.string({ unit: scalarValue, maxLength: 2 })),
    }),
    fc.record({
      kind: fc.constant('value' as const),
      tensor: fc.nat(),
      field: fc.constantFrom('dtype', 'shape', 'data_offsets', 'extra', '__proto__', 'shape.0', 'data_offsets.0', 'data_offsets.1'),
      value: fc.constantFrom(...VALUES),
      remove: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('entry' as const), tensor: fc.nat(), value: fc.constantFrom(...VALUES) }),
    fc.record({ kind: fc.constant('rename' as const), tensor: fc.nat(), name: fc.constantFrom('__proto__', 'constructor', '__metadata__', 'a', 'w', 'd', '') }),
    fc.record({
      kind: fc.constant('raw' as const),
      tensor: fc.nat(),
      field: fc.constantFrom('name', 'dtype', 'shape', 'data_offsets', 'shape.0', 'data_offsets.0', 'data_offsets.1'),
      token: fc.constantFrom(...RAW_TOKENS),
    }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

  /** Re-serialises a parsed header, setting keys as own properties (so "__proto__" stays a key). */
  function editEntries(bytes: Uint8Array, change: (entries: [string, Record<string, unknown>][]) => void, post = (text: string) => text): Uint8Array {
    return rewriteHeader(bytes, (text) => {
      const entries = Object.entries(JSON.parse(text) as Record<string, Record<string, unknown>>);
      change(entries);
      return post(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
    });
  }

  function mutate(base: Uint8Array, m: Mutation): Uint8Array {
    const bytes = base.slice();
    switch (m.kind) {
      case 'flip': {
        const limit = m.inHeader ? Math.min(bytes.length, safetensors.parseHeader(base).dataStart) : bytes.length;
        bytes[m.at % limit] ^= 1 << m.bit;
        return bytes;
      }
      case 'truncate':
        return bytes.slice(0, m.at % bytes.length);
      case 'append':
        return new Uint8Array([...bytes, ...m.extra]);
      case 'length':
        new DataView(bytes.buffer).setBigUint64(0, m.n, true);
        return bytes;
      case 'text':
        return rewriteHeader(bytes, (text) => {
          const at = m.at % (text.length + 1);
          return text.slice(0, at) + m.insert + text.slice(at + m.remove);
        });
      case 'value':
        return editEntries(bytes, (entries) => {
          const target = entries[m.tensor % entries.length]![1];
          if (typeof target !== 'object' || target === null) return;
          const [key, index] = m.field.split('.') as [string, string | undefined];
          if (index !== undefined && Array.isArray(target[key])) (target[key] as unknown[])[Number(index)] = m.value;
          else if (m.remove) delete target[key];
          else Object.defineProperty(target, key, { value: m.value, enumerable: true, writable: true, configurable: true });
        });
      case 'entry':
        return editEntries(bytes, (entries) => {
          entries[m.tensor % entries.length]![1] = m.value as Record<string, unknown>;
        });
      case 'rename':
        return editEntries(bytes, (entries) => {
          entries[m.tensor % entries.length]![0] = m.name;
        });
      case 'raw': {
        const marker = '@@raw@@';
        return editEntries(bytes, (entries) => {
          const target = entries[m.tensor % entries.length]!;
          const [key, index] = m.field.split('.') as [string, string | undefined];
          if (key === 'name') target[0] = marker;
          else if (typeof target[1] !== 'object' || target[1] === null) return;
          else if (index !== undefined && Array.isArray(target[1][key])) (target[1][key] as unknown[])[Number(index)] = marker;
          else target[1][key] = marker;
        }, (text) => text.replace(`"${marker}"`, m.token));
      }
    }
  }

  // 10,000 files in CI, 500 in a mutation run (MUTATION_RUN: instrumented code is many times
  // slower); FUZZ_RUNS=200000 (say) for a longer soak.
  const runs = Number(process.env.FUZZ_RUNS ?? (process.env.MUTATION_RUN ? 500 : 10_000));
  test(`${runs} mutated files each load or throw a format RecurrentError, bounded in time and memory, and no prototype changes`, () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    let loaded = 0;
    let slowest = 0;
    fc.assert(
      fc.property(fc.nat({ max: bases.length - 1 }), mutation, (which, m) => {
        const bytes = mutate(bases[which]!, m);
        const started = performance.now();
        try {
          const tensors = safetensors.load(bytes);
          let elements = 0;
          for (const t of Object.values(tensors)) {
            expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
            elements += t.data.length;
          }
          // Every element is backed by at least one byte of the file: nothing is allocated from header claims alone.
          expect(elements).toBeLessThanOrEqual(bytes.length);
          // What loads can be written back, and reads back the same names.
          expect(Object.keys(safetensors.load(safetensors.save(tensors))).sort()).toEqual(Object.keys(tensors).sort());
          loaded++;
        } catch (e) {
          if (!(e instanceof RecurrentError) || e.code !== 'format') throw e;
        }
        slowest = Math.max(slowest, performance.now() - started);
      }),
      { numRuns: runs, seed: 42 },
    );
    expect(loaded).toBeGreaterThan(0);
    // Generous for a loaded CI machine: a hang or a quadratic blow-up is seconds, not this.
    // Not in a mutation run (MUTATION_RUN, vitest.mutate.config.ts): instrumented code counts
    // every statement, and Stryker's own timeout catches a mutant that hangs.
    if (!process.env.MUTATION_RUN) expect(slowest).toBeLessThan(250);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    for (const key of ['dtype', 'shape', 'data_offsets', 'extra', 'format']) expect(({} as Record<string, unknown>)[key]).toBeUndefined();
  });
});
