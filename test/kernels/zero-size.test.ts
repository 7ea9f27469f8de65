/**
 * Zero-size dimensions behave as in PyTorch on both backends (checked there with torch 1.13):
 * a linear of 0 features is its bias, a product over an empty inner dimension is zeros, layers
 * and cells take an empty batch (and 0 input features), sums of nothing are 0 and means of
 * nothing NaN; forward and backward, and afterwards ordinary products are still right.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { F, Generator, argmax, getBackend, linear, matmul, max, min, nn, randn, setBackend, stack, sum, tensor, zeros } from '../../src/index.js';
import { expectClose } from '../helpers.js';
import { FAST_VS_REFERENCE } from '../tolerances.js';

const initial = getBackend();
afterAll(() => setBackend(initial));

for (const backend of ['js', 'wasm'] as const) {
  describe(`zero-size dimensions on ${backend}`, () => {
    it('a linear of 0 input features is the bias, and its gradients are the bias’s', () => {
      setBackend(backend);
      const x = zeros([3, 0]).requiresGrad_();
      const w = zeros([2, 0]).requiresGrad_();
      const b = tensor([1, -2]).requiresGrad_();
      const y = linear(x, w, b);
      expect(y.shape).toEqual([3, 2]);
      expect(Array.from(y.data)).toEqual([1, -2, 1, -2, 1, -2]);
      sum(y).backward();
      expect(Array.from(b.grad!.data)).toEqual([3, 3]);
      expect(w.grad!.shape).toEqual([2, 0]);
      expect(x.grad!.shape).toEqual([3, 0]);
      expect(Array.from(linear(zeros([4, 0]), zeros([3, 0])).data)).toEqual(new Array(12).fill(0));
    });

    it('nn.Linear takes 0 inputs (a zero bias, as PyTorch) and 0 outputs', () => {
      setBackend(backend);
      const none = new nn.Linear({ inFeatures: 0, outFeatures: 2, seed: 1 });
      expect(Array.from(none.bias!.data)).toEqual([0, 0]);
      expect(Array.from(none.forward(zeros([2, 0])).data)).toEqual([0, 0, 0, 0]);
      expect(new nn.Linear({ inFeatures: 3, outFeatures: 0 }).forward(randn([2, 3])).shape).toEqual([2, 0]);
    });

    it('products over empty dimensions: k = 0 gives zeros, m or n = 0 an empty result', () => {
      setBackend(backend);
      expect(Array.from(matmul(zeros([2, 0]), zeros([0, 3])).data)).toEqual([0, 0, 0, 0, 0, 0]);
      expect(matmul(zeros([0, 4]), randn([4, 3])).shape).toEqual([0, 3]);
      expect(matmul(randn([2, 4]), zeros([4, 0])).shape).toEqual([2, 0]);
      // ordinary products afterwards are right
      const g = new Generator(1);
      const a = randn([5, 300], { generator: g });
      const b = randn([300, 7], { generator: g });
      const c = matmul(a, b);
      const exact = new Float64Array(35);
      for (let i = 0; i < 5; i++) for (let j = 0; j < 7; j++) for (let p = 0; p < 300; p++) exact[i * 7 + j] += a.data[i * 300 + p]! * b.data[p * 7 + j]!;
      expectClose(c.data, exact, { atol: 1e-4, rtol: 1e-4 }, 'a product after the empty ones');
    });

    it('recurrent layers and cells take an empty batch, forward and backward', () => {
      setBackend(backend);
      const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 1 });
      const x = zeros([5, 0, 3]).requiresGrad_();
      const { output, h, c } = lstm.forward(x);
      expect(output.shape).toEqual([5, 0, 8]);
      expect(h.shape).toEqual([4, 0, 4]);
      expect(c.shape).toEqual([4, 0, 4]);
      sum(output).backward();
      expect(Array.from(lstm.parameters()[0]!.grad!.data).every((v) => v === 0)).toBe(true);
      expect(new nn.GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true }).forward(zeros([0, 5, 3])).output.shape).toEqual([0, 5, 4]);
      expect(new nn.LSTMCell({ inputSize: 3, hiddenSize: 4 }).forward(zeros([0, 3])).h.shape).toEqual([0, 4]);
      expect(() => lstm.forward(zeros([0, 2, 3]))).toThrow(/LSTM: input needs at least one step, got \[0,2,3\]/);
    });

    it('cells of hidden size 0 and an Embedding of 0 rows, which PyTorch allows (its layers refuse hidden size 0)', () => {
      setBackend(backend);
      // torch.nn.LSTMCell(3, 0)(x) -> h, c of shape [2, 0]; backward gives x a zero gradient.
      for (const cell of [new nn.RNNCell({ inputSize: 3, hiddenSize: 0 }), new nn.GRUCell({ inputSize: 3, hiddenSize: 0 }), new nn.LSTMCell({ inputSize: 3, hiddenSize: 0 })]) {
        expect(cell.parameters().map((p) => p.shape)).toEqual([[0, 3], [0, 0], [0], [0]]);
        const x = randn([2, 3]).requiresGrad_();
        const out = cell.forward(x);
        const h = out instanceof Object && 'h' in out ? out.h : out;
        expect(h.shape).toEqual([2, 0]);
        sum(h).backward();
        expect(Array.from(x.grad!.data)).toEqual([0, 0, 0, 0, 0, 0]);
      }
      expect(() => new nn.LSTM({ inputSize: 3, hiddenSize: 0 })).toThrow(/LSTM: hiddenSize must be an integer >= 1, got 0/);
      // torch.nn.Embedding(0, 4).weight.shape -> [0, 4]; every index is out of range.
      const table = new nn.Embedding({ numEmbeddings: 0, embeddingDim: 4 });
      expect(table.weight.shape).toEqual([0, 4]);
      expect(() => table.forward(tensor([0]))).toThrow(/index 0 at position 0 is out of range \[0, 0\) for dim 0 of shape \[0,4\]/);
    });

    it('a layer of 0 input features runs on its biases alone, as the same layer with zero inputs', () => {
      setBackend(backend);
      const empty = new nn.GRU({ inputSize: 0, hiddenSize: 3, seed: 2 });
      const got = empty.forward(zeros([4, 2, 0])).output;
      // The same weights but one input feature fed zeros: the W_ih column contributes nothing.
      const one = new nn.GRU({ inputSize: 1, hiddenSize: 3, seed: 2 });
      one.loadStateDict({ ...empty.stateDict(), weight_ih_l0: zeros([9, 1]) });
      expectClose(got, one.forward(zeros([4, 2, 1])).output, FAST_VS_REFERENCE, 'output');
    });

    it('losses over nothing: means are NaN, sums are 0 (PyTorch’s values)', () => {
      setBackend(backend);
      expect(Number.isNaN(F.mseLoss(zeros([0]), zeros([0])).item())).toBe(true);
      expect(F.mseLoss(zeros([0]), zeros([0]), { reduction: 'sum' }).item()).toBe(0);
      expect(Number.isNaN(F.binaryCrossEntropyWithLogits(zeros([0]), zeros([0])).item())).toBe(true);
      expect(Array.from(sum(zeros([2, 0]), 1).data)).toEqual([0, 0]);
      expect(new nn.Embedding({ numEmbeddings: 5, embeddingDim: 0 }).forward(tensor([1, 2])).shape).toEqual([2, 0]);
    });

    it('chunk and split of a dim of size 0 give what PyTorch gives: `chunks` empty pieces, and split size 0 one piece', () => {
      setBackend(backend);
      // torch.zeros(2, 0).chunk(3, dim=1) -> three [2, 0]; torch.zeros(0, 2).split(0) -> one [0, 2]
      expect(zeros([2, 0]).chunk(3, 1).map((t) => t.shape)).toEqual([[2, 0], [2, 0], [2, 0]]);
      expect(zeros([0, 2]).chunk(2).map((t) => t.shape)).toEqual([[0, 2], [0, 2]]);
      expect(zeros([0, 2]).split(0).map((t) => t.shape)).toEqual([[0, 2]]);
      expect(zeros([0, 2]).split(3).map((t) => t.shape)).toEqual([[0, 2]]);
      expect(() => zeros([1, 2]).split(0)).toThrow(/split: split size must be a positive integer \(or 0 for a dim of size 0\), got 0/);
      const x = zeros([0, 2]).requiresGrad_();
      sum(stack(x.chunk(3)).sum()).backward();
      expect(x.grad!.shape).toEqual([0, 2]);
    });

    it('max, min and argmax over a dim of non-zero size of an empty tensor give an empty result; over a dim of size 0 they throw (as PyTorch)', () => {
      setBackend(backend);
      // torch.zeros(2, 0).max(dim=0) -> values tensor([]) of shape [0]; .max(dim=1) raises
      // "Expected reduction dim 1 to have non-zero size"; torch.zeros(0, 2).max() raises too.
      expect(max(zeros([2, 0]), 0).shape).toEqual([0]);
      expect(min(zeros([3, 0, 2]), 2).shape).toEqual([3, 0]);
      expect(max(zeros([0, 2]), 1, true).shape).toEqual([0, 1]);
      expect(argmax(zeros([2, 0]), 0).shape).toEqual([0]);
      expect(argmax(zeros([0, 2]), 1, true).shape).toEqual([0, 1]);
      const x = zeros([2, 0]).requiresGrad_();
      sum(max(x, 0)).backward();
      expect(x.grad!.shape).toEqual([2, 0]);
      expect(() => max(zeros([2, 0]), 1)).toThrow(/max: cannot reduce over dim 1 of size 0 \(shape \[2,0\]\)/);
      expect(() => min(zeros([0, 2]))).toThrow(/min: cannot reduce over dim 0 of size 0 \(shape \[0,2\]\)/);
      expect(() => argmax(zeros([0, 2]), 0)).toThrow(/argmax: cannot reduce over dim 0 of size 0 \(shape \[0,2\]\)/);
    });
  });
}
