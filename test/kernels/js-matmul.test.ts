/**
 * The JS backend's matrix products near the float32 limit, and the float32 triple loop behind
 * them (`matmulReference`): a product whose partial sums may leave the float32 range is summed
 * in float32 (as the WebAssembly kernels and PyTorch do: +Infinity where float64 would give 0),
 * while one within range is summed in float64 and rounded once. Checked against sums written
 * out here, for every layout, with offsets, non-square shapes and accumulation.
 */
import { describe, expect, it } from 'vitest';
import { matmulNN, matmulNT, matmulReference, matmulTN } from '../../src/kernels/js/matmul.js';
import { markStorageModified } from '../../src/kernels/storage.js';

const f32 = Math.fround;
const TINY = 2 ** -24; // 1 + TINY rounds back to 1 in float32; 1 + 2·TINY does not
type Layout = 'NN' | 'NT' | 'TN';
const KERNELS = { NN: matmulNN, NT: matmulNT, TN: matmulTN };
const TRANS: Record<Layout, [boolean, boolean]> = { NN: [false, false], NT: [false, true], TN: [true, false] };

/** A logical (rows, cols) matrix stored at `off` in an array of `off + rows·cols + 3` (filled with 99), transposed when `trans`. */
function store(x: number[][], off: number, trans: boolean): Float32Array {
  const rows = x.length, cols = x[0]!.length;
  const out = new Float32Array(off + rows * cols + 3).fill(99);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[off + (trans ? c * rows + r : r * cols + c)] = x[r]![c]!;
  return out;
}

/** C (+)= A·B with every product and partial sum rounded to float32, in order of p. */
function float32Product(A: number[][], B: number[][], C: number[][] | undefined): number[][] {
  return A.map((row, i) => B[0]!.map((_, j) => {
    let s = 0;
    for (let p = 0; p < row.length; p++) s = f32(s + f32(row[p]! * B[p]![j]!));
    return C ? f32(C[i]![j]! + s) : s;
  }));
}

/** Small distinct integers: every sum of their products is exact in float32. */
const ints = (rows: number, cols: number, seed: number) =>
  Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => ((r * 7 + c * 3 + seed) % 11) - 4));

/** Runs `run(a, b, c)` on A, B, C stored with offsets 2, 3, 1 for `layout`; the C block, checking the rest of c untouched. */
function product(layout: Layout, A: number[][], B: number[][], C: number[][], run: (a: Float32Array, b: Float32Array, c: Float32Array) => void): number[][] {
  const [transA, transB] = TRANS[layout];
  const a = store(A, 2, transA), b = store(B, 3, transB), c = store(C, 1, false);
  run(a, b, c);
  const m = A.length, n = B[0]!.length;
  expect(c[0]).toBe(99);
  expect(Array.from(c.subarray(1 + m * n))).toEqual([99, 99, 99]);
  return Array.from({ length: m }, (_, i) => Array.from(c.subarray(1 + i * n, 1 + i * n + n)));
}

describe('matmulReference', () => {
  const m = 3, k = 4, n = 5;
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      for (const accumulate of [false, true]) {
        it(`computes op(A)·op(B) (transA ${transA}, transB ${transB}, accumulate ${accumulate})`, () => {
          const A = ints(m, k, 1), B = ints(k, n, 5), C = ints(m, n, 2);
          const a = store(A, 2, transA), b = store(B, 3, transB), c = store(C, 1, false);
          matmulReference(m, k, n, a, 2, transA, b, 3, transB, c, 1, accumulate);
          const want = float32Product(A, B, accumulate ? C : undefined);
          expect(Array.from(c)).toEqual([99, ...want.flat(), 99, 99, 99]);
        });
      }
    }
  }

  it('rounds every partial sum to float32', () => {
    const c = new Float32Array(1);
    matmulReference(1, 3, 1, Float32Array.from([1, TINY, TINY]), 0, false, Float32Array.from([1, 1, 1]), 0, false, c, 0, false);
    expect(c[0]).toBe(1);
  });
});

