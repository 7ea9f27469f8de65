/**
 * `recurrent train`: flags to a training plan (a fresh run, or `--resume DIR` continuing one
 * with the config its checkpoint holds), then the training loop, then a summary line.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { RecurrentError } from '../../tensor/errors.js';
import { UsageError, numberArg, switchArg, textArg, type CommandSpec, type FlagSpec, type ParsedArgs } from './args.js';
import { CONFIG_LIMITS, MODEL_KINDS, type ModelKind, type RunConfig } from './char-model.js';
import { textHash, vocabularyOf } from './corpus.js';
import { promptIds } from './generate.js';
import { count, duration } from './format.js';
import { readText, type CliIO } from './io.js';
import { readRunCheckpoint, type RunCheckpoint } from './run-checkpoint.js';
import { lockRun } from './run-lock.js';
import { RUN_FILES } from './run-files.js';
import { stopExitCode } from './stop-signals.js';
import { train, type TrainPlan } from './trainer.js';

/** Flags that define the model and its training, shared with `compare`. */
export const CONFIG_FLAGS: readonly FlagSpec[] = [
  { name: 'data', kind: 'text', placeholder: 'FILE', optional: true, help: 'the text file to learn from' },
  { name: 'model', kind: 'text', choices: MODEL_KINDS, default: 'lstm', help: 'recurrent layer' },
  { name: 'embed', kind: 'int', min: CONFIG_LIMITS.embed.min, max: CONFIG_LIMITS.embed.max, default: 32, help: 'embedding size' },
  { name: 'hidden', kind: 'int', min: CONFIG_LIMITS.hidden.min, max: CONFIG_LIMITS.hidden.max, default: 128, help: 'hidden size' },
  { name: 'layers', kind: 'int', min: CONFIG_LIMITS.layers.min, max: CONFIG_LIMITS.layers.max, default: 1, help: 'stacked recurrent layers' },
  { name: 'seq', kind: 'int', min: CONFIG_LIMITS.seq.min, max: CONFIG_LIMITS.seq.max, default: 48, help: 'characters per training window, the BPTT length' },
  { name: 'batch', kind: 'int', min: CONFIG_LIMITS.batch.min, max: CONFIG_LIMITS.batch.max, default: 16, help: 'windows per batch' },
  { name: 'lr', kind: 'number', above: 0, max: 10, default: 0.003, help: "Adam's learning rate" },
  { name: 'clip', kind: 'number', min: 0, default: 1, help: 'maximum gradient norm, 0 for none' },
  { name: 'seed', kind: 'int', min: CONFIG_LIMITS.seed.min, max: CONFIG_LIMITS.seed.max, default: 1, help: 'seeds weights, batches and samples' },
  { name: 'val-fraction', kind: 'number', min: 0, max: 0.5, default: 0.1, help: 'share of the text held out at its end for validation' },
];

/** How often the validation loss is computed, shared with `compare`. */
export const VAL_EVERY: FlagSpec = { name: 'val-every', kind: 'int', min: 1, max: 1e9, default: 250, help: 'compute the validation loss ("val", over the whole held-out tail) every N steps, and at the end' };

/** The config flags, the data and the model kind as a RunConfig. */
export function configFromArgs(args: ParsedArgs, data: { text: string; path: string }, model: ModelKind): RunConfig {
  return {
    model,
    embed: numberArg(args, 'embed'),
    hidden: numberArg(args, 'hidden'),
    layers: numberArg(args, 'layers'),
    seq: numberArg(args, 'seq'),
    batch: numberArg(args, 'batch'),
    lr: numberArg(args, 'lr'),
    clip: numberArg(args, 'clip'),
    seed: numberArg(args, 'seed'),
    valFraction: numberArg(args, 'val-fraction'),
    data: data.path,
    dataHash: textHash(data.text),
    dataLength: data.text.length,
  };
}

