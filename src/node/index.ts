/**
 * `recurrent/node`: everything in the core, plus files for Node (safetensors files and
 * checkpoints written atomically).
 */
export * from '../index.js';
export { loadCheckpoint, loadFile, saveCheckpoint, saveFile, writeFileAtomic } from './files.js';
