/**
 * Versions follow storage: a Tensor and every view of its storage (detach(), reshape(), a
 * Tensor over the same data or over a subarray of it) share one version counter, so the WASM
 * backend's packed weights are rebuilt after a write through any of them, and a layer on WASM
 * gives what the JS backend gives after every kind of in-place write.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Generator, getBackend, linear, nn, noGrad, optim, randn, setBackend, Tensor, F } from '../../src/index.js';
import { expectClose, linearOnBothBackends } from '../helpers.js';
import { FAST_VS_REFERENCE } from '../tolerances.js';

const initial = getBackend();
afterEach(() => setBackend(initial));


describe('versions follow storage', () => {
  it('is shared by every view of one storage, and a new storage starts its own', () => {
    const w = randn([4, 6], { generator: new Generator(1) });
    const views = [w.detach(), w.reshape([24]), new Tensor(w.data, [6, 4]), new Tensor(w.data.subarray(6, 12), [6])];
    const start = w.version;
    views[3]!.markModified();
    expect(w.version).toBe(start + 1);
    for (const v of views) expect(v.version).toBe(w.version);
    w.markModified();
    for (const v of views) expect(v.version).toBe(start + 2);
    expect(w.clone().version).toBe(0);
  });

  for (const [name, view] of [
    ['detach()', (w: Tensor) => w.detach()],
    ['reshape()', (w: Tensor) => w.reshape([w.shape[0]!, w.shape[1]!])],
    ['a Tensor over the same data', (w: Tensor) => new Tensor(w.data, w.shape)],
    ['a Tensor over a subarray of a larger buffer', (w: Tensor) => new Tensor(w.data.subarray(0, w.data.length), w.shape)],
  ] as const) {
    it(`a weight used through ${name} is repacked after an optimizer step on the original`, () => {
      const g = new Generator(2);
      const weight = randn([9, 300], { generator: g }).requiresGrad_();
      const x = randn([5, 300], { generator: g });
      const used = view(weight);
      const [before] = linearOnBothBackends(x, used); // packs `used` on WASM
      const opt = new optim.SGD([weight], { lr: 0.5 });
      setBackend('wasm');
      F.mseLoss(linear(x, weight), randn([5, 9], { generator: g })).backward();
      opt.step();
      const [wasm, js] = linearOnBothBackends(x, used);
      expect(Array.from(wasm)).not.toEqual(Array.from(before));
      expectClose(wasm, js, FAST_VS_REFERENCE, `${name} after the step`);
    });
  }

  it('a write through a view, marked on the view, repacks the original', () => {
    const g = new Generator(3);
    const weight = randn([8, 20], { generator: g });
    const x = randn([3, 20], { generator: g });
    linearOnBothBackends(x, weight);
    const row = new Tensor(weight.data.subarray(20, 40), [20]);
    row.data.fill(2);
    row.markModified();
    const [wasm, js] = linearOnBothBackends(x, weight);
    expectClose(wasm, js, FAST_VS_REFERENCE, 'after the write through a view');
  });

  it('a gradient read as a weight is repacked after every in-place write of it: accumulation, clipping, zeroGrad(false)', () => {
    const g = new Generator(5);
    const p = randn([9, 300], { generator: g }).requiresGrad_();
    const x = randn([5, 300], { generator: g });
    const backwardOnce = () => {
      setBackend('wasm');
      F.mseLoss(linear(x, p), randn([5, 9], { generator: g })).backward();
    };
    backwardOnce();
    const grad = p.grad!;
    const expected = (): Float32Array => {
      setBackend('js');
      return noGrad(() => linear(x, new Tensor(grad.data.slice(), grad.shape))).data;
    };
    linearOnBothBackends(x, grad); // packs the gradient's storage on WASM
    const writes: [string, () => void][] = [
      ['a second backward (accumulates in place)', backwardOnce],
      ['clipGradNorm', () => optim.clipGradNorm([p], 1e-3)],
      ['clipGradValue', () => optim.clipGradValue([p], 1e-5)],
      ['zeroGrad(false)', () => new optim.SGD([p], { lr: 0.1 }).zeroGrad(false)],
    ];
    for (const [name, write] of writes) {
      const before = linearOnBothBackends(x, grad)[0];
      write();
      expect(p.grad).toBe(grad);
      const [wasm] = linearOnBothBackends(x, grad);
      expect(Array.from(wasm), name).not.toEqual(Array.from(before));
      expectClose(wasm, expected(), FAST_VS_REFERENCE, `after ${name}`);
    }
  });

  it('a recurrent layer whose weights were replaced by loadStateDict from a view runs the new weights on WASM', () => {
    const g = new Generator(4);
    const a = new nn.LSTM({ inputSize: 3, hiddenSize: 5, seed: 1 });
    const b = new nn.LSTM({ inputSize: 3, hiddenSize: 5, seed: 2 });
    const x = randn([4, 2, 3], { generator: g });
    setBackend('wasm');
    noGrad(() => a.forward(x));
    a.loadStateDict(Object.fromEntries(Object.entries(b.stateDict()).map(([k, t]) => [k, t.detach()])));
    const wasm = noGrad(() => a.forward(x).output).data;
    setBackend('js');
    expectClose(wasm, noGrad(() => b.forward(x).output).data, FAST_VS_REFERENCE, 'a after loading b');
  });
});
