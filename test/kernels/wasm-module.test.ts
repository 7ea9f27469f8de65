/**
 * What createWasmKernels makes of the engine it runs on: kernels over a shared memory of 64
 * pages when SharedArrayBuffer exists, a private one when it does not, and a reason string,
 * never a throw, for an engine without WebAssembly, without its validate, without SIMD (or
 * that validates SIMD only without shared memory), or that refuses to compile (a CSP).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWasmKernels, type WasmKernels } from '../../src/kernels/wasm/module.js';

const real = WebAssembly;
afterEach(() => {
  vi.unstubAllGlobals();
});

/** The engine's WebAssembly with some members replaced. */
function engine(members: Record<string, unknown>): object {
  return Object.create(real, Object.fromEntries(Object.entries(members).map(([k, value]) => [k, { value }])));
}

/** Whether `bytes` contain `seq`. */
function contains(bytes: Uint8Array, seq: number[]): boolean {
  outer: for (let i = 0; i + seq.length <= bytes.length; i++) {
    for (let j = 0; j < seq.length; j++) if (bytes[i + j] !== seq[j]) continue outer;
    return true;
  }
  return false;
}
/** An import of env.memory declared shared (limits flag 3). */
const SHARED_MEMORY = [6, ...'memory'.split('').map((ch) => ch.charCodeAt(0)), 0x02, 0x03];

const kernels = (): WasmKernels => {
  const k = createWasmKernels();
  if (typeof k === 'string') throw new Error(`expected kernels, got: ${k}`);
  return k;
};

describe('createWasmKernels', () => {
  it('uses a shared memory of 64 pages when SharedArrayBuffer exists', () => {
    const k = kernels();
    expect(k.shared).toBe(true);
    expect(k.heap.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(k.heap.memory.buffer.byteLength).toBe(64 * 65536);
  });

  it('uses a private memory of 64 pages when SharedArrayBuffer does not exist', () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    const k = kernels();
    expect(k.shared).toBe(false);
    expect(k.heap.memory.buffer).toBeInstanceOf(ArrayBuffer);
    expect(k.heap.memory.buffer.byteLength).toBe(64 * 65536);
    // It grows like any other (up to 4 GiB): the kernels run on it.
    const at = k.heap.alloc(64 * 65536);
    expect(k.heap.memory.buffer.byteLength).toBe(128 * 65536);
    k.heap.free(at);
  });

  it('probes SIMD without shared memory, so an engine without threads still gets kernels', () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    const validated: Uint8Array[] = [];
    vi.stubGlobal('WebAssembly', engine({
      validate: (bytes: Uint8Array<ArrayBuffer>) => {
        validated.push(bytes);
        return real.validate(bytes) && !contains(bytes, SHARED_MEMORY);
      },
    }));
    const k = kernels();
    expect(k.shared).toBe(false);
    expect(validated.length).toBeGreaterThanOrEqual(1);
  });

  it('says why when the engine has no WebAssembly or no validate', () => {
    vi.stubGlobal('WebAssembly', undefined);
    expect(createWasmKernels()).toBe('this engine has no WebAssembly');
    vi.stubGlobal('WebAssembly', engine({ validate: undefined }));
    expect(createWasmKernels()).toBe('this engine has no WebAssembly');
  });

  it('says why when the engine validates no SIMD', () => {
    // An engine that validates only modules without a SIMD instruction (prefix 0xfd).
    vi.stubGlobal('WebAssembly', engine({ validate: (bytes: Uint8Array<ArrayBuffer>) => real.validate(bytes) && !bytes.includes(0xfd) }));
    expect(createWasmKernels()).toBe('this engine has WebAssembly but not its 128-bit SIMD');
  });

  it('says why when compiling is refused, naming the engine’s message', () => {
    const refuse = function () {
      throw new real.CompileError('WebAssembly.Module(): Refused to compile or instantiate WebAssembly module');
    };
    vi.stubGlobal('WebAssembly', engine({ Module: refuse }));
    expect(createWasmKernels()).toBe("WebAssembly could not be compiled here (WebAssembly.Module(): Refused to compile or instantiate WebAssembly module); a Content Security Policy without 'wasm-unsafe-eval' does this");
    vi.stubGlobal('WebAssembly', engine({ Module: function () { throw 'no'; } })); // not an Error: named as a string
    expect(createWasmKernels()).toBe("WebAssembly could not be compiled here (no); a Content Security Policy without 'wasm-unsafe-eval' does this");
  });
});
