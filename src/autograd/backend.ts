/**
 * The public backend switch. Two backends compute every op, with one behaviour:
 *   'wasm'  WebAssembly SIMD kernels that the library assembles at run time from its own
 *           TypeScript (no binary in the package); chosen by default wherever the engine
 *           validates and instantiates them
 *   'js'    the scalar TypeScript kernels: the readable reference, and the path where
 *           WebAssembly SIMD is missing (QuickJS, old engines, pages whose Content Security
 *           Policy lacks 'wasm-unsafe-eval')
 * Results agree to float32 rounding (tests hold both to the same PyTorch tolerances).
 */
import { backend, selectBackend, type BackendName } from '../kernels/backend.js';
import { RecurrentError, show } from '../tensor/errors.js';

export type { BackendName };

/** The backend that runs the kernels now: 'wasm' or 'js'. */
export function getBackend(): BackendName {
  return backend().name;
}

/**
 * Selects the backend for every later op. `'wasm'` throws a RecurrentError saying why when
 * WebAssembly SIMD cannot run here, and then nothing changes.
 */
export function setBackend(name: BackendName): void {
  if (name !== 'js' && name !== 'wasm') throw new RecurrentError('setBackend', `name must be 'js' or 'wasm', got ${show(name)}`);
  const reason = selectBackend(name);
  if (reason !== null) throw new RecurrentError('setBackend', `the 'wasm' backend cannot run here: ${reason}`, 'state');
}
