/**
 * Which backend runs the hot loops: 'wasm' (WebAssembly SIMD kernels emitted at run time, see
 * src/kernels/wasm) or 'js' (the scalar TypeScript kernels beside this file, the reference).
 *
 * Chosen once, lazily, the first time a kernel asks: WASM when this engine validates and
 * instantiates the SIMD module, else JS. `selectBackend` overrides the choice. The layers above
 * call `activeWasm()` and never ask which backend runs otherwise.
 */
import { createWasmKernels, type WasmKernels } from './wasm/module.js';

/** The name of a backend. */
export type BackendName = 'js' | 'wasm';

let kernels: WasmKernels | null | undefined;
let failure = '';
/** The active WASM kernels, null for JS, undefined until the automatic choice is made. */
let active: WasmKernels | null | undefined;

function loadWasm(): WasmKernels | null {
  if (kernels === undefined) {
    const made = createWasmKernels();
    if (typeof made === 'string') {
      failure = made;
      kernels = null;
    } else kernels = made;
  }
  return kernels;
}

/** The WASM kernels when they are the active backend, else null (run the JS kernels). */
export function activeWasm(): WasmKernels | null {
  if (active === undefined) active = loadWasm();
  return active;
}

/** The active backend's name. */
export function backendName(): BackendName {
  return activeWasm() === null ? 'js' : 'wasm';
}

/** Makes `name` the active backend; returns null, or why 'wasm' cannot run here (nothing changes then). */
export function selectBackend(name: BackendName): string | null {
  if (name === 'js') {
    active = null;
    return null;
  }
  const made = loadWasm();
  if (made === null) return failure;
  active = made;
  return null;
}

/** The WASM kernels if they can run here, whichever backend is active (for threads and tests). */
export function wasmKernels(): WasmKernels | null {
  return loadWasm();
}
