/**
 * `recurrent/browser`: everything in the core, plus Web Workers for `setNumThreads` (registered
 * on import). Threads need a shared memory: a crossOriginIsolated page, or a worker of one.
 * ESM only: the worker script is found beside this module (`new URL(..., import.meta.url)`).
 */
export * from '../index.js';
import { setupBrowser } from './threads.js';
setupBrowser(); // module workers for setNumThreads
