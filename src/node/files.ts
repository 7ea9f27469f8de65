/**
 * Files for Node: safetensors and checkpoints on disk. Every write goes to a temporary file
 * in the same folder, is flushed to disk, and is then renamed over the target, so a crash or
 * a kill at any moment leaves either the old complete file or the new complete one.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { load, save } from '../io/safetensors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Generator } from '../tensor/random.js';
import type { Module } from '../nn/module.js';
import { encodeCheckpoint, restoreCheckpoint, type AnyOptimizer, type CheckpointParts } from '../train/checkpoint.js';

/** Writes bytes to `path` atomically (temporary file, fsync, rename). */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** Saves tensors (a state dict) as a safetensors file that PyTorch's safetensors loads. */
export function saveFile(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  writeFileAtomic(path, save(tensors, metadata));
}

/** Loads a safetensors file (F32, F16, BF16, F64, integers) into float32 tensors by name. */
export function loadFile(path: string): Record<string, Tensor> {
  return load(new Uint8Array(readFileSync(path)));
}

/** Saves model, optimizer, step and generators to one file, atomically. */
export function saveCheckpoint(path: string, parts: CheckpointParts): void {
  writeFileAtomic(path, encodeCheckpoint(parts));
}

/** Restores a checkpoint file into a model (and optimizer and generators); all or nothing. */
export function loadCheckpoint(
  path: string,
  targets: { model: Module; optimizer?: AnyOptimizer; generators?: Record<string, Generator> },
): { step: number; extra: Record<string, unknown> } {
  return restoreCheckpoint(new Uint8Array(readFileSync(path)), targets);
}
