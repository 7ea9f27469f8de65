/**
 * Strings written into generated code and markup as literals, whatever they hold: one function
 * per target language, and every string that reaches a generated file goes through one.
 *
 *   Python    an ASCII-only single-quoted str literal: printable ASCII stays, except \ and ',
 *             which are escaped; everything else (control characters, every Unicode line
 *             separator, NUL, non-ASCII, lone surrogates) is written as \xHH, \uHHHH or
 *             \UHHHHHHHH, so the literal is one line that Python reads back exactly
 *   Markdown  an inline code span holding the Python literal: one line of printable ASCII, in
 *             which CommonMark interprets nothing (no HTML, link, emphasis or entity), fenced by
 *             more backticks than the longest run inside it
 *   Shell     a bash ANSI-C quoted word $'...': printable ASCII stays but for \, ' and the
 *             backtick, everything else is \xHH, \uHHHH or \UHHHHHHHH, so the word is one line
 *             without a backtick, safe inside a fenced code block
 */
import { RecurrentError } from '../../tensor/errors.js';

const hex = (code: number, digits: number) => code.toString(16).padStart(digits, '0');

/** `text` as a Python str literal (ASCII only, one line) that evaluates to exactly `text`. */
export function pythonString(text: string): string {
  let out = "'";
  for (const ch of text) {
    const c = ch.codePointAt(0)!; // a lone surrogate comes as itself, and is written as a \u escape that Python reads back
    if (ch === '\\' || ch === "'") out += `\\${ch}`;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c < 0x100) out += `\\x${hex(c, 2)}`;
    else if (c < 0x10000) out += `\\u${hex(c, 4)}`;
    else out += `\\U${hex(c, 8)}`;
  }
  return `${out}'`;
}

/** A string, a finite number or a list of them as a Python literal. */
export function pythonLiteral(value: string | number | readonly (string | number)[]): string {
  if (typeof value === 'string') return pythonString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RecurrentError('pythonLiteral', `cannot write ${value} as a Python number literal`);
    return String(value);
  }
  return `[${value.map((v) => pythonLiteral(v)).join(', ')}]`;
}

/** `text` shown in Markdown as an inline code span holding its Python literal (see the module comment). */
export function markdownString(text: string): string {
  const literal = pythonString(text);
  const longest = Math.max(0, ...Array.from(literal.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${literal}${fence}`;
}

/** `text` as one bash word, $'...' (see the module comment), that the shell reads back exactly. */
export function shellString(text: string): string {
  let out = "$'";
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\' || ch === "'") out += `\\${ch}`;
    else if (c >= 0x20 && c < 0x7f && ch !== '`') out += ch;
    else if (c < 0x80) out += `\\x${hex(c, 2)}`;
    else if (c < 0x10000) out += `\\u${hex(c, 4)}`;
    else out += `\\U${hex(c, 8)}`;
  }
  return `${out}'`;
}
