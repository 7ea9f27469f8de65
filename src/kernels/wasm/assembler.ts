/**
 * A small WebAssembly assembler: the library writes its SIMD kernels as TypeScript that emits
 * the module's bytes into a Uint8Array at run time, so the source holds no binary and needs no
 * toolchain. Only what the kernels use is here.
 *
 * Binary format (https://webassembly.github.io/spec/core/binary/): the magic "\0asm", version 1,
 * then sections, each `id, byte length, contents`:
 *   1 types      one (params) -> (results) signature per function
 *   2 imports    the linear memory, env.memory (shared when threads use it)
 *   3 functions  each function's signature index
 *   7 exports    each function by name
 *  10 code       each body: its locals, then its instructions, then `end`
 * Integers are LEB128 (unsigned for sizes and indices, signed for i32.const).
 *
 * Instructions are written with `Code`, one method call per instruction, named as in the text
 * format (`op('f32x4.mul')`, `get(x)`, `load('v128', 16)`), with structured control flow taking a
 * callback for the body: `loop(() => { ...; brIf(0) })`.
 */

/** A value type of a local or a parameter. */
export type ValueType = 'i32' | 'f32' | 'v128';

const TYPE_CODE: Record<ValueType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

/** Plain opcodes (no immediate). SIMD ones are [0xfd, LEB128 index]. */
const OPCODES: Record<string, readonly number[]> = {
  'return': [0x0f],
  'drop': [0x1a],
  'select': [0x1b],
  'i32.eqz': [0x45], 'i32.eq': [0x46], 'i32.ne': [0x47], 'i32.lt_s': [0x48], 'i32.gt_s': [0x4a],
  'i32.le_s': [0x4c], 'i32.ge_s': [0x4e],
  'i32.add': [0x6a], 'i32.sub': [0x6b], 'i32.mul': [0x6c], 'i32.and': [0x71], 'i32.or': [0x72], 'i32.shl': [0x74],
  'i32.shr_s': [0x75], 'i32.shr_u': [0x76],
  'f32.add': [0x92],
  'f32x4.lt': [0xfd, 0x43], 'f32x4.gt': [0xfd, 0x44],
  'f32x4.le': [0xfd, 0x45], 'f32x4.ge': [0xfd, 0x46],
  'v128.and': [0xfd, 0x4e], 'v128.or': [0xfd, 0x50], 'v128.bitselect': [0xfd, 0x52],
  'f32x4.nearest': [0xfd, 0x6a],
  'i32x4.shl': [0xfd, 0xab, 0x01], 'i32x4.shr_s': [0xfd, 0xac, 0x01], 'i32x4.add': [0xfd, 0xae, 0x01],
  'i32x4.sub': [0xfd, 0xb1, 0x01],
  'f32x4.abs': [0xfd, 0xe0, 0x01], 'f32x4.neg': [0xfd, 0xe1, 0x01],
  'f32x4.add': [0xfd, 0xe4, 0x01], 'f32x4.sub': [0xfd, 0xe5, 0x01], 'f32x4.mul': [0xfd, 0xe6, 0x01],
  'f32x4.div': [0xfd, 0xe7, 0x01], 'f32x4.max': [0xfd, 0xe9, 0x01],
  'i32x4.trunc_sat_f32x4_s': [0xfd, 0xf8, 0x01],
  'f32x4.relaxed_madd': [0xfd, 0x85, 0x02],
};

/** An opcode name the assembler knows. */
export type Opcode = keyof typeof OPCODES;

