/**
 * What encodeCheckpoint, restoreCheckpoint and decodeCheckpoint refuse, each with a
 * RecurrentError that names the op, the argument or metadata entry, and what is wrong (a
 * 'format' code for a file that is not a checkpoint they wrote), changing nothing; and what
 * loadModelWeights reads from a checkpoint and from a plain state dict file.
 */
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint, Generator, loadModelWeights, nn, optim, restoreCheckpoint, safetensors, tensor, type Tensor } from '../../src/index.js';
import { expectRejected } from '../helpers.js';

const model = () => new nn.Linear({ inFeatures: 2, outFeatures: 2, seed: 3 });
const refused = (fn: () => unknown, op: string, message: RegExp, code = 'argument') => expect(expectRejected(fn, op, code).message).toMatch(message);

/** A checkpoint's tensors and metadata, edited and written back. */
function edited(bytes: Uint8Array, edit: (tensors: Record<string, Tensor>, metadata: Record<string, string>) => void): Uint8Array {
  const { tensors, metadata } = safetensors.loadWithMetadata(bytes);
  edit(tensors, metadata!);
  return safetensors.save(tensors, metadata!);
}

describe('encodeCheckpoint refuses', () => {
  it('parts without a model, or with a model or optimizer of the wrong kind', () => {
    refused(() => encodeCheckpoint({} as never), 'encodeCheckpoint', /^encodeCheckpoint: parts\.model is required \(the nn\.Module to save\)$/);
    refused(() => encodeCheckpoint({ model: {} as never }), 'encodeCheckpoint', /^encodeCheckpoint: parts\.model must be an nn\.Module, got /);
    refused(() => encodeCheckpoint({ model: model(), optimizer: {} as never }), 'encodeCheckpoint', /^encodeCheckpoint: parts\.optimizer must be an optimizer \(optim\.SGD, Adam, \.\.\.\), got /);
  });

  it('generators that are not an object of Generators', () => {
    for (const generators of [[new Generator(1)], 'g', 3, null]) {
      refused(() => encodeCheckpoint({ model: model(), generators: generators as never }), 'encodeCheckpoint', /^encodeCheckpoint: parts\.generators must be an object of Generators, got /);
    }
    refused(() => encodeCheckpoint({ model: model(), generators: { data: new Generator(1), noise: 7 as never } }), 'encodeCheckpoint', /^encodeCheckpoint: parts\.generators\.noise must be a Generator, got 7$/);
  });

  it('a negative step', () => {
    refused(() => encodeCheckpoint({ model: model(), step: -1 }), 'encodeCheckpoint', /^encodeCheckpoint: step must be a non-negative integer, got -1$/);
  });

  it('extra data JSON cannot hold, or that is not an object', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    refused(() => encodeCheckpoint({ model: model(), extra: cycle }), 'encodeCheckpoint', /^encodeCheckpoint: parts\.extra must be JSON-able data, but .*circular/i);
    refused(() => encodeCheckpoint({ model: model(), extra: { n: 1n } }), 'encodeCheckpoint', /^encodeCheckpoint: parts\.extra must be JSON-able data, but .*BigInt/);
    for (const extra of [[1, 2], 'text', 5]) {
      refused(() => encodeCheckpoint({ model: model(), extra: extra as never }), 'encodeCheckpoint', /^encodeCheckpoint: parts\.extra must be an object of JSON-able data, got /);
    }
    refused(() => encodeCheckpoint({ model: model(), extra: { toJSON: () => undefined } }), 'encodeCheckpoint', /must be an object of JSON-able data/);
  });

  it('what its own restore would refuse, with the restore’s reason and code', () => {
    const m = model();
    const opt = new optim.Adam(m.parameters(), { lr: 0.1 });
    for (const p of m.parameters()) p.grad = p.detach().mul(1e30);
    opt.step();
    for (const p of m.parameters()) p.grad = p.detach().mul(1e30);
    opt.step();
    const err = expectRejected(() => encodeCheckpoint({ model: m, optimizer: opt }), 'encodeCheckpoint');
    expect(err.message).toMatch(/^encodeCheckpoint: refused: restoreCheckpoint would refuse this checkpoint \(.*parameter model\.(weight|bias)/);
  });
});

