/**
 * readRunCheckpoint, in-process, on files built here: a run's checkpoint and the weights a
 * PyTorch export saves come back as written (the model's outputs, the run's description), and
 * every other file is refused with a 'format' (or unreadable-file) RecurrentError that names
 * the path and what is wrong, before any model is built. The CLI commands that read these
 * files (sample, summary, train --resume, export) are tested as processes elsewhere.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { noGrad, optim, safetensors, Tensor } from '../../src/index.js';
import { CharModel, type RunConfig } from '../../src/node/cli/char-model.js';
import { loadRunModel, readRunCheckpoint, RUN_METADATA_KEY, runDescription, type RunExtra } from '../../src/node/cli/run-checkpoint.js';
import { torchProject } from '../../src/node/cli/torch-export.js';
import { encodeCheckpoint } from '../../src/train/checkpoint.js';
import { expectRejected } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-run-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG: RunConfig = { model: 'gru', embed: 5, hidden: 7, layers: 2, seq: 9, batch: 3, lr: 0.0125, clip: 2.5, seed: 4, valFraction: 0.1, data: '/data/text.txt', dataHash: 'abc', dataLength: 120 };
const VOCAB = ['a', 'b', 'c', ' '];
const EXTRA: RunExtra = { tool: 'recurrent train', config: CONFIG, vocab: VOCAB, prompt: 'ab', every: 10, valEvery: 20, checkpointEvery: 30, sampleEvery: 40, steps: 50, elapsed: 12.5 };

let files = 0;
/** Writes `bytes` to a new file and returns its path. */
function file(bytes: Uint8Array | string): string {
  const path = join(dir, `f${files++}.safetensors`);
  writeFileSync(path, bytes);
  return path;
}

/** A run's checkpoint of a fresh model at `step`, with `extra` (JSON-able) as its run data. */
function runFile(extra: unknown = EXTRA, step = 30, model = new CharModel(CONFIG, VOCAB.length)): string {
  return file(encodeCheckpoint({ model, optimizer: new optim.Adam(model.parameters(), { lr: 0.01 }), step, extra: extra as Record<string, unknown> }));
}

/** The refusal of reading `path`, with its message, code 'format' unless given. */
function refusal(path: string, code = 'format'): string {
  const message = expectRejected(() => readRunCheckpoint('test', path), 'test', code).message;
  expect(message).toContain(`'${path}'`);
  return message;
}

const logits = (model: CharModel) => noGrad(() => Array.from(model.forward(new Tensor(Float32Array.of(0, 1, 2, 3), [1, 4])).logits.data));

describe('a run and its weights come back as written', () => {
  it("a run's checkpoint: its run data, step and model", () => {
    const model = new CharModel(CONFIG, VOCAB.length);
    const path = runFile(EXTRA, 30, model);
    const run = readRunCheckpoint('test', path);
    expect({ kind: run.kind, step: run.contents.step, extra: run.extra, path: run.path }).toEqual({ kind: 'run', step: 30, extra: EXTRA, path });
    expect(run.contents.optimizer).not.toBeNull();
    expect(logits(loadRunModel('test', run))).toEqual(logits(model));
    expect(JSON.parse(runDescription(run))).toEqual({ ...EXTRA, step: 30 });
  });

  it('intervals an older checkpoint lacks are its logging interval', () => {
    const { valEvery: _v, checkpointEvery: _c, steps: _s, ...older } = EXTRA;
    expect(readRunCheckpoint('test', runFile(older)).extra).toEqual({ ...older, valEvery: 10, checkpointEvery: 10, steps: undefined });
  });

  it('weights saved by the exported model.py, naming their run in the metadata', () => {
    const model = new CharModel(CONFIG, VOCAB.length);
    // The key model.py writes (a file format: both sides must spell it so).
    expect(RUN_METADATA_KEY).toBe('recurrent.run');
    const path = file(safetensors.save(model.stateDict(), { 'recurrent.run': JSON.stringify({ ...EXTRA, step: 30 }) }));
    const run = readRunCheckpoint('test', path);
    expect({ kind: run.kind, step: run.contents.step, extra: run.extra, optimizer: run.contents.optimizer }).toEqual({ kind: 'weights', step: 30, extra: EXTRA, optimizer: null });
    expect(logits(loadRunModel('test', run))).toEqual(logits(model));
  });
});

