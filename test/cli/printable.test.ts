/** What the CLI prints from a checkpoint cannot drive the terminal: control characters are escaped. */
import { describe, expect, it } from 'vitest';
import { printable, printableText } from '../../src/node/cli/format.js';

describe('printable text', () => {
  it('escapes escape sequences and other control characters, keeping line breaks and tabs in generated text', () => {
    const hostile = 'red\u001b[31m bell\u0007 del\u007f c1\u009b\nnext\tcell\rback';
    expect(printableText(hostile)).toBe('red\\u001b[31m bell\\u0007 del\\u007f c1\\u009b\nnext\tcell\\u000dback');
    expect(printable(hostile)).toBe('red\\u001b[31m bell\\u0007 del\\u007f c1\\u009b\\u000anext\\u0009cell\\u000dback');
    expect(printableText('plain text, ünïcödé and 字')).toBe('plain text, ünïcödé and 字');
  });
});
