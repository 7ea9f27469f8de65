/**
 * Files for Node: safetensors and checkpoints on disk. Every write goes to a temporary file
 * in the same folder, is flushed to disk, and is then renamed over the target, so a crash or
 * a kill at any moment leaves either the old complete file or the new complete one.
 *
 * The temporary file has a random name (`.<name>.<16 hex digits>.tmp`) and is created
 * exclusively ('wx': it must not exist, and a symlink planted at its name is not followed),
 * so concurrent writers (worker threads of one process, containers that all run as pid 1)
 * never share one. After the rename the folder is flushed too, so the rename itself survives
 * a power cut. A temporary file left by an earlier crash is removed by the next save to the
 * same target once it is an hour old (a younger one may belong to a writer still running).
 * When the target is a symlink, the file it points to is replaced and the link kept.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { load, save } from '../io/safetensors.js';
import { RecurrentError, show } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Generator } from '../tensor/random.js';
import type { Module } from '../nn/module.js';
import { encodeCheckpoint, restoreCheckpoint, type AnyOptimizer, type CheckpointParts } from '../train/checkpoint.js';

/** Temporary files older than this (by modification time) are left over from a crash. */
const STALE_MS = 60 * 60 * 1000;

/** Throws unless `path` is a non-empty string (a number would be taken as a file descriptor). */
function checkPath(op: string, path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) {
    throw new RecurrentError(op, `path must be a non-empty string, got ${show(path)}`);
  }
}

/** Why a file operation on `path` failed, in words, naming the user's path (never a temporary file). */
function fileError(op: string, verb: 'read' | 'write', path: string, error: unknown): RecurrentError {
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOENT: verb === 'read' ? 'no such file' : 'its folder does not exist',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EISDIR: 'it is a folder',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    ENOTEMPTY: 'a folder of that name is in the way',
    EEXIST: 'a file of that name is in the way of a folder',
  };
  const reason = (code && reasons[code]) ?? (error instanceof Error ? error.message : String(error));
  return new RecurrentError(op, `cannot ${verb} '${path}': ${reason}`);
}

/** The file a write to `path` replaces: the target of a symlink, else `path` itself. */
function writeTarget(path: string): string {
  try {
    return lstatSync(path).isSymbolicLink() ? realpathSync(path) : path;
  } catch {
    return path; // missing (or a dangling link's target is missing): write a new file at path
  }
}

/** Removes the temporary files of earlier writes to `target` that a crash left behind. */
function removeStaleTemporaries(target: string): void {
  const dir = dirname(target);
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^[0-9a-f.]+\.tmp$/.test(name.slice(prefix.length))) continue;
    try {
      if (now - lstatSync(join(dir, name)).mtimeMs > STALE_MS) rmSync(join(dir, name), { force: true });
    } catch {
      // another writer removed or renamed it first
    }
  }
}

/** Flushes a folder's entries (the rename) to disk, where the platform allows it. */
function fsyncFolder(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return; // Windows cannot open a folder
  }
  try {
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on a folder; the rename is still atomic
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes bytes to a new temporary file beside `target` (random name, created exclusively),
 * flushed to disk, and returns its path; on any error it is removed and nothing is left.
 */
function writeTemporary(op: string, path: string, target: string, bytes: Uint8Array): string {
  removeStaleTemporaries(target);
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(8).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o666);
  } catch (error) {
    throw fileError(op, 'write', path, error);
  }
  try {
    try {
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    rmSync(tmp, { force: true });
    throw fileError(op, 'write', path, error);
  }
  return tmp;
}

/** Renames a temporary file over `target` (removing it if that fails). */
function renameInto(op: string, path: string, tmp: string, target: string): void {
  try {
    renameSync(tmp, target);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw fileError(op, 'write', path, error);
  }
}

/**
 * Writes bytes to `path` atomically: a new temporary file with a random name in the same
 * folder (created exclusively), fsync, rename over `path`, fsync of the folder. On any error
 * the temporary file is removed and `path` is left as it was.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  checkPath('writeFileAtomic', path);
  if (!(bytes instanceof Uint8Array)) throw new RecurrentError('writeFileAtomic', `bytes must be a Uint8Array, got ${show(bytes)}`);
  const target = writeTarget(path);
  renameInto('writeFileAtomic', path, writeTemporary('writeFileAtomic', path, target, bytes), target);
  fsyncFolder(dirname(target));
}

/**
 * Writes several files as one: missing folders are created, every file is first written
 * completely to its temporary file, and only then are they renamed into place, so a failure
 * while writing (a full disk, a file in the way of a folder) leaves no file replaced, no
 * temporary file and no folder it created. A target that is a folder is refused before anything
 * is written; a rename that still fails leaves the files renamed before it replaced.
 */
export function writeFilesAtomic(files: readonly (readonly [path: string, bytes: Uint8Array])[]): void {
  const op = 'writeFilesAtomic';
  const targets = files.map(([path]) => {
    checkPath(op, path);
    const target = writeTarget(path);
    let folder: boolean | undefined;
    try {
      folder = statSync(target, { throwIfNoEntry: false })?.isDirectory();
    } catch (error) {
      throw fileError(op, 'write', path, error);
    }
    if (folder) throw fileError(op, 'write', path, Object.assign(new Error(), { code: 'EISDIR' }));
    return target;
  });
  const created: string[] = [];
  const temporaries: string[] = [];
  try {
    files.forEach(([path], i) => {
      try {
        const made = mkdirSync(dirname(targets[i]), { recursive: true });
        if (made !== undefined) created.push(made);
      } catch (error) {
        throw fileError(op, 'write', path, error);
      }
      temporaries.push(writeTemporary(op, path, targets[i], files[i][1]));
    });
  } catch (error) {
    for (const tmp of temporaries) rmSync(tmp, { force: true });
    for (const dir of created.reverse()) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  for (let i = 0; i < temporaries.length; i++) {
    try {
      renameInto(op, files[i][0], temporaries[i], targets[i]);
    } catch (error) {
      for (const tmp of temporaries.slice(i + 1)) rmSync(tmp, { force: true });
      throw error;
    }
  }
  for (const dir of new Set(targets.map((t) => dirname(t)))) fsyncFolder(dir);
}

/** The bytes of the file at `path`, or a RecurrentError naming it and why it cannot be read. */
function readBytes(op: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw fileError(op, 'read', path, error);
  }
}

/** Saves tensors (a state dict) as a safetensors file that PyTorch's safetensors loads. */
export function saveFile(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  checkPath('saveFile', path);
  writeFileAtomic(path, save(tensors, metadata));
}

/** Loads a safetensors file (F32, F16, BF16, F64, integers) into float32 tensors by name. */
export function loadFile(path: string): Record<string, Tensor> {
  checkPath('loadFile', path);
  return load(readBytes('loadFile', path));
}

/** Saves model, optimizer, step and generators to one file, atomically. */
export function saveCheckpoint(path: string, parts: CheckpointParts): void {
  checkPath('saveCheckpoint', path);
  writeFileAtomic(path, encodeCheckpoint(parts));
}

/** Restores a checkpoint file into a model (and optimizer and generators); all or nothing. */
export function loadCheckpoint(
  path: string,
  targets: { model: Module; optimizer?: AnyOptimizer; generators?: Record<string, Generator> },
): { step: number; extra: Record<string, unknown> } {
  checkPath('loadCheckpoint', path);
  return restoreCheckpoint(readBytes('loadCheckpoint', path), targets);
}