/** The declaration of `recurrent train`. */
export const trainSpec: CommandSpec = {
  name: 'train',
  summary: 'Trains a character-level language model on a text file. The model is Embedding -> LSTM, GRU or RNN -> Linear, trained on cross entropy with Adam and gradient-norm clipping.',
  flags: [
    ...CONFIG_FLAGS,
    { name: 'steps', kind: 'int', min: 1, max: 1e9, default: 1000, help: "train until this step (counting resumed steps; --resume keeps the run's own target)" },
    { name: 'out', kind: 'text', placeholder: 'DIR', optional: true, help: 'run folder (default runs/MODEL, or the --resume folder)' },
    { name: 'resume', kind: 'text', placeholder: 'DIR', optional: true, help: 'continue the run in DIR from its checkpoint, with its config, intervals and prompt; or from weights saved by an exported model.py (a FILE), into --out' },
    { name: 'every', kind: 'int', min: 1, max: 1e9, default: 25, help: 'log a metrics line and redraw loss.svg every N steps' },
    VAL_EVERY,
    { name: 'checkpoint-every', kind: 'int', min: 1, max: 1e9, default: 250, help: 'save a checkpoint every N steps (and at the end, and on Ctrl-C)' },
    { name: 'sample-every', kind: 'int', min: 1, max: 1e9, default: 200, help: 'write a sample every N steps' },
    { name: 'minutes', kind: 'number', above: 0, max: 1e6, optional: true, placeholder: 'M', help: 'stop after M minutes of training (with a checkpoint; --resume continues), or at --steps if sooner' },
    { name: 'prompt', kind: 'text', optional: true, help: "samples start from this text (default: the data's first character)" },
    { name: 'force', kind: 'switch', help: 'start over even if the run folder already holds a run' },
  ],
  notes: `
The run folder receives checkpoint.safetensors (weights, Adam state, step, data generator,
config and vocabulary), metrics.jsonl (one JSON line per logged step: step, loss, valLoss when
validated, gradNorm, lr, elapsed, tokensPerSecond), loss.svg and samples.txt. A line is also
logged at every validation and checkpoint step, so a resumed run logs what an uninterrupted
one would.

Ctrl-C (SIGINT) or SIGTERM saves a checkpoint after the current step and exits with 130
(SIGINT) or 143 (SIGTERM); a second signal quits at once. Continue with
  recurrent train --resume DIR
which trains on to the run's own --steps (or to a new --steps N), replaying exactly the steps
the uninterrupted run would have taken.

While a run trains, its folder holds run.lock: another train or compare in the same folder is
refused with exit code 75 until it ends. A lock left by a killed process is taken over.

"loss" (on the progress bar, in the log lines, metrics.jsonl and samples.txt) is the mean
training cross entropy over the steps since the last logged step; "val" is the mean cross
entropy over the whole held-out tail (the last --val-fraction of the text), every character
of it predicted once, in windows of --seq characters from a zero state as in training.`,
};

/** Refuses a data file inside the output folder `out`, whose files the command replaces. */
export function checkDataOutside(command: string, dataPath: string, out: string): void {
  const folder = resolve(out);
  const data = resolve(dataPath);
  if (data === folder || data.startsWith(folder + sep)) {
    throw new UsageError(command, `the data file '${dataPath}' is inside the output folder '${out}', whose files it replaces; keep the data elsewhere`);
  }
}

/**
 * What `path` (given as --`flag`) is on disk; refused with a usage error when a part of it is
 * a file. The parent chain is checked rather than an error code: below a file, Node 20's
 * statSync throws ENOTDIR while later Nodes report the path as missing.
 */
function pathKind(command: string, flag: string, path: string): 'folder' | 'file' | 'missing' {
  const full = resolve(path);
  let existing = full;
  while (!existsSync(existing)) existing = dirname(existing);
  const isFolder = statSync(existing).isDirectory();
  if (existing === full) return isFolder ? 'folder' : 'file';
  if (!isFolder) throw new UsageError(command, `--${flag} '${path}': a part of the path is a file, not a folder`);
  return 'missing';
}

/**
 * Refuses the run folder `out` when it holds any file a run writes (not the resumed run's own)
 * unless --force, and always when the training text lies inside it.
 */