describe('restoreCheckpoint refuses', () => {
  const m = model();
  const bytes = encodeCheckpoint({ model: m, step: 3, extra: { note: 'x' } });

  it('targets without a model', () => {
    refused(() => restoreCheckpoint(bytes, {} as never), 'restoreCheckpoint', /^restoreCheckpoint: targets\.model is required \(the nn\.Module to restore into\)$/);
  });

  it('an optimizer when the checkpoint holds no optimizer state', () => {
    const target = model();
    refused(() => restoreCheckpoint(bytes, { model: target, optimizer: new optim.SGD(target.parameters(), { lr: 0.1 }) }), 'restoreCheckpoint', /^restoreCheckpoint: the checkpoint holds no optimizer state$/, 'format');
  });

  it('a generator the checkpoint does not hold', () => {
    refused(() => restoreCheckpoint(bytes, { model: model(), generators: { data: new Generator(2) } }), 'restoreCheckpoint', /^restoreCheckpoint: the checkpoint holds no generator 'data'$/, 'format');
  });

  it('an optimizer over a parameter outside the model, naming it so', () => {
    const withOutside = (size: number) => {
      const a = model();
      const params = [...a.parameters(), tensor(new Array<number>(size).fill(1), { requiresGrad: true })];
      const opt = new optim.Adam(params, { lr: 0.1 });
      for (const p of params) p.grad = p.detach();
      opt.step();
      return { a, opt };
    };
    const saved = withOutside(3);
    const bytes = encodeCheckpoint({ model: saved.a, optimizer: saved.opt });
    const target = withOutside(2);
    const err = expectRejected(() => restoreCheckpoint(bytes, { model: target.a, optimizer: target.opt }), 'Adam.loadStateDict');
    expect(err.message).toMatch(/parameter outside the model/);
  });

  it("a generator state that is not one, naming restoreCheckpoint", () => {
    const saved = encodeCheckpoint({ model: new nn.Dropout({ p: 0.5, seed: 9 }) });
    const broken = edited(saved, (_t, meta) => (meta.generators = JSON.stringify({ 'model.generator': 'bad' })));
    expectRejected(() => restoreCheckpoint(broken, { model: new nn.Dropout({ p: 0.5, seed: 1 }) }), 'restoreCheckpoint');
  });

  it('and returns the step and extra data of what it restores, the model’s generators included', () => {
    const withDropout = new nn.Dropout({ p: 0.5, seed: 9 });
    const saved = encodeCheckpoint({ model: withDropout, step: 4, extra: { k: [1] } });
    expect(restoreCheckpoint(saved, { model: new nn.Dropout({ p: 0.5, seed: 1 }) })).toEqual({ step: 4, extra: { k: [1] } });
    expect(decodeCheckpoint(saved).generators).toHaveProperty('model.generator');
  });
});

