/**
 * Forward-pass properties: round trips of the shape ops, broadcasting against hand-written
 * loops, matmul against the naive product, the matmul kernels against their reference, the
 * softmax family, and the seeded Generator (against an independent BigInt xoshiro128**).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Generator,
  RecurrentError,
  Tensor,
  cat,
  matmul,
  numel,
  rand,
  randint,
  randn,
  squeeze,
  stack,
  sum,
  tensor,
  where,
} from '../../src/index.js';
import { matmulNN, matmulNT, matmulReference, matmulTN } from '../../src/kernels/js/matmul.js';
import { expectClose } from '../helpers.js';
import { ALGEBRA } from '../tolerances.js';
import {
  broadcastPairArb,
  broadcastableTo,
  dimArb,
  dimsArb,
  distinctTensor,
  intTensor,
  seedArb,
  shapeArb,
  uniformTensor,
} from '../autograd/arbitraries.js';

const RUNS = { numRuns: 50 };

function check<T>(arb: fc.Arbitrary<T>, seed: number, body: (value: T) => void): void {
  fc.assert(fc.property(arb, body), { ...RUNS, seed });
}

/** Row-major coordinates of flat index `i` in `shape`. */
function coordsOf(shape: readonly number[], i: number): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return c;
}

/** The element of `t` at `coords`, by the row-major definition. */
function at(t: Tensor, coords: readonly number[]): number {
  let off = 0;
  for (let d = 0; d < coords.length; d++) off = off * t.shape[d]! + coords[d]!;
  return t.data[off]!;
}

/** A tensor of `shape` whose element at coordinates c is f(c). */
function build(shape: readonly number[], f: (c: number[]) => number): Float32Array {
  return Float32Array.from({ length: numel(shape) }, (_, i) => f(coordsOf(shape, i)));
}

/** Asserts same shape and bit-identical data. */
function expectSame(actual: Tensor, expected: Tensor | { shape: readonly number[]; data: Float32Array }, what: string): void {
  expect(actual.shape, `${what}: shape`).toEqual([...expected.shape]);
  expect(Array.from(actual.data), `${what}: data`).toEqual(Array.from(expected.data));
}

const norm = (d: number, rank: number) => (d < 0 ? d + rank : d);
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

