/**
 * Every differentiable op: the analytic gradient (backward) must match central differences
 * computed in float64 from float32 evaluations (gradcheck), over random shapes (size-1 dims,
 * broadcasting across ranks) and random values. Inputs stay away from kinks and poles by much
 * more than gradcheck's step, so the central difference is a valid oracle everywhere.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Tensor,
  cat,
  gradcheck,
  logsumexp,
  matmul,
  numel,
  stack,
  tensor,
  where,
} from '../../src/index.js';
import { GRADCHECK } from '../tolerances.js';
import {
  awayFromZeroTensor,
  avoidingTensor,
  broadcastPairArb,
  broadcastableTo,
  dimArb,
  dimsArb,
  distinctTensor,
  intTensor,
  seedArb,
  shapeArb,
  uniformTensor,
} from './arbitraries.js';

const RUNS = { numRuns: 50 };

/** Asserts that gradcheck passes, printing the worst entry and the input shapes on failure. */
function expectGradOk(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], what: string): void {
  const result = gradcheck(fn, inputs, GRADCHECK);
  const shapes = inputs.map((t) => `[${t.shape.join(',')}]`).join(', ');
  expect(result.ok, `${what} on ${shapes}: worst ${JSON.stringify(result.worst)}`).toBe(true);
}

/** fc.assert with a fixed seed, so every run checks the same cases. */
function check<T>(arb: fc.Arbitrary<T>, seed: number, body: (value: T) => void): void {
  fc.assert(fc.property(arb, body), { ...RUNS, seed });
}

describe('elementwise binary ops (broadcasting across ranks)', () => {
  const pair = fc.record({ shapes: broadcastPairArb, sa: seedArb, sb: seedArb });

  it('add', () => {
    check(pair, 101, ({ shapes, sa, sb }) => {
      expectGradOk((a, b) => a.add(b), [uniformTensor(shapes.a, sa), uniformTensor(shapes.b, sb)], 'add');
    });
  });

  it('sub', () => {
    check(pair, 102, ({ shapes, sa, sb }) => {
      expectGradOk((a, b) => a.sub(b), [uniformTensor(shapes.a, sa), uniformTensor(shapes.b, sb)], 'sub');
    });
  });

  it('mul', () => {
    check(pair, 103, ({ shapes, sa, sb }) => {
      expectGradOk((a, b) => a.mul(b), [uniformTensor(shapes.a, sa), uniformTensor(shapes.b, sb)], 'mul');
    });
  });

  it('div (denominator away from 0)', () => {
    check(pair, 104, ({ shapes, sa, sb }) => {
      expectGradOk((a, b) => a.div(b), [uniformTensor(shapes.a, sa), awayFromZeroTensor(shapes.b, sb, 0.5, 2)], 'div');
    });
  });

  it('pow with a tensor exponent and a positive base', () => {
    check(pair, 105, ({ shapes, sa, sb }) => {
      expectGradOk((a, b) => a.pow(b), [uniformTensor(shapes.a, sa, 0.5, 2), uniformTensor(shapes.b, sb, -2, 2)], 'pow');
    });
  });

  it('pow with a scalar exponent', () => {
    // Integer exponents over any base (away from 0 for negative ones); fractional ones over a positive base.
    const cases = fc.record({
      shape: shapeArb(),
      seed: seedArb,
      exponent: fc.constantFrom(0, 1, 2, 3, -1, -2, 0.5, 1.5, -0.5),
    });
    check(cases, 106, ({ shape, seed, exponent }) => {
      const x = Number.isInteger(exponent)
        ? exponent < 0
          ? awayFromZeroTensor(shape, seed, 0.5, 2)
          : uniformTensor(shape, seed)
        : uniformTensor(shape, seed, 0.5, 2);
      expectGradOk((a) => a.pow(exponent), [x], `pow(x, ${exponent})`);
    });
  });

  it('number operands on either side', () => {
    const cases = fc.record({ shape: shapeArb(), seed: seedArb, c: fc.integer({ min: -3, max: 3 }).filter((c) => c !== 0) });
    check(cases, 107, ({ shape, seed, c }) => {
      expectGradOk((a) => a.mul(c).add(c).sub(c / 2).div(c), [uniformTensor(shape, seed)], `scalar chain with ${c}`);
    });
  });

  it('the same tensor on both sides', () => {
    check(fc.record({ shape: shapeArb(), seed: seedArb }), 108, ({ shape, seed }) => {
      expectGradOk((a) => a.mul(a).add(a.div(a.abs().add(1))), [uniformTensor(shape, seed)], 'x*x + x/(|x|+1)');
    });
  });
});

