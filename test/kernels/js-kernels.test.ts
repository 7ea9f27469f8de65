/**
 * Two of the scalar kernels' contracts the layer tests cannot see: the logistic function at
 * the ends of the double range (where e^x or e^-x overflows), and `linear` writing y whatever
 * it held before (the layers hand it fresh zeros, where adding and writing look the same).
 */
import { describe, expect, it } from 'vitest';
import { sigmoid } from '../../src/kernels/js/activations.js';
import { jsBackend } from '../../src/kernels/js/backend.js';

describe('JS sigmoid', () => {
  it('is 1 and 0 at the ends, where e^x and e^-x overflow, and 1/2 at 0', () => {
    for (const x of [710, 800, 1e300, Infinity]) expect(sigmoid(x), `sigmoid(${x})`).toBe(1);
    expect(sigmoid(-Infinity)).toBe(0);
    expect(sigmoid(0)).toBe(0.5);
  });

  it('is e^x far below 0, where 1 + e^x rounds to 1, down to the smallest doubles', () => {
    for (const x of [-40, -300, -720, -744]) {
      const relative = Math.abs(sigmoid(x) / Math.exp(x) - 1);
      expect(relative, `sigmoid(${x})`).toBeLessThan(1e-9);
    }
  });
});

describe('JS linear', () => {
  it('overwrites y with x·Wᵀ (+ bias), whatever y held', () => {
    // x (2, 2), W (3, 2): y = x·Wᵀ (2, 3).
    const x = Float32Array.of(1, 2, 3, 4);
    const w = Float32Array.of(1, 0, 0, 1, 1, 1);
    const y = new Float32Array(6).fill(100);
    jsBackend.linear(2, 2, 3, x, w, null, y);
    expect(Array.from(y)).toEqual([1, 2, 3, 3, 4, 7]);
    y.fill(-50);
    jsBackend.linear(2, 2, 3, x, w, Float32Array.of(10, 20, 30), y);
    expect(Array.from(y)).toEqual([11, 22, 33, 13, 24, 37]);
  });
});
