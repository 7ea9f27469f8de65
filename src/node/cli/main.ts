/**
 * The `recurrent` command line: picks the command, parses its flags, runs it, and turns every
 * error into one line on stderr and an exit code:
 *
 *   0    done          2   usage error (unknown command or flag, bad or missing value)
 *   1    runtime error (missing or unreadable file, bad checkpoint, diverged training)
 *   75   the run folder is in use by another process (try again once it has finished)
 *   130  stopped by SIGINT after saving a checkpoint (143 for SIGTERM)
 *
 * Set RECURRENT_DEBUG=1 to see the stack trace of an error as well.
 *
 * Every command that computes takes `--threads N`: by default all cores (RECURRENT_THREADS
 * if set), since a command runs alone and owns the machine; the library itself defaults to one.
 */
import { availableParallelism, cpus } from 'node:os';
import { setNumThreads } from '../../autograd/threads.js';
import { RecurrentError, show } from '../../tensor/errors.js';
import { setupNode } from '../threads.js';
import { UsageError, commandHelp, parseArgs, type CommandSpec, type FlagSpec, type ParsedArgs } from './args.js';
import { compareCommand, compareSpec } from './compare-command.js';
import { exportCommand, exportSpec } from './export-command.js';
import type { CliIO } from './io.js';
import { RunBusyError } from './run-lock.js';
import { sampleCommand, sampleSpec } from './sample-command.js';
import { summaryCommand, summarySpec } from './summary-command.js';
import { trainCommand, trainSpec } from './train-command.js';
import { nearestName } from '../../tensor/options.js';

interface Command {
  spec: CommandSpec;
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}

const THREADS: FlagSpec = {
  name: 'threads',
  kind: 'int',
  help: 'threads that run the kernels, by default all cores (RECURRENT_THREADS if set); results are the same for any count',
  optional: true,
  min: 1,
  max: 256,
};

/** The thread count when --threads is absent: RECURRENT_THREADS, else every core. */
function defaultThreads(): number {
  return Number(process.env.RECURRENT_THREADS ?? (typeof availableParallelism === 'function' ? availableParallelism() : cpus().length));
}

const withThreads = (spec: CommandSpec): CommandSpec => ({ ...spec, flags: [...spec.flags, THREADS] });

const COMMANDS: readonly Command[] = [
  { spec: withThreads(trainSpec), run: trainCommand },
  { spec: withThreads(sampleSpec), run: sampleCommand },
  { spec: summarySpec, run: summaryCommand },
  { spec: withThreads(compareSpec), run: compareCommand },
  { spec: exportSpec, run: exportCommand },
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length)) + 2;
  const list = COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary.split('. ')[0].replace(/\.$/, '')}`).join('\n');
  return `usage: recurrent <command> [flags]\n\nCharacter-level recurrent language models from the command line.\n\ncommands:\n${list}\n\nrecurrent <command> --help shows a command's flags; recurrent --version, the version.\n`;
}

/** Runs the CLI on `argv` (the words after `recurrent`) and returns the exit code. */
export async function cli(argv: readonly string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) throw new RecurrentError('cli', `argv must be an array of strings, got ${show(argv)}`);
  const [name, ...rest] = argv;
  try {
    setupNode();
    if (name === undefined) throw new UsageError('recurrent', "missing command (try 'recurrent --help')");
    if (name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(overview());
      return 0;
    }
    const command = COMMANDS.find((c) => c.spec.name === name);
    if (!command) {
      const names = COMMANDS.map((c) => c.spec.name);
      const best = nearestName(name, names);
      throw new UsageError('recurrent', `unknown command ${JSON.stringify(name)} (${best === null ? '' : `did you mean ${best}? `}commands: ${names.join(', ')})`);
    }
    const args = parseArgs(command.spec, rest);
    if (args === null) {
      io.stdout.write(commandHelp(command.spec));
      return 0;
    }
    if (command.spec.flags.includes(THREADS)) {
      try {
        setNumThreads((args.values.get('threads') as number | undefined) ?? defaultThreads());
      } catch (error) {
        if (args.given.has('threads')) throw error; // asked for: say why not; by default: one thread
      }
    }
    return await command.run(args, io);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const message = text.startsWith('recurrent') ? text : `recurrent${name ? ` ${name}` : ''}: ${text}`;
    io.stderr.write(`${message.replace(/\s*\n\s*/g, ' ')}\n`);
    if (process.env.RECURRENT_DEBUG && error instanceof Error) io.stderr.write(`${error.stack}\n`);
    return error instanceof UsageError ? 2 : error instanceof RunBusyError ? 75 : 1;
  }
}