describe('elementwise unary ops', () => {
  const one = fc.record({ shape: shapeArb(), seed: seedArb });

  it('neg', () => {
    check(one, 201, ({ shape, seed }) => expectGradOk((x) => x.neg(), [uniformTensor(shape, seed)], 'neg'));
  });

  it('exp', () => {
    check(one, 202, ({ shape, seed }) => expectGradOk((x) => x.exp(), [uniformTensor(shape, seed)], 'exp'));
  });

  it('log (positive inputs)', () => {
    check(one, 203, ({ shape, seed }) => expectGradOk((x) => x.log(), [uniformTensor(shape, seed, 0.5, 3)], 'log'));
  });

  it('sqrt (positive inputs)', () => {
    check(one, 204, ({ shape, seed }) => expectGradOk((x) => x.sqrt(), [uniformTensor(shape, seed, 0.5, 3)], 'sqrt'));
  });

  it('abs (away from 0)', () => {
    check(one, 205, ({ shape, seed }) => expectGradOk((x) => x.abs(), [awayFromZeroTensor(shape, seed)], 'abs'));
  });

  it('tanh', () => {
    check(one, 206, ({ shape, seed }) => expectGradOk((x) => x.tanh(), [uniformTensor(shape, seed)], 'tanh'));
  });

  it('sigmoid', () => {
    check(one, 207, ({ shape, seed }) => expectGradOk((x) => x.sigmoid(), [uniformTensor(shape, seed, -4, 4)], 'sigmoid'));
  });

  it('relu (away from 0)', () => {
    check(one, 208, ({ shape, seed }) => expectGradOk((x) => x.relu(), [awayFromZeroTensor(shape, seed)], 'relu'));
  });

  it('clamp (away from the bounds; both, min only, max only)', () => {
    const cases = fc.record({
      shape: shapeArb(),
      seed: seedArb,
      lo: fc.integer({ min: -15, max: 5 }).map((v) => v / 10),
      width: fc.integer({ min: 2, max: 20 }).map((v) => v / 10),
      which: fc.constantFrom('both', 'min', 'max'),
    });
    check(cases, 209, ({ shape, seed, lo, width, which }) => {
      const hi = lo + width;
      const x = avoidingTensor(shape, seed, [lo, hi], 0.05);
      const min = which === 'max' ? undefined : lo;
      const max = which === 'min' ? undefined : hi;
      expectGradOk((t) => t.clamp(min, max), [x], `clamp(${min}, ${max})`);
    });
  });

  it('clone', () => {
    check(one, 210, ({ shape, seed }) => expectGradOk((x) => x.clone().mul(x), [uniformTensor(shape, seed)], 'clone'));
  });
});

describe('selection ops', () => {
  it('where (cond, a, b all broadcasting)', () => {
    const cases = shapeArb(0, 4).chain((out) =>
      fc.record({ c: broadcastableTo(out), a: broadcastableTo(out), b: broadcastableTo(out), seeds: fc.tuple(seedArb, seedArb, seedArb) }),
    );
    check(cases, 301, ({ c, a, b, seeds }) => {
      const cond = intTensor(c, seeds[0], 2);
      expectGradOk((x, y) => where(cond, x, y), [uniformTensor(a, seeds[1]), uniformTensor(b, seeds[2])], `where cond [${c.join(',')}]`);
    });
  });

  it('maskedFill (mask broadcast to the input)', () => {
    const cases = shapeArb(0, 4).chain((shape) => fc.record({ shape: fc.constant(shape), mask: broadcastableTo(shape), seeds: fc.tuple(seedArb, seedArb) }));
    check(cases, 302, ({ shape, mask, seeds }) => {
      const m = intTensor(mask, seeds[0], 2);
      expectGradOk((x) => x.maskedFill(m, -1.5), [uniformTensor(shape, seeds[1])], `maskedFill mask [${mask.join(',')}]`);
    });
  });
});