function runFolder(command: string, args: ParsedArgs, out: string, dataPath: string, resumed?: string): string {
  checkDataOutside(command, dataPath, out);
  const folder = resolve(out);
  const present = Object.values(RUN_FILES).filter((name) => existsSync(join(out, name)));
  const taken = present.length > 0 && (resumed === undefined || folder !== resolve(resumed));
  if (taken && !switchArg(args, 'force')) {
    throw new UsageError(command, `'${out}' already holds a run; continue it with --resume ${out}, or pass --force to replace it (${present.join(', ')})`);
  }
  return out;
}

/** What --resume names: a run folder, or weights saved by an exported model.py (read already). */
type ResumeSource = { dir: string } | { weights: RunCheckpoint };

/**
 * The folder a `train` call writes (a folder, or missing) and what it resumes, if anything: the
 * run's own folder, or weights saved by model.py (then a new folder, runs/MODEL by default).
 */
function runFolders(command: string, args: ParsedArgs): { out: string; resume?: ResumeSource } {
  const given = textArg(args, 'resume');
  const resume = given === undefined ? undefined : resumeSource(command, given);
  const fallback = resume !== undefined && 'weights' in resume ? resume.weights.extra.config.model : textArg(args, 'model')!;
  const out = textArg(args, 'out') ?? (resume !== undefined && 'dir' in resume ? resume.dir : undefined) ?? join('runs', fallback);
  if (pathKind(command, 'out', out) === 'file') throw new UsageError(command, `--out '${out}' is a file; --out takes a folder for the run's files`);
  return { out, resume };
}

/**
 * What --resume names: a run folder, or (as users also write) its checkpoint file, or weights
 * saved by an exported model.py (read here already, as the run they name).
 */
function resumeSource(command: string, given: string): ResumeSource {
  if (pathKind(command, 'resume', given) !== 'file') return { dir: given };
  if (basename(given) === RUN_FILES.checkpoint) return { dir: dirname(given) };
  let weights: RunCheckpoint | undefined;
  try {
    weights = readRunCheckpoint(command, given);
  } catch {
    // neither: say what --resume takes
  }
  if (weights?.kind !== 'weights') throw new UsageError(command, `--resume takes a run folder (the --out of a run) or weights saved by an exported model.py, and '${given}' is neither`);
  return { weights };
}

/**
 * A plan resuming the run in `dir` (or the run that weights saved by model.py name: from their
 * step, with a fresh optimizer), writing into `out`: its config, checked against any config
 * flag given.
 */
function resumePlan(command: string, args: ParsedArgs, source: ResumeSource, out: string): TrainPlan {
  const dir = 'dir' in source ? source.dir : undefined;
  const checkpoint = 'dir' in source ? readRunCheckpoint(command, join(source.dir, RUN_FILES.checkpoint)) : source.weights;
  const { config } = checkpoint.extra;
  const saved: Record<string, unknown> = { model: config.model, embed: config.embed, hidden: config.hidden, layers: config.layers, seq: config.seq, batch: config.batch, lr: config.lr, clip: config.clip, seed: config.seed, 'val-fraction': config.valFraction };
  for (const [name, value] of Object.entries(saved)) {
    if (args.given.has(name) && args.values.get(name) !== value) {
      throw new UsageError(command, `--${name} ${args.values.get(name)} differs from the resumed run's ${value}; a resumed run keeps its config`);
    }
  }
  const prompt = textArg(args, 'prompt') ?? checkpoint.extra.prompt;
  promptIds(command, prompt, checkpoint.extra.vocab);
  const data = readText(command, 'data file', textArg(args, 'data') ?? config.data);
  if (textHash(data.text) !== config.dataHash || data.text.length !== config.dataLength) {
    throw new RecurrentError(command, `'${data.path}' is not the text the run in '${dir ?? checkpoint.path}' was trained on (it changed, or pass the right --data)`);
  }
  // The run's own target unless --steps is given (older checkpoints hold none: the default).
  const steps = args.given.has('steps') ? numberArg(args, 'steps') : (checkpoint.extra.steps ?? numberArg(args, 'steps'));
  const step = checkpoint.contents.step;
  if (steps < step) throw new UsageError(command, `--steps ${steps} is before the checkpoint's step ${step}`);
  return {
    config,
    text: data.text,
    vocab: checkpoint.extra.vocab,
    steps,
    out: runFolder(command, args, out, data.path, dir),
    every: args.given.has('every') ? numberArg(args, 'every') : checkpoint.extra.every,
    valEvery: args.given.has('val-every') ? numberArg(args, 'val-every') : checkpoint.extra.valEvery!,
    checkpointEvery: args.given.has('checkpoint-every') ? numberArg(args, 'checkpoint-every') : checkpoint.extra.checkpointEvery!,
    sampleEvery: args.given.has('sample-every') ? numberArg(args, 'sample-every') : checkpoint.extra.sampleEvery,
    minutes: args.values.get('minutes') as number | undefined,
    prompt,
    resume: checkpoint,
    resumeDir: dir,
  };
}

