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
 * entry adds files written atomically. Restoring checks everything before it writes anything,
 * so a bad checkpoint leaves model, optimizer and generators as they were; saving runs the
 * same checks, so what is saved can be restored.
 */
import { defineOwn } from '../io/header.js';
import { load as loadSafetensors, loadWithMetadata, save as saveSafetensors } from '../io/safetensors.js';
import { Module, planLoadStateDict, type StateDict } from '../nn/module.js';
import { Optimizer, planOptimizerLoad, type OptimizerStateDict, type SavedParamState } from '../optim/optimizer.js';
import { checkOptions, type ClassKind, type OptionSchema } from '../tensor/options.js';
import { RecurrentError, show } from '../tensor/errors.js';
import { Generator, checkGeneratorState, type GeneratorState } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';

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

// Stryker disable next-line StringLiteral: set when the module loads, before Stryker switches a mutant on (checkpoint-refusals.test.ts checks the message)
const MODULE: ClassKind = { name: 'an nn.Module', is: (v) => v instanceof Module };
// Stryker disable next-line StringLiteral: as MODULE
const OPTIMIZER: ClassKind = { name: 'an optimizer (optim.SGD, Adam, ...)', is: (v) => v instanceof Optimizer };

/** The model, optimizer and generators a checkpoint is taken from or restored into. */
interface Targets {
  model: Module;
  optimizer?: AnyOptimizer;
  generators?: Record<string, Generator>;
}

/** Checks `value` against `schema` (which must hold a Module as model) and copies the named generators. */
function checkTargets<T extends Targets>(op: string, arg: string, value: T, schema: OptionSchema): T {
  const t = checkOptions(op, value, arg, schema);
  if (t.model === undefined) throw new RecurrentError(op, `${arg}.model is required (the nn.Module to ${op === 'restoreCheckpoint' ? 'restore into' : 'save'})`);
  if (t.generators !== undefined) {
    if (typeof t.generators !== 'object' || t.generators === null || Array.isArray(t.generators)) throw new RecurrentError(op, `${arg}.generators must be an object of Generators, got ${show(t.generators)}`);
    const named: Record<string, Generator> = {};
    for (const [name, g] of Object.entries(t.generators)) {
      if (!(g instanceof Generator)) throw new RecurrentError(op, `${arg}.generators.${name} must be a Generator, got ${show(g)}`);
      defineOwn(named, name, g);
    }
    t.generators = named;
  }
  return t;
}

/** `value` as JSON text, or a RecurrentError for what JSON cannot hold (a BigInt, a cycle, a throwing toJSON). */
function jsonText(op: string, arg: string, value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new RecurrentError(op, `${arg} must be JSON-able data, but ${error instanceof Error ? error.message : show(error)}`);
  }
  if (!isRecord(value) || text === undefined) throw new RecurrentError(op, `${arg} must be an object of JSON-able data, got ${show(value)}`);
  return text;
}

/**
 * Serialises model, optimizer, step and generators into safetensors bytes. It never returns
 * what {@link restoreCheckpoint} would refuse: the bytes go through restore's own checks
 * (decoding, then every check restoring them into this very model, optimizer and generators
 * makes), so an optimizer state that overflowed (Adam's second moment at Infinity) is refused
 * here, naming the parameter, instead of being written and then refused by its own restore.
 */
export function encodeCheckpoint(parts: CheckpointParts): Uint8Array {
  const op = 'encodeCheckpoint';
  const p = checkTargets(op, 'parts', parts, { model: MODULE, optimizer: OPTIMIZER, generators: 'any', step: 'integer', extra: 'any' });
  const step = p.step ?? 0;
  if (step < 0) throw new RecurrentError(op, `step must be a non-negative integer, got ${show(step)}`);
  const extra = jsonText(op, 'parts.extra', p.extra ?? {});
  const tensors: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(p.model.stateDict())) tensors[`model.${name}`] = t;
  const metadata: Record<string, string> = { format: FORMAT, step: String(step) };
  if (p.optimizer) {
    const sd = p.optimizer.stateDict();
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
  for (const [name, g] of allGenerators(p.model, p.generators)) generators[name] = g.getState();
  metadata.generators = JSON.stringify(generators);
  metadata.extra = extra;
  const bytes = saveSafetensors(tensors, metadata);
  try {
    planRestore(decodeCheckpoint(bytes), p);
  } catch (error) {
    // Stryker disable next-line ConditionalExpression: restore's checks throw nothing but RecurrentErrors
    if (!(error instanceof RecurrentError)) throw error;
    throw new RecurrentError(op, `refused: restoreCheckpoint would refuse this checkpoint (${error.message})`, error.code);
  }
  return bytes;
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
  // Stryker disable next-line StringLiteral: any text the pattern refuses serves for a missing step
  if (!/^(0|[1-9][0-9]*)$/.test(stepText ?? '') || !Number.isSafeInteger(Number(stepText))) {
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
      if (!isRecord(entry) || typeof entry.step !== 'number') fail(`optimizer state ${index} must have a step`);
      state.set(index, { step: (entry as { step: number }).step });
    }
    for (const [key, t] of buffers) {
      const dot = key.indexOf('.');
      // Stryker disable next-line EqualityOperator: a key starting with '.' names the state '', which no optimizer saves
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
 * Everything a restore checks, against the targets, changing nothing: returns the function
 * that writes model, optimizer and generators. The one rule shared by restore and save.
 */
function planRestore(contents: CheckpointContents, targets: Targets): () => void {
  const names = new Map(targets.model.namedParameters().map(([name, p]) => [p, `model.${name}`]));
  const model = planLoadStateDict(targets.model, contents.model, undefined).apply;
  let optimizer = () => {};
  if (targets.optimizer) {
    if (contents.optimizer === null) throw new RecurrentError('restoreCheckpoint', 'the checkpoint holds no optimizer state', 'format');
    optimizer = planOptimizerLoad(targets.optimizer, contents.optimizer, (p) => `parameter ${names.get(p) ?? 'outside the model'}`);
  }
  const generators = allGenerators(targets.model, targets.generators).map(([name, g]): [Generator, GeneratorState] => {
    if (!Object.hasOwn(contents.generators, name)) throw new RecurrentError('restoreCheckpoint', `the checkpoint holds no generator '${name}'`, 'format');
    return [g, checkGeneratorState('restoreCheckpoint', contents.generators[name])];
  });
  return () => {
    model();
    optimizer();
    for (const [g, state] of generators) g.setState(state);
  };
}

/**
 * Applies a checkpoint to a model (and optimizer and generators, when given) and returns its
 * step and extra data. Everything is checked before anything is written, so on error model,
 * optimizer and generators are as they were.
 */
export function restoreCheckpoint(bytes: Uint8Array, targets: Targets): { step: number; extra: Record<string, unknown> } {
  const t = checkTargets('restoreCheckpoint', 'targets', targets, { model: MODULE, optimizer: OPTIMIZER, generators: 'any' });
  const contents = decodeCheckpoint(bytes);
  planRestore(contents, t)();
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
