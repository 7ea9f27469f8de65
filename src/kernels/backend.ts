/**
 * The backend interface: every hot loop the layers above run, as whole operations over flat
 * arrays and integer sizes. One object per backend, each in its own folder:
 *   js/    the scalar TypeScript kernels: the readable reference, and the path everywhere
 *          WebAssembly SIMD is missing
 *   wasm/  WebAssembly SIMD kernels emitted at run time (heap addresses, packing and threads
 *          never leave that folder)
 * A third backend is one more folder implementing `Backend`.
 *
 * The choice is made here and nowhere else: lazily, the first time `backend()` is asked, WASM
 * when this engine validates and instantiates the SIMD module, else JS; `selectBackend`
 * overrides it. Every backend computes the same function to float32 rounding.
 *
 * Products take each matrix as (array, offset), row-major, `accumulate` adding into C:
 *   NN:  C(m,n) (+)= A(m,k) · B(k,n)        NT:  C(m,n) (+)= A(m,k) · B(n,k)ᵀ
 *   TN:  C(m,n) (+)= A(k,m)ᵀ · B(k,n)
 */
import { jsBackend } from './js/backend.js';
import type { RecurrentLayerCall, RecurrentLayerRun } from './recurrent.js';
import { wasmBackend } from './wasm/backend.js';
import { createWasmKernels, type WasmKernels } from './wasm/module.js';

/** The name of a backend. */
export type BackendName = 'js' | 'wasm';

/** A product's signature (see the file header). */
export type Product = (
  m: number, k: number, n: number,
  a: Float32Array, aOff: number, b: Float32Array, bOff: number,
  c: Float32Array, cOff: number, accumulate: boolean,
) => void;

/** What a backend computes. */
export interface Backend {
  readonly name: BackendName;
  readonly matmulNN: Product;
  readonly matmulNT: Product;
  readonly matmulTN: Product;
  /**
   * y(m,n) = x(m,k) · Wᵀ (+ bias in every row) for a weight W (n, k): a backend may keep
   * what it derives from W (packed panels) until W's storage version moves (storage.ts).
   */
  linear(m: number, k: number, n: number, x: Float32Array, weight: Float32Array, bias: Float32Array | null, y: Float32Array): void;
  /** out(cols) += the column sums of src (rows, cols), rows added in order. */
  addColumnSums(rows: number, cols: number, src: Float32Array, out: Float32Array): void;
  /** One recurrent layer, all directions, forward; keeps what backward needs when `save`. */
  recurrentLayer(call: RecurrentLayerCall, save: boolean): RecurrentLayerRun;
}

let kernels: WasmKernels | null | undefined;
// Stryker disable next-line StringLiteral: loadWasm sets it before selectBackend can read it
let failure = '';
let wasm: Backend | null = null;
/** The active backend, undefined until the automatic choice is made. */
let active: Backend | undefined;

function loadWasm(): Backend | null {
  if (kernels === undefined) {
    const made = createWasmKernels();
    if (typeof made === 'string') {
      failure = made;
      kernels = null;
    } else {
      kernels = made;
      wasm = wasmBackend(made);
    }
  }
  return wasm;
}

/** The active backend. */
export function backend(): Backend {
  return (active ??= loadWasm() ?? jsBackend);
}

/** Makes `name` the active backend; returns null, or why 'wasm' cannot run here (nothing changes then). */
export function selectBackend(name: BackendName): string | null {
  if (name === 'js') {
    active = jsBackend;
    return null;
  }
  const made = loadWasm();
  if (made === null) return failure;
  active = made;
  return null;
}

/** The WASM kernels if they can run here, whichever backend is active (for threads and tests). */
export function wasmKernels(): WasmKernels | null {
  loadWasm();
  return kernels ?? null;
}