describe('matmul', () => {
  const size = fc.integer({ min: 1, max: 5 });

  it('2-D', () => {
    check(fc.record({ m: size, k: size, n: size, sa: seedArb, sb: seedArb }), 401, ({ m, k, n, sa, sb }) => {
      expectGradOk((a, b) => a.matmul(b), [uniformTensor([m, k], sa), uniformTensor([k, n], sb)], 'matmul 2-D');
    });
  });

  it('batched, with broadcasting batch dims of different ranks', () => {
    const small = fc.integer({ min: 1, max: 3 });
    const cases = shapeArb(0, 2, 3).chain((batch) =>
      fc.record({ ba: broadcastableTo(batch), bb: broadcastableTo(batch), m: small, k: small, n: small, sa: seedArb, sb: seedArb }),
    );
    check(cases, 402, ({ ba, bb, m, k, n, sa, sb }) => {
      const a = uniformTensor([...ba, m, k], sa);
      const b = uniformTensor([...bb, k, n], sb);
      expectGradOk((x, y) => matmul(x, y), [a, b], 'batched matmul');
    });
  });

  it('with 1-D operands (vector @ vector, vector @ matrix, matrix @ vector, batched)', () => {
    const small = fc.integer({ min: 1, max: 3 });
    const cases = fc.record({
      kind: fc.constantFrom('vv', 'vm', 'mv', 'vb', 'bv'),
      batch: small,
      m: small,
      k: size,
      n: small,
      sa: seedArb,
      sb: seedArb,
    });
    check(cases, 403, ({ kind, batch, m, k, n, sa, sb }) => {
      const shapes: Record<string, [number[], number[], number[]]> = {
        vv: [[k], [k], []],
        vm: [[k], [k, n], [n]],
        mv: [[m, k], [k], [m]],
        vb: [[k], [batch, k, n], [batch, n]],
        bv: [[batch, m, k], [k], [batch, m]],
      };
      const [sA, sB, sC] = shapes[kind]!;
      const a = uniformTensor(sA, sa);
      const b = uniformTensor(sB, sb);
      expect(matmul(a, b).shape, `${kind} output shape`).toEqual(sC);
      expectGradOk((x, y) => matmul(x, y), [a, b], `matmul ${kind}`);
    });
  });
});

