/**
 * Checkpoints: a model, its optimizer, the step count and the random generators in one
 * safetensors file, so a run can stop and resume on exactly the same trajectory.
 *
 *   tensors   model.<name>                 every parameter, PyTorch names (model.weight_ih_l0)
 *             optimizer.<index>.<buffer>   every optimizer state buffer (exp_avg, ...)
 *   metadata  format     "recurrent-checkpoint/1"
 *             step       the number of training steps taken
 *             optimizer  JSON: parameter groups and per-parameter step counts
 *             generators JSON: the state of each named generator, and of every generator
 *                        the model holds (as model.<path>, e.g. model.gru.generator)
 *             extra      JSON: anything the caller adds (vocabulary, config, ...)
 *
 * Everything here works on bytes (Uint8Array) and runs in any JavaScript runtime; the Node
 * entry adds files written atomically. Restoring checks everything first and rolls back on
 * failure, so a bad checkpoint leaves model, optimizer and generators as they were.
 */
import { defineOwn } from '../io/header.js';
import { load as loadSafetensors, loadWithMetadata, save as saveSafetensors } from '../io/safetensors.js';
import { Module, type StateDict } from '../nn/module.js';
import type { Optimizer, OptimizerStateDict, SavedParamState } from '../optim/optimizer.js';
import { RecurrentError, show } from '../tensor/errors.js';
import type { Generator, GeneratorState } from '../tensor/random.js';
import { overwrite, Tensor } from '../tensor/tensor.js';

const FORMAT = 'recurrent-checkpoint/1';

/** An optimizer of any kind, as a checkpoint handles it. */
export type AnyOptimizer = Optimizer<any, any>;

/** What goes into a checkpoint. */
export interface CheckpointParts {
  /** The model whose parameters are saved. */
  model: Module;
  /** Its optimizer, whose options and state buffers are saved. */
  optimizer?: AnyOptimizer;
  /** Training steps taken so far (default 0). */
  step?: number;
  /** Named generators (data shuffling, sampling) whose state is saved; the model's own are saved too. */
  generators?: Record<string, Generator>;
  /** Any JSON-able data to keep alongside (a vocabulary, the run's configuration). */
  extra?: Record<string, unknown>;
}

/** A checkpoint read back as plain data. */
export interface CheckpointContents {
  model: StateDict;
  optimizer: OptimizerStateDict | null;
  step: number;
  generators: Record<string, GeneratorState>;
  extra: Record<string, unknown>;
}

/** Serialises model, optimizer, step and generators into safetensors bytes. */
export function encodeCheckpoint(parts: CheckpointParts): Uint8Array {
  if (typeof parts !== 'object' || parts === null || !(parts.model instanceof Module)) {
    throw new RecurrentError('encodeCheckpoint', `parts must be { model, optimizer?, step?, generators?, extra? } with a Module as model, got ${show(parts)}`);
  }
  const step = parts.step ?? 0;
  if (!Number.isSafeInteger(step) || step < 0) throw new RecurrentError('encodeCheckpoint', `step must be a non-negative integer, got ${show(step)}`);
  const tensors: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(parts.model.stateDict())) tensors[`model.${name}`] = t;
  const metadata: Record<string, string> = { format: FORMAT, step: String(step) };
  if (parts.optimizer) {
    const sd = parts.optimizer.stateDict();
    const state: Record<string, { step: number }> = {};
    for (const [index, entry] of Object.entries(sd.state)) {
      state[index] = { step: entry.step };
      for (const [buffer, values] of Object.entries(entry)) {
        if (buffer !== 'step') tensors[`optimizer.${index}.${buffer}`] = new Tensor(Float32Array.from(values as ArrayLike<number>), [(values as ArrayLike<number>).length]);
      }
    }
    metadata.optimizer = JSON.stringify({ type: sd.type, paramGroups: sd.paramGroups, state });
  }
  const generators: Record<string, GeneratorState> = {};
  for (const [name, g] of allGenerators(parts.model, parts.generators)) generators[name] = g.getState();
  metadata.generators = JSON.stringify(generators);
  metadata.extra = JSON.stringify(parts.extra ?? {});
  return saveSafetensors(tensors, metadata);
}

/** The caller's named generators and the model's own (prefixed `model.`). */
function allGenerators(model: Module, named: Record<string, Generator> | undefined): [string, Generator][] {
  const own = model.namedGenerators().map(([name, g]): [string, Generator] => [`model.${name}`, g]);
  return [...Object.entries(named ?? {}), ...own];
}

