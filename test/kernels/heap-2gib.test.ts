/**
 * A layer run whose heap blocks lie past 2 GiB (as a character model of batch 256, 256 steps and
 * hidden 1024 reaches): the WASM backend must read and write them where they are and give what
 * the JS backend gives. The first 2 GiB are taken by one block that is never touched, so the
 * machine commits almost none of it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { F, Generator, getBackend, linear, nn, randn, setBackend, type Tensor } from '../../src/index.js';
import { wasmKernels } from '../../src/kernels/backend.js';
import { expectClose } from '../helpers.js';
import { FAST_VS_REFERENCE } from '../tolerances.js';

const initial = getBackend();
afterAll(() => setBackend(initial));

/** A forward and backward through an LSTM and a Linear head: the outputs and every gradient. */
function run(): Float32Array[] {
  const lstm = new nn.LSTM({ inputSize: 5, hiddenSize: 9, numLayers: 2, bidirectional: true, seed: 1 });
  const head = new nn.Linear({ inFeatures: 18, outFeatures: 3, seed: 2 });
  const g = new Generator(3);
  const x = randn([6, 4, 5], { generator: g }).requiresGrad_();
  const y = linear(lstm.forward(x, { lengths: [6, 2, 5, 6] }).output, head.weight, head.bias);
  F.mseLoss(y, randn([6, 4, 3], { generator: g })).backward();
  const params: Tensor[] = [...lstm.parameters(), ...head.parameters(), x];
  return [y.data, ...params.map((p) => p.grad!.data)];
}

describe('a heap past 2 GiB', () => {
  it('gives the JS backend’s values and gradients', () => {
    setBackend('js');
    const expected = run();
    setBackend('wasm');
    const heap = wasmKernels()!.heap;
    const padding = heap.alloc(2 ** 31);
    try {
      const got = run();
      expect(heap.memory.buffer.byteLength).toBeGreaterThan(2 ** 31);
      got.forEach((a, i) => expectClose(a, expected[i]!, FAST_VS_REFERENCE, `array ${i}`));
    } finally {
      heap.free(padding);
    }
  });
});
