/**
 * A training run's checkpoint file: what `recurrent train` stores besides the weights (the
 * run config, the vocabulary, the sample prompt and intervals, the training time so far), and reading it
 * back into a rebuilt model for `sample`, `summary` and `--resume`.
 *
 * The weights of a run that went to PyTorch and back read the same way: `export --torch`
 * writes the run's description into the weights file's metadata (RUN_METADATA_KEY) and into
 * model.py, whose save_safetensors writes it again, so the file saved there names its run.
 * It holds no optimizer state or generators: a resumed run starts those afresh.
 */
import { readFileSync } from 'node:fs';
import { loadWithMetadata } from '../../io/safetensors.js';
import { decodeCheckpoint, type CheckpointContents } from '../../train/checkpoint.js';
import { RecurrentError, fmt } from '../../tensor/errors.js';
import { sameShape } from '../../tensor/shape.js';
import { CharModel, checkConfig, expectedShapes, type RunConfig } from './char-model.js';

/** The `extra` entry of a run's checkpoint (a type alias, so it fits the JSON record it is saved as). */
export type RunExtra = {
  /** Written by this tool, so other checkpoints are told apart. */
  tool: 'recurrent train';
  config: RunConfig;
  /** Character of each id. */
  vocab: string[];
  /** The prompt samples start from. */
  prompt: string;
  /** Log a metrics line every this many steps. */
  every: number;
  /** Validate every this many steps (older checkpoints hold none: `every`). */
  valEvery?: number;
  /** Save a checkpoint every this many steps (older checkpoints hold none: `every`). */
  checkpointEvery?: number;
  /** Sample every this many steps. */
  sampleEvery: number;
  /** The step the run trains to, which `--resume` keeps unless given --steps (absent in older checkpoints). */
  steps?: number;
  /** Seconds spent training up to this checkpoint (over all resumed runs). */
  elapsed: number;
};

/** The metadata entry of a weights file that names its run: JSON of the RunExtra and the step. */
// Stryker disable next-line StringLiteral: set when the module loads, before Stryker switches a mutant on (run-checkpoint.test.ts checks the value)
export const RUN_METADATA_KEY = 'recurrent.run';

/** A run's checkpoint, read and checked, with its bytes for restoring optimizer and generators. */
export interface RunCheckpoint {
  path: string;
  bytes: Uint8Array;
  contents: CheckpointContents;
  extra: RunExtra;
  /** 'run': a checkpoint of `recurrent train`; 'weights': weights saved by an exported model.py (no optimizer state, no generators). */
  kind: 'run' | 'weights';
}

/** The description of a run that weights saved outside it carry (see the module comment). */
export function runDescription(checkpoint: RunCheckpoint): string {
  return JSON.stringify({ ...checkpoint.extra, step: checkpoint.contents.step });
}

/** Reads a file, turning a missing or unreadable file into one clear error. */
export function readBytes(op: string, what: string, path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: the tests run as root, whom no read is denied
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new RecurrentError(op, `cannot read ${what} '${path}': ${reason}`);
  }
}

/** Compares the checkpoint's tensors with the shapes its config implies, before any model is built. */
function checkShapes(op: string, path: string, contents: CheckpointContents, config: RunConfig, vocabSize: number): void {
  const expected = expectedShapes(config, vocabSize);
  const names = Object.keys(contents.model);
  const fail = (what: string): never => {
    throw new RecurrentError(op, `'${path}' does not fit its own config: ${what}`, 'format');
  };
  if (names.length !== expected.size) fail(`${names.length} tensors, the config needs ${expected.size}`);
  for (const name of names) {
    const shape = expected.get(name);
    if (shape === undefined) fail(`unexpected tensor ${JSON.stringify(name)}`);
    if (!sameShape(contents.model[name]!.shape, shape!)) fail(`${name} has shape ${fmt(contents.model[name]!.shape)}, the config needs ${fmt(shape!)}`);
  }
}

/**
 * True when `bytes` cannot be safetensors at all (a text file, an archive): a safetensors file
 * starts with the 8-byte length of the JSON header that follows, so byte 8 is '{'. A file
 * that starts right but is cut short gets the reader's own message.
 */
function notSafetensors(bytes: Uint8Array): boolean {
  return bytes.length < 10 || bytes[8] !== 0x7b;
}