describe('shape-op round trips', () => {
  it('reshape to the flat shape and back is the identity', () => {
    check(fc.record({ shape: shapeArb(), seed: seedArb }), 1, ({ shape, seed }) => {
      const x = uniformTensor(shape, seed);
      const flat = x.reshape(-1);
      expect(flat.shape).toEqual([numel(shape)]);
      expectSame(flat.reshape(...shape), x, 'reshape round trip');
    });
  });

  it('transpose twice is the identity, and transpose moves element (i, j) to (j, i)', () => {
    const cases = shapeArb(1, 4).chain((shape) => fc.record({ shape: fc.constant(shape), d0: dimArb(shape.length), d1: dimArb(shape.length), seed: seedArb }));
    check(cases, 2, ({ shape, d0, d1, seed }) => {
      const x = uniformTensor(shape, seed);
      const t = x.transpose(d0, d1);
      const [a, b] = [norm(d0, shape.length), norm(d1, shape.length)];
      const swap = (c: number[]) => c.map((v, i) => (i === a ? c[b]! : i === b ? c[a]! : v));
      expectSame(t, { shape: swap(shape), data: build(swap(shape), (c) => at(x, swap(c))) }, 'transpose vs definition');
      expectSame(t.transpose(d0, d1), x, 'transpose twice');
    });
  });

  it('permute matches its definition, and the inverse permutation undoes it', () => {
    const cases = shapeArb(1, 4).chain((shape) =>
      fc.record({ shape: fc.constant(shape), perm: fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length }), seed: seedArb }),
    );
    check(cases, 3, ({ shape, perm, seed }) => {
      const x = uniformTensor(shape, seed);
      const y = x.permute(...perm);
      const outShape = perm.map((d) => shape[d]!);
      const inverse = new Array<number>(perm.length);
      perm.forEach((d, i) => (inverse[d] = i));
      // Output coordinate i is input coordinate perm[i].
      expectSame(y, { shape: outShape, data: build(outShape, (c) => at(x, inverse.map((i) => c[i]!))) }, 'permute vs definition');
      expectSame(y.permute(...inverse), x, 'permute then inverse');
    });
  });

  it('cat then split with the same sizes gives the pieces back', () => {
    const cases = shapeArb(1, 3).chain((shape) =>
      fc.record({ shape: fc.constant(shape), dim: dimArb(shape.length), sizes: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }), seed: seedArb }),
    );
    check(cases, 4, ({ shape, dim, sizes, seed }) => {
      const d = norm(dim, shape.length);
      const pieces = sizes.map((s, i) => uniformTensor(shape.map((v, j) => (j === d ? s : v)), seed + i));
      const joined = cat(pieces, dim);
      expect(joined.shape).toEqual(shape.map((v, j) => (j === d ? sizes.reduce((a, b) => a + b, 0) : v)));
      const back = joined.split(sizes, dim);
      expect(back.length).toBe(pieces.length);
      back.forEach((p, i) => expectSame(p, pieces[i]!, `piece ${i}`));
    });
  });

  it('stack then select along the new dim gives each tensor back', () => {
    const cases = shapeArb(0, 3).chain((shape) =>
      fc.record({ shape: fc.constant(shape), dim: fc.integer({ min: -shape.length - 1, max: shape.length }), count: fc.integer({ min: 1, max: 4 }), seed: seedArb }),
    );
    check(cases, 5, ({ shape, dim, count, seed }) => {
      const xs = Array.from({ length: count }, (_, i) => uniformTensor(shape, seed + i));
      const s = stack(xs, dim);
      const d = norm(dim, shape.length + 1);
      expect(s.shape).toEqual([...shape.slice(0, d), count, ...shape.slice(d)]);
      xs.forEach((x, i) => expectSame(s.select(dim, i), x, `select ${i}`));
    });
  });

  it('chunk pieces have torch.chunk sizes and join back to the input', () => {
    const cases = shapeArb(1, 3).chain((shape) => fc.record({ shape: fc.constant(shape), dim: dimArb(shape.length), chunks: fc.integer({ min: 1, max: 6 }), seed: seedArb }));
    check(cases, 6, ({ shape, dim, chunks, seed }) => {
      const x = uniformTensor(shape, seed);
      const size = shape[norm(dim, shape.length)]!;
      const step = Math.ceil(size / chunks);
      const pieces = x.chunk(chunks, dim);
      const expected: number[] = [];
      for (let s = 0; s < size; s += step) expected.push(Math.min(step, size - s));
      expect(pieces.map((p) => p.shape[norm(dim, shape.length)])).toEqual(expected);
      expectSame(cat(pieces, dim), x, 'chunks joined');
    });
  });

  it('narrow, slice and select match their definitions', () => {
    const cases = shapeArb(1, 4).chain((shape) =>
      fc.record({ shape: fc.constant(shape), dim: dimArb(shape.length), a: fc.integer({ min: -5, max: 5 }), b: fc.integer({ min: -5, max: 6 }), seed: seedArb }),
    );
    check(cases, 7, ({ shape, dim, a, b, seed }) => {
      const x = uniformTensor(shape, seed);
      const d = norm(dim, shape.length);
      const size = shape[d]!;
      // Python slice semantics, written out.
      const clip = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
      const start = clip(a);
      const length = Math.max(clip(b) - start, 0);
      const outShape = shape.map((v, j) => (j === d ? length : v));
      const expected = { shape: outShape, data: build(outShape, (c) => at(x, c.map((v, j) => (j === d ? v + start : v)))) };
      expectSame(x.slice(dim, a, b), expected, 'slice');
      expectSame(x.narrow(dim, start, length), expected, 'narrow');
      const index = ((a % size) + size) % size;
      const selShape = shape.filter((_, j) => j !== d);
      expectSame(x.select(dim, index), { shape: selShape, data: build(selShape, (c) => at(x, [...c.slice(0, d), index, ...c.slice(d)])) }, 'select');
    });
  });

  it('indexSelect and gather match their definitions', () => {
    const cases = shapeArb(1, 3)
      .chain((shape) => fc.record({ shape: fc.constant(shape), dim: dimArb(shape.length), seeds: fc.tuple(seedArb, seedArb, seedArb), count: fc.integer({ min: 1, max: 5 }) }));
    check(cases, 8, ({ shape, dim, seeds, count }) => {
      const x = uniformTensor(shape, seeds[0]);
      const d = norm(dim, shape.length);
      const idx = Array.from(intTensor([count], seeds[1], shape[d]!).data);
      const selShape = shape.map((v, j) => (j === d ? count : v));
      expectSame(x.indexSelect(dim, idx), { shape: selShape, data: build(selShape, (c) => at(x, c.map((v, j) => (j === d ? idx[v]! : v)))) }, 'indexSelect');
      const index = intTensor(selShape, seeds[2], shape[d]!);
      expectSame(x.gather(dim, index), { shape: selShape, data: build(selShape, (c) => at(x, c.map((v, j) => (j === d ? at(index, c) : v)))) }, 'gather');
    });
  });
});

