/**
 * The WASM heap over a long run: 1,000 training steps of a small LSTM model allocate nothing
 * that stays (every block of a step is freed; only the packed weights live on, one per weight)
 * and never grow the memory after the first steps. A mutation run (MUTATION_RUN) takes 100: a
 * block left behind by a slip shows in the allocated bytes after one step, and every mutant
 * that reaches this test pays for its steps, in its run and in its timeout.
 */
import { describe, expect, it } from 'vitest';
import { F, Generator, nn, optim, randn, setBackend } from '../../src/index.js';
import { wasmKernels } from '../../src/kernels/backend.js';
import { getBackend } from '../../src/index.js';

describe('WASM heap', () => {
  const steps = process.env['MUTATION_RUN'] ? 100 : 1000;
  it(`stays flat over ${steps} training steps`, () => {
    const initial = getBackend();
    setBackend('wasm');
    try {
      const g = new Generator(1);
      const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 12, numLayers: 2, bidirectional: true, seed: 2 });
      const head = new nn.Linear({ inFeatures: 24, outFeatures: 1, seed: 3 });
      const optimizer = new optim.Adam([...lstm.parameters(), ...head.parameters()], { lr: 1e-3 });
      const x = randn([7, 4, 3], { generator: g });
      const y = randn([7, 4, 1], { generator: g });
      const step = () => {
        const loss = F.mseLoss(head.forward(lstm.forward(x, { lengths: [7, 3, 5, 7] }).output), y);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
      };
      const heap = wasmKernels()!.heap;
      for (let i = 0; i < 10; i++) step();
      const allocated = heap.allocatedBytes;
      const memory = heap.memory.buffer.byteLength;
      for (let i = 10; i < steps; i++) step();
      expect(heap.allocatedBytes).toBe(allocated);
      expect(heap.memory.buffer.byteLength).toBe(memory);
    } finally {
      setBackend(initial);
    }
  });
});
