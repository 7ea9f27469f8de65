/**
 * Recurrent layers on the WASM backend against the JS backend, values and every gradient, on
 * random configurations with the edges of the SIMD gate passes (H = 1 … 9, B = 1, T = 1, I = 1,
 * padded lengths, both directions, relu); and the WASM heap is where it was after each run.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Generator, nn, randn, setBackend, sum, mul, add, type Tensor } from '../../src/index.js';
import { wasmKernels } from '../../src/kernels/backend.js';
import { getBackend } from '../../src/index.js';
import { expectClose } from '../helpers.js';
import { FAST_VS_REFERENCE } from '../tolerances.js';

const initial = getBackend();
afterAll(() => setBackend(initial));

const config = fc.record({
  kind: fc.constantFrom('lstm', 'gru', 'rnnTanh', 'rnnRelu'),
  numLayers: fc.integer({ min: 1, max: 2 }),
  bidirectional: fc.boolean(),
  bias: fc.boolean(),
  T: fc.integer({ min: 1, max: 5 }),
  B: fc.integer({ min: 1, max: 6 }),
  I: fc.integer({ min: 1, max: 6 }),
  H: fc.integer({ min: 1, max: 9 }),
  withLengths: fc.boolean(),
  seed: fc.nat(1e6),
});

type Config = typeof config extends fc.Arbitrary<infer C> ? C : never;

function makeLayer(c: Config): nn.RecurrentBase & { forward(x: Tensor, o?: object): { output: Tensor; h: Tensor; c?: Tensor | null } } {
  const options = { inputSize: c.I, hiddenSize: c.H, numLayers: c.numLayers, bias: c.bias, bidirectional: c.bidirectional, seed: c.seed };
  if (c.kind === 'lstm') return new nn.LSTM(options);
  if (c.kind === 'gru') return new nn.GRU(options);
  return new nn.RNN({ ...options, nonlinearity: c.kind === 'rnnRelu' ? 'relu' : 'tanh' });
}

/** Output, states and all gradients of one forward/backward on the given backend. */
function run(backend: 'js' | 'wasm', c: Config, layer = makeLayer(c)): Float32Array[] {
  setBackend(backend);
  const g = new Generator(c.seed);
  layer.zeroGrad();
  const LD = c.numLayers * (c.bidirectional ? 2 : 1);
  const x = randn([c.T, c.B, c.I], { generator: g }).requiresGrad_();
  const h0 = randn([LD, c.B, c.H], { generator: g }).requiresGrad_();
  const lengths = c.withLengths ? Array.from({ length: c.B }, () => g.randint(1, c.T + 1)) : undefined;
  const r = layer.forward(x, { h0, lengths });
  let loss = sum(mul(r.output, randn(r.output.shape, { generator: g })));
  loss = add(loss, sum(mul(r.h, randn(r.h.shape, { generator: g }))));
  if (r.c) loss = add(loss, sum(mul(r.c, randn(r.c.shape, { generator: g }))));
  loss.backward();
  return [r.output.data, r.h.data, ...(r.c ? [r.c.data] : []), x.grad!.data, h0.grad!.data, ...layer.parameters().map((p) => p.grad!.data)];
}

describe('WASM layers equal JS layers', () => {
  it('values and gradients on random configurations; the heap is flat', () => {
    const heap = wasmKernels()!.heap;
    fc.assert(
      fc.property(config, (c) => {
        const js = run('js', c);
        const layer = makeLayer(c);
        // the first run packs the weights for that call only, the second keeps their packs
        run('wasm', c, layer);
        run('wasm', c, layer);
        const before = heap.allocatedBytes;
        const wasm = run('wasm', c, layer);
        expect(heap.allocatedBytes).toBe(before);
        expect(wasm.length).toBe(js.length);
        wasm.forEach((w, i) => expectClose(w, js[i], FAST_VS_REFERENCE, `array ${i}`));
      }),
      { numRuns: 80 },
    );
  });

  // 60 steps in a mutation run (MUTATION_RUN): the JS layer it is compared with, instrumented,
  // took 5 s for 300, and every mutant of the layers waited twice that before it could time out.
  const T = process.env['MUTATION_RUN'] ? 60 : 300;
  it(`a long sequence (T = ${T}, H = 33) matches`, () => {
    const c: Config = { kind: 'lstm', numLayers: 1, bidirectional: true, bias: true, T, B: 3, I: 4, H: 33, withLengths: true, seed: 5 };
    const js = run('js', c);
    const wasm = run('wasm', c);
    wasm.forEach((w, i) => expectClose(w, js[i], { atol: 1e-4, rtol: 1e-4 }, `array ${i}`));
  });
});