describe('broadcasting', () => {
  /** a + b by the NumPy rule, written as a loop over the output's coordinates. */
  function broadcastAddReference(a: Tensor, b: Tensor): { shape: number[]; data: Float32Array } {
    const rank = Math.max(a.ndim, b.ndim);
    const pa = [...new Array<number>(rank - a.ndim).fill(1), ...a.shape];
    const pb = [...new Array<number>(rank - b.ndim).fill(1), ...b.shape];
    const shape = pa.map((s, i) => Math.max(s, pb[i]!));
    const data = build(shape, (c) => {
      const ca = c.slice(rank - a.ndim).map((v, i) => (a.shape[i] === 1 ? 0 : v));
      const cb = c.slice(rank - b.ndim).map((v, i) => (b.shape[i] === 1 ? 0 : v));
      return at(a, ca) + at(b, cb);
    });
    return { shape, data };
  }

  it('add agrees with expand-then-add and with a nested-loop broadcast', () => {
    check(fc.record({ shapes: broadcastPairArb, sa: seedArb, sb: seedArb }), 11, ({ shapes, sa, sb }) => {
      const a = uniformTensor(shapes.a, sa);
      const b = uniformTensor(shapes.b, sb);
      const y = a.add(b);
      const ref = broadcastAddReference(a, b);
      expectSame(y, ref, 'add vs loops');
      expectSame(a.expand(...ref.shape).add(b.expand(...ref.shape)), y, 'add vs expand-then-add');
    });
  });

  it('where and maskedFill pick elementwise after broadcasting', () => {
    const cases = shapeArb(0, 4).chain((out) => fc.record({ c: broadcastableTo(out), a: broadcastableTo(out), seeds: fc.tuple(seedArb, seedArb) }));
    check(cases, 12, ({ c, a, seeds }) => {
      const cond = intTensor(c, seeds[0], 2);
      const x = uniformTensor(a, seeds[1]);
      const picked = broadcastAddReference(cond.mul(0), x); // x broadcast to the joint shape
      const mask = broadcastAddReference(cond, x.mul(0)); // cond broadcast to the joint shape
      const xWhereTrue = { shape: picked.shape, data: picked.data.map((v, i) => (mask.data[i] !== 0 ? v : 7)) };
      const sevenWhereTrue = { shape: picked.shape, data: picked.data.map((v, i) => (mask.data[i] !== 0 ? 7 : v)) };
      expectSame(where(cond, x, 7), xWhereTrue, 'where(cond, x, 7)');
      expectSame(where(cond, 7, x), sevenWhereTrue, 'where(cond, 7, x)');
      if (sameShape(picked.shape, x.shape)) expectSame(x.maskedFill(cond, 7), sevenWhereTrue, 'maskedFill');
      else expect(() => x.maskedFill(cond, 7)).toThrow(RecurrentError);
    });
  });
});

