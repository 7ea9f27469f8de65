/**
 * The matrix products of the active backend against a float64 triple loop, on random shapes
 * with every edge the SIMD kernel has: sizes that are not multiples of 4 or 8, one row or one
 * column, an empty inner dimension, k past the 256-row block, offsets, and accumulation.
 * Also: a product cut into row blocks gives the same bits as the whole (threads rely on it),
 * and a weight changed in place is repacked before its next use; on the WASM backend, the
 * scratch where the kernel copies B's panels is never handed out by the heap and is free again
 * after every product.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, linear, nn, noGrad, optim, randn, Tensor, F } from '../../src/index.js';
import { backend, wasmKernels } from '../../src/kernels/backend.js';
import { wasmBackend } from '../../src/kernels/wasm/backend.js';
import { GEMM_SCRATCH } from '../../src/kernels/wasm/gemm.js';

/** The active backend's product of a layout. */
const product = (layout: string) => backend()[`matmul${layout as 'NN' | 'NT' | 'TN'}`];

/** Float32 summation of k products may err by about k·u·Σ|a_p b_p| (u = 2^-24); this is 2× that. */
function bound(k: number, sumAbs: number): number {
  return (k + 2) * 1.2e-7 * sumAbs + 1e-37;
}

const shape = fc.record({
  m: fc.oneof(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 14, max: 70 })),
  k: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 250, max: 530 })),
  n: fc.oneof(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 18, max: 70 })),
  layout: fc.constantFrom('NN', 'NT', 'TN'),
  accumulate: fc.boolean(),
  offsets: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
  seed: fc.nat(1e6),
});

describe('matrix products on the active backend', () => {
  it('match a float64 triple loop on random shapes and layouts', () => {
    fc.assert(
      fc.property(shape, ({ m, k, n, layout, accumulate, offsets: [oa, ob, oc], seed }) => {
        const g = new Generator(seed);
        const a = randn([oa + m * k], { generator: g }).data;
        const b = randn([ob + k * n], { generator: g }).data;
        const c = randn([oc + m * n], { generator: g }).data;
        const before = c.slice();
        product(layout)(m, k, n, a, oa, b, ob, c, oc, accumulate);
        for (let o = 0; o < oc; o++) expect(c[o]).toBe(before[o]);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let exact = 0;
            let sumAbs = 0;
            for (let p = 0; p < k; p++) {
              const x = a[oa + (layout === 'TN' ? p * m + i : i * k + p)];
              const y = b[ob + (layout === 'NT' ? j * k + p : p * n + j)];
              exact += x * y;
              sumAbs += Math.abs(x * y);
            }
            const prior = accumulate ? before[oc + i * n + j] : 0;
            const got = c[oc + i * n + j];
            if (!(Math.abs(got - (prior + exact)) <= bound(k, sumAbs + Math.abs(prior)))) {
              throw new Error(`${layout} m${m} k${k} n${n} acc=${accumulate}: C[${i}][${j}] = ${got}, exact ${prior + exact}`);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same bits when the rows are computed in blocks (as threads split them)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 40 }), fc.nat(1e6), (m, k, n, seed) => {
        const g = new Generator(seed);
        const a = randn([m * k], { generator: g }).data;
        const b = randn([n * k], { generator: g }).data;
        const whole = new Float32Array(m * n);
        product('NT')(m, k, n, a, 0, b, 0, whole, 0, false);
        const split = new Float32Array(m * n);
        const cut = g.randint(1, m);
        product('NT')(cut, k, n, a, 0, b, 0, split, 0, false);
        product('NT')(m - cut, k, n, a, cut * k, b, 0, split, cut * n, false);
        expect(Array.from(split)).toEqual(Array.from(whole));
      }),
      { numRuns: 60 },
    );
  });
});

