/** Where the CLI writes and reads its input files, shared by every command. */
import { resolve } from 'node:path';
import { RecurrentError } from '../../tensor/errors.js';
import type { OutputStream } from './progress.js';
import { readBytes } from './run-checkpoint.js';

/** The CLI's output streams (process.stdout and process.stderr by default). */
export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
}

/** A UTF-8 text file with its absolute path; a missing or unreadable file is one clear error. */
export function readText(op: string, what: string, path: string): { text: string; path: string } {
  const bytes = readBytes(op, what, path);
  const text = new TextDecoder('utf-8').decode(bytes);
  if (text.length === 0) throw new RecurrentError(op, `${what} '${path}' is empty`);
  return { text, path: resolve(path) };
}
