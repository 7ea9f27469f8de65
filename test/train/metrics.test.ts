/** Metrics: hand-computed values, the documented target layouts, errors, the registry, and properties against tensor ops. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { F, Generator, RecurrentError, tensor, Tensor } from '../../src/index.js';
import { accuracy, binaryAccuracy, getMetric, mae, metricsByName, mse, permutation } from '../../src/train/index.js';
import { fisherYates } from './models.js';

describe('regression metrics', () => {
  const p = tensor([[1, 2], [3, 5]]);
  const t = tensor([[1, 0], [4, 2]]);
  it('mae and mse average over every element', () => {
    expect(mae(p, t)).toBe((0 + 2 + 1 + 3) / 4);
    expect(mse(p, t)).toBe((0 + 4 + 1 + 9) / 4);
  });
  it('need equal shapes', () => {
    expect(() => mae(p, tensor([1, 2, 3, 4]))).toThrow(/^mae: prediction \[2,2\] and target \[4\] must have the same shape$/);
  });
});

describe('accuracy', () => {
  it('reads classes by argmax over the last dim (first of ties) against class indices', () => {
    const scores = tensor([[0.1, 0.7, 0.2], [2, 2, 1], [0, 0, 3], [5, 1, 0]]);
    expect(accuracy(scores, tensor([1, 0, 2, 1]))).toBe(0.75);
    expect(accuracy(scores, tensor([[1], [0], [2], [1]]))).toBe(0.75); // (N, 1) targets too
  });
  it('counts every position of a sequence output (N, T, C) against (N, T) targets', () => {
    const scores = tensor([[[1, 0], [0, 1], [1, 0]], [[0, 1], [0, 1], [0, 1]]]);
    expect(accuracy(scores, tensor([[0, 1, 1], [1, 1, 0]]))).toBe(4 / 6);
  });
  it('reads one logit as class 1 when above 0, against 0/1 targets', () => {
    expect(accuracy(tensor([[2], [-1], [0.5], [0]]), tensor([[1], [0], [0], [0]]))).toBe(0.75);
  });
  it('rejects targets that are not classes, and predictions without a class dim', () => {
    expect(() => accuracy(tensor([[1, 2]]), tensor([2]))).toThrow(/^accuracy: target must hold class indices in \[0, 2\), got 2 at flat index 0/);
    expect(() => accuracy(tensor([[1, 2]]), tensor([0.5]))).toThrow(RecurrentError);
    expect(() => accuracy(tensor([[1]]), tensor([2]))).toThrow(/^accuracy: target must hold 0 or 1, got 2/);
    expect(() => accuracy(tensor([1, 2]), tensor([1, 0]))).toThrow(/^accuracy: prediction must be \(N, \.\.\., C\).*use binaryAccuracy/);
    expect(() => accuracy(tensor([[1, 2], [3, 4]]), tensor([0, 1, 1]))).toThrow(/^accuracy: target must hold one class per row, shape \[2\] or \[2,1\] for prediction \[2,2\], got \[3\]/);
  });
});

describe('binaryAccuracy', () => {
  it('thresholds logits at 0 elementwise, or probabilities at a given threshold', () => {
    const logits = tensor([[3, -2], [-0.1, 0.2]]);
    expect(binaryAccuracy(logits, tensor([[1, 0], [1, 1]]))).toBe(0.75);
    expect(binaryAccuracy(logits.sigmoid(), tensor([[1, 0], [1, 1]]), 0.5)).toBe(0.75);
  });
  it('rejects soft targets', () => {
    const e = (() => {
      try {
        binaryAccuracy(tensor([1]), tensor([0.3]));
      } catch (error) {
        return error as RecurrentError;
      }
      return null;
    })();
    expect(e?.code).toBe('value');
    expect(e?.message).toBe('binaryAccuracy: target must hold 0 or 1, got 0.30000001192092896 at flat index 0 (shape [1])');
  });
});

describe('the registry', () => {
  it('finds the built-in metrics by name and names the known ones for an unknown name', () => {
    expect(getMetric('mae')).toBe(mae);
    expect(Object.keys(metricsByName)).toEqual(['mae', 'mse', 'accuracy', 'binaryAccuracy']);
    expect(Object.isFrozen(metricsByName)).toBe(true);
    expect(() => getMetric('f1')).toThrow(/^getMetric: unknown metric "f1" \(known: mae, mse, accuracy, binaryAccuracy\)$/);
    expect(() => getMetric('toString')).toThrow(/unknown metric "toString"/);
  });
});

describe('properties', () => {
  const pairs = fc
    .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1000 }))
    .map(([n, c, seed]) => {
      const g = new Generator(seed);
      const make = (count: number, f: () => number) => Float32Array.from({ length: count }, f);
      return {
        p: new Tensor(make(n * c, () => g.normal()), [n, c]),
        t: new Tensor(make(n * c, () => g.normal()), [n, c]),
        classes: new Tensor(make(n, () => g.randint(0, c)), [n]),
      };
    });

  it('mse equals F.mseLoss and mae equals mean |p - t| (float32 ops)', () => {
    fc.assert(
      fc.property(pairs, ({ p, t }) => {
        expect(mse(p, t)).toBeCloseTo(F.mseLoss(p, t).item(), 5);
        expect(mae(p, t)).toBeCloseTo(p.sub(t).abs().mean().item(), 5);
      }),
    );
  });

  it('accuracy over class scores is the fraction of rows whose argmax (the tensor op) is the target', () => {
    fc.assert(
      fc.property(pairs, ({ p, classes }) => {
        fc.pre(p.shape[1] > 1);
        const predicted = p.argmax(1).data;
        const correct = Array.from(classes.data).filter((c, r) => predicted[r] === c).length;
        expect(accuracy(p, classes)).toBe(correct / p.shape[0]);
      }),
    );
  });

  it('permutation is the documented Fisher-Yates: a bijection, the same for the same seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 2 ** 31 }), (n, seed) => {
        const perm = Array.from(permutation(n, new Generator(seed)));
        expect(perm).toEqual(fisherYates(n, new Generator(seed)));
        expect([...perm].sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
      }),
    );
  });
});
