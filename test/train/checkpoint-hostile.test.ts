/**
 * Checkpoints built to trick the decoder (prototype names, sloppy step numbers, unknown
 * entries), restores whose rollback must not go through validation, and state dicts whose
 * sources alias the module's own parameters.
 */
import { describe, expect, it } from 'vitest';
import { Generator, decodeCheckpoint, encodeCheckpoint, nn, optim, restoreCheckpoint, safetensors, tensor, type Tensor } from '../../src/index.js';
import { expectRecurrentError } from '../helpers.js';

const model = () => new nn.Linear({ inFeatures: 2, outFeatures: 2, seed: 3 });

/** A checkpoint's tensors and metadata, edited and written back. */
function edited(bytes: Uint8Array, edit: (tensors: Record<string, Tensor>, metadata: Record<string, string>) => void): Uint8Array {
  const { tensors, metadata } = safetensors.loadWithMetadata(bytes);
  edit(tensors, metadata!);
  return safetensors.save(tensors, metadata!);
}

const refusedWith = (fn: () => unknown, message: RegExp) => expectRecurrentError(fn, message);

describe('decodeCheckpoint: prototype tricks and sloppy numbers', () => {
  const m = model();
  const opt = new optim.Adam(m.parameters(), { lr: 0.1 });
  for (const p of m.parameters()) p.grad = p.detach();
  opt.step();
  const base = encodeCheckpoint({ model: m, optimizer: opt, step: 7 });

  it('a tensor named model.__proto__ is a parameter name like any other, and strict restore refuses it', () => {
    const bytes = edited(base, (t) => Object.defineProperty(t, 'model.__proto__', { value: tensor([1]), enumerable: true }));
    const contents = decodeCheckpoint(bytes);
    expect(Object.hasOwn(contents.model, '__proto__')).toBe(true);
    refusedWith(() => restoreCheckpoint(bytes, { model: model() }), /unexpected keys: __proto__/);
  });

  it('optimizer buffers under prototype names belong to no parameter', () => {
    for (const name of ['optimizer.toString.expAvg', 'optimizer.constructor.x', 'optimizer.__proto__.expAvg', 'optimizer.hasOwnProperty']) {
      const bytes = edited(base, (t) => Object.defineProperty(t, name, { value: tensor([1]), enumerable: true }));
      refusedWith(() => decodeCheckpoint(bytes), /belongs to no parameter state/);
    }
  });

  it('step metadata must be a plain decimal integer', () => {
    for (const step of ['', ' 0x10 ', '1e3', '0x10', '-0', '+5', '05', '1.0', ' 7', '9007199254740993']) {
      const bytes = edited(base, (_, md) => (md.step = step));
      refusedWith(() => decodeCheckpoint(bytes), /metadata step must be a non-negative decimal integer/);
    }
    expect(decodeCheckpoint(edited(base, (_, md) => (md.step = '0'))).step).toBe(0);
  });

  it('unknown metadata entries are refused', () => {
    refusedWith(() => decodeCheckpoint(edited(base, (_, md) => (md.note = 'x'))), /unknown metadata entry "note"/);
  });

  it('a generator named like an Object.prototype member must be in the checkpoint itself', () => {
    const bytes = encodeCheckpoint({ model: m, generators: {} });
    refusedWith(() => restoreCheckpoint(bytes, { model: model(), generators: { constructor: new Generator(1) } }), /holds no generator 'constructor'/);
  });
});

describe('restoreCheckpoint rolls back without validation', () => {
  it('an optimizer whose state holds Infinity is restored exactly, and the original error is reported', () => {
    const m = model();
    const opt = new optim.Adam(m.parameters(), { lr: 0.1 });
    for (const p of m.parameters()) p.grad = p.detach().mul(0).add(1e21); // squared: past float32
    opt.step();
    expect(opt.stateDict().state[0]!.expAvgSq).toContain(Infinity);
    const g = new Generator(11);
    const before = { sd: JSON.stringify(opt.stateDict()), params: m.parameters().map((p) => Array.from(p.data)), g: g.getState() };
    // A valid model and optimizer, but no generator 'g': the restore fails after loading the optimizer.
    const other = model();
    const otherOpt = new optim.Adam(other.parameters(), { lr: 0.5 });
    const bytes = encodeCheckpoint({ model: other, optimizer: otherOpt });
    refusedWith(() => restoreCheckpoint(bytes, { model: m, optimizer: opt, generators: { g } }), /holds no generator 'g'/);
    expect(JSON.stringify(opt.stateDict())).toBe(before.sd);
    expect(opt.paramGroups[0]!.lr).toBe(0.1);
    expect(m.parameters().map((p) => Array.from(p.data))).toEqual(before.params);
    expect(g.getState()).toEqual(before.g);
  });
});

describe('loadStateDict with sources aliasing the parameters', () => {
  it('swapping two parameters through views of themselves swaps them', () => {
    const lstm = new nn.LSTM({ inputSize: 2, hiddenSize: 3, seed: 4 });
    const sd = lstm.stateDict(); // views sharing storage with the parameters
    const ih = Array.from(sd.bias_ih_l0!.data);
    const hh = Array.from(sd.bias_hh_l0!.data);
    lstm.loadStateDict({ ...sd, bias_ih_l0: sd.bias_hh_l0!, bias_hh_l0: sd.bias_ih_l0! });
    expect(Array.from(lstm.stateDict().bias_ih_l0!.data)).toEqual(hh);
    expect(Array.from(lstm.stateDict().bias_hh_l0!.data)).toEqual(ih);
  });
});
