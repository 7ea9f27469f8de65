/**
 * Gradient clipping against PyTorch's fixture, against an independent float64 norm for
 * several norm types, and its PyTorch 1.13 behaviour on non-finite gradients.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, RecurrentError, Tensor } from '../../src/index.js';
import { clipGradNorm, clipGradValue } from '../../src/optim/index.js';
import { expectClose, fixture, fromFixture, type FixtureTensor } from '../helpers.js';
import { LOSS, OPTIMIZER } from '../tolerances.js';

/** A parameter whose grad holds the given values. */
function withGrad(values: ArrayLike<number>, shape = [values.length]): Tensor {
  const p = new Tensor(new Float32Array(values.length), shape);
  p.grad = new Tensor(Float32Array.from(values), shape);
  return p;
}

describe('clipGradNorm', () => {
  it('clip_grad_norm fixture: total norm before clipping and the clipped gradients', () => {
    const f = fixture<{ max_norm: number; norm_type: number; grads_in: Record<string, FixtureTensor>; total_norm: number; grads_out: Record<string, FixtureTensor> }>('clip_grad_norm');
    const a = new Tensor(new Float32Array(9), [3, 3]);
    const b = new Tensor(new Float32Array(5), [5]);
    a.grad = fromFixture(f.grads_in.a!);
    b.grad = fromFixture(f.grads_in.b!);
    const total = clipGradNorm([a, b], f.max_norm, f.norm_type);
    expectClose([total], [f.total_norm], LOSS, 'total norm');
    expectClose(a.grad, f.grads_out.a!, LOSS, 'a.grad');
    expectClose(b.grad, f.grads_out.b!, LOSS, 'b.grad');
  });

  it('matches a float64 p-norm and scales by min(1, maxNorm / (total + 1e-6))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(1, 2, 3, 0.5, Infinity),
        fc.double({ min: 0, max: 10, noNaN: true }),
        (seed, sizes, p, maxNorm) => {
          const g = new Generator(seed);
          const params = sizes.map((n) => withGrad(Float32Array.from({ length: n }, () => 3 * g.normal())));
          const before = params.map((t) => Array.from(t.grad!.data));
          const all = before.flat().map(Math.abs);
          const expected = p === Infinity ? Math.max(...all) : all.reduce((s, v) => s + v ** p, 0) ** (1 / p);
          const total = clipGradNorm(params, maxNorm, p);
          expectClose([total], [expected], LOSS, 'total norm');
          const coef = Math.min(1, maxNorm / (expected + 1e-6));
          params.forEach((t, i) => expectClose(t.grad!.data, before[i]!.map((v) => v * coef), OPTIMIZER, 'clipped grad'));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('leaves gradients unchanged below maxNorm, skips null grads, and returns 0 without any', () => {
    const a = withGrad([3, 4]);
    const none = new Tensor(new Float32Array(2), [2]);
    expect(clipGradNorm([a, none], 10)).toBe(5);
    expect(Array.from(a.grad!.data)).toEqual([3, 4]);
    expect(none.grad).toBeNull();
    expect(clipGradNorm(none, 1)).toBe(0);
    expect(clipGradNorm(withGrad([1, 1]), 1, Infinity)).toBe(1);
  });

  it('with errorIfNonfinite, throws on a NaN or infinite total and changes nothing', () => {
    for (const bad of [NaN, Infinity]) {
      const a = withGrad([1, bad, 2]);
      let caught: unknown = null;
      try {
        clipGradNorm(a, 1, 2, { errorIfNonfinite: true });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(RecurrentError);
      expect((caught as RecurrentError).code).toBe('numeric');
      expect(Array.from(a.grad!.data)).toEqual([1, bad, 2]);
    }
  });

  it('without errorIfNonfinite, scales as PyTorch 1.13: an infinite total zeroes finite entries, a NaN total spreads NaN', () => {
    const inf = withGrad([1, Infinity, -2]);
    expect(clipGradNorm(inf, 1)).toBe(Infinity);
    expect(Array.from(inf.grad!.data)).toEqual([0, NaN, -0]);
    const nan = withGrad([1, NaN, -2]);
    expect(clipGradNorm(nan, 1)).toBeNaN();
    expect(Array.from(nan.grad!.data).every(Number.isNaN)).toBe(true);
  });

  it('rejects bad arguments', () => {
    const a = withGrad([1, 2]);
    for (const call of [() => clipGradNorm(a, -1), () => clipGradNorm(a, NaN), () => clipGradNorm(a, 1, 0), () => clipGradNorm(a, 1, -2), () => clipGradNorm([a, 3 as unknown as Tensor], 1)]) {
      expect(call).toThrow(RecurrentError);
      expect(call).toThrow(/^clipGradNorm: /);
    }
  });
});

describe('clipGradValue', () => {
  it('clamps every entry to [-c, c] and keeps NaN, as PyTorch', () => {
    const a = withGrad([-3, -0.5, 0, 0.5, 3, NaN]);
    const b = withGrad([10, -10]);
    clipGradValue([a, b], 1);
    expect(Array.from(a.grad!.data)).toEqual([-1, -0.5, 0, 0.5, 1, NaN]);
    expect(Array.from(b.grad!.data)).toEqual([1, -1]);
    expect(() => clipGradValue(a, -1)).toThrow(/^clipGradValue: /);
  });
});