describe('reductions against loops', () => {
  it('sum, mean, max and min over random dims', () => {
    const cases = shapeArb(1, 4).chain((shape) => fc.record({ shape: fc.constant(shape), dims: dimsArb(shape.length), keepdim: fc.boolean(), seed: seedArb }));
    check(cases, 21, ({ shape, dims, keepdim, seed }) => {
      const x = distinctTensor(shape, seed);
      const reduced = new Set((typeof dims === 'number' ? [dims] : dims).map((d) => norm(d, shape.length)));
      const kept = shape.map((s, i) => (reduced.has(i) ? 1 : s));
      const outShape = keepdim ? kept : shape.filter((_, i) => !reduced.has(i));
      const sums = new Float64Array(numel(kept));
      const maxs = new Float64Array(numel(kept)).fill(-Infinity);
      const mins = new Float64Array(numel(kept)).fill(Infinity);
      for (let i = 0; i < x.numel(); i++) {
        const c = coordsOf(shape, i).map((v, d) => (reduced.has(d) ? 0 : v));
        let o = 0;
        for (let d = 0; d < c.length; d++) o = o * kept[d]! + c[d]!;
        sums[o] += x.data[i]!;
        maxs[o] = Math.max(maxs[o]!, x.data[i]!);
        mins[o] = Math.min(mins[o]!, x.data[i]!);
      }
      const count = x.numel() / numel(kept);
      const s = x.sum(dims, keepdim);
      expect(s.shape).toEqual(outShape);
      expectClose(s, sums, ALGEBRA, 'sum');
      expectClose(x.mean(dims, keepdim), sums.map((v) => v / count), ALGEBRA, 'mean');
      expectSame(x.max(dims, keepdim), { shape: outShape, data: Float32Array.from(maxs) }, 'max');
      expectSame(x.min(dims, keepdim), { shape: outShape, data: Float32Array.from(mins) }, 'min');
    });
  });
});

describe('matmul', () => {
  /** The naive product of the last two dims, batch dims broadcast, in float64. */
  function matmulLoops(a: Tensor, b: Tensor): { shape: number[]; data: Float64Array } {
    const [m, k] = a.shape.slice(-2) as [number, number];
    const n = b.shape[b.ndim - 1]!;
    const ba = a.shape.slice(0, -2);
    const bb = b.shape.slice(0, -2);
    const rank = Math.max(ba.length, bb.length);
    const pa = [...new Array<number>(rank - ba.length).fill(1), ...ba];
    const pb = [...new Array<number>(rank - bb.length).fill(1), ...bb];
    const batch = pa.map((s, i) => Math.max(s, pb[i]!));
    const shape = [...batch, m, n];
    const data = Float64Array.from({ length: numel(shape) }, (_, flat) => {
      const c = coordsOf(shape, flat);
      const cb = c.slice(0, rank);
      const i = c[rank]!;
      const j = c[rank + 1]!;
      const ia = cb.slice(rank - ba.length).map((v, d) => (ba[d] === 1 ? 0 : v));
      const ib = cb.slice(rank - bb.length).map((v, d) => (bb[d] === 1 ? 0 : v));
      let s = 0;
      for (let p = 0; p < k; p++) s += at(a, [...ia, i, p]) * at(b, [...ib, p, j]);
      return s;
    });
    return { shape, data };
  }

  it('batched products with broadcast batch dims equal the naive loops', () => {
    const small = fc.integer({ min: 1, max: 5 });
    const cases = shapeArb(0, 2, 3).chain((batch) =>
      fc.record({ ba: broadcastableTo(batch), bb: broadcastableTo(batch), m: small, k: small, n: small, sa: seedArb, sb: seedArb }),
    );
    check(cases, 31, ({ ba, bb, m, k, n, sa, sb }) => {
      const a = uniformTensor([...ba, m, k], sa);
      const b = uniformTensor([...bb, k, n], sb);
      const ref = matmulLoops(a, b);
      const c = matmul(a, b);
      expect(c.shape).toEqual(ref.shape);
      expectClose(c, ref.data, ALGEBRA, 'matmul');
    });
  });

  it('1-D operands are a row on the left and a column on the right', () => {
    const small = fc.integer({ min: 1, max: 5 });
    check(fc.record({ b: small, m: small, k: small, n: small, seeds: fc.tuple(seedArb, seedArb, seedArb) }), 32, ({ b, m, k, n, seeds }) => {
      const v = uniformTensor([k], seeds[0]);
      const M = uniformTensor([b, m, k], seeds[1]);
      const N = uniformTensor([b, k, n], seeds[2]);
      const row = v.reshape(1, k);
      const col = v.reshape(k, 1);
      const cases: [Tensor, number[], Tensor][] = [
        [matmul(v, v), [], matmul(row, col)],
        [matmul(v, N), [b, n], matmul(row, N)],
        [matmul(M, v), [b, m], matmul(M, col)],
        [matmul(v, N.select(0, 0)), [n], matmul(row, N.select(0, 0))],
        [matmul(M.select(0, 0), v), [m], matmul(M.select(0, 0), col)],
      ];
      cases.forEach(([got, shape, full], i) => {
        expect(got.shape, `case ${i} shape`).toEqual(shape);
        expect(Array.from(got.data), `case ${i} data`).toEqual(Array.from(full.data));
      });
    });
  });

  it('is associative: (A B) C = A (B C) within ALGEBRA', () => {
    const size = fc.integer({ min: 1, max: 6 });
    check(fc.record({ m: size, k: size, l: size, n: size, seeds: fc.tuple(seedArb, seedArb, seedArb) }), 33, ({ m, k, l, n, seeds }) => {
      const A = uniformTensor([m, k], seeds[0], -1, 1);
      const B = uniformTensor([k, l], seeds[1], -1, 1);
      const C = uniformTensor([l, n], seeds[2], -1, 1);
      expectClose(A.matmul(B).matmul(C), A.matmul(B.matmul(C)), ALGEBRA, '(AB)C vs A(BC)');
    });
  });
});