describe('reductions', () => {
  const all = fc.record({ shape: shapeArb(0, 4), seed: seedArb });
  const someDims = shapeArb(1, 4).chain((shape) => fc.record({ shape: fc.constant(shape), dims: dimsArb(shape.length), keepdim: fc.boolean(), seed: seedArb }));

  it('sum over all dims', () => {
    check(all, 501, ({ shape, seed }) => expectGradOk((x) => x.sum(), [uniformTensor(shape, seed)], 'sum'));
  });

  it('sum over random dims, keepdim true and false', () => {
    check(someDims, 502, ({ shape, dims, keepdim, seed }) => {
      expectGradOk((x) => x.sum(dims, keepdim), [uniformTensor(shape, seed)], `sum(${JSON.stringify(dims)}, ${keepdim})`);
    });
  });

  it('mean over all dims', () => {
    check(all, 503, ({ shape, seed }) => expectGradOk((x) => x.mean(), [uniformTensor(shape, seed)], 'mean'));
  });

  it('mean over random dims, keepdim true and false', () => {
    check(someDims, 504, ({ shape, dims, keepdim, seed }) => {
      expectGradOk((x) => x.mean(dims, keepdim), [uniformTensor(shape, seed)], `mean(${JSON.stringify(dims)}, ${keepdim})`);
    });
  });

  it('max over all dims (distinct values)', () => {
    check(all, 505, ({ shape, seed }) => expectGradOk((x) => x.max(), [distinctTensor(shape, seed)], 'max'));
  });

  it('max over random dims (distinct values)', () => {
    check(someDims, 506, ({ shape, dims, keepdim, seed }) => {
      expectGradOk((x) => x.max(dims, keepdim), [distinctTensor(shape, seed)], `max(${JSON.stringify(dims)}, ${keepdim})`);
    });
  });

  it('min over all dims (distinct values)', () => {
    check(all, 507, ({ shape, seed }) => expectGradOk((x) => x.min(), [distinctTensor(shape, seed)], 'min'));
  });

  it('min over random dims (distinct values)', () => {
    check(someDims, 508, ({ shape, dims, keepdim, seed }) => {
      expectGradOk((x) => x.min(dims, keepdim), [distinctTensor(shape, seed)], `min(${JSON.stringify(dims)}, ${keepdim})`);
    });
  });

  // Ties, from PyTorch 1.13: x.max() and amax(dims) share the gradient evenly among tied
  // extremes (NaN ties with NaN); max(x, dim) over one dim gives it to the first.
  it('max and min with ties share the gradient as PyTorch does', () => {
    const gradOf = (values: number[][] | number[], f: (x: Tensor) => Tensor): number[] => {
      const x = tensor(values, { requiresGrad: true });
      f(x).sum().backward();
      return Array.from(x.grad!.data);
    };
    expect(gradOf([1, 3, 3], (x) => x.max())).toEqual([0, 0.5, 0.5]);
    expect(gradOf([[1, 3, 3]], (x) => x.max(1))).toEqual([0, 1, 0]);
    expect(gradOf([[1, 3, 3]], (x) => x.max([1]))).toEqual([0, 0.5, 0.5]);
    // tensor() refuses NaN; the NaNs are written into the data afterwards.
    expect(gradOf([0, 1, 0], (x) => (x.data.set([NaN, 1, NaN]), x.max()))).toEqual([0.5, 0, 0.5]);
    expect(gradOf([[2, 1], [2, 2]], (x) => x.max([0, 1]))).toEqual([1 / 3, 0, 1 / 3, 1 / 3].map(Math.fround));
    expect(gradOf([[2, 1], [2, 2]], (x) => x.min([0]))).toEqual([0.5, 1, 0.5, 0]);
    expect(gradOf([[2, 1], [2, 2]], (x) => x.max([1]))).toEqual([1, 0, 0.5, 0.5]);
  });

  it('max over random dims with many ties: split evenly over the tied maxima, or all to the first over one dim given as a number', () => {
    check(someDims, 512, ({ shape, dims, keepdim, seed }) => {
      const x = intTensor(shape, seed, 3).requiresGrad_();
      const y = x.max(dims, keepdim);
      y.sum().backward();
      const g = x.grad!.data;
      // Over a list of dims, each maximum of a group gets 1 / (the group's number of maxima);
      // over one dim given as a number, the first maximum gets 1.
      const reduced = (typeof dims === 'number' ? [dims] : dims).map((d) => (d < 0 ? d + shape.length : d));
      const groups = new Map<number, number[]>();
      const flat = x.data;
      const index = x.shape.map(() => 0);
      for (let i = 0; i < flat.length; i++) {
        const key = index.reduce((k, v, d) => (reduced.includes(d) ? k : k * x.shape[d]! + v), 0);
        groups.set(key, [...(groups.get(key) ?? []), i]);
        for (let d = index.length - 1; d >= 0 && ++index[d]! === x.shape[d]; d--) index[d] = 0;
      }
      for (const members of groups.values()) {
        const top = Math.max(...members.map((i) => flat[i]!));
        const tied = members.filter((i) => flat[i] === top);
        const share = (i: number): number => (typeof dims === 'number' ? (i === tied[0] ? 1 : 0) : tied.includes(i) ? Math.fround(1 / tied.length) : 0);
        for (const i of members) expect(g[i]).toBe(share(i));
      }
    });
  });

  it('logsumexp over random dims', () => {
    check(someDims, 509, ({ shape, dims, keepdim, seed }) => {
      expectGradOk((x) => logsumexp(x, dims, keepdim), [uniformTensor(shape, seed, -3, 3)], `logsumexp(${JSON.stringify(dims)}, ${keepdim})`);
    });
  });

  const alongDim = shapeArb(1, 4).chain((shape) => fc.record({ shape: fc.constant(shape), dim: dimArb(shape.length), seed: seedArb }));

  it('softmax', () => {
    check(alongDim, 510, ({ shape, dim, seed }) => {
      expectGradOk((x) => x.softmax(dim), [uniformTensor(shape, seed, -3, 3)], `softmax(${dim})`);
    });
  });

  it('logSoftmax', () => {
    check(alongDim, 511, ({ shape, dim, seed }) => {
      expectGradOk((x) => x.logSoftmax(dim), [uniformTensor(shape, seed, -3, 3)], `logSoftmax(${dim})`);
    });
  });
});

