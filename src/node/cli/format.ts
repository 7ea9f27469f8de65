/** Number, duration and table formatting for the CLI's output. */

/**
 * Text from a file (a checkpoint's config) made safe to print: control characters, which
 * could drive the terminal (escape sequences), are shown as \u escapes.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, escapeControl);
}

/** Text for the terminal that keeps its line breaks and tabs; other control characters escaped (a checkpoint's vocabulary may hold any). */
export function printableText(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, escapeControl);
}

function escapeControl(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** An integer with thousands separators: 12,345. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A count and a noun, singular for one: 1 character, 2 characters. */
export function plural(n: number, noun: string): string {
  return `${count(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** A duration in seconds as 4.2s, 42s, 3m05s or 1h02m. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  if (seconds < 9.95) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A table: the header row, then the rows; columns padded, numeric-looking cells right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => /^[-+\d.,]+[a-z%]*$|^\[/.test(r[c])));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
