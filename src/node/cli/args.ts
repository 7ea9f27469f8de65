/**
 * Command-line flags: each command declares its flags once (name, kind, range, default,
 * help); this file parses argv against that declaration and prints the help from it.
 *
 *   --name value  or  --name=value      a later occurrence overrides an earlier one
 *   --switch                            a boolean flag takes no value
 *   --help, -h                          the command's help
 *
 * Every mistake (unknown flag, missing value, a number that is not one or is out of range, a
 * stray argument) throws a UsageError naming the flag and what was given.
 */
import { nearestName } from '../../tensor/check.js';
import { RecurrentError } from '../../tensor/errors.js';

/** A mistake in how a command was called: the CLI prints it on one line and exits with 2. */
export class UsageError extends RecurrentError {
  constructor(command: string, message: string) {
    super(command, message, 'argument');
    this.name = 'UsageError';
  }
}

/** What a flag holds: an integer, any number, text, or a boolean switch. */
export type FlagKind = 'int' | 'number' | 'text' | 'switch';

/** One flag of a command. */
export interface FlagSpec {
  /** Name without the dashes: `hidden` for `--hidden`. */
  name: string;
  kind: FlagKind;
  /** One line for the help. */
  help: string;
  /** The value when the flag is absent (none: required, unless `optional`). */
  default?: number | string | boolean;
  /** May be absent with no default (the command decides). */
  optional?: boolean;
  /** Placeholder in the help (default N, X, TEXT). */
  placeholder?: string;
  /** Smallest allowed number (inclusive). */
  min?: number;
  /** Largest allowed number (inclusive). */
  max?: number;
  /** Numbers must be greater than this (exclusive lower bound). */
  above?: number;
  /** The allowed texts. */
  choices?: readonly string[];
}

/** A command's declaration: name, one-line summary, flags, and notes for its help. */
export interface CommandSpec {
  name: string;
  summary: string;
  flags: readonly FlagSpec[];
  /** Paragraphs printed after the flags. */
  notes?: string;
}

/** Parsed flags: values by name (defaults filled in) and which names were given. */
export interface ParsedArgs {
  values: Map<string, number | string | boolean>;
  given: Set<string>;
}

function placeholder(flag: FlagSpec): string {
  if (flag.kind === 'switch') return '';
  if (flag.placeholder) return flag.placeholder;
  if (flag.choices) return flag.choices.join('|');
  return flag.kind === 'int' ? 'N' : flag.kind === 'number' ? 'X' : 'TEXT';
}

function rangeText(flag: FlagSpec): string {
  const parts: string[] = [];
  if (flag.above !== undefined) parts.push(`> ${flag.above}`);
  if (flag.min !== undefined) parts.push(`>= ${flag.min}`);
  if (flag.max !== undefined) parts.push(`<= ${flag.max}`);
  return parts.join(' and ');
}

/** Converts and checks one flag value. */
function convert(command: string, flag: FlagSpec, raw: string): number | string {
  const fail = (what: string) => new UsageError(command, `--${flag.name} must be ${what}, got ${JSON.stringify(raw)}`);
  if (flag.kind === 'text') {
    if (!flag.choices) return raw;
    const choice = flag.choices.find((c) => c.toLowerCase() === raw.toLowerCase()); // --model LSTM is --model lstm
    if (choice === undefined) throw fail(`one of ${flag.choices.join(', ')}`);
    return choice;
  }
  const isInt = flag.kind === 'int';
  const range = rangeText(flag);
  const what = `${isInt ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}`;
  // Plain decimal only, exactly as written: Number() would also take 0x10, 0b1, Infinity, ''
  // and ' 1 ' (a quoted value with spaces is a mistake, not a number).
  const text = raw;
  const value = (isInt ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/).test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value) || (isInt && !Number.isSafeInteger(value))) throw fail(what);
  if ((flag.min !== undefined && value < flag.min) || (flag.max !== undefined && value > flag.max) || (flag.above !== undefined && !(value > flag.above))) throw fail(what);
  return value;
}

/** True when --help or -h stands where a flag may, not as a flag's value (`--prompt -h`). */
function asksForHelp(byName: Map<string, FlagSpec>, argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--help' || word === '-h') return true;
    const flag = word.startsWith('--') && !word.includes('=') ? byName.get(word.slice(2)) : undefined;
    if (flag !== undefined && flag.kind !== 'switch' && i + 1 < argv.length && !argv[i + 1].startsWith('--')) i++;
  }
  return false;
}

/**
 * Parses `argv` (the words after the command name) against `spec`. Returns null when help
 * was asked for; throws UsageError on any mistake.
 */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs | null {
  const command = `recurrent ${spec.name}`;
  const byName = new Map(spec.flags.map((f) => [f.name, f]));
  if (asksForHelp(byName, argv)) return null;
  const values = new Map<string, number | string | boolean>();
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith('--')) throw new UsageError(command, `unexpected argument ${JSON.stringify(word)} (flags start with --; see 'recurrent ${spec.name} --help')`);
    const eq = word.indexOf('=');
    const name = word.slice(2, eq < 0 ? undefined : eq);
    const flag = byName.get(name);
    if (!flag) {
      const near = nearestName(name, [...byName.keys(), 'help']);
      throw new UsageError(command, `unknown flag --${name} (${near === null ? '' : `did you mean --${near}? `}see 'recurrent ${spec.name} --help')`);
    }
    if (flag.kind === 'switch') {
      if (eq >= 0) throw new UsageError(command, `--${name} takes no value`);
      values.set(name, true);
    } else {
      let raw: string;
      if (eq >= 0) raw = word.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) raw = argv[++i];
      else throw new UsageError(command, `--${name} needs a value (${placeholder(flag)})`);
      values.set(name, convert(command, flag, raw));
    }
    given.add(name);
  }
  for (const flag of spec.flags) {
    if (values.has(flag.name)) continue;
    if (flag.default !== undefined) values.set(flag.name, flag.default);
    else if (flag.kind === 'switch') values.set(flag.name, false);
    else if (!flag.optional) throw new UsageError(command, `--${flag.name} is required (see 'recurrent ${spec.name} --help')`);
  }
  return { values, given };
}

/** The help text of a command, built from its declaration. */
export function commandHelp(spec: CommandSpec): string {
  const rows = spec.flags.map((f) => {
    const left = `  --${f.name}${f.kind === 'switch' ? '' : ` ${placeholder(f)}`}`;
    const extra: string[] = [];
    if (f.default !== undefined && f.kind !== 'switch') extra.push(`default ${f.default}`);
    if (f.default === undefined && !f.optional && f.kind !== 'switch') extra.push('required');
    return [left, `${f.help}${extra.length ? ` (${extra.join(', ')})` : ''}`];
  });
  rows.push(['  --help', 'show this help']);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const flags = rows.map(([l, r]) => l.padEnd(width) + r).join('\n');
  return `usage: recurrent ${spec.name} [flags]\n\n${spec.summary}\n\nflags:\n${flags}\n${spec.notes ? `\n${spec.notes.trim()}\n` : ''}`;
}

/** A flag's value as a number (the parser checked the kind). */
export function numberArg(args: ParsedArgs, name: string): number {
  return args.values.get(name) as number;
}

/** A flag's value as text, or undefined when absent. */
export function textArg(args: ParsedArgs, name: string): string | undefined {
  return args.values.get(name) as string | undefined;
}

/** A switch's value. */
export function switchArg(args: ParsedArgs, name: string): boolean {
  return args.values.get(name) === true;
}
