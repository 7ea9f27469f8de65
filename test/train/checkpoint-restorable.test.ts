/**
 * Never write what restore refuses: a checkpoint whose optimizer state overflowed (Adam's
 * second moment at Infinity) or whose model holds NaN is refused when saved, with a
 * RecurrentError naming the tensor, and the checkpoint file already on disk is left intact;
 * save and restore apply one rule, so whatever save accepts, restore takes back.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Generator, decodeCheckpoint, encodeCheckpoint, nn, optim, restoreCheckpoint, tensor } from '../../src/index.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/node/index.js';
import { expectRecurrentError } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-restorable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A model and an optimizer after one step with the given gradient on every parameter entry. */
function stepped(make: (params: ReturnType<nn.Linear['parameters']>) => optim.Optimizer<any, any>, grad: number) {
  const model = new nn.Linear({ inFeatures: 2, outFeatures: 2, seed: 1 });
  const opt = make(model.parameters());
  for (const p of model.parameters()) p.grad = tensor(Array.from(p.data, () => grad), p.shape);
  opt.step();
  return { model, opt };
}

/** The RecurrentError `run` throws (expectRecurrentError with a pattern every message matches). */
const refusal = (run: () => unknown) => expectRecurrentError(run, /./);

describe('a checkpoint that restore would refuse is never written', () => {
  it("Adam's second moment overflowed to Infinity: save refuses naming the parameter, the old file stays", () => {
    const path = join(dir, 'adam.safetensors');
    const good = stepped((p) => new optim.Adam(p, { lr: 0.01 }), 1);
    saveCheckpoint(path, { model: good.model, optimizer: good.opt, step: 1 });
    const before = readFileSync(path);
    // 3e38 is a finite float32 gradient; its square times (1 - beta2) is not.
    const { model, opt } = stepped((p) => new optim.Adam(p, { lr: 0.01 }), 3e38);
    expect(model.parameters().every((p) => p.data.every(Number.isFinite))).toBe(true);
    const error = refusal(() => saveCheckpoint(path, { model, optimizer: opt, step: 2 }));
    expect(error.message).toMatch(/^encodeCheckpoint: refused: restoreCheckpoint would refuse this checkpoint/);
    expect(error.message).toMatch(/parameter model\.(weight|bias)\)\.expAvgSq\[0\] must be a finite float32, got Infinity/);
    expect(readFileSync(path).equals(before)).toBe(true);
    // The old checkpoint still restores.
    const fresh = stepped((p) => new optim.Adam(p, { lr: 0.01 }), 1);
    expect(loadCheckpoint(path, { model: fresh.model, optimizer: fresh.opt }).step).toBe(1);
  });

  it('RMSprop and AMSGrad overflow the same way and are refused the same way', () => {
    for (const make of [(p: never) => new optim.RMSprop(p, { lr: 0.01 }), (p: never) => new optim.Adam(p, { lr: 0.01, amsgrad: true }), (p: never) => new optim.AdamW(p, { lr: 0.01 })]) {
      const { model, opt } = stepped(make as never, 3e38);
      expect(refusal(() => encodeCheckpoint({ model, optimizer: opt })).message).toMatch(/must be a finite float32, got Infinity/);
    }
  });

  it('a NaN parameter is refused at save, naming it', () => {
    const model = new nn.Linear({ inFeatures: 2, outFeatures: 2, seed: 1 });
    model.bias!.data[1] = NaN;
    expect(refusal(() => encodeCheckpoint({ model })).message).toMatch(/bias\[1\] is NaN; parameters must be finite/);
  });

  it('whatever save accepts, restore takes back (SGD with momentum, Adam, RMSprop, generators, extra)', () => {
    for (const make of [(p: never) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 }), (p: never) => new optim.Adam(p, { lr: 0.01 }), (p: never) => new optim.RMSprop(p, { lr: 0.01, centered: true })]) {
      for (const grad of [1e-30, 1, 1e18]) {
        const { model, opt } = stepped(make as never, grad);
        const g = new Generator(5);
        g.normal();
        const bytes = encodeCheckpoint({ model, optimizer: opt, step: 3, generators: { data: g }, extra: { vocab: ['a', 'b'] } });
        const target = stepped(make as never, 1);
        const h = new Generator(9);
        expect(restoreCheckpoint(bytes, { model: target.model, optimizer: target.opt, generators: { data: h } })).toEqual({ step: 3, extra: { vocab: ['a', 'b'] } });
        expect(h.getState()).toEqual(g.getState());
        expect(target.opt.stateDict()).toEqual(opt.stateDict());
        expect(decodeCheckpoint(bytes).step).toBe(3);
      }
    }
  });
});
