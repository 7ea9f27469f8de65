/** Checkpoints: a resumed run continues bit for bit, and a bad checkpoint changes nothing. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { F, Generator, RecurrentError, decodeCheckpoint, encodeCheckpoint, nn, optim, randn, restoreCheckpoint, safetensors, type Tensor } from '../../src/index.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/node/index.js';

class Model extends nn.Module {
  gru = new nn.GRU({ inputSize: 3, hiddenSize: 8, batchFirst: true, dropout: 0.2, numLayers: 2, seed: 1 });
  head = new nn.Linear({ inFeatures: 8, outFeatures: 1, seed: 2 });
  forward(x: Tensor): Tensor {
    return this.head.forward(this.gru.forward(x).output);
  }
}

/** A run whose data and dropout depend on generators, as a real run's do. */
function makeRun() {
  const model = new Model();
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const data = new Generator(5);
  const trainStep = () => {
    const x = randn([4, 6, 3], { generator: data });
    const loss = F.mseLoss(model.forward(x), x.narrow(2, 0, 1));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
  };
  return { model, optimizer, data, trainStep };
}

const bytesOf = (m: nn.Module) => m.parameters().map((p) => Array.from(new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength)));
const dir = mkdtempSync(join(tmpdir(), 'recurrent-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkpoints', () => {
  it('resuming from a checkpoint equals the uninterrupted run bit for bit', () => {
    const straight = makeRun();
    for (let i = 0; i < 10; i++) straight.trainStep();

    const first = makeRun();
    for (let i = 0; i < 5; i++) first.trainStep();
    const path = join(dir, 'run.safetensors');
    saveCheckpoint(path, { model: first.model, optimizer: first.optimizer, step: 5, generators: { data: first.data }, extra: { note: 'half way' } });
    expect(readdirSync(dir)).toEqual(['run.safetensors']); // the temporary file was renamed away

    const resumed = makeRun();
    const { step, extra } = loadCheckpoint(path, { model: resumed.model, optimizer: resumed.optimizer, generators: { data: resumed.data } });
    expect(step).toBe(5);
    expect(extra).toEqual({ note: 'half way' });
    for (let i = 0; i < 5; i++) resumed.trainStep();
    expect(bytesOf(resumed.model)).toEqual(bytesOf(straight.model));
  });

  it('a checkpoint is a safetensors file with PyTorch names under model.', () => {
    const run = makeRun();
    run.trainStep();
    const tensors = safetensors.load(encodeCheckpoint({ model: run.model, optimizer: run.optimizer, step: 1 }));
    expect(Object.keys(tensors)).toContain('model.gru.weight_ih_l1');
    expect(Object.keys(tensors)).toContain('optimizer.0.expAvg');
    expect(decodeCheckpoint(encodeCheckpoint({ model: run.model })).optimizer).toBeNull();
  });

  it('a bad checkpoint leaves model, optimizer and generators as they were', () => {
    const source = makeRun();
    source.trainStep();
    const good = encodeCheckpoint({ model: source.model, optimizer: source.optimizer, step: 1, generators: { data: source.data } });
    const target = makeRun();
    target.trainStep();
    target.trainStep();
    const before = { params: bytesOf(target.model), optimizer: JSON.stringify(target.optimizer.stateDict()), data: target.data.getState() };
    const unchanged = () => {
      expect(bytesOf(target.model)).toEqual(before.params);
      expect(JSON.stringify(target.optimizer.stateDict())).toBe(before.optimizer);
      expect(target.data.getState()).toEqual(before.data);
    };
    const attempts: [string, () => unknown][] = [
      ['truncated file', () => restoreCheckpoint(good.subarray(0, good.length - 10), { model: target.model })],
      ['plain weights file', () => restoreCheckpoint(safetensors.save(target.model.stateDict()), { model: target.model })],
      ['missing generator', () => restoreCheckpoint(good, { model: target.model, optimizer: target.optimizer, generators: { data: target.data, other: new Generator(1) } })],
      ['optimizer of another size', () => restoreCheckpoint(good, { model: target.model, optimizer: new optim.Adam(target.model.parameters().slice(1), { lr: 1 }) })],
      ['another model', () => restoreCheckpoint(encodeCheckpoint({ model: new nn.Linear({ inFeatures: 2, outFeatures: 2 }) }), { model: target.model })],
    ];
    for (const [name, attempt] of attempts) {
      expect(attempt, name).toThrow(RecurrentError);
      unchanged();
    }
  });
});
