/**
 * SVG text building: XML escaping, coordinates printed the same way every time, and element
 * strings. Plain string work, so charts render in any JavaScript runtime and a chart made
 * twice from the same numbers is the same bytes.
 */
import { RecurrentError, show } from '../tensor/errors.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text made safe inside XML content and attribute values: the five special characters become
 * entities, and characters XML 1.0 forbids even escaped (control characters, lone surrogates)
 * become U+FFFD.
 */
export function escapeXml(text: string): string {
  if (typeof text !== 'string' && typeof text !== 'number') throw new RecurrentError('escapeXml', `text must be a string, got ${show(text)}`);
  return String(text)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A coordinate rounded to 1/100 px, without trailing zeros: 12.5, -3, 0 (never -0). */
export function num(v: number): string {
  const r = Math.round(v * 100) / 100;
  return r === 0 ? '0' : String(r);
}

/** Attribute values: numbers go through {@link num}, strings are escaped, undefined is left out. */
export type Attributes = Record<string, string | number | undefined>;

/** One element as a string: `<tag a="1"/>`, or `<tag a="1">children</tag>` (children already SVG). */
export function el(tag: string, attrs: Attributes, children = ''): string {
  let out = `<${tag}`;
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    out += ` ${key}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`;
  }
  return children === '' ? `${out}/>` : `${out}>${children}</${tag}>`;
}

/** A text element holding escaped `content`. */
export function text(content: string, attrs: Attributes): string {
  return el('text', attrs, escapeXml(content));
}

/** Rough width in px of `content` set at `fontSize` (average glyph about 0.6 em), for layout. */
export function textWidth(content: string, fontSize: number): number {
  return [...content].length * fontSize * 0.6;
}