function parseJson(what: string, text: string | undefined): unknown {
  if (text === undefined) throw new RecurrentError('decodeCheckpoint', `metadata has no '${what}' entry`, 'format');
  try {
    return JSON.parse(text);
  } catch {
    throw new RecurrentError('decodeCheckpoint', `metadata '${what}' is not valid JSON`, 'format');
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The metadata entries a checkpoint has; any other is refused. */
const METADATA_KEYS = ['format', 'step', 'optimizer', 'generators', 'extra'];

/**
 * Reads a checkpoint's contents without applying them (validates the format). Names are
 * matched as own keys only (null-prototype maps throughout): a tensor `model.__proto__` is a
 * parameter name like any other, and `optimizer.toString.expAvg` belongs to no parameter.
 */
export function decodeCheckpoint(bytes: Uint8Array): CheckpointContents {
  const fail = (message: string): never => {
    throw new RecurrentError('decodeCheckpoint', message, 'format');
  };
  const { tensors, metadata } = loadWithMetadata(bytes);
  if (metadata === null || !Object.hasOwn(metadata, 'format') || metadata.format !== FORMAT) {
    fail(`not a recurrent checkpoint (metadata format is ${JSON.stringify(metadata !== null && Object.hasOwn(metadata, 'format') ? metadata.format : null)}, expected "${FORMAT}")`);
  }
  const meta = metadata!;
  const unknown = Object.keys(meta).find((k) => !METADATA_KEYS.includes(k));
  if (unknown !== undefined) fail(`unknown metadata entry ${JSON.stringify(unknown)} (expected ${METADATA_KEYS.join(', ')})`);
  const own = (key: string): string | undefined => (Object.hasOwn(meta, key) ? meta[key] : undefined);
  const stepText = own('step');
  // A plain decimal integer: Number() would also take "", " 0x10 " and "1e3".
  if (stepText === undefined || !/^(0|[1-9][0-9]*)$/.test(stepText) || !Number.isSafeInteger(Number(stepText))) {
    fail(`metadata step must be a non-negative decimal integer, got ${JSON.stringify(stepText ?? null)}`);
  }
  const step = Number(stepText);
  const model: StateDict = Object.create(null) as StateDict;
  const buffers = new Map<string, Tensor>();
  for (const [name, t] of Object.entries(tensors)) {
    if (name.startsWith('model.')) defineOwn(model, name.slice('model.'.length), t);
    else if (name.startsWith('optimizer.')) buffers.set(name.slice('optimizer.'.length), t);
    else fail(`unexpected tensor '${name}'`);
  }
  let optimizer: OptimizerStateDict | null = null;
  if (own('optimizer') !== undefined) {
    const saved = parseJson('optimizer', own('optimizer'));
    if (!isRecord(saved) || !Array.isArray(saved.paramGroups) || !isRecord(saved.state)) fail('metadata optimizer must be { paramGroups, state }');
    const savedRecord = saved as Record<string, unknown> & { paramGroups: unknown[]; state: Record<string, unknown> };
    const state = new Map<string, SavedParamState>();
    for (const [index, entry] of Object.entries(savedRecord.state)) {
      if (!isRecord(entry) || !Object.hasOwn(entry, 'step') || typeof entry.step !== 'number') fail(`optimizer state ${index} must have a step`);
      state.set(index, { step: (entry as { step: number }).step });
    }
    for (const [key, t] of buffers) {
      const dot = key.indexOf('.');
      const s = dot < 0 ? undefined : state.get(key.slice(0, dot));
      if (s === undefined) fail(`optimizer buffer '${key}' belongs to no parameter state`);
      defineOwn(s as Record<string, unknown>, key.slice(dot + 1), t.data);
    }
    const stateObject = Object.create(null) as Record<string, SavedParamState>;
    for (const [index, s] of state) defineOwn(stateObject, index, s);
    optimizer = { paramGroups: savedRecord.paramGroups as OptimizerStateDict['paramGroups'], state: stateObject };
    if (Object.hasOwn(savedRecord, 'type')) optimizer.type = savedRecord.type as string;
  } else if (buffers.size > 0) {
    fail('optimizer buffers without optimizer metadata');
  }
  const generators = parseJson('generators', own('generators'));
  const extra = parseJson('extra', own('extra'));
  if (!isRecord(generators) || !isRecord(extra)) fail('metadata generators and extra must be JSON objects');
  return { model, optimizer, step, generators: generators as Record<string, GeneratorState>, extra: extra as Record<string, unknown> };
}

/**
 * Applies a checkpoint to a model (and optimizer and generators, when given) and returns its
 * step and extra data. On any error everything is rolled back, by putting the saved values
 * back directly (never through the checks a checkpoint goes through), and the original error
 * is rethrown.
 */
export function restoreCheckpoint(
  bytes: Uint8Array,
  targets: { model: Module; optimizer?: AnyOptimizer; generators?: Record<string, Generator> },
): { step: number; extra: Record<string, unknown> } {
  const contents = decodeCheckpoint(bytes);
  const params = targets.model.parameters();
  const modelBefore = params.map((p) => Float32Array.from(p.data));
  const rollbackOptimizer = targets.optimizer?.snapshot();
  const generators = allGenerators(targets.model, targets.generators);
  const generatorsBefore = generators.map(([, g]) => g.getState());
  try {
    targets.model.loadStateDict(contents.model);
    if (targets.optimizer) {
      if (contents.optimizer === null) throw new RecurrentError('restoreCheckpoint', 'the checkpoint holds no optimizer state', 'format');
      targets.optimizer.loadStateDict(contents.optimizer);
    }
    for (const [name, g] of generators) {
      if (!Object.hasOwn(contents.generators, name)) throw new RecurrentError('restoreCheckpoint', `the checkpoint holds no generator '${name}'`, 'format');
      g.setState(contents.generators[name]!);
    }
  } catch (error) {
    params.forEach((p, i) => overwrite(p, modelBefore[i]!));
    rollbackOptimizer?.();
    generators.forEach(([, g], i) => g.setState(generatorsBefore[i]!));
    throw error;
  }
  return { step: contents.step, extra: contents.extra };
}

/** Only the model weights of a checkpoint or of a plain safetensors state dict file. */
export function loadModelWeights(bytes: Uint8Array): StateDict {
  const tensors = loadSafetensors(bytes);
  const names = Object.keys(tensors);
  if (names.some((n) => n.startsWith('model.'))) {
    return Object.fromEntries(names.filter((n) => n.startsWith('model.')).map((n) => [n.slice('model.'.length), tensors[n]]));
  }
  return tensors;
}