describe('JS matrix products near the float32 limit', () => {
  const BIG = 3e38;
  for (const layout of ['NN', 'NT', 'TN'] as const) {
    for (const accumulate of [false, true]) {
      it(`${layout} sums in float32 when A is huge (accumulate ${accumulate})`, () => {
        const A = ints(3, 4, 1);
        A[0] = [BIG, BIG, -BIG, -BIG];
        const B = ints(4, 5, 5).map((row) => row.map((v) => Math.abs(v) + 1));
        B.forEach((row) => (row[0] = 1));
        const C = ints(3, 5, 2);
        const got = product(layout, A, B, C, (a, b, c) => KERNELS[layout](3, 4, 5, a, 2, b, 3, c, 1, accumulate));
        expect(got[0]![0]).toBe(Infinity); // float64 would give 0 (or C's value)
        expect(got).toEqual(float32Product(A, B, accumulate ? C : undefined));
      });

      it(`${layout} sums in float32 when B is huge (accumulate ${accumulate})`, () => {
        const A = ints(3, 4, 1).map((row) => row.map((v) => Math.abs(v) + 1));
        A[0] = [1, 1, 1, 1];
        const B = ints(4, 5, 5);
        [BIG, BIG, -BIG, -BIG].forEach((v, p) => (B[p]![0] = v));
        const C = ints(3, 5, 2);
        const got = product(layout, A, B, C, (a, b, c) => KERNELS[layout](3, 4, 5, a, 2, b, 3, c, 1, accumulate));
        expect(got[0]![0]).toBe(Infinity);
        expect(got).toEqual(float32Product(A, B, accumulate ? C : undefined));
      });

      it(`${layout} keeps NaN and Infinity in their rows (accumulate ${accumulate})`, () => {
        const A = ints(3, 4, 1), B = ints(4, 5, 5), C = ints(3, 5, 2);
        A[1]![2] = Number.NaN;
        A[2]![0] = Infinity;
        const got = product(layout, A, B, C, (a, b, c) => KERNELS[layout](3, 4, 5, a, 2, b, 3, c, 1, accumulate));
        expect(got).toEqual(float32Product(A, B, accumulate ? C : undefined));
        expect(got[1]!.every(Number.isNaN)).toBe(true);
      });
    }
  }

  it('sums a product within range in float64 and rounds once', () => {
    for (const [layout, run] of Object.entries(KERNELS)) {
      const c = new Float32Array(1);
      // A (1,3) = [1, TINY, TINY], B all ones: the same stored either way round.
      run(1, 3, 1, Float32Array.from([1, TINY, TINY]), 0, Float32Array.from([1, 1, 1]), 0, c, 0, false);
      expect(c[0], layout).toBe(f32(1 + 2 * TINY));
    }
  });

  it('bounds a B kept from an earlier product anew once its storage is marked modified', () => {
    for (const [layout, run] of [['NN', matmulNN], ['NT', matmulNT]] as const) {
      const b = Float32Array.from([1, 1, 1]);
      const c = new Float32Array(1);
      run(1, 3, 1, Float32Array.from([1, TINY, TINY]), 0, b, 0, c, 0, false);
      expect(c[0], layout).toBe(f32(1 + 2 * TINY));
      b.set([BIG, BIG, -BIG]);
      markStorageModified(b);
      run(1, 3, 1, Float32Array.from([1, 1, 1]), 0, b, 0, c, 0, false);
      expect(c[0], `${layout} after the change`).toBe(Infinity); // float64 would give 3e38
    }
  });

  it('bounds the B of TN (a gradient, written without a version bump) on every product', () => {
    const b = Float32Array.from([1, 1, 1]);
    const c = new Float32Array(1);
    matmulTN(1, 3, 1, Float32Array.from([1, TINY, TINY]), 0, b, 0, c, 0, false);
    expect(c[0]).toBe(f32(1 + 2 * TINY));
    b.set([BIG, BIG, -BIG]);
    matmulTN(1, 3, 1, Float32Array.from([1, 1, 1]), 0, b, 0, c, 0, false);
    expect(c[0]).toBe(Infinity);
  });

  it('bounds B by its own block, not by values of the array outside it', () => {
    for (const [layout, run] of [['NN', matmulNN], ['NT', matmulNT]] as const) {
      // B is the first 3 floats of b (offset 0); the 3e38 after it is no part of the product.
      const c = new Float32Array(1);
      run(1, 3, 1, Float32Array.from([1, TINY, TINY]), 0, Float32Array.from([1, 1, 1, BIG]), 0, c, 0, false);
      expect(c[0], layout).toBe(f32(1 + 2 * TINY));
    }
  });

  it('sums in float32 when accumulating into a C near the limit', () => {
    for (const run of [matmulNN, matmulNT, matmulTN]) {
      const c = Float32Array.from([BIG, 0]);
      // A (1,3) = [1, TINY, TINY], B all ones: the same stored either way round.
      run(1, 3, 2, Float32Array.from([1, TINY, TINY]), 0, new Float32Array(6).fill(1), 0, c, 0, true);
      expect(Array.from(c)).toEqual([f32(BIG + 1), 1]);
    }
  });
});
