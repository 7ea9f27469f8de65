/**
 * The scalar backend: every operation of the Backend interface (../backend.ts) on the plain
 * TypeScript kernels of this folder. The reference the WASM backend is tested against, and
 * the backend wherever WebAssembly SIMD cannot run.
 */
import type { Backend } from '../backend.js';
import { matmulNN, matmulNT, matmulTN } from './matmul.js';
import { addColumnSums, recurrentLayerJs } from './recurrent-layer.js';

/** The scalar TypeScript backend. */
export const jsBackend: Backend = {
  name: 'js',
  matmulNN,
  matmulNT,
  matmulTN,
  linear(m, k, n, x, weight, bias, y) {
    if (bias !== null) for (let r = 0; r < m; r++) y.set(bias, r * n);
    matmulNT(m, k, n, x, 0, weight, 0, y, 0, bias !== null);
  },
  addColumnSums,
  recurrentLayer: (call) => recurrentLayerJs(call),
};
