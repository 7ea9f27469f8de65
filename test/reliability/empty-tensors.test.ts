/**
 * Empty tensors with huge dimensions ([0, 65536, 65536] loads from 72 bytes): every op on them
 * returns at once, and every shape an op would create (a reduction's output, a broadcast, a
 * concatenation, a selection) is held to the 2^31 - 1 element limit with a RecurrentError.
 */
import { describe, expect, test } from 'vitest';
import * as R from '../../src/index.js';
import { Tensor, safetensors } from '../../src/index.js';
import { expectRecurrentError, safetensorsFile } from '../helpers.js';

/** The 72-byte file of the finding: one F32 tensor of shape [0, 65536, 65536]. */
const hugeEmptyFile = () => safetensorsFile('{"e":{"dtype":"F32","shape":[0,65536,65536],"data_offsets":[0,0]}}');
const shapeError = (fn: () => unknown) => expectRecurrentError(fn, /./, 'shape');

/** Runs `fn` and asserts it took under 200 ms (a loop over 2^32 empty rows takes seconds). */
function quick<T>(what: string, fn: () => T): T {
  const started = performance.now();
  const out = fn();
  expect(performance.now() - started, what).toBeLessThan(200);
  return out;
}

describe('empty tensors with huge dims', () => {
  const e = safetensors.load(hugeEmptyFile()).e!;

  test('reductions whose output would exceed 2^31 - 1 elements are refused', () => {
    expect(e.shape).toEqual([0, 65536, 65536]);
    expect(shapeError(() => R.sum(e, 0)).message).toMatch(/sum: output shape \[1,65536,65536\] would have 4294967296 elements/);
    shapeError(() => R.mean(e, 0));
    shapeError(() => R.logsumexp(e, 0));
    shapeError(() => R.zeros([0, 100_000, 100_000]).sum(0));
  });

  test('reductions to a small output, and whole-tensor reductions, return at once', () => {
    expect(quick('sum()', () => R.sum(e)).item()).toBe(0);
    expect(quick('sum([0,1])', () => R.sum(e, [0, 1])).shape).toEqual([65536]);
    expect(Number.isNaN(quick('mean()', () => R.mean(e)).item())).toBe(true);
  });

  test('softmax and logSoftmax along any dim return at once, forward and backward', () => {
    for (const dim of [0, 1, 2]) {
      const x = e.detach().requiresGrad_();
      const y = quick(`softmax ${dim}`, () => R.softmax(x, dim));
      expect(y.shape).toEqual(e.shape);
      quick(`softmax ${dim} backward`, () => R.sum(y).backward());
      const z = quick(`logSoftmax ${dim}`, () => R.logSoftmax(e.detach().requiresGrad_(), dim));
      quick(`logSoftmax ${dim} backward`, () => R.sum(z).backward());
    }
  });

  test('narrow, cat and indexSelect over an empty tensor with a huge outer size return at once', () => {
    const wide = new Tensor(new Float32Array(0), [2 ** 40, 3, 0]);
    expect(quick('narrow', () => R.narrow(wide, 1, 1, 2)).shape).toEqual([2 ** 40, 2, 0]);
    expect(quick('cat', () => R.cat([wide, wide], 1)).shape).toEqual([2 ** 40, 6, 0]);
    expect(quick('indexSelect', () => R.indexSelect(wide, 1, [0, 2])).shape).toEqual([2 ** 40, 2, 0]);
  });

  test('outputs past the limit from broadcasting and indexSelect are refused, not RangeErrors', () => {
    shapeError(() => R.add(R.zeros([65536, 1]), R.zeros([1, 65536])));
    shapeError(() => R.mul(R.zeros([65536, 1, 1]), R.zeros([1, 65536, 1])));
    expect(shapeError(() => R.indexSelect(R.zeros([2, 2 ** 15]), 0, new Int32Array(2 ** 16 + 1))).message).toMatch(/indexSelect: output shape \[65537,32768\]/);
  });

  test('split, chunk and toArray that would build more than 2^24 pieces of an empty tensor are refused at once', () => {
    // Each of these built an array of ~2^31 entries: V8 stops the process ("Fatal JavaScript
    // invalid size error"), which no try/catch can catch.
    const long = R.zeros([0, 2 ** 31 - 1]);
    expect(quick('split', () => shapeError(() => R.split(long, 1, 1))).message).toMatch(/split: 2147483647 pieces of \[0,2147483647\] are more than 16777216/);
    expect(quick('chunk', () => shapeError(() => R.chunk(R.zeros([0, 5]), 2 ** 31 - 1, 0))).message).toMatch(/chunk: 2147483647 pieces of \[0,5\] are more than 16777216/);
    expect(quick('toArray', () => shapeError(() => R.zeros([2 ** 31 - 1, 0]).toArray())).message).toMatch(/toArray: \[2147483647,0\] would nest 2147483648 arrays, more than 16777216/);
    expect(quick('toArray of [0,65536,65536]', () => e.toArray())).toEqual([]);
    expect(quick('toArray', () => shapeError(() => R.zeros([65536, 65536, 0]).toArray())).message).toMatch(/toArray: \[65536,65536,0\] would nest 4295032833 arrays/);
    // within the limit they are as PyTorch's
    expect(R.split(R.zeros([0, 5]), 2, 1).map((t) => t.shape)).toEqual([[0, 2], [0, 2], [0, 1]]);
    expect(R.zeros([3, 0]).toArray()).toEqual([[], [], []]);
  });
});
