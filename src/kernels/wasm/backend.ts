/**
 * The WebAssembly SIMD backend: the Backend interface (../backend.ts) on the kernels this folder
 * emits, over one heap. What SIMD does not speed up (column sums of a bias gradient, a few
 * hundred floats) runs on the scalar backend's code.
 */
import type { Backend } from '../backend.js';
import { jsBackend } from '../js/backend.js';
import type { WasmKernels } from './module.js';
import { wasmLinear, wasmProducts } from './products.js';
import { recurrentLayerWasm } from './recurrent-layer.js';

/** The backend over built kernels. */
export function wasmBackend(w: WasmKernels): Backend {
  return {
    ...jsBackend,
    name: 'wasm',
    ...wasmProducts(w),
    linear: (m, k, n, x, weight, bias, y) => wasmLinear(w, m, k, n, x, weight, bias, y),
    recurrentLayer: (call, save) => recurrentLayerWasm(w, call, save),
  };
}
