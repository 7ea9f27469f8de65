/**
 * The SIMD activations of the gate kernels (src/kernels/wasm/gates.ts) against float64
 * Math.exp / Math.tanh: within 3e-7 relative error after float32 rounding on a dense sweep and
 * on random values of every magnitude, exact at the special values, NaN kept.
 */
import { describe, expect, it } from 'vitest';
import { Generator } from '../../src/index.js';
import { assembleModule } from '../../src/kernels/wasm/assembler.js';
import { activationFunction } from '../../src/kernels/wasm/gates.js';

const MAX_RELATIVE_ERROR = 3e-7;
const N = 1 << 18;

const memory = new WebAssembly.Memory({ initial: 64, maximum: 64 });
const bytes = assembleModule([activationFunction('sigmoid', 'sigmoid'), activationFunction('tanh', 'tanh')], { shared: false, maxPages: 64 });
const kernels = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as Record<string, (n: number, src: number, dst: number) => void>;

function run(name: 'sigmoid' | 'tanh', xs: Float32Array): Float32Array {
  new Float32Array(memory.buffer, 0, xs.length).set(xs);
  kernels[name](xs.length, 0, xs.length * 4);
  return new Float32Array(memory.buffer, xs.length * 4, xs.length).slice();
}

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const SMALLEST_NORMAL = 2 ** -126;
const SMALLEST_SUBNORMAL = 2 ** -149;

function inputs(): Float32Array {
  const g = new Generator(11);
  const xs = new Float32Array(N);
  for (let i = 0; i < N / 2; i++) xs[i] = -110 + (220 * i) / (N / 2); // dense sweep over [-110, 110]
  for (let i = N / 2; i < N; i++) xs[i] = (g.uniform(0, 1) < 0.5 ? -1 : 1) * 10 ** g.uniform(-30, 2.1); // every magnitude
  return xs;
}

describe('SIMD activations', () => {
  for (const [name, exact] of [['sigmoid', sigmoid], ['tanh', Math.tanh]] as const) {
    it(`${name} is within ${MAX_RELATIVE_ERROR} relative error`, () => {
      const xs = inputs();
      const ys = run(name, xs);
      let worst = 0;
      for (let i = 0; i < N; i++) {
        const want = Math.fround(exact(xs[i]));
        if (Math.abs(want) < SMALLEST_NORMAL) {
          expect(Math.abs(ys[i] - want), `${name}(${xs[i]})`).toBeLessThanOrEqual(SMALLEST_SUBNORMAL);
          continue;
        }
        worst = Math.max(worst, Math.abs(ys[i] - want) / Math.abs(want));
      }
      expect(worst).toBeLessThanOrEqual(MAX_RELATIVE_ERROR);
    });
  }

  it('keeps NaN and gets the limits right', () => {
    const xs = Float32Array.from([NaN, Infinity, -Infinity, 0, 100, -100, 0.625, -0.625]);
    const s = run('sigmoid', xs);
    const t = run('tanh', xs);
    expect(Number.isNaN(s[0]) && Number.isNaN(t[0])).toBe(true);
    expect([s[1], s[2], s[3], s[4]]).toEqual([1, 0, 0.5, 1]);
    expect(s[5]).toBeCloseTo(Math.fround(sigmoid(-100)), 50);
    expect([t[1], t[2], t[3], t[4], t[5]]).toEqual([1, -1, 0, 1, -1]);
    expect(t[6]).toBeCloseTo(Math.tanh(0.625), 7);
    expect(t[7]).toBe(-t[6]);
  });
});
