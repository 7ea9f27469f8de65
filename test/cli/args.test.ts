/** Flag parsing: forms, defaults, ranges, and the messages of each mistake. */
import { describe, expect, it } from 'vitest';
import { UsageError, commandHelp, parseArgs, type CommandSpec } from '../../src/node/cli/args.js';
import { printable } from '../../src/node/cli/format.js';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'A command for the tests.',
  flags: [
    { name: 'size', kind: 'int', min: 1, max: 10, default: 3, help: 'a size' },
    { name: 'rate', kind: 'number', above: 0, default: 0.5, help: 'a rate' },
    { name: 'name', kind: 'text', help: 'a name' },
    { name: 'mode', kind: 'text', choices: ['a', 'b'], optional: true, help: 'a mode' },
    { name: 'force', kind: 'switch', help: 'a switch' },
  ],
};

describe('parseArgs', () => {
  it('takes --flag value and --flag=value, fills defaults and records what was given', () => {
    const args = parseArgs(spec, ['--name', 'x', '--size=7', '--force'])!;
    expect(Object.fromEntries(args.values)).toEqual({ name: 'x', size: 7, rate: 0.5, force: true });
    expect([...args.given].sort()).toEqual(['force', 'name', 'size']);
    expect(parseArgs(spec, ['--name', 'x', '--size', '2', '--size', '9'])!.values.get('size')).toBe(9);
    expect(parseArgs(spec, ['--name=--odd', '--rate', '1e-3'])!.values).toEqual(new Map<string, unknown>([['name', '--odd'], ['rate', 0.001], ['size', 3], ['force', false]]));
  });

  it('returns null for --help or -h', () => {
    expect(parseArgs(spec, ['--help'])).toBeNull();
    expect(parseArgs(spec, ['--size', '99', '-h'])).toBeNull();
  });

  it.each([
    [['--name', 'x', '--bogus'], 'recurrent demo: unknown flag --bogus'],
    [['--name'], 'recurrent demo: --name needs a value (TEXT)'],
    [['--name', 'x', '--size', '--force'], 'recurrent demo: --size needs a value (N)'],
    [['--name', 'x', '--size', '1.5'], 'recurrent demo: --size must be an integer >= 1 and <= 10, got "1.5"'],
    [['--name', 'x', '--size', '11'], 'recurrent demo: --size must be an integer >= 1 and <= 10, got "11"'],
    [['--name', 'x', '--rate', '0'], 'recurrent demo: --rate must be a number > 0, got "0"'],
    [['--name', 'x', '--rate', ''], 'recurrent demo: --rate must be a number > 0, got ""'],
    [['--name', 'x', '--mode', 'c'], 'recurrent demo: --mode must be one of a, b, got "c"'],
    [['--name', 'x', '--force=yes'], 'recurrent demo: --force takes no value'],
    [['--name', 'x', 'extra'], 'recurrent demo: unexpected argument "extra"'],
    [[], 'recurrent demo: --name is required'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseArgs(spec, argv)).toThrow(UsageError);
    expect(() => parseArgs(spec, argv)).toThrow(message);
  });
});

describe('commandHelp', () => {
  it('lists every flag with its placeholder, default or requirement', () => {
    const help = commandHelp(spec);
    expect(help).toMatch(/^usage: recurrent demo \[flags\]\n\nA command for the tests\./);
    expect(help).toMatch(/--size N +a size \(default 3\)/);
    expect(help).toMatch(/--name TEXT +a name \(required\)/);
    expect(help).toMatch(/--mode a\|b +a mode\n/);
    expect(help).toMatch(/--force +a switch\n/);
    expect(help).toMatch(/--help +show this help/);
  });
});

describe('parseArgs: hostile and careless input', () => {
  it('-h and --help ask for help only where a flag may stand', () => {
    expect(parseArgs(spec, ['--name', '-h'])!.values.get('name')).toBe('-h');
    expect(parseArgs(spec, ['--name', 'x', '-h'])).toBeNull();
  });

  it('numbers are plain decimals: hex, binary, Infinity and empty text are refused', () => {
    for (const bad of ['0x10', '0b1', 'Infinity', '', ' ', '1e', '.']) {
      expect(() => parseArgs(spec, ['--name', 'x', '--rate', bad]), bad).toThrow(UsageError);
    }
    expect(parseArgs(spec, ['--name', 'x', '--rate', '1e-3'])!.values.get('rate')).toBe(0.001);
    expect(parseArgs(spec, ['--name', 'x', '--rate', '.5'])!.values.get('rate')).toBe(0.5);
  });
});

describe('printable', () => {
  it('shows control characters from a checkpoint as escapes, so they cannot drive the terminal', () => {
    expect(printable('a\u001b[2Jb\u009b\u007f.txt')).toBe('a\\u001b[2Jb\\u009b\\u007f.txt');
    expect(printable('caf\u00e9 \u{1f600}')).toBe('caf\u00e9 \u{1f600}');
  });
});