describe('matmul kernels against matmulReference', () => {
  type Kernel = typeof matmulNN;
  const kernels: [string, Kernel, boolean, boolean, number][] = [
    ['matmulNN', matmulNN, false, false, 61],
    ['matmulNT', matmulNT, false, true, 62],
    ['matmulTN', matmulTN, true, false, 63],
  ];
  // 1, multiples of 4 (the unrolled loops only) and everything between (the remainder loops).
  const dim = fc.oneof(fc.constantFrom(1, 3, 4, 5, 8), fc.integer({ min: 1, max: 11 }));
  const cases = fc.record({
    m: dim,
    k: dim,
    n: dim,
    offsets: fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 })),
    accumulate: fc.boolean(),
    seed: seedArb,
  });

  for (const [name, kernel, transA, transB, fcSeed] of kernels) {
    it(`${name} equals the reference, writes only its block of C`, () => {
      check(cases, fcSeed, ({ m, k, n, offsets: [aOff, bOff, cOff], accumulate, seed }) => {
        const g = new Generator(seed);
        const fill = (len: number) => Float32Array.from({ length: len }, () => g.uniform(-1, 1));
        const a = fill(aOff + m * k + 3);
        const b = fill(bOff + k * n + 3);
        const c0 = fill(cOff + m * n + 3);
        const got = c0.slice();
        const want = c0.slice();
        kernel(m, k, n, a, aOff, b, bOff, got, cOff, accumulate);
        matmulReference(m, k, n, a, aOff, transA, b, bOff, transB, want, cOff, accumulate);
        expectClose(got, want, ALGEBRA, `${name} m=${m} k=${k} n=${n}`);
        // Outside [cOff, cOff + m n) C is untouched, bit for bit.
        expect(Array.from(got.subarray(0, cOff))).toEqual(Array.from(c0.subarray(0, cOff)));
        expect(Array.from(got.subarray(cOff + m * n))).toEqual(Array.from(c0.subarray(cOff + m * n)));
      });
    });
  }

  it('matmulReference itself computes sum_p op(A)[i,p] op(B)[p,j]', () => {
    // A = [[1,2],[3,4]] (2x2), B = [[5,6,7],[8,9,10]] (2x3): A B = [[21,24,27],[47,54,61]] by hand.
    const a = Float32Array.from([1, 2, 3, 4]);
    const b = Float32Array.from([5, 6, 7, 8, 9, 10]);
    const c = new Float32Array(6);
    matmulReference(2, 2, 3, a, 0, false, b, 0, false, c, 0, false);
    expect(Array.from(c)).toEqual([21, 24, 27, 47, 54, 61]);
    // A^T B with A stored transposed gives the same; accumulate adds.
    matmulReference(2, 2, 3, Float32Array.from([1, 3, 2, 4]), 0, true, b, 0, false, c, 0, true);
    expect(Array.from(c)).toEqual([42, 48, 54, 94, 108, 122]);
    // A B^T with B stored as 3x2.
    matmulReference(2, 2, 3, a, 0, false, Float32Array.from([5, 8, 6, 9, 7, 10]), 0, true, c, 0, false);
    expect(Array.from(c)).toEqual([21, 24, 27, 47, 54, 61]);
  });
});