/** Reads and checks a checkpoint written by `recurrent train`. */
export function readRunCheckpoint(op: string, path: string): RunCheckpoint {
  const bytes = readBytes(op, 'checkpoint', path);
  if (notSafetensors(bytes)) {
    throw new RecurrentError(op, `'${path}' is not a safetensors file; pass the checkpoint.safetensors of a run folder made by \`recurrent train\``, 'format');
  }
  let contents: CheckpointContents;
  let kind: RunCheckpoint['kind'] = 'run';
  try {
    contents = decodeCheckpoint(bytes);
  } catch (error) {
    const weightsOnly = /not a recurrent checkpoint/.test((error as Error).message);
    const weights = weightsOnly ? runWeights(op, path, bytes) : null;
    if (weights === null) {
      const why = weightsOnly
        ? 'it holds weights but no training run (no config, vocabulary or step: weights downloaded from the live page, or saved with saveFile); `recurrent sample` and `summary` need the checkpoint.safetensors of a `recurrent train` run folder, or weights saved by the model.py of `recurrent export --torch`'
        : (error as Error).message;
      throw new RecurrentError(op, `'${path}' is not a readable checkpoint: ${why}`, 'format');
    }
    contents = weights;
    kind = 'weights';
  }
  const extra = contents.extra as Partial<RunExtra>;
  if (extra.tool !== 'recurrent train') throw new RecurrentError(op, `'${path}' was not written by \`recurrent train\` (its extra data has no run config)`, 'format');
  const config = checkConfig(op, extra.config);
  const vocab = extra.vocab;
  if (!Array.isArray(vocab) || vocab.length < 1 || !vocab.every((ch) => typeof ch === 'string' && Array.from(ch).length === 1) || new Set(vocab).size !== vocab.length) {
    throw new RecurrentError(op, `'${path}' holds no valid vocabulary`, 'format');
  }
  checkShapes(op, path, contents, config, vocab.length);
  const { prompt, every, sampleEvery, elapsed } = extra;
  if (typeof prompt !== 'string' || !Number.isSafeInteger(every) || !Number.isSafeInteger(sampleEvery) || typeof elapsed !== 'number') {
    throw new RecurrentError(op, `'${path}' lacks the prompt, intervals or elapsed time of its run`, 'format');
  }
  const { steps, valEvery = every, checkpointEvery = every } = extra;
  if (steps !== undefined && (!Number.isSafeInteger(steps) || steps < contents.step)) {
    throw new RecurrentError(op, `'${path}' holds a target of ${String(steps)} steps, not an integer at or after its step ${contents.step}`, 'format');
  }
  if (![every, valEvery, checkpointEvery, sampleEvery].every((n) => Number.isSafeInteger(n) && n! >= 1)) {
    throw new RecurrentError(op, `'${path}' holds intervals that are not positive integers`, 'format');
  }
  return { path, bytes, contents, extra: { tool: 'recurrent train', config, vocab, prompt, every: every!, valEvery, checkpointEvery, sampleEvery: sampleEvery!, steps, elapsed }, kind };
}

/**
 * The contents of weights saved outside a run (tensors under the model's own names, the run
 * in the metadata), or null when the file names no run.
 */
function runWeights(op: string, path: string, bytes: Uint8Array): CheckpointContents | null {
  const { tensors, metadata } = loadWithMetadata(bytes);
  const text = metadata !== null && Object.hasOwn(metadata, RUN_METADATA_KEY) ? metadata[RUN_METADATA_KEY] : undefined;
  if (text === undefined) return null;
  let run: unknown;
  try {
    run = JSON.parse(text);
  } catch {
    throw new RecurrentError(op, `'${path}' holds a ${RUN_METADATA_KEY} entry that is not JSON`, 'format');
  }
  if (typeof run !== 'object' || run === null || Array.isArray(run)) throw new RecurrentError(op, `'${path}' holds a ${RUN_METADATA_KEY} entry that is not an object`, 'format');
  const { step, ...extra } = run as Record<string, unknown>;
  if (!Number.isSafeInteger(step) || (step as number) < 0) throw new RecurrentError(op, `'${path}' holds a ${RUN_METADATA_KEY} entry whose step is not a non-negative integer`, 'format');
  return { model: tensors, optimizer: null, step: step as number, generators: {}, extra };
}

/**
 * The checkpoint's model, rebuilt from its config and loaded with its weights (their names and
 * shapes were checked on reading; a value the model refuses, NaN or infinite, is refused here).
 */
export function loadRunModel(op: string, checkpoint: RunCheckpoint): CharModel {
  const model = new CharModel(checkpoint.extra.config, checkpoint.extra.vocab.length);
  try {
    model.loadStateDict(checkpoint.contents.model);
  } catch (error) {
    throw new RecurrentError(op, `'${checkpoint.path}' holds weights the model refuses: ${(error as Error).message}`, 'format');
  }
  return model;
}
