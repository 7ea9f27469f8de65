/**
 * Builds the SIMD kernel module: detects what the engine supports, emits the functions,
 * compiles and instantiates them over one memory, and returns them with their heap.
 *
 * Detection is by `WebAssembly.validate` on one-instruction modules (SIMD, relaxed SIMD), then
 * a real instantiation: a page whose Content Security Policy lacks 'wasm-unsafe-eval', an
 * engine without SIMD or without WebAssembly gets a reason string instead of kernels.
 */
import { KERNEL_NAMES, type WasmExports } from './abi.js';
import { assembleModule, Code, type FunctionDef } from './assembler.js';
import { gateFunctions } from './gates.js';
import { columnSumsFunction, GEMM_SCRATCH, gemmBlockFunction, gemmFunction, packTransposedFunction, transposeFunction } from './gemm.js';
import { Heap, MAX_PAGES } from './heap.js';
import { backwardLoopFunction, forwardLoopFunction } from './loops.js';

export type { WasmExports };

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

/** A module with one function of the given body, for feature tests. */
function probe(body: (c: Code) => void): Uint8Array<ArrayBuffer> {
  const code = new Code(0);
  body(code);
  // Stryker disable next-line StringLiteral: the probe is only validated, never instantiated, and an export named '' is as valid as 'probe'
  return assembleModule([{ name: 'probe', params: [], results: [], code }], { shared: false, maxPages: 1 });
}

/** Whether this engine validates WebAssembly 128-bit SIMD. */
function hasSimd(): boolean {
  return WebAssembly.validate(probe((c) => c.f32x4(1).f32x4(2).op('f32x4.add').op('drop')));
}

/** Whether this engine validates relaxed SIMD (f32x4.relaxed_madd). */
function hasRelaxedSimd(): boolean {
  // Stryker disable next-line ArrowFunction: an empty probe validates too, which is the same answer on an engine with relaxed SIMD (Node 24, which npm run mutate runs); on Node 20 the in-process case of relaxed-simd.test.ts fails
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

/** Every function of the module, in ABI order (abi.ts); a kernel calls another by its index there. */
function functions(fma: boolean, shared: boolean): FunctionDef[] {
  const defs = [
    gemmBlockFunction(fma, shared), gemmFunction(), packTransposedFunction(), columnSumsFunction(),
    ...gateFunctions(), forwardLoopFunction(), backwardLoopFunction(), transposeFunction(),
  ];
  // Stryker disable next-line BlockStatement: a guard on the source itself: both lists are fixed in the code, so no input reaches the throw (abi.test.ts checks the order)
  defs.forEach((f, i) => {
    // Stryker disable next-line ConditionalExpression,StringLiteral: as above, unreachable from any input
    if (f.name !== KERNEL_NAMES[i]) throw new Error(`kernel module: function ${i} is ${f.name}, the ABI says ${KERNEL_NAMES[i]}`);
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
