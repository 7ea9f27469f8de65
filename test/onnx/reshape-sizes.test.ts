/**
 * How exportOnnx writes a reshape, checked against ONNX's own rules over random shapes:
 *  - reshapeSizes(from, to) read by ONNX Reshape (0 copies the input's dim at that index, one
 *    -1 is inferred from the element count) gives `to`; and when a leading dim is kept, it
 *    stays dynamic: another size there (another batch) comes through as it is;
 *  - onesRemoved(long, short) names the size-1 dims of `long` whose removal gives `short`
 *    (Squeeze's axes, or read backwards Unsqueeze's), and is null when no such dims exist.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { onesRemoved, reshapeSizes } from '../../src/onnx/ops.js';

/** ONNX Reshape's output shape for an input of `input` and the sizes tensor `sizes`. */
function onnxReshape(input: readonly number[], sizes: readonly number[]): number[] {
  const count = input.reduce((a, b) => a * b, 1);
  const out = sizes.map((s, i) => (s === 0 ? input[i]! : s));
  const known = out.reduce((a, s) => (s === -1 ? a : a * s), 1);
  return out.map((s) => (s === -1 ? count / known : s));
}

/** A shape and another with the same number of elements: its dims shuffled, and runs of them multiplied into one. */
const shapePair = fc.array(fc.constantFrom<number>(1, 2, 3, 5), { minLength: 1, maxLength: 6 }).chain((from) =>
  fc.tuple(fc.shuffledSubarray(from, { minLength: from.length, maxLength: from.length }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 6 })).map(([dims, runs]) => {
    const to: number[] = [];
    let k = 0;
    for (const run of runs) {
      let d = 1;
      for (let r = 0; r < run && k < dims.length; r++) d *= dims[k++]!;
      to.push(d);
    }
    to.push(dims.slice(k).reduce((a, b) => a * b, 1));
    return { from, to };
  }),
);

it('reshapeSizes, read as ONNX Reshape reads it, gives the target shape with at most one -1', () => {
  fc.assert(
    fc.property(shapePair, ({ from, to }) => {
      const sizes = reshapeSizes(from, to);
      expect(sizes.filter((s) => s === -1).length).toBeLessThanOrEqual(1);
      expect(onnxReshape(from, sizes)).toEqual(to);
    }),
    { numRuns: 500 },
  );
});

it('reshapeSizes keeps a leading dim it does not change dynamic: another batch size comes through', () => {
  fc.assert(
    fc.property(shapePair, fc.integer({ min: 2, max: 9 }), ({ from, to }, batch) => {
      const sizes = reshapeSizes([7, ...from], [7, ...to]);
      expect(sizes[0]).toBe(0);
      expect(onnxReshape([batch, ...from], sizes)).toEqual([batch, ...to]);
    }),
    { numRuns: 300 },
  );
  // Leading dims merged into one (batch and time into rows) stay dynamic through the -1 (sizes
  // above 1, as exportOnnx asks of an example: a dim of 1 merged is no change).
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 2, max: 5 }), { minLength: 2, maxLength: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 9 }), (from, j, k) => {
      const merged = Math.min(j + 1, from.length);
      const to = [from.slice(0, merged).reduce((a, b) => a * b, 1), ...from.slice(merged)];
      const sizes = reshapeSizes(from, to);
      expect(onnxReshape([from[0]! * k, ...from.slice(1)], sizes)).toEqual([to[0]! * k, ...to.slice(1)]);
    }),
    { numRuns: 300 },
  );
  // A dim that changes is written as it is, or as the one inferred size.
  expect(reshapeSizes([4, 6], [24])).toEqual([-1]);
  expect(reshapeSizes([2, 3, 4], [2, 12])).toEqual([0, -1]);
  expect(reshapeSizes([2, 3, 4], [6, 4])).toEqual([-1, 4]);
  expect(reshapeSizes([2, 3, 4, 5], [2, 4, 3, 5])).toEqual([0, 4, 3, 5]);
  expect(reshapeSizes([2, 3], [2, 3])).toEqual([0, 0]);
});

/** `long` without the dims at `axes`. */
const without = (long: readonly number[], axes: readonly number[]) => long.filter((_, i) => !axes.includes(i));

it('onesRemoved finds the size-1 dims whose removal gives the shorter shape, or null', () => {
  const dims = fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 5 });
  fc.assert(
    fc.property(dims, dims, (long, short) => {
      const axes = onesRemoved(long, short);
      // The brute-force answer: does some set of size-1 dims of `long` leave `short`?
      const ones = long.flatMap((d, i) => (d === 1 ? [i] : []));
      const subsets = Array.from({ length: 2 ** ones.length }, (_, m) => ones.filter((_, b) => (m >> b) & 1));
      const possible = long.length > short.length && subsets.some((s) => s.length > 0 && without(long, s).join() === short.join());
      if (!possible) {
        expect(axes).toBeNull();
        return;
      }
      expect(axes!.length).toBeGreaterThan(0);
      for (const a of axes!) expect(long[a]).toBe(1);
      expect(without(long, axes!)).toEqual(short);
    }),
    { numRuns: 1000 },
  );
  // Squeezes and unsqueezes the export meets.
  expect(onesRemoved([2, 1, 3], [2, 3])).toEqual([1]);
  expect(onesRemoved([1, 2, 1, 3, 1], [2, 3])).toEqual([0, 2, 4]);
  expect(onesRemoved([2, 1, 3], [2, 1, 3])).toBeNull();
  expect(onesRemoved([2, 3], [2, 1, 3])).toBeNull();
  expect(onesRemoved([2, 4, 3], [2, 3])).toBeNull();
  expect(onesRemoved([2, 1, 3], [3])).toBeNull();
});