describe("a run's PyTorch project", () => {
  it('holds weights that name their run, and a README that resumes 1000 steps past the target', () => {
    const model = new CharModel(CONFIG, VOCAB.length);
    const run = readRunCheckpoint('test', runFile(EXTRA, 30, model));
    const files = Object.fromEntries(torchProject(run, model));
    const weights = readRunCheckpoint('test', file(files['weights.safetensors']!));
    expect({ kind: weights.kind, step: weights.contents.step, extra: weights.extra }).toEqual({ kind: 'weights', step: 30, extra: EXTRA });
    expect(logits(loadRunModel('test', weights))).toEqual(logits(model));
    const readme = new TextDecoder().decode(files['README.md']);
    expect(readme).toContain('--steps 1050\n');
    const { steps: _steps, ...untargeted } = EXTRA;
    const older = readRunCheckpoint('test', runFile(untargeted, 30, model));
    expect(new TextDecoder().decode(Object.fromEntries(torchProject(older, model))['README.md'])).toContain('--steps 1030\n');
  });
});

describe('refused files', () => {
  it('a missing file, a folder', () => {
    expect(refusal(join(dir, 'missing.safetensors'), 'argument')).toBe(`test: cannot read checkpoint '${join(dir, 'missing.safetensors')}': no such file`);
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    expect(refusal(folder, 'argument')).toBe(`test: cannot read checkpoint '${folder}': it is a folder`);
    // Any other reason is the system's own words.
    const through = join(file('plain'), 'inside.safetensors');
    expect(refusal(through, 'argument')).toMatch(new RegExp(`^test: cannot read checkpoint '${through}': ENOTDIR`));
  });

  it('a file that is not safetensors at all', () => {
    const why = "is not a safetensors file; pass the checkpoint.safetensors of a run folder made by `recurrent train`";
    for (const bytes of ['hello world, not a checkpoint', '', '12345678{', new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 0x5b, 0x5d])]) {
      const path = file(bytes);
      expect(refusal(path)).toBe(`test: '${path}' ${why}`);
    }
    // Ten bytes that start as safetensors do get the reader's reason.
    expect(refusal(file(new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d])))).toMatch(/ is not a readable checkpoint: /);
  });

  it('a safetensors file cut short, with the reader’s reason', () => {
    const whole = encodeCheckpoint({ model: new CharModel(CONFIG, VOCAB.length), step: 1, extra: EXTRA });
    expect(refusal(file(whole.subarray(0, whole.length - 7)))).toMatch(/^test: '.*' is not a readable checkpoint: \S/);
  });

  it('weights without a run', () => {
    const plain = file(safetensors.save(new CharModel(CONFIG, VOCAB.length).stateDict()));
    expect(refusal(plain)).toMatch(/is not a readable checkpoint: it holds weights but no training run \(no config, vocabulary or step: weights downloaded from the live page, or saved with saveFile\); `recurrent sample` and `summary` need the checkpoint\.safetensors of a `recurrent train` run folder, or weights saved by the model\.py of `recurrent export --torch`$/);
    const other = file(safetensors.save(new CharModel(CONFIG, VOCAB.length).stateDict(), { note: 'x' }));
    expect(refusal(other)).toMatch(/it holds weights but no training run/);
  });

  it('weights whose run entry is not JSON, not an object, or has no valid step', () => {
    const weights = (text: string) => file(safetensors.save(new CharModel(CONFIG, VOCAB.length).stateDict(), { [RUN_METADATA_KEY]: text }));
    expect(refusal(weights('{not json'))).toMatch(/ holds a recurrent\.run entry that is not JSON$/);
    for (const text of ['[1]', 'null', '3', '"run"']) expect(refusal(weights(text))).toMatch(/ holds a recurrent\.run entry that is not an object$/);
    for (const step of [-1, 1.5, '3', null]) {
      expect(refusal(weights(JSON.stringify({ ...EXTRA, step })))).toMatch(/ holds a recurrent\.run entry whose step is not a non-negative integer$/);
    }
    expect(refusal(weights(JSON.stringify(EXTRA)))).toMatch(/whose step is not a non-negative integer$/);
    expect(readRunCheckpoint('test', weights(JSON.stringify({ ...EXTRA, step: 0 }))).contents.step).toBe(0);
  });

  it('a checkpoint not written by recurrent train', () => {
    for (const extra of [{}, { ...EXTRA, tool: 'other' }]) expect(refusal(runFile(extra))).toMatch(/ was not written by `recurrent train` \(its extra data has no run config\)$/);
  });

  it('a vocabulary that is not distinct single characters', () => {
    for (const vocab of ['abcd', [], ['a', 'b', 'c', 'ab'], ['a', 'b', 'a', 'c'], ['a', 'b', 'c', 4], ['a', 'b', 'c', ''], ['a', 'b', 'c', ['d']]]) {
      expect(refusal(runFile({ ...EXTRA, vocab }))).toMatch(/ holds no valid vocabulary$/);
    }
    // A vocabulary of one character; one character may take two UTF-16 units.
    const single = new CharModel(CONFIG, 1);
    expect(readRunCheckpoint('test', runFile({ ...EXTRA, vocab: ['a'] }, 30, single)).extra.vocab).toEqual(['a']);
    expect(readRunCheckpoint('test', runFile({ ...EXTRA, vocab: ['a', 'b', '😀', ' '] })).extra.vocab).toEqual(['a', 'b', '😀', ' ']);
  });

  it('tensors that do not fit the config, named', () => {
    const fits = (config: RunConfig, vocab = VOCAB) => runFile({ ...EXTRA, config, vocab }, 30, new CharModel(CONFIG, VOCAB.length));
    expect(refusal(fits({ ...CONFIG, layers: 1 }))).toMatch(/ does not fit its own config: 11 tensors, the config needs 7$/);
    // The tensors in the file's order (by name).
    expect(refusal(fits({ ...CONFIG, hidden: 6 }))).toMatch(/ does not fit its own config: head\.weight has shape \[4,7\], the config needs \[4,6\]$/);
    expect(refusal(fits({ ...CONFIG, model: 'lstm' }))).toMatch(/ does not fit its own config: rnn\.bias_hh_l0 has shape \[21\], the config needs \[28\]$/);
    expect(refusal(fits(CONFIG, ['a', 'b', 'c', ' ', 'd']))).toMatch(/ does not fit its own config: embed\.weight has shape \[4,5\], the config needs \[5,5\]$/);
    // As many tensors as the config needs, one under another name.
    const { 'head.bias': bias, ...rest } = new CharModel(CONFIG, VOCAB.length).stateDict();
    const renamed = file(safetensors.save({ ...rest, 'head.offset': bias! }, { [RUN_METADATA_KEY]: JSON.stringify({ ...EXTRA, step: 1 }) }));
    expect(refusal(renamed)).toMatch(/ does not fit its own config: unexpected tensor "head\.offset"$/);
  });

  it('weights the model refuses (not finite), when the model is built', () => {
    const state = new CharModel(CONFIG, VOCAB.length).stateDict();
    state['head.bias']!.data[2] = Number.NaN;
    const path = file(safetensors.save(state, { [RUN_METADATA_KEY]: JSON.stringify({ ...EXTRA, step: 1 }) }));
    const run = readRunCheckpoint('test', path);
    const err = expectRejected(() => loadRunModel('test', run), 'test', 'format');
    expect(err.message).toMatch(new RegExp(`^test: '${path}' holds weights the model refuses: .*head\\.bias\\[2\\] is NaN; parameters must be finite$`));
  });

  it('run data without the prompt, intervals or elapsed time', () => {
    for (const change of [{ prompt: 3 }, { every: 1.5 }, { every: undefined }, { sampleEvery: '40' }, { elapsed: '12' }]) {
      expect(refusal(runFile({ ...EXTRA, ...change }))).toMatch(/ lacks the prompt, intervals or elapsed time of its run$/);
    }
  });

  it('a target before its step, or not an integer', () => {
    expect(refusal(runFile({ ...EXTRA, steps: 29 }, 30))).toMatch(/ holds a target of 29 steps, not an integer at or after its step 30$/);
    expect(refusal(runFile({ ...EXTRA, steps: 40.5 }, 30))).toMatch(/ holds a target of 40\.5 steps, not an integer at or after its step 30$/);
    expect(readRunCheckpoint('test', runFile({ ...EXTRA, steps: 30 }, 30)).extra.steps).toBe(30);
  });

  it('intervals that are not positive integers', () => {
    for (const change of [{ every: 0 }, { valEvery: 0 }, { checkpointEvery: -3 }, { sampleEvery: 0 }, { valEvery: 2.5 }, { checkpointEvery: '5' }]) {
      expect(refusal(runFile({ ...EXTRA, ...change }))).toMatch(/ holds intervals that are not positive integers$/);
    }
    expect(readRunCheckpoint('test', runFile({ ...EXTRA, every: 1, valEvery: 1, checkpointEvery: 1, sampleEvery: 1 })).extra.every).toBe(1);
  });
});