describe('shape ops', () => {
  it('reshape (to a random factorisation, sometimes with -1)', () => {
    const cases = fc.record({ shape: shapeArb(0, 4), seed: seedArb, order: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }), infer: fc.boolean() });
    check(cases, 601, ({ shape, seed, order, infer }) => {
      // Spread the prime factors of numel over up to four target dims, then maybe hide one as -1.
      let rest = numel(shape);
      const target = [1, 1, 1, 1].slice(0, Math.max(1, order.length));
      for (let p = 2, i = 0; rest > 1; ) {
        if (rest % p === 0) {
          target[(order[i++ % Math.max(order.length, 1)] ?? 0) % target.length]! *= p;
          rest /= p;
        } else p++;
      }
      const written = infer ? target.map((d, i) => (i === 0 ? -1 : d)) : target;
      const y = uniformTensor(shape, seed).reshape(...written);
      expect(y.shape).toEqual(target);
      expectGradOk((x) => x.reshape(...written).mul(x.view(...written)), [uniformTensor(shape, seed)], `reshape to [${written.join(',')}]`);
    });
  });

  it('expand (size-1 dims and new leading dims)', () => {
    const cases = shapeArb(0, 4).chain((out) => fc.record({ out: fc.constant(out), from: broadcastableTo(out), seed: seedArb }));
    check(cases, 602, ({ out, from, seed }) => {
      expectGradOk((x) => x.expand(...out), [uniformTensor(from, seed)], `expand [${from.join(',')}] to [${out.join(',')}]`);
    });
  });

  it('transpose', () => {
    const cases = shapeArb(1, 4).chain((shape) => fc.record({ shape: fc.constant(shape), d0: dimArb(shape.length), d1: dimArb(shape.length), seed: seedArb }));
    check(cases, 603, ({ shape, d0, d1, seed }) => {
      expectGradOk((x) => x.transpose(d0, d1), [uniformTensor(shape, seed)], `transpose(${d0}, ${d1})`);
    });
  });

  it('permute', () => {
    const cases = shapeArb(1, 4).chain((shape) =>
      fc.record({ shape: fc.constant(shape), perm: fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length }), seed: seedArb }),
    );
    check(cases, 604, ({ shape, perm, seed }) => {
      expectGradOk((x) => x.permute(...perm), [uniformTensor(shape, seed)], `permute(${perm.join(',')})`);
    });
  });

  it('squeeze (all size-1 dims, or one dim)', () => {
    const cases = shapeArb(1, 4).chain((shape) => fc.record({ shape: fc.constant(shape), dim: fc.option(dimArb(shape.length)), seed: seedArb }));
    check(cases, 605, ({ shape, dim, seed }) => {
      const d = dim ?? undefined;
      const y = uniformTensor(shape, seed).squeeze(d);
      const expected = d === undefined ? shape.filter((s) => s !== 1) : shape[(d + shape.length) % shape.length] === 1 ? shape.filter((_, i) => i !== (d + shape.length) % shape.length) : shape;
      expect(y.shape).toEqual(expected);
      expectGradOk((x) => x.squeeze(d).mul(2), [uniformTensor(shape, seed)], `squeeze(${d})`);
    });
  });

  it('unsqueeze', () => {
    const cases = shapeArb(0, 3).chain((shape) => fc.record({ shape: fc.constant(shape), dim: fc.integer({ min: -shape.length - 1, max: shape.length }), seed: seedArb }));
    check(cases, 606, ({ shape, dim, seed }) => {
      expectGradOk((x) => x.unsqueeze(dim).mul(2), [uniformTensor(shape, seed)], `unsqueeze(${dim})`);
    });
  });

  it('narrow', () => {
    const cases = shapeArb(1, 4)
      .chain((shape) => fc.record({ shape: fc.constant(shape), dim: dimArb(shape.length), seed: seedArb }))
      .chain(({ shape, dim, seed }) => {
        const size = shape[(dim + shape.length) % shape.length]!;
        return fc
          .integer({ min: 0, max: size - 1 })
          .chain((start) => fc.record({ shape: fc.constant(shape), dim: fc.constant(dim), seed: fc.constant(seed), start: fc.constant(start), length: fc.integer({ min: 1, max: size - start }) }));
      });
    check(cases, 607, ({ shape, dim, seed, start, length }) => {
      expectGradOk((x) => x.narrow(dim, start, length), [uniformTensor(shape, seed)], `narrow(${dim}, ${start}, ${length})`);
    });
  });

  it('slice (negative and out-of-range ends)', () => {
    const cases = shapeArb(1, 4).chain((shape) =>
      fc.record({ shape: fc.constant(shape), dim: dimArb(shape.length), start: fc.integer({ min: -5, max: 5 }), end: fc.option(fc.integer({ min: -5, max: 6 })), seed: seedArb }),
    );
    check(cases, 608, ({ shape, dim, start, end, seed }) => {
      const e = end ?? undefined;
      expectGradOk((x) => x.slice(dim, start, e), [uniformTensor(shape, seed)], `slice(${dim}, ${start}, ${e})`);
    });
  });

  it('select (negative indices too)', () => {
    const cases = shapeArb(1, 4)
      .chain((shape) => fc.record({ shape: fc.constant(shape), dim: dimArb(shape.length), seed: seedArb }))
      .chain((c) => {
        const size = c.shape[(c.dim + c.shape.length) % c.shape.length]!;
        return fc.record({ c: fc.constant(c), index: fc.integer({ min: -size, max: size - 1 }) });
      });
    check(cases, 609, ({ c: { shape, dim, seed }, index }) => {
      expectGradOk((x) => x.select(dim, index), [uniformTensor(shape, seed)], `select(${dim}, ${index})`);
    });
  });

  it('cat (different sizes along dim, the same tensor twice)', () => {
    const cases = shapeArb(1, 3)
      .chain((shape) =>
        fc.record({
          shape: fc.constant(shape),
          dim: dimArb(shape.length),
          sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
          seeds: fc.array(seedArb, { minLength: 3, maxLength: 3 }),
          repeatFirst: fc.boolean(),
        }),
      );
    check(cases, 610, ({ shape, dim, sizes, seeds, repeatFirst }) => {
      const d = (dim + shape.length) % shape.length;
      const inputs = sizes.map((s, i) => uniformTensor(shape.map((v, j) => (j === d ? s : v)), seeds[i]!));
      const fn = (...xs: Tensor[]) => cat(repeatFirst ? [...xs, xs[0]!] : xs, dim);
      expectGradOk(fn, inputs, `cat dim ${dim} sizes ${sizes.join(',')}`);
    });
  });

  it('stack', () => {
    const cases = shapeArb(0, 3).chain((shape) =>
      fc.record({ shape: fc.constant(shape), dim: fc.integer({ min: -shape.length - 1, max: shape.length }), count: fc.integer({ min: 1, max: 3 }), seed: seedArb }),
    );
    check(cases, 611, ({ shape, dim, count, seed }) => {
      const inputs = Array.from({ length: count }, (_, i) => uniformTensor(shape, seed + i));
      expectGradOk((...xs) => stack(xs, dim), inputs, `stack dim ${dim} of ${count}`);
    });
  });

  it('split (by size and by a list of sizes)', () => {
    const cases = shapeArb(1, 3)
      .chain((shape) => fc.record({ shape: fc.constant(shape), dim: dimArb(shape.length), seed: seedArb }))
      .chain((c) => {
        const size = c.shape[(c.dim + c.shape.length) % c.shape.length]!;
        const bySize = fc.integer({ min: 1, max: size + 1 });
        // A random composition of `size` (zero-length pieces allowed).
        const byList = fc.array(fc.integer({ min: 0, max: size }), { maxLength: 3 }).map((cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), size];
          return points.slice(1).map((p, i) => p - points[i]!);
        });
        return fc.record({ c: fc.constant(c), sizes: fc.oneof(bySize, byList) });
      });
    check(cases, 612, ({ c: { shape, dim, seed }, sizes }) => {
      // Weight the pieces differently, so a gradient routed to the wrong piece shows.
      const fn = (x: Tensor) => cat(x.split(sizes, dim).map((p, i) => p.reshape(-1).mul(i + 1)), 0);
      expectGradOk(fn, [uniformTensor(shape, seed)], `split(${JSON.stringify(sizes)}, ${dim})`);
    });
  });

  it('chunk', () => {
    const cases = shapeArb(1, 3).chain((shape) => fc.record({ shape: fc.constant(shape), dim: dimArb(shape.length), chunks: fc.integer({ min: 1, max: 5 }), seed: seedArb }));
    check(cases, 613, ({ shape, dim, chunks, seed }) => {
      const fn = (x: Tensor) => cat(x.chunk(chunks, dim).map((p, i) => p.reshape(-1).mul(i + 1)), 0);
      expectGradOk(fn, [uniformTensor(shape, seed)], `chunk(${chunks}, ${dim})`);
    });
  });
});

