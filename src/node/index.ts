/**
 * `recurrent/node`: everything in the core, plus files for Node (safetensors files and
 * checkpoints written atomically), the `recurrent` CLI, and the SVG charts (also their own
 * entry, `recurrent/plot`, so the core stays small).
 */
export * from '../index.js';
export * as plot from '../plot/index.js';
export { loadCheckpoint, loadFile, saveCheckpoint, saveFile, writeFileAtomic } from './files.js';
export { cli } from './cli/main.js';
export type { CliIO } from './cli/io.js';
export type { OutputStream } from './cli/progress.js';
export { readMetrics, readSamples, type MetricsLine, type SampleEntry } from './cli/run-files.js';
import { setupNode } from './threads.js';
setupNode(); // worker threads for setNumThreads; RECURRENT_BACKEND and RECURRENT_THREADS
