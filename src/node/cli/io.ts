/** Where the CLI writes and reads its input files, shared by every command. */
import { basename, resolve } from 'node:path';
import { RecurrentError } from '../../tensor/errors.js';
import type { OutputStream } from './progress.js';
import { readBytes } from './run-checkpoint.js';

/** The CLI's output streams (process.stdout and process.stderr by default). */
export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
}

/** Control characters no text file holds (NUL and C0 controls but tab, newlines, form feed and escape). */
const CONTROL = /[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/;

const hex = (byte: number) => `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/** Byte offset of the first sequence that is not UTF-8 (a U+FFFD the lenient decoder made, not one the file spells). */
function firstBadUtf8(bytes: Uint8Array, lenient: string): number {
  for (let i = lenient.indexOf('\ufffd'); i >= 0; i = lenient.indexOf('\ufffd', i + 1)) {
    const offset = new TextEncoder().encode(lenient.slice(0, i)).length;
    if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) return offset;
  }
  return -1;
}

/**
 * The text of a file: UTF-8 (a byte-order mark is dropped), or UTF-16 when it starts with a
 * UTF-16 byte-order mark. Anything else (Latin-1, UTF-16 without a mark, a binary file) is
 * refused naming the first bad byte and its offset, rather than trained on as U+FFFD and NULs.
 */
function decodeText(op: string, what: string, path: string, bytes: Uint8Array): string {
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : null;
  if (utf16 !== null) {
    try {
      return new TextDecoder(utf16, { fatal: true }).decode(bytes); // drops the mark
    } catch {
      throw new RecurrentError(op, `${what} '${path}' starts with a ${utf16.toUpperCase()} byte-order mark but is not valid ${utf16.toUpperCase()}`, 'format');
    }
  }
  const text = new TextDecoder('utf-8').decode(bytes); // drops a UTF-8 mark
  const bad = firstBadUtf8(bytes, text);
  if (bad >= 0) {
    const name = basename(path);
    throw new RecurrentError(
      op,
      `${what} '${path}' is not UTF-8 text: byte ${hex(bytes[bad]!)} at offset ${bad} is not valid UTF-8. ` +
        `If it is Latin-1 or Windows-1252, convert it first: iconv -f windows-1252 -t utf-8 '${name}' > '${name}.utf8'`,
      'format',
    );
  }
  const control = CONTROL.exec(text);
  if (control !== null) {
    const offset = new TextEncoder().encode(text.slice(0, control.index)).length;
    throw new RecurrentError(
      op,
      `${what} '${path}' is not a text file: it holds the control byte ${hex(control[0].charCodeAt(0))} at offset ${offset} (a binary file, or UTF-16 without a byte-order mark?)`,
      'format',
    );
  }
  return text;
}

/** A text file (see decodeText) with its absolute path; a missing, unreadable or non-text file is one clear error. */
export function readText(op: string, what: string, path: string): { text: string; path: string } {
  const bytes = readBytes(op, what, path);
  const text = decodeText(op, what, path, bytes);
  if (text.length === 0) throw new RecurrentError(op, `${what} '${path}' is empty`);
  return { text, path: resolve(path) };
}
