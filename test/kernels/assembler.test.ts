/**
 * The assembler's encodings, judged by what the engine makes of the bytes rather than by the
 * bytes themselves: a module of many small functions (past 127, so indices, counts and section
 * sizes take more than one LEB128 byte) must validate and return each constant it was given,
 * i32 constants at every edge of signed LEB128, f32 and v128 constants in the engine's byte
 * order; locals past index 127 are read and written where they were declared, and locals of
 * one type in a row are declared as one run.
 */
import { describe, expect, it } from 'vitest';
import { assembleModule, Code, type FunctionDef, type ValueType } from '../../src/kernels/wasm/assembler.js';

/** The exports of a module of `functions` over a memory of one page. */
function instantiate(functions: FunctionDef[]): Record<string, () => number> {
  const bytes = assembleModule(functions, { shared: false, maxPages: 1 });
  expect(WebAssembly.validate(bytes)).toBe(true);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as Record<string, () => number>;
}

/** A function of no parameters returning one value of `type`, its body written by `body`. */
function returning(name: string, type: ValueType, body: (c: Code) => void): FunctionDef {
  const code = new Code(0);
  body(code);
  return { name, params: [], results: [type], code };
}

/** Every power of two and its neighbours, negated too: each byte edge of signed LEB128. */
const EDGES = [...new Set(Array.from({ length: 32 }, (_, b) => 2 ** b).flatMap((p) => [p - 1, p, p + 1, -p, -p - 1, -p + 1]).map((v) => v | 0))];

describe('the assembler', () => {
  it('encodes i32 constants at every LEB128 byte edge, in a module of more than 127 functions', () => {
    expect(EDGES.length).toBeGreaterThan(128);
    const exports = instantiate(EDGES.map((v, i) => returning(`c${i}`, 'i32', (c) => c.i32(v))));
    EDGES.forEach((v, i) => expect(exports[`c${i}`]!(), `constant ${v}`).toBe(v));
  });

  it('encodes f32 and v128 constants in the engine\'s byte order', () => {
    const exports = instantiate([
      returning('f', 'f32', (c) => c.f32(-1.5)),
      returning('splat', 'f32', (c) => c.f32x4(2.25).lane(3)),
      returning('bits', 'f32', (c) => c.i32x4(0x3fc00000).lane(1)), // the bits of 1.5
    ]);
    expect(exports.f!()).toBe(-1.5);
    expect(exports.splat!()).toBe(2.25);
    expect(exports.bits!()).toBe(1.5);
  });

  it('reads and writes locals past index 127, declared as one run per type', () => {
    const code = new Code(0);
    const ints = Array.from({ length: 200 }, () => code.local('i32'));
    const float = code.local('f32');
    code.i32(41).set(ints[199]!).f32(0.5).set(float).get(ints[199]!).i32(1).op('i32.add');
    const exports = instantiate([{ name: 'last', params: [], results: ['i32'], code }]);
    expect(exports.last!()).toBe(42);
    // 201 locals in two runs (i32 × 200, f32 × 1) take a few bytes, not one entry each.
    expect(new Code(0).encode().length).toBe(2); // no runs, end
    const declared = new Code(0);
    for (let i = 0; i < 200; i++) declared.local('i32');
    declared.local('f32');
    expect(declared.encode().length).toBeLessThan(10);
  });
});
