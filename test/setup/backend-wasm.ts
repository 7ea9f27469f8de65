// The default test project: the WebAssembly SIMD kernels, selected explicitly so that a
// module that fails to build fails the tests instead of falling back to JS unnoticed.
import { setBackend } from '../../src/index.js';

setBackend('wasm');
