/**
 * Builds the SIMD kernel module: detects what the engine supports, emits the functions,
 * compiles and instantiates them over one memory, and returns them with their heap.
 *
 * Detection is by `WebAssembly.validate` on one-instruction modules (SIMD, relaxed SIMD), then
 * a real instantiation: a page whose Content Security Policy lacks 'wasm-unsafe-eval', an
 * engine without SIMD or without WebAssembly gets a reason string instead of kernels.
 */
import { assembleModule, Code, type FunctionDef } from './assembler.js';
import { gateFunctions } from './gates.js';
import { columnSumsFunction, GEMM_SCRATCH, gemmBlockFunction, gemmFunction, packTransposedFunction, transposeFunction } from './gemm.js';
import { Heap } from './heap.js';
import { backwardLoopFunction, forwardLoopFunction } from './loops.js';

/** The exported kernels; every pointer is a byte address in the heap. */
export interface WasmExports {
  gemm(m: number, k: number, n: number, a: number, ai: number, ap: number, b: number, bp: number, bpanel: number, c: number, ldc: number, accumulate: number, bias: number): void;
  packTransposed(n: number, k: number, w: number, out: number): void;
  columnSums(rows: number, cols: number, src: number, out: number): void;
  transpose(rows: number, cols: number, src: number, dst: number): void;
  lstmForward(B: number, H: number, t: number, lengths: number, xw: number, hw: number, hIn: number, cIn: number, hOut: number, cOut: number, tanhC: number, out: number, outStride: number): void;
  lstmBackward(B: number, H: number, t: number, lengths: number, gates: number, cIn: number, tanhC: number, gOut: number, gOutStride: number, dh: number, dc: number, dGates: number): void;
  gruForward(B: number, H: number, t: number, lengths: number, xw: number, hw: number, hIn: number, hOut: number, hwn: number, out: number, outStride: number): void;
  gruBackward(B: number, H: number, t: number, lengths: number, gates: number, hIn: number, hwn: number, gOut: number, gOutStride: number, dh: number, dXW: number, dHW: number): void;
  rnnForward(B: number, H: number, t: number, lengths: number, relu: number, xw: number, hw: number, hIn: number, hOut: number, out: number, outStride: number): void;
  rnnBackward(B: number, H: number, t: number, lengths: number, relu: number, gates: number, gOut: number, gOutStride: number, dh: number, dGates: number): void;
  forwardLoop(kind: number, T: number, B: number, H: number, reverse: number, b0: number, b1: number, lengths: number, gates: number, hw: number, biasHh: number, whh: number, states: number, cells: number, tanhC: number, hwn: number, out: number, outStride: number): void;
  backwardLoop(kind: number, T: number, B: number, H: number, reverse: number, b0: number, b1: number, lengths: number, gates: number, hPrev: number, cPrev: number, tanhC: number, hwn: number, gOut: number, gOutStride: number, dh: number, dc: number, dXW: number, dHW: number, whh: number): void;
}

/** A ready backend: the compiled module, its instance's exports and the heap they share. */
export interface WasmKernels {
  /** The compiled WebAssembly.Module (typed loosely so that the package's types need no DOM or Node library). */
  readonly module: object;
  readonly exports: WasmExports;
  readonly heap: Heap;
  /** True when products use relaxed-SIMD fused multiply-add. */
  readonly fma: boolean;
  /** True when the memory is shared (so worker threads can run kernels on it). */
  readonly shared: boolean;
}

const MAX_PAGES = 65536;

/** A module with one function of the given body, for feature tests. */
function probe(body: (c: Code) => void): Uint8Array<ArrayBuffer> {
  const code = new Code(0);
  body(code);
  return assembleModule([{ name: 'probe', params: [], results: [], code }], { shared: false, maxPages: 1 });
}

/** Whether this engine validates WebAssembly 128-bit SIMD. */
function hasSimd(): boolean {
  return WebAssembly.validate(probe((c) => c.f32x4(1).f32x4(2).op('f32x4.add').op('drop')));
}

/** Whether this engine validates relaxed SIMD (f32x4.relaxed_madd). */
function hasRelaxedSimd(): boolean {
  return WebAssembly.validate(probe((c) => c.f32x4(1).f32x4(2).f32x4(3).op('f32x4.relaxed_madd').op('drop')));
}

/** A new memory, shared when the engine allows it (threads need that), else private. */
function newMemory(): { memory: WebAssembly.Memory; shared: boolean } {
  if (typeof SharedArrayBuffer !== 'undefined') {
    try {
      return { memory: new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true }), shared: true };
    } catch {
      // fall through to a private memory
    }
  }
  return { memory: new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES }), shared: false };
}

/** Every function of the module, in export order; a function calls another by its index. */
function functions(fma: boolean, shared: boolean): FunctionDef[] {
  const names = ['gemmBlock', 'gemm', 'packTransposed', 'columnSums', 'lstmForward', 'lstmBackward', 'gruForward', 'gruBackward', 'rnnForward', 'rnnBackward', 'forwardLoop', 'backwardLoop', 'transpose'];
  const index = (name: string): number => names.indexOf(name);
  const defs = [
    gemmBlockFunction(fma, shared), gemmFunction(index('gemmBlock')), packTransposedFunction(), columnSumsFunction(),
    ...gateFunctions(), forwardLoopFunction(index), backwardLoopFunction(index), transposeFunction(),
  ];
  defs.forEach((f, i) => {
    if (f.name !== names[i]) throw new Error(`kernel module: function ${i} is ${f.name}, expected ${names[i]}`);
  });
  return defs;
}

/** The module's bytes for a memory kind (exported for the tests and the size budget). */
export function kernelModuleBytes(options: { fma: boolean; shared: boolean }): Uint8Array<ArrayBuffer> {
  return assembleModule(functions(options.fma, options.shared), { shared: options.shared, maxPages: MAX_PAGES });
}

/** Builds the backend, or returns why it cannot run here. */
export function createWasmKernels(): WasmKernels | string {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return 'this engine has no WebAssembly';
  try {
    if (!hasSimd()) return 'this engine has WebAssembly but not its 128-bit SIMD';
    const fma = hasRelaxedSimd();
    const { memory, shared } = newMemory();
    const module = new WebAssembly.Module(kernelModuleBytes({ fma, shared }));
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    return { module, exports: instance.exports as unknown as WasmExports, heap: new Heap(memory, GEMM_SCRATCH.end), fma, shared };
  } catch (e) {
    return `WebAssembly could not be compiled here (${e instanceof Error ? e.message : String(e)}); a Content Security Policy without 'wasm-unsafe-eval' does this`;
  }
}
