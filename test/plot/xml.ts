/**
 * A strict little XML reader for the SVG tests: elements, attributes and text, with entities
 * decoded. It throws on anything a browser's XML parser would reject that our writer could
 * produce: unbalanced or crossed tags, a raw `<` or `&` in text or attributes, duplicate
 * attributes, unknown entities, characters XML forbids.
 */

/** An element of the parsed document. */
export interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The decoded text directly inside this element. */
  text: string;
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  if (/[<]/.test(raw)) throw new Error(`raw '<' in ${where}: ${raw}`);
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(raw)) throw new Error(`forbidden control character in ${where}`);
  return raw.replace(/&([^;]*);?/g, (m, name: string) => {
    if (!m.endsWith(';')) throw new Error(`raw '&' in ${where}: ${raw}`);
    if (name.startsWith('#')) return String.fromCodePoint(name[1] === 'x' ? parseInt(name.slice(2), 16) : Number(name.slice(1)));
    if (!(name in ENTITY)) throw new Error(`unknown entity &${name}; in ${where}`);
    return ENTITY[name];
  });
}

/** Parses one XML document (no prolog needed) into its root element. */
export function parseXml(source: string): XmlElement {
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|([^<]+)/gy;
  const stack: XmlElement[] = [{ tag: '#document', attrs: {}, children: [], text: '' }];
  let at = 0;
  while (at < source.length) {
    token.lastIndex = at;
    const m = token.exec(source);
    if (!m) throw new Error(`malformed XML at offset ${at}: ${source.slice(at, at + 40)}`);
    at = token.lastIndex;
    const [, close, tag, attrText, selfClose, text] = m;
    const top = stack[stack.length - 1];
    if (text !== undefined) {
      top.text += decode(text, `text of <${top.tag}>`);
    } else if (close) {
      if (top.tag !== tag) throw new Error(`</${tag}> closes <${top.tag}>`);
      stack.pop();
    } else {
      const attrs: Record<string, string> = {};
      for (const a of attrText.matchAll(/([\w:-]+)="([^"]*)"/g)) {
        if (a[1] in attrs) throw new Error(`duplicate attribute ${a[1]} on <${tag}>`);
        attrs[a[1]] = decode(a[2], `attribute ${a[1]} of <${tag}>`);
      }
      const el: XmlElement = { tag, attrs, children: [], text: '' };
      top.children.push(el);
      if (!selfClose) stack.push(el);
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].tag}>`);
  const roots = stack[0].children;
  if (roots.length !== 1 || stack[0].text.trim() !== '') throw new Error('a document needs exactly one root element');
  return roots[0];
}

/** Every element below `root` (and root) matching `tag` and, if given, containing `className`. */
export function findAll(root: XmlElement, tag: string, className?: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (el: XmlElement) => {
    if (el.tag === tag && (className === undefined || (el.attrs.class ?? '').split(' ').includes(className))) out.push(el);
    el.children.forEach(walk);
  };
  walk(root);
  return out;
}

/** All text inside an element, depth first. */
export function textOf(el: XmlElement): string {
  return el.text + el.children.map(textOf).join('');
}
