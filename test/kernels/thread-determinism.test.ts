/**
 * Same seed, same bits, whatever the thread count: a few training steps of an LSTM, a
 * bidirectional GRU with padded lengths and a relu RNN, run on one thread and on two, give
 * identical losses and parameters, on each backend.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { F, Generator, nn, optim, randn, setBackend, type Tensor } from '../../src/index.js';
import { wasmKernels } from '../../src/kernels/backend.js';
import { getBackend } from '../../src/index.js';
import { parallelWork } from '../../src/kernels/threads.js';
import { ContentionGuard, kernelPool, setKernelPool, type KernelPool } from '../../src/kernels/threads.js';
import { NodeKernelPool } from '../../src/node/threads.js';

const initialBackend = getBackend();
const initialPool = kernelPool();
const initialMinimum = parallelWork.minimum;
parallelWork.minimum = 0; // split these small layers too
let twoThreads: NodeKernelPool | null = null;
afterAll(() => {
  parallelWork.minimum = initialMinimum;
  twoThreads?.close();
  setKernelPool(initialPool);
  setBackend(initialBackend);
});

async function pool(): Promise<KernelPool> {
  if (twoThreads === null) {
    twoThreads = new NodeKernelPool(1, wasmKernels()!, new ContentionGuard(Infinity));
    while (twoThreads.ready < 2) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return twoThreads;
}

/** Losses and final parameters of a few training steps of three models. */
function train(): Float32Array[] {
  const g = new Generator(3);
  const models: [nn.RecurrentBase & { forward(x: Tensor, o?: object): { output: Tensor } }, number[] | undefined][] = [
    [new nn.LSTM({ inputSize: 5, hiddenSize: 19, numLayers: 2, seed: 1 }), undefined],
    [new nn.GRU({ inputSize: 5, hiddenSize: 19, bidirectional: true, seed: 2 }), [7, 3, 9, 1, 9, 4, 2, 8, 5]],
    [new nn.RNN({ inputSize: 5, hiddenSize: 19, nonlinearity: 'relu', seed: 4 }), undefined],
  ];
  const out: Float32Array[] = [];
  for (const [model, lengths] of models) {
    const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
    const x = randn([9, 9, 5], { generator: g });
    const losses = new Float32Array(4);
    for (let step = 0; step < 4; step++) {
      const y = model.forward(x, { lengths }).output;
      const loss = F.mseLoss(y, randn(y.shape, { generator: g }));
      opt.zeroGrad();
      loss.backward();
      opt.step();
      losses[step] = loss.item();
    }
    out.push(losses, ...model.parameters().map((p) => p.data));
  }
  return out;
}

describe('thread count does not change results', () => {
  for (const backend of ['wasm', 'js'] as const) {
    it(`${backend}: 1 and 2 threads give the same bits`, async () => {
      setBackend(backend);
      setKernelPool(null);
      const one = train();
      setKernelPool(await pool());
      const two = train();
      expect(two.length).toBe(one.length);
      two.forEach((a, i) => expect(Array.from(a), `array ${i}`).toEqual(Array.from(one[i])));
      if (backend === 'wasm') expect(twoThreads!.threadedRuns).toBeGreaterThan(0);
    });
  }
});
