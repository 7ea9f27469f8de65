/** Long sequences and huge graphs: iterative backward and fused BPTT never overflow the stack. */
import { describe, expect, it } from 'vitest';
import { Generator, mul, nn, randn, sum, tensor } from '../../src/index.js';

describe('limits', () => {
  it('an LSTM runs forward and backward over 100,000 steps (batch 1, hidden 32)', () => {
    const lstm = new nn.LSTM({ inputSize: 4, hiddenSize: 32, seed: 1 });
    const x = randn([100_000, 1, 4], { generator: new Generator(2) }).requiresGrad_();
    const { output, h, c } = lstm.forward(x);
    sum(output).add(sum(h)).add(sum(c)).backward();
    expect(x.grad!.data.every(Number.isFinite)).toBe(true);
    expect(lstm.parameters().every((p) => p.grad!.data.every(Number.isFinite))).toBe(true);
    // The gradient reaches the first step of the sequence.
    expect(x.grad!.data.subarray(0, 4).some((v) => v !== 0)).toBe(true);
  });

  it('a graph of 1,000,000 ops backpropagates', () => {
    const x = tensor([1], undefined, { requiresGrad: true });
    const factor = tensor([1]);
    let y = x;
    for (let i = 0; i < 1_000_000; i++) y = mul(y, factor);
    y.backward();
    expect(x.grad!.item()).toBe(1);
  });
});