/** Builds the plan for `recurrent train` from its parsed flags, writing into `out`. */
function trainPlan(command: string, args: ParsedArgs, { out, resume }: { out: string; resume?: ResumeSource }): TrainPlan {
  if (resume !== undefined) return resumePlan(command, args, resume, out);
  const dataPath = textArg(args, 'data');
  if (dataPath === undefined) throw new UsageError(command, "--data is required (or --resume DIR); see 'recurrent train --help'");
  const data = readText(command, 'data file', dataPath);
  const config = configFromArgs(args, data, textArg(args, 'model') as ModelKind);
  const vocab = vocabularyOf(data.text);
  const prompt = textArg(args, 'prompt') ?? Array.from(data.text)[0];
  promptIds(command, prompt, vocab);
  return {
    config,
    text: data.text,
    vocab,
    steps: numberArg(args, 'steps'),
    out: runFolder(command, args, out, data.path),
    every: numberArg(args, 'every'),
    valEvery: numberArg(args, 'val-every'),
    checkpointEvery: numberArg(args, 'checkpoint-every'),
    sampleEvery: numberArg(args, 'sample-every'),
    minutes: args.values.get('minutes') as number | undefined,
    prompt,
  };
}

/**
 * Runs `recurrent train`; returns the exit code (0, or 130 / 143 when stopped by a signal). The
 * run folder is locked before anything in it is read, and until the run ends.
 */
export async function trainCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const command = 'recurrent train';
  const folders = runFolders(command, args);
  const release = lockRun(command, folders.out);
  try {
    return await trainLocked(trainPlan(command, args, folders), io);
  } finally {
    release();
  }
}

/** Runs the plan of `recurrent train` (its folder locked) and reports how it ended. */
async function trainLocked(plan: TrainPlan, io: CliIO): Promise<number> {
  const near = relative(process.cwd(), plan.out);
  const where = near === '' ? '.' : near.startsWith('..') || isAbsolute(near) ? resolve(plan.out) : near;
  if (plan.resume && plan.resume.contents.step === plan.steps) {
    io.stdout.write(`nothing to do: the run in ${where} is already at step ${plan.steps}\n`);
    return 0;
  }
  const result = await train(plan, io.stdout);
  const last = result.metrics[result.metrics.length - 1];
  if (result.stoppedBy !== null) {
    io.stdout.write(`stopped by ${result.stoppedBy} at step ${result.step}; checkpoint saved in ${join(where, RUN_FILES.checkpoint)}\ncontinue with: recurrent train --resume ${where}\n`);
    return stopExitCode(result.stoppedBy);
  }
  const val = last.valLoss === undefined ? '' : `, validation loss ${last.valLoss.toFixed(4)} (the whole held-out tail)`;
  const done = result.outOfTime ? `stopped by --minutes ${plan.minutes} at step ${result.step} of ${plan.steps}` : `done, step ${result.step}`;
  const more = result.outOfTime ? `continue with: recurrent train --resume ${where}\n` : '';
  io.stdout.write(`${done}: loss ${last.loss.toFixed(4)}${val} (${duration(result.seconds)}, ${count(result.tokensPerSecond)} tok/s)\nwrote ${where}/{${Object.values(RUN_FILES).join(', ')}}\n${more}`);
  return 0;
}