describe('x Wᵀ + b on the active backend', () => {
  it('adds the bias once, for every k, also across the 256-deep blocks of k', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 250, max: 530 })), fc.integer({ min: 1, max: 19 }), fc.nat(1e6), (m, k, n, seed) => {
        const g = new Generator(seed);
        const x = randn([m, k], { generator: g });
        const w = randn([n, k], { generator: g });
        const b = randn([n], { generator: g });
        const y = noGrad(() => linear(x, w, b)).data;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let exact = b.data[j]!;
            let sumAbs = Math.abs(exact);
            for (let p = 0; p < k; p++) {
              exact += x.data[i * k + p]! * w.data[j * k + p]!;
              sumAbs += Math.abs(x.data[i * k + p]! * w.data[j * k + p]!);
            }
            if (!(Math.abs(y[i * n + j]! - exact) <= bound(k, sumAbs))) throw new Error(`m${m} k${k} n${n}: y[${i}][${j}] = ${y[i * n + j]}, exact ${exact}`);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe.runIf(wasmKernels() !== null)('the product kernel\'s scratch', () => {
  it('lies below every heap block and is released after each product', () => {
    const w = wasmKernels()!;
    const { matmulNN, matmulTN } = wasmBackend(w);
    const g = new Generator(9);
    for (const [m, k, n] of [[64, 256, 64], [40, 600, 24], [16, 7, 9]]) {
      const a = randn([m * k], { generator: g }).data;
      const b = randn([k * n], { generator: g }).data;
      matmulNN(m, k, n, a, 0, b, 0, new Float32Array(m * n), 0, false);
      matmulTN(m, k, n, randn([k * m], { generator: g }).data, 0, b, 0, new Float32Array(m * n), 0, false);
      const flags = w.heap.i32.subarray(GEMM_SCRATCH.flags >>> 2, (GEMM_SCRATCH.flags >>> 2) + GEMM_SCRATCH.slots);
      expect(Array.from(flags)).toEqual(Array(GEMM_SCRATCH.slots).fill(0));
    }
    const block = w.heap.alloc(4);
    expect(block).toBeGreaterThanOrEqual(GEMM_SCRATCH.end);
    w.heap.free(block);
  });
});

describe('packed weights follow in-place changes', () => {
  const input = randn([3, 5], { generator: new Generator(1) });
  const reference = (w: Tensor, b: Tensor) => {
    const y = new Float32Array(3 * w.shape[0]);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < w.shape[0]; j++) {
        let s = b.data[j];
        for (let p = 0; p < 5; p++) s += input.data[i * 5 + p] * w.data[j * 5 + p];
        y[i * w.shape[0] + j] = s;
      }
    }
    return y;
  };
  const expectMatches = (lin: nn.Linear) => {
    const y = noGrad(() => lin.forward(input)).data;
    const r = reference(lin.weight, lin.bias!);
    for (let i = 0; i < r.length; i++) expect(Math.abs(y[i] - r[i])).toBeLessThan(1e-5);
  };

  it('after an optimizer step, loadStateDict and markModified', () => {
    const lin = new nn.Linear({ inFeatures: 5, outFeatures: 9, seed: 2 });
    expectMatches(lin);
    const opt = new optim.SGD(lin.parameters(), { lr: 0.5 });
    F.mseLoss(lin.forward(input), randn([3, 9], { generator: new Generator(3) })).backward();
    opt.step();
    expectMatches(lin);
    lin.loadStateDict({ weight: randn([9, 5], { generator: new Generator(4) }), bias: randn([9], { generator: new Generator(5) }) });
    expectMatches(lin);
    lin.weight.data[7] += 3;
    lin.weight.markModified();
    expectMatches(lin);
  });

  it('in a recurrent layer run step by step', () => {
    const cell = new nn.LSTMCell({ inputSize: 5, hiddenSize: 6, seed: 7 });
    const x = randn([2, 5], { generator: new Generator(8) });
    const before = noGrad(() => cell.forward(x).h).data.slice();
    cell.weightHh.data.fill(0);
    cell.weightHh.markModified();
    cell.weightIh.data.fill(0);
    cell.weightIh.markModified();
    const after = noGrad(() => cell.forward(x).h).data;
    expect(Array.from(after)).not.toEqual(Array.from(before));
    // With both weight matrices zero the gates depend on the biases alone: every row is equal.
    for (let j = 0; j < 6; j++) expect(after[6 + j]).toBe(after[j]);
  });
});