describe('indexing ops', () => {
  it('indexSelect (repeated indices; array or tensor index)', () => {
    const cases = shapeArb(1, 3)
      .chain((shape) => fc.record({ shape: fc.constant(shape), dim: dimArb(shape.length), seed: seedArb, asTensor: fc.boolean() }))
      .chain((c) => {
        const size = c.shape[(c.dim + c.shape.length) % c.shape.length]!;
        return fc.record({ c: fc.constant(c), index: fc.array(fc.integer({ min: 0, max: size - 1 }), { minLength: 1, maxLength: 6 }) });
      });
    check(cases, 701, ({ c: { shape, dim, seed, asTensor }, index }) => {
      const idx = asTensor ? new Tensor(Float32Array.from(index), [index.length]) : index;
      expectGradOk((x) => x.indexSelect(dim, idx), [uniformTensor(shape, seed)], `indexSelect(${dim}, [${index.join(',')}])`);
    });
  });

  it('gather (repeated indices, index smaller than the input)', () => {
    const cases = shapeArb(1, 3)
      .chain((shape) =>
        fc.record({
          shape: fc.constant(shape),
          dim: dimArb(shape.length),
          // Index sizes: anything in [1, 4] along dim, at most the input's size elsewhere.
          sizes: fc.tuple(...shape.map((s) => fc.integer({ min: 1, max: Math.max(s, 4) }))),
          seeds: fc.tuple(seedArb, seedArb),
        }),
      );
    check(cases, 702, ({ shape, dim, sizes, seeds }) => {
      const d = (dim + shape.length) % shape.length;
      const indexShape = sizes.map((s, i) => (i === d ? s : Math.min(s, shape[i]!)));
      const index = intTensor(indexShape, seeds[0], shape[d]!);
      expectGradOk((x) => x.gather(dim, index), [uniformTensor(shape, seeds[1])], `gather(${dim}, [${indexShape.join(',')}])`);
    });
  });
});

describe('a composite expression', () => {
  it('tanh(x W + b).softmax(-1) with a broadcast bias', () => {
    const cases = fc.record({ b: fc.integer({ min: 1, max: 4 }), i: fc.integer({ min: 1, max: 4 }), o: fc.integer({ min: 1, max: 4 }), seeds: fc.tuple(seedArb, seedArb, seedArb) });
    check(cases, 801, ({ b, i, o, seeds }) => {
      const inputs = [uniformTensor([b, i], seeds[0]), uniformTensor([i, o], seeds[1]), uniformTensor([o], seeds[2])];
      expectGradOk((x, w, bias) => x.matmul(w).add(bias).tanh().softmax(-1), inputs, 'mlp layer');
    });
  });
});