describe('decodeCheckpoint refuses files it did not write', () => {
  const m = model();
  const opt = new optim.Adam(m.parameters(), { lr: 0.1 });
  for (const p of m.parameters()) p.grad = p.detach();
  opt.step();
  const base = encodeCheckpoint({ model: m, optimizer: opt, step: 7, extra: { a: 1 } });
  const decode = (bytes: Uint8Array, message: RegExp) => refused(() => decodeCheckpoint(bytes), 'decodeCheckpoint', message, 'format');

  it('a file without the format entry, or with another', () => {
    decode(safetensors.save(m.stateDict()), /^decodeCheckpoint: not a recurrent checkpoint \(metadata format is null, expected "/);
    decode(edited(base, (_t, meta) => (meta.format = 'other')), /^decodeCheckpoint: not a recurrent checkpoint \(metadata format is "other", expected "/);
  });

  it('a metadata entry missing, or not JSON, or not an object', () => {
    for (const key of ['generators', 'extra']) {
      decode(edited(base, (_t, meta) => delete meta[key]), new RegExp(`^decodeCheckpoint: metadata has no '${key}' entry$`));
      decode(edited(base, (_t, meta) => (meta[key] = '{oops')), new RegExp(`^decodeCheckpoint: metadata '${key}' is not valid JSON$`));
      for (const json of ['[1]', 'null']) decode(edited(base, (_t, meta) => (meta[key] = json)), /^decodeCheckpoint: metadata generators and extra must be JSON objects$/);
    }
    decode(edited(base, (_t, meta) => (meta.optimizer = '{oops')), /^decodeCheckpoint: metadata 'optimizer' is not valid JSON$/);
    decode(edited(base, (_t, meta) => delete meta.step), /^decodeCheckpoint: metadata step must be a non-negative decimal integer, got null$/);
  });

  it('an unknown metadata entry, listing the known ones', () => {
    decode(edited(base, (_t, meta) => (meta.comment = 'hi')), /^decodeCheckpoint: unknown metadata entry "comment" \(expected format, step, optimizer, generators, extra\)$/);
  });

  it('a tensor under another prefix', () => {
    decode(edited(base, (t) => (t['weights.extra'] = tensor([1]))), /^decodeCheckpoint: unexpected tensor 'weights\.extra'$/);
  });

  it('optimizer metadata of another shape', () => {
    for (const optimizer of ['[]', 'null', '{"paramGroups":[],"state":null}', '{"state":{}}', '{"paramGroups":[],"state":[]}', '{"paramGroups":{},"state":{}}']) {
      decode(edited(base, (_t, meta) => (meta.optimizer = optimizer)), /^decodeCheckpoint: metadata optimizer must be \{ paramGroups, state \}$/);
    }
    for (const entry of ['3', 'null', '{}', '{"step":"1"}']) {
      decode(
        edited(base, (t, meta) => {
          for (const k of Object.keys(t)) if (k.startsWith('optimizer.')) delete t[k];
          meta.optimizer = `{"paramGroups":[],"state":{"0":${entry}}}`;
        }),
        /^decodeCheckpoint: optimizer state 0 must have a step$/,
      );
    }
  });

  it('optimizer buffers without a parameter state, or without optimizer metadata', () => {
    decode(edited(base, (t) => (t['optimizer.nodot'] = tensor([1]))), /^decodeCheckpoint: optimizer buffer 'nodot' belongs to no parameter state$/);
    // Without a dot a name is no parameter's, even one that starts like a saved index.
    decode(edited(base, (t) => (t['optimizer.01'] = tensor([1]))), /^decodeCheckpoint: optimizer buffer '01' belongs to no parameter state$/);
    decode(edited(base, (_t, meta) => delete meta.optimizer), /^decodeCheckpoint: optimizer buffers without optimizer metadata$/);
  });

  it('keeps the optimizer type it was given', () => {
    expect(decodeCheckpoint(base).optimizer!.type).toBe('Adam');
    const untyped = edited(base, (_t, meta) => {
      const saved = JSON.parse(meta.optimizer!) as Record<string, unknown>;
      delete saved.type;
      meta.optimizer = JSON.stringify(saved);
    });
    expect(Object.hasOwn(decodeCheckpoint(untyped).optimizer!, 'type')).toBe(false);
  });
});

describe('loadModelWeights', () => {
  it("reads a checkpoint's model weights under the model's own names, and a plain state dict file as it is", () => {
    const m = model();
    const opt = new optim.Adam(m.parameters(), { lr: 0.1 });
    for (const p of m.parameters()) p.grad = p.detach();
    opt.step();
    const fromCheckpoint = loadModelWeights(encodeCheckpoint({ model: m, optimizer: opt, step: 2 }));
    expect(Object.keys(fromCheckpoint).sort()).toEqual(['bias', 'weight']);
    expect(Array.from(fromCheckpoint.weight!.data)).toEqual(Array.from(m.weight.data));
    const plain = loadModelWeights(safetensors.save({ 'layer.weight': tensor([1, 2]) }));
    expect(Object.keys(plain)).toEqual(['layer.weight']);
    expect(Array.from(plain['layer.weight']!.data)).toEqual([1, 2]);
  });
});
