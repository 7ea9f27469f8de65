/**
 * A tensor whose ArrayBuffer loses its elements after the tensor was made (transferred to a
 * worker by postMessage or structuredClone, or a resizable buffer resized) is refused by every
 * read with a RecurrentError, on either backend: before this check the JS kernels read NaN
 * from a transferred weight (a sum read 0), the WASM backend threw a TypeError, and a shrunk
 * resizable buffer gave NaN on JS and other numbers on WASM.
 */
import { describe, expect, it } from 'vitest';
import { Generator, linear, matmul, nn, optim, randn, Tensor, tensor } from '../../src/index.js';
import { expectRecurrentError } from '../helpers.js';

/** Detaches `t`'s ArrayBuffer as `postMessage(x, [buffer])` does. */
function transfer(t: Tensor): void {
  const buffer = t.data.buffer as ArrayBuffer;
  structuredClone(buffer, { transfer: [buffer] });
}

/** A [2, 3] tensor over a resizable ArrayBuffer (a length-tracking view), and the buffer. */
function resizable(): [Tensor, { resize(bytes: number): void }] {
  const buffer = new (ArrayBuffer as new (bytes: number, options: { maxByteLength: number }) => ArrayBuffer)(24, { maxByteLength: 64 });
  const data = new Float32Array(buffer);
  data.set([1, 2, 3, 4, 5, 6]);
  return [new Tensor(data, [2, 3]), buffer as unknown as { resize(bytes: number): void }];
}

const refusal = (held: number, shape: string, needs: number) =>
  `Tensor: data holds ${held} elements but shape ${shape} needs ${needs}: its ArrayBuffer was transferred or resized after the tensor was made`;

describe('storage that lost its elements', () => {
  it('a transferred weight is refused by the ops that read it, after it was packed', () => {
    const g = new Generator(1);
    const w = randn([2, 3], { generator: g });
    const x = randn([4, 3], { generator: g });
    expect(linear(x, w).shape).toEqual([4, 2]); // read once (on WASM: packed)
    transfer(w);
    for (const use of [() => linear(x, w), () => matmul(x, w.t()), () => w.sum(), () => w.add(1), () => w.toArray(), () => w.reshape([6])]) {
      expectRecurrentError(use, refusal(0, '[2,3]', 6), 'state');
    }
  });

  it('a layer whose weight was transferred refuses its forward, and an optimizer its step, changing no parameter', () => {
    const g = new Generator(2);
    const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 2, generator: g });
    const x = randn([5, 1, 3], { generator: g });
    lstm.forward(x);
    const weightIh = lstm.parameters()[0]!;
    transfer(weightIh);
    expectRecurrentError(() => lstm.forward(x), refusal(0, '[8,3]', 24), 'state');
    // Adam would update the parameters in order; the refusal comes before the first.
    const rest = lstm.parameters().slice(1);
    const opt = new optim.Adam([...rest, weightIh], { lr: 0.1 });
    for (const p of lstm.parameters()) p.grad = randn(p.shape as number[], { generator: g });
    const before = rest.map((p) => p.toArray());
    expectRecurrentError(() => opt.step(), refusal(0, '[8,3]', 24), 'state');
    expect(rest.map((p) => p.toArray())).toEqual(before);
  });

  it('backward through a graph whose input was transferred after the forward throws before writing any gradient', () => {
    for (const lost of ['x', 'w', 'w.grad'] as const) {
      const g = new Generator(3);
      const x = randn([3, 4], { generator: g }).requiresGrad_();
      const w = randn([2, 4], { generator: g }).requiresGrad_();
      w.grad = randn([2, 4], { generator: g });
      const before = w.grad.toArray();
      const y = linear(x.tanh(), w).sigmoid().sum();
      transfer(lost === 'x' ? x : lost === 'w' ? w : w.grad);
      expectRecurrentError(() => y.backward(), lost === 'x' ? refusal(0, '[3,4]', 12) : refusal(0, '[2,4]', 8), 'state');
      if (lost === 'w') expect(w.grad.toArray()).toEqual(before);
      expect(x.grad).toBeNull();
    }
  });

  it('a resizable buffer resized smaller or larger is refused; back at its size it reads what the buffer holds', () => {
    // Shrinking drops the elements past the new end; growing back brings zeros.
    for (const [bytes, sums] of [[8, [3, 0]], [48, [6, 15]], [0, [0, 0]]] as const) {
      const [w, buffer] = resizable();
      expect(linear(tensor([[1, 1, 1]]), w).toArray()).toEqual([[6, 15]]);
      buffer.resize(bytes);
      expectRecurrentError(() => linear(tensor([[1, 1, 1]]), w), refusal(bytes / 4, '[2,3]', 6), 'state');
      buffer.resize(24);
      w.markModified(); // the documented duty after a write that bypasses the library
      expect(linear(tensor([[1, 1, 1]]), w).toArray()).toEqual([sums]);
    }
  });

  it('an empty tensor over a transferred buffer still holds what its shape needs: nothing', () => {
    const t = new Tensor(new Float32Array(0), [0, 3]);
    transfer(t);
    expect(t.sum().item()).toBe(0);
  });
});
