/**
 * One pass over JSON text that finds what `JSON.parse` hides or would pay dearly for:
 *
 *   - a key that appears twice in one object (`JSON.parse` silently keeps the last, so
 *     `{"w": A, "w": B}` would load B while another reader loads A);
 *   - nesting deeper than the caller expects (checked before parsing, so a hostile
 *     100 MB run of `[` is refused without building 50 million arrays).
 *
 * The scan only tracks brackets, commas and strings. On valid JSON its tokens are exact: a
 * string is a key exactly when it follows `{` or a comma inside an object. On invalid JSON it
 * may stop early or miss things; the `JSON.parse` that follows reports the syntax error.
 */

/**
 * One open object or array: its keys so far (null for an array), the key it is the value of
 * (an array's, for an object inside an array; null at the top) and its own last key.
 */
interface Level {
  readonly keys: Set<string> | null;
  readonly owner: string | null;
  lastKey: string | null;
}

/** Index of the quote that closes the string opening at `text[open]`, or -1 if none does. */
function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22 /* " */) return i;
  }
  return -1;
}

/** The value of a JSON string literal, or null when it is not a valid one. */
function decodeString(literal: string): string | null {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return null;
  }
}

/** Where a level sits, for messages: `the top level` or `the object under "name"`. */
function where(level: Level): string {
  return level.owner === null ? 'the top level' : `the object under ${JSON.stringify(level.owner)}`;
}

/**
 * Scans JSON text and returns a sentence describing the first duplicate key or excessive
 * nesting found (e.g. `has the key "w" twice at the top level`), or null when there is none.
 * `maxDepth` counts open objects and arrays: `{"a": [1]}` has depth 2.
 */
export function findJsonProblem(text: string, maxDepth: number): string | null {
  const stack: Level[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length === maxDepth) return `nests objects and arrays deeper than ${maxDepth} levels`;
      const owner = top === undefined ? null : top.keys === null ? top.owner : top.lastKey;
      stack.push({ keys: c === 0x7b ? new Set() : null, owner, lastKey: null });
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = top !== undefined && top.keys !== null;
    } else if (c === 0x22 /* " */) {
      const close = closingQuote(text, i);
      if (close < 0) return `has a string that never ends (from character ${i})`;
      if (expectKey && top !== undefined && top.keys !== null) {
        const key = decodeString(text.slice(i, close + 1));
        if (key === null) return `has an invalid string at character ${i}`;
        if (top.keys.has(key)) return `has the key ${JSON.stringify(key)} twice in ${where(top)}`;
        top.keys.add(key);
        top.lastKey = key;
        expectKey = false;
      }
      i = close;
    }
  }
  return null;
}