/** Appends n as unsigned LEB128. */
function uleb(out: number[], n: number): void {
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

/** Appends n (a 32-bit integer) as signed LEB128. */
function sleb(out: number[], n: number): void {
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

/** Appends a name: its UTF-8 length, then its bytes (ASCII only here). */
function name(out: number[], s: string): void {
  uleb(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

const F32_BYTES = new Uint8Array(4);
const F32_VIEW = new DataView(F32_BYTES.buffer);

/** The instructions of one function body, and its locals beyond the parameters. */
export class Code {
  readonly bytes: number[] = [];
  private readonly localTypes: ValueType[] = [];

  /** @param paramCount how many parameters the function has (locals are numbered after them). */
  constructor(private readonly paramCount: number) {}

  /** Declares a new local of the given type and returns its index. */
  local(type: ValueType): number {
    this.localTypes.push(type);
    return this.paramCount + this.localTypes.length - 1;
  }

  /** An instruction without immediates. */
  op(name: Opcode): this {
    this.bytes.push(...OPCODES[name]);
    return this;
  }

  get(index: number): this {
    this.bytes.push(0x20);
    uleb(this.bytes, index);
    return this;
  }

  set(index: number): this {
    this.bytes.push(0x21);
    uleb(this.bytes, index);
    return this;
  }

  tee(index: number): this {
    this.bytes.push(0x22);
    uleb(this.bytes, index);
    return this;
  }

  i32(value: number): this {
    this.bytes.push(0x41);
    sleb(this.bytes, value | 0);
    return this;
  }

  f32(value: number): this {
    F32_VIEW.setFloat32(0, value, true);
    this.bytes.push(0x43, ...F32_BYTES);
    return this;
  }

  /** v128.const with four f32 lanes equal to value. */
  f32x4(value: number): this {
    F32_VIEW.setFloat32(0, value, true);
    this.bytes.push(0xfd, 0x0c);
    for (let lane = 0; lane < 4; lane++) this.bytes.push(...F32_BYTES);
    return this;
  }

  /** v128.const with four i32 lanes equal to value. */
  i32x4(value: number): this {
    F32_VIEW.setInt32(0, value, true);
    this.bytes.push(0xfd, 0x0c);
    for (let lane = 0; lane < 4; lane++) this.bytes.push(...F32_BYTES);
    return this;
  }

  /** A load at address (top of stack) + offset: i32, f32, a whole v128, or one f32 splat to 4 lanes. */
  load(type: 'i32' | 'f32' | 'v128' | 'splat', offset = 0): this {
    const code = { i32: [0x28], f32: [0x2a], v128: [0xfd, 0x00], splat: [0xfd, 0x09] }[type];
    this.bytes.push(...code, 2);
    uleb(this.bytes, offset);
    return this;
  }

  /** A store of the top of stack at address (below it) + offset. */
  store(type: 'f32' | 'v128', offset = 0): this {
    const code = { f32: [0x38], v128: [0xfd, 0x0b] }[type];
    this.bytes.push(...code, 2);
    uleb(this.bytes, offset);
    return this;
  }

  /** f32x4.extract_lane: one lane of the v128 on the stack as an f32. */
  lane(index: number): this {
    this.bytes.push(0xfd, 0x1f, index);
    return this;
  }

  /**
   * i8x16.shuffle of the two v128 on the stack, written as four f32 lanes: lane i of the
   * result is lane `lanes[i]` of a (0-3) or of b (4-7).
   */
  shuffle(lanes: readonly [number, number, number, number]): this {
    this.bytes.push(0xfd, 0x0d);
    for (const lane of lanes) for (let byte = 0; byte < 4; byte++) this.bytes.push(lane * 4 + byte);
    return this;
  }

  /**
   * i32.atomic.rmw.cmpxchg (address, expected, replacement on the stack; leaves the old value)
   * and i32.atomic.store (address, value): for a flag that threads claim on a shared memory.
   */
  atomic(op: 'cmpxchg' | 'store', offset = 0): this {
    this.bytes.push(0xfe, { cmpxchg: 0x48, store: 0x17 }[op], 2);
    uleb(this.bytes, offset);
    return this;
  }

  /** memory.copy (dst, src, byteCount on the stack). */
  memoryCopy(): this {
    this.bytes.push(0xfc, 0x0a, 0x00, 0x00);
    return this;
  }

  /** memory.fill (dst, byte value, byteCount on the stack). */
  memoryFill(): this {
    this.bytes.push(0xfc, 0x0b, 0x00);
    return this;
  }

  /** A block: `br` to it jumps to its end. */
  block(body: () => void): this {
    this.bytes.push(0x02, 0x40);
    body();
    this.bytes.push(0x0b);
    return this;
  }

  /** A loop: `br` to it jumps back to its start. */
  loop(body: () => void): this {
    this.bytes.push(0x03, 0x40);
    body();
    this.bytes.push(0x0b);
    return this;
  }

  /** Runs `then` when the i32 on the stack is non-zero, else `otherwise`. */
  if(then: () => void, otherwise?: () => void): this {
    this.bytes.push(0x04, 0x40);
    then();
    if (otherwise) {
      this.bytes.push(0x05);
      otherwise();
    }
    this.bytes.push(0x0b);
    return this;
  }

  br(depth: number): this {
    this.bytes.push(0x0c);
    uleb(this.bytes, depth);
    return this;
  }

  brIf(depth: number): this {
    this.bytes.push(0x0d);
    uleb(this.bytes, depth);
    return this;
  }

  call(index: number): this {
    this.bytes.push(0x10);
    uleb(this.bytes, index);
    return this;
  }

  /**
   * `for (i = start; i < end; i += step) body()`, with i and end locals (i already set up by
   * the caller) and a constant step: emits the test at the top, so zero iterations are fine.
   */
  forLoop(i: number, end: number, step: { const: number }, body: () => void): this {
    return this.block(() => this.loop(() => {
      this.get(i).get(end).op('i32.ge_s').brIf(1);
      body();
      this.get(i).i32(step.const).op('i32.add').set(i).br(0);
    }));
  }

  /** The encoded body: locals (run-length by type), instructions, end. */
  encode(): number[] {
    const out: number[] = [];
    const runs: [number, ValueType][] = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(out, runs.length);
    for (const [count, t] of runs) {
      uleb(out, count);
      out.push(TYPE_CODE[t]);
    }
    for (const byte of this.bytes) out.push(byte);
    out.push(0x0b);
    return out;
  }
}

/** One function of a module: its export name, signature and body. */
export interface FunctionDef {
  name: string;
  params: readonly ValueType[];
  results: readonly ValueType[];
  code: Code;
}

function section(out: number[], id: number, contents: number[]): void {
  out.push(id);
  uleb(out, contents.length);
  for (const byte of contents) out.push(byte);
}

/**
 * Assembles a module that imports `env.memory` (shared or not, `maxPages` pages at most) and
 * exports every function by its name. Function i may call function j by index j.
 */
export function assembleModule(functions: readonly FunctionDef[], memory: { shared: boolean; maxPages: number }): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(types, functions.length);
  for (const f of functions) {
    types.push(0x60);
    uleb(types, f.params.length);
    for (const p of f.params) types.push(TYPE_CODE[p]);
    uleb(types, f.results.length);
    for (const r of f.results) types.push(TYPE_CODE[r]);
  }
  section(out, 1, types);

  const imports: number[] = [1];
  name(imports, 'env');
  name(imports, 'memory');
  imports.push(0x02, memory.shared ? 0x03 : 0x01);
  uleb(imports, 1);
  uleb(imports, memory.maxPages);
  section(out, 2, imports);

  const funcs: number[] = [];
  uleb(funcs, functions.length);
  functions.forEach((_, i) => uleb(funcs, i));
  section(out, 3, funcs);

  const exports: number[] = [];
  uleb(exports, functions.length);
  functions.forEach((f, i) => {
    name(exports, f.name);
    exports.push(0x00);
    uleb(exports, i);
  });
  section(out, 7, exports);

  const code: number[] = [];
  uleb(code, functions.length);
  for (const f of functions) {
    const body = f.code.encode();
    uleb(code, body.length);
    for (const byte of body) code.push(byte);
  }
  section(out, 10, code);
  return new Uint8Array(out);
}
