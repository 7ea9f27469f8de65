/** The backend switch: the default in Node, switching both ways, and its errors. */
import { afterEach, describe, expect, it } from 'vitest';
import { RecurrentError, getBackend, nn, noGrad, randn, Generator, setBackend } from '../../src/index.js';

const initial = getBackend();
afterEach(() => setBackend(initial));

describe('backend switch', () => {
  it("chooses 'wasm' by itself in Node, where WebAssembly SIMD runs", () => {
    expect(['js', 'wasm']).toContain(getBackend());
    setBackend('wasm');
    expect(getBackend()).toBe('wasm');
  });

  it('switches both ways, and both backends give the same layer output to float32 rounding', () => {
    const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, seed: 1 });
    const x = randn([4, 2, 3], { generator: new Generator(2) });
    setBackend('js');
    expect(getBackend()).toBe('js');
    const js = noGrad(() => lstm.forward(x).output).data;
    setBackend('wasm');
    const wasm = noGrad(() => lstm.forward(x).output).data;
    for (let i = 0; i < js.length; i++) expect(Math.abs(js[i] - wasm[i])).toBeLessThan(1e-6);
  });

  it('refuses an unknown backend and changes nothing', () => {
    setBackend('js');
    expect(() => setBackend('gpu' as 'js')).toThrow(RecurrentError);
    expect(() => setBackend('gpu' as 'js')).toThrow(/setBackend: name must be 'js' or 'wasm', got "gpu"/);
    expect(getBackend()).toBe('js');
  });
});
