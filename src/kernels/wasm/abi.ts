/**
 * The kernel ABI: every function of the module, in module order, with its parameters by name
 * and in order. Declared once and used three ways, so a missing or misordered argument fails
 * to type-check or to emit:
 *   - to emit a function's parameters (`kernelCode`: locals named as here),
 *   - to type the instance's exports (`WasmExports`) and to call one from JS with named
 *     arguments (`argsOf`),
 *   - to call one kernel from another (`callKernel`).
 * Every parameter is an i32: a size, a flag, or a byte address in the heap. Addresses are
 * unsigned (WebAssembly reads a memory address as a u32), so blocks may lie past 2 GiB; sizes
 * and indices stay below 2^31.
 */
import { Code, type FunctionDef, type ValueType } from './assembler.js';

/** The one type of every kernel parameter. */
const PARAM: ValueType = 'i32';

const GEMM = ['m', 'k', 'n', 'a', 'ai', 'ap', 'b', 'bp', 'bpanel', 'c', 'ldc', 'accumulate', 'bias'] as const;

/** Every kernel of the module, in module order (a kernel calls another by its index here). */
export const ABI = {
  /** C(m,n) = [C +] A·B [+ bias] over one block of k (gemm.ts). */
  gemmBlock: GEMM,
  /** The same over any k, in blocks (gemm.ts). */
  gemm: GEMM,
  packTransposed: ['n', 'k', 'w', 'out'],
  columnSums: ['rows', 'cols', 'src', 'out'],
  lstmForward: ['B', 'H', 't', 'lengths', 'xw', 'hw', 'hIn', 'cIn', 'hOut', 'cOut', 'tanhC', 'out', 'outStride'],
  lstmBackward: ['B', 'H', 't', 'lengths', 'gates', 'cIn', 'tanhC', 'gOut', 'gOutStride', 'dh', 'dc', 'dGates'],
  gruForward: ['B', 'H', 't', 'lengths', 'xw', 'hw', 'hIn', 'hOut', 'hwn', 'out', 'outStride'],
  gruBackward: ['B', 'H', 't', 'lengths', 'gates', 'hIn', 'hwn', 'gOut', 'gOutStride', 'dh', 'dXW', 'dHW'],
  rnnForward: ['B', 'H', 't', 'lengths', 'relu', 'xw', 'hw', 'hIn', 'hOut', 'out', 'outStride'],
  rnnBackward: ['B', 'H', 't', 'lengths', 'relu', 'gates', 'gOut', 'gOutStride', 'dh', 'dGates'],
  forwardLoop: ['kind', 'T', 'B', 'H', 'reverse', 'b0', 'b1', 'lengths', 'gates', 'hw', 'biasHh', 'whh', 'states', 'cells', 'tanhC', 'hwn', 'out', 'outStride'],
  backwardLoop: ['kind', 'T', 'B', 'H', 'reverse', 'b0', 'b1', 'lengths', 'gates', 'hPrev', 'cPrev', 'tanhC', 'hwn', 'gOut', 'gOutStride', 'dh', 'dc', 'dXW', 'dHW', 'whh'],
  transpose: ['rows', 'cols', 'src', 'dst'],
} as const;

/** A kernel's name. */
export type KernelName = keyof typeof ABI;
/** The parameter names of kernel F. */
export type ParamName<F extends KernelName> = (typeof ABI)[F][number];
/** Kernel F's arguments by name. */
export type KernelArgs<F extends KernelName> = { readonly [P in ParamName<F>]: number };
/** The instance's exports: each kernel with its parameters in ABI order. */
export type WasmExports = { readonly [F in KernelName]: (...args: Numbers<(typeof ABI)[F]>) => void };
/** A tuple of numbers as long as T. */
type Numbers<T extends readonly unknown[]> = { -readonly [I in keyof T]: number };

/** The kernels in module order. */
export const KERNEL_NAMES = Object.keys(ABI) as KernelName[];

/** Kernel F's arguments in ABI order. */
export function argsOf<F extends KernelName>(fn: F, args: KernelArgs<F>): number[] {
  return ABI[fn].map((name: ParamName<F>) => args[name]);
}

/** A function body for kernel F, with each parameter's local index by name. */
export function kernelCode<F extends KernelName>(fn: F): { code: Code; p: Record<ParamName<F>, number> } {
  const params = ABI[fn];
  const p = {} as Record<ParamName<F>, number>;
  params.forEach((name: ParamName<F>, i: number) => { p[name] = i; });
  return { code: new Code(params.length), p };
}

/** The module's definition of kernel F with the body in `code`. */
export function kernelDef(fn: KernelName, code: Code): FunctionDef {
  return { name: fn, params: ABI[fn].map(() => PARAM), results: [], code };
}

/**
 * Emits a call of kernel F from another kernel: each argument is a local (its index) or an
 * emitter that pushes the value; they are pushed in ABI order, whatever order they are named in.
 */
export function callKernel<F extends KernelName>(code: Code, fn: F, args: { readonly [P in ParamName<F>]: number | (() => void) }): void {
  for (const name of ABI[fn] as readonly ParamName<F>[]) {
    const arg = args[name];
    if (typeof arg === 'number') code.get(arg);
    else if (typeof arg === 'function') arg();
    else throw new Error(`callKernel: ${fn} has no argument ${name}`);
  }
  code.call(KERNEL_NAMES.indexOf(fn));
}