describe('softmax family', () => {
  const cases = shapeArb(1, 4).chain((shape) => fc.record({ shape: fc.constant(shape), dim: dimArb(shape.length), seed: seedArb, scale: fc.constantFrom(1, 10, 50) }));

  it('softmax is positive and sums to 1 along dim', () => {
    check(cases, 41, ({ shape, dim, seed, scale }) => {
      const y = uniformTensor(shape, seed, -scale, scale).softmax(dim);
      expect(y.data.every((v) => v >= 0 && v <= 1)).toBe(true);
      const s = y.sum(dim);
      expectClose(s, new Float32Array(s.numel()).fill(1), ALGEBRA, 'softmax sums');
    });
  });

  it('logSoftmax = log(softmax) = x - logsumexp(x)', () => {
    check(cases, 42, ({ shape, dim, seed }) => {
      // Moderate values: log(softmax) itself loses accuracy where softmax underflows.
      const x = uniformTensor(shape, seed, -3, 3);
      const ls = x.logSoftmax(dim);
      expectClose(ls, x.softmax(dim).log(), ALGEBRA, 'logSoftmax vs log(softmax)');
      expectClose(ls, x.sub(x.logsumexp(dim, true)), ALGEBRA, 'logSoftmax vs x - logsumexp');
    });
  });

  it('logsumexp matches log(sum(exp(x))) in float64 and does not overflow', () => {
    check(fc.record({ n: fc.integer({ min: 1, max: 8 }), seed: seedArb, shift: fc.constantFrom(0, 100, 1000) }), 43, ({ n, seed, shift }) => {
      const x = uniformTensor([n], seed, -3, 3);
      const shifted = x.add(shift);
      const ref = shift + Math.log(Array.from(x.data).reduce((s, v) => s + Math.exp(v), 0));
      expectClose(shifted.logsumexp(0), [ref], ALGEBRA, 'logsumexp');
    });
  });
});

