/**
 * fast-check arbitraries and seeded tensor builders shared by the autograd and tensor property
 * tests. Shapes come from fast-check (so they shrink); values come from the library's seeded
 * Generator driven by a fast-check integer seed, so a failing case is reproducible from the
 * printed counterexample alone.
 */
import fc from 'fast-check';
import { Generator, Tensor, numel } from '../../src/index.js';

/** Largest element count of a random tensor: keeps central differences cheap. */
export const MAX_NUMEL = 60;

/** Shrinks the largest dimension until the shape holds at most `max` elements. */
function fit(shape: number[], max: number): number[] {
  const s = [...shape];
  while (numel(s) > max) {
    const i = s.indexOf(Math.max(...s));
    s[i] = s[i]! - 1;
  }
  return s;
}

/** A shape of rank in [minRank, maxRank], sizes in [1, maxDim] (size 1 is common), at most maxNumel elements. */
export function shapeArb(minRank = 0, maxRank = 4, maxDim = 4, maxNumel = MAX_NUMEL): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: minRank, maxLength: maxRank }).map((s) => fit(s, maxNumel));
}

/** A seed for {@link Generator}. */
export const seedArb = fc.integer({ min: 0, max: 0x7fffffff });

/** A dimension of a tensor of rank `rank` (>= 1), written either way: d or d - rank. */
export function dimArb(rank: number): fc.Arbitrary<number> {
  return fc.tuple(fc.integer({ min: 0, max: rank - 1 }), fc.boolean()).map(([d, negative]) => (negative ? d - rank : d));
}

/** A non-empty set of distinct dims of a tensor of rank `rank` (>= 1), as one number or a list. */
export function dimsArb(rank: number): fc.Arbitrary<number | number[]> {
  const all = Array.from({ length: rank }, (_, i) => i);
  return fc
    .tuple(fc.shuffledSubarray(all, { minLength: 1 }), fc.array(fc.boolean(), { minLength: rank, maxLength: rank }), fc.boolean())
    .map(([dims, negative, asNumber]) => {
      const written = dims.map((d, i) => (negative[i] ? d - rank : d));
      return asNumber && written.length === 1 ? written[0]! : written;
    });
}

/**
 * A shape that broadcasts to `out`: a suffix of it (so the rank may be lower) with some sizes
 * replaced by 1.
 */
export function broadcastableTo(out: readonly number[]): fc.Arbitrary<number[]> {
  const rank = out.length;
  return fc
    .tuple(fc.integer({ min: 0, max: rank }), fc.array(fc.boolean(), { minLength: rank, maxLength: rank }))
    .map(([keep, ones]) => out.slice(rank - keep).map((d, i) => (ones[rank - keep + i] ? 1 : d)));
}

/** Two shapes that broadcast together (possibly of different ranks), and the shape they were cut from. */
export const broadcastPairArb: fc.Arbitrary<{ a: number[]; b: number[] }> = shapeArb(0, 4).chain((out) =>
  fc.tuple(broadcastableTo(out), broadcastableTo(out)).map(([a, b]) => ({ a, b })),
);

function fill(shape: readonly number[], seed: number, draw: (g: Generator) => number): Tensor {
  const g = new Generator(seed);
  const data = new Float32Array(numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(g);
  return new Tensor(data, shape.slice());
}

/** Values uniform in [lo, hi). */
export function uniformTensor(shape: readonly number[], seed: number, lo = -2, hi = 2): Tensor {
  return fill(shape, seed, (g) => g.uniform(lo, hi));
}

/** Values with |v| uniform in [lo, hi) and a random sign: kept away from 0 (kinks, poles). */
export function awayFromZeroTensor(shape: readonly number[], seed: number, lo = 0.25, hi = 2): Tensor {
  return fill(shape, seed, (g) => (g.random() < 0.5 ? -1 : 1) * g.uniform(lo, hi));
}

/** Values uniform in [lo, hi) but at least `gap` away from every point of `avoid` (kinks of clamp). */
export function avoidingTensor(shape: readonly number[], seed: number, avoid: readonly number[], gap: number, lo = -2, hi = 2): Tensor {
  return fill(shape, seed, (g) => {
    for (;;) {
      const v = g.uniform(lo, hi);
      if (avoid.every((a) => Math.abs(v - a) >= gap)) return v;
    }
  });
}

/**
 * Pairwise distinct values: a random permutation of (i - n/2) * step. With step well above
 * twice the finite-difference step, the arg max / arg min cannot change under ±eps.
 */
export function distinctTensor(shape: readonly number[], seed: number, step = 0.05): Tensor {
  const n = numel(shape);
  const g = new Generator(seed);
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = g.randint(0, i + 1);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  return new Tensor(Float32Array.from(perm, (p) => (p - n / 2) * step), shape.slice());
}

/** Integers uniform in [0, high) (masks, indices), as a float tensor. */
export function intTensor(shape: readonly number[], seed: number, high: number): Tensor {
  return fill(shape, seed, (g) => g.randint(0, high));
}
