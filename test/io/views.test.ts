/**
 * Loading from any Uint8Array view: a Node Buffer from readFileSync (a view into a shared
 * pool), a view at an odd offset of a larger buffer, a subarray. Each loads the same tensors as
 * a standalone copy, for plain safetensors files and for checkpoints.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Generator, decodeCheckpoint, encodeCheckpoint, nn, optim, restoreCheckpoint, safetensors, tensor } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-views-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `bytes` placed at byte `offset` of a larger buffer, with `after` bytes of junk behind it. */
function viewAt(bytes: Uint8Array, offset: number, after = 5): Uint8Array {
  const big = new Uint8Array(offset + bytes.length + after).fill(0xab);
  big.set(bytes, offset);
  return big.subarray(offset, offset + bytes.length);
}

/** Every kind of view of the same bytes the tests try. */
function views(bytes: Uint8Array): [string, Uint8Array][] {
  const path = join(dir, `f${Math.random().toString(36).slice(2)}.safetensors`);
  writeFileSync(path, bytes);
  const pooled = Buffer.from(bytes); // small buffers come from Node's shared pool
  return [
    ['readFileSync Buffer', readFileSync(path)],
    ['pooled Buffer', pooled],
    ['Buffer.slice of a pooled Buffer', Buffer.concat([Buffer.from([1, 2, 3]), pooled, Buffer.from([9])]).slice(3, 3 + bytes.length)],
    ['odd offset 1', viewAt(bytes, 1)],
    ['odd offset 3', viewAt(bytes, 3)],
    ['offset 4', viewAt(bytes, 4)],
    ['subarray', viewAt(bytes, 7, 0).subarray(0)],
  ];
}

describe('loading from views at any offset', () => {
  const state = { w: tensor([[1, 2, 3], [4, 5, 6]]), b: tensor([0.5, -0.25]), s: tensor(7) };
  const bytes = safetensors.save(state, { format: 'pt' });

  for (const copy of [true, false]) {
    test(`safetensors.load (copy: ${copy}) reads every view exactly`, () => {
      for (const [what, view] of views(bytes)) {
        const loaded = safetensors.load(view, { copy });
        for (const [name, t] of Object.entries(state)) {
          expect(loaded[name]!.shape, `${what}: ${name}`).toEqual(t.shape);
          expect(Array.from(loaded[name]!.data), `${what}: ${name}`).toEqual(Array.from(t.data));
        }
      }
    });
  }

  test('checkpoints decode and restore from every view', () => {
    const model = new nn.GRU({ inputSize: 2, hiddenSize: 3, seed: 4 });
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
    const g = new Generator(9);
    const ckpt = encodeCheckpoint({ model, optimizer, step: 3, generators: { g } });
    for (const [what, view] of views(ckpt)) {
      expect(decodeCheckpoint(view).step, what).toBe(3);
      const fresh = new nn.GRU({ inputSize: 2, hiddenSize: 3, seed: 5 });
      const freshOptimizer = new optim.Adam(fresh.parameters(), { lr: 0.01 });
      expect(restoreCheckpoint(view, { model: fresh, optimizer: freshOptimizer, generators: { g: new Generator(1) } }).step, what).toBe(3);
      fresh.parameters().forEach((p, i) => expect(Array.from(p.data), what).toEqual(Array.from(model.parameters()[i]!.data)));
    }
  });
});