describe('Generator', () => {
  /** xoshiro128** from the published reference, in BigInt: an oracle independent of Math.imul. */
  function referenceXoshiro(state: readonly number[]): () => number {
    const M = 0xffffffffn;
    const s = state.map(BigInt);
    const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M;
    return () => {
      const result = (rotl((s[1] * 5n) & M, 7n) * 9n) & M;
      const t = (s[1] << 9n) & M;
      s[2] ^= s[0];
      s[3] ^= s[1];
      s[1] ^= s[2];
      s[0] ^= s[3];
      s[2] ^= t;
      s[3] = rotl(s[3], 11n);
      return Number(result);
    };
  }

  it('nextUint32 is xoshiro128** from any state', () => {
    const word = fc.integer({ min: 0, max: 0xffffffff });
    check(fc.tuple(word, word, word, word).filter((s) => s.some((w) => w !== 0)), 51, (s) => {
      const g = new Generator().setState({ s: [...s], spareNormal: null });
      const ref = referenceXoshiro(s);
      for (let i = 0; i < 20; i++) expect(g.nextUint32()).toBe(ref());
      // random() is the next word over 2^32.
      for (let i = 0; i < 5; i++) expect(g.random()).toBe(ref() / 2 ** 32);
    });
  });

  it('normals come in Box-Muller pairs from two uniforms', () => {
    check(seedArb, 55, (seed) => {
      const g = new Generator(seed);
      const u = new Generator(seed);
      for (let pair = 0; pair < 5; pair++) {
        let u1 = u.random();
        while (u1 === 0) u1 = u.random();
        const u2 = u.random();
        const r = Math.sqrt(-2 * Math.log(u1));
        expectClose([g.normal(), g.normal()], [r * Math.cos(2 * Math.PI * u2), r * Math.sin(2 * Math.PI * u2)], ALGEBRA, `pair ${pair}`);
      }
    });
  });

  it('the same seed gives the same stream; different seeds give different streams', () => {
    check(fc.tuple(fc.maxSafeInteger(), fc.maxSafeInteger()), 52, ([s1, s2]) => {
      const draw = (g: Generator) => [g.nextUint32(), g.random(), g.normal(), g.normal(), g.normal(), g.randint(-5, 17), g.uniform(2, 3)];
      expect(draw(new Generator(s1))).toEqual(draw(new Generator(s1)));
      const g = new Generator(s1);
      const first = draw(g);
      expect(draw(g.manualSeed(s1))).toEqual(first);
      if (s1 !== s2) expect(draw(new Generator(s2))).not.toEqual(first);
    });
  });

  it('getState / setState resumes exactly, including a cached normal', () => {
    check(fc.record({ seed: fc.maxSafeInteger(), skip: fc.integer({ min: 0, max: 7 }) }), 53, ({ seed, skip }) => {
      const g = new Generator(seed);
      for (let i = 0; i < skip; i++) g.normal(); // odd skips leave the Box-Muller spare cached
      const state = g.getState();
      const snapshot = JSON.parse(JSON.stringify(state)) as typeof state; // survives serialisation
      const a = Array.from({ length: 9 }, () => g.normal()).concat(Array.from({ length: 5 }, () => g.nextUint32()));
      const h = new Generator(12345).setState(snapshot);
      const b = Array.from({ length: 9 }, () => h.normal()).concat(Array.from({ length: 5 }, () => h.nextUint32()));
      expect(b).toEqual(a);
    });
  });

  it('randint stays in [low, high) and reaches every value of a small range', () => {
    check(fc.record({ seed: seedArb, low: fc.integer({ min: -1000, max: 1000 }), width: fc.integer({ min: 1, max: 6 }) }), 54, ({ seed, low, width }) => {
      const g = new Generator(seed);
      const seen = new Set<number>();
      for (let i = 0; i < 400; i++) {
        const v = g.randint(low, low + width);
        expect(Number.isInteger(v) && v >= low && v < low + width, `${v} in [${low}, ${low + width})`).toBe(true);
        seen.add(v);
      }
      expect(seen.size).toBe(width);
    });
    const g = new Generator(7);
    for (let i = 0; i < 1000; i++) {
      const v = g.randint(0, 2 ** 32);
      expect(v >= 0 && v < 2 ** 32 && Number.isInteger(v)).toBe(true);
    }
  });

  it('rand, randn and randint tensors are the generator stream in row-major order', () => {
    const a = new Generator(99);
    const r = rand([3, 4], { generator: new Generator(99) });
    expect(Array.from(r.data)).toEqual(Array.from({ length: 12 }, () => Math.fround(a.random())));
    const b = new Generator(5);
    expect(Array.from(randn([7], { generator: new Generator(5) }).data)).toEqual(Array.from({ length: 7 }, () => Math.fround(b.normal())));
    const c = new Generator(3);
    const ri = randint(-3, 4, [2, 5], { generator: new Generator(3) });
    expect(ri.shape).toEqual([2, 5]);
    expect(Array.from(ri.data)).toEqual(Array.from({ length: 10 }, () => c.randint(-3, 4)));
  });

  // 10,000 draws; the bounds are 5 standard errors of the statistic under the true distribution.
  const N = 10_000;
  const SIGMAS = 5;

  it('uniform draws have mean (low + high) / 2 and variance (high - low)^2 / 12', () => {
    const g = new Generator(2024);
    const xs = Array.from({ length: N }, () => g.uniform(-1, 3));
    const mean = xs.reduce((s, v) => s + v, 0) / N;
    const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (N - 1);
    expect(xs.every((v) => v >= -1 && v < 3)).toBe(true);
    const trueVar = 16 / 12;
    expect(Math.abs(mean - 1)).toBeLessThan(SIGMAS * Math.sqrt(trueVar / N));
    // Var of the sample variance of U(a, b) is (mu4 - sigma^4) / n, mu4 = (b - a)^4 / 80.
    expect(Math.abs(variance - trueVar)).toBeLessThan(SIGMAS * Math.sqrt((256 / 80 - trueVar ** 2) / N));
  });

  it('normal draws have mean 0 and variance 1', () => {
    const g = new Generator(2025);
    const xs = Array.from({ length: N }, () => g.normal());
    const mean = xs.reduce((s, v) => s + v, 0) / N;
    const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (N - 1);
    expect(Math.abs(mean)).toBeLessThan(SIGMAS * Math.sqrt(1 / N));
    expect(Math.abs(variance - 1)).toBeLessThan(SIGMAS * Math.sqrt(2 / N));
    // About 68.3% within one standard deviation (binomial standard error).
    const inside = xs.filter((v) => Math.abs(v) < 1).length / N;
    expect(Math.abs(inside - 0.6827)).toBeLessThan(SIGMAS * Math.sqrt((0.6827 * 0.3173) / N));
  });
});

describe('PyTorch edge cases', () => {
  it('sum over an empty list of dims reduces every dim; squeeze(0) of a 0-d tensor is itself', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(sum(x, []).item()).toBe(10);
    expect(sum(x, []).shape).toEqual([]);
    expect(squeeze(tensor(5), 0).shape).toEqual([]);
    expect(squeeze(tensor(5), -1).item()).toBe(5);
  });
});
