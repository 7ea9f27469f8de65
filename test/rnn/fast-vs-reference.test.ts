/**
 * The fused fast path equals the reference cells built from primitive ops (values and every
 * gradient) on random configurations, and its BPTT passes a numerical gradient check.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, Tensor, add, cat, gradcheck, mul, nn, randn, reshape, sum } from '../../src/index.js';
import { recurrentLayer } from '../../src/rnn/fused-layer.js';
import type { CellKind, DirectionWeights } from '../../src/rnn/fused-layer.js';
import { recurrentReference } from '../../src/rnn/reference.js';
import { WorkspacePool } from '../../src/kernels/workspace.js';
import { expectClose } from '../helpers.js';
import { FAST_VS_REFERENCE, GRADCHECK } from '../tolerances.js';

const config = fc.record({
  kind: fc.constantFrom('lstm', 'gru', 'rnnTanh', 'rnnRelu'),
  numLayers: fc.integer({ min: 1, max: 3 }),
  bidirectional: fc.boolean(),
  bias: fc.boolean(),
  batchFirst: fc.boolean(),
  T: fc.integer({ min: 1, max: 6 }),
  B: fc.integer({ min: 1, max: 4 }),
  I: fc.integer({ min: 1, max: 5 }),
  H: fc.integer({ min: 1, max: 6 }),
  withLengths: fc.boolean(),
  withState: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

function makeLayer(kind: string, options: nn.RecurrentOptions): nn.RecurrentBase {
  if (kind === 'lstm') return new nn.LSTM(options);
  if (kind === 'gru') return new nn.GRU(options);
  return new nn.RNN({ ...options, nonlinearity: kind === 'rnnRelu' ? 'relu' : 'tanh' });
}

function leaf(t: Tensor): Tensor {
  return t.requiresGrad_(true);
}

describe('fused recurrent layers equal the reference cells', () => {
  it('values and gradients agree on random configurations', () => {
    fc.assert(
      fc.property(config, (c) => {
        const g = new Generator(c.seed);
        const layer = makeLayer(c.kind, { inputSize: c.I, hiddenSize: c.H, numLayers: c.numLayers, bias: c.bias, batchFirst: c.batchFirst, bidirectional: c.bidirectional, seed: c.seed });
        const LD = c.numLayers * (c.bidirectional ? 2 : 1);
        const x = randn(c.batchFirst ? [c.B, c.T, c.I] : [c.T, c.B, c.I], { generator: g });
        const h0 = c.withState ? randn([LD, c.B, c.H], { generator: g }) : undefined;
        const c0 = c.withState && c.kind === 'lstm' ? randn([LD, c.B, c.H], { generator: g }) : undefined;
        const lengths = c.withLengths ? Array.from({ length: c.B }, () => g.randint(1, c.T + 1)) : undefined;
        const run = (fast: boolean) => {
          const inputs = { x: leaf(x.clone()), h0: h0 && leaf(h0.clone()), c0: c0 && leaf(c0.clone()) };
          layer.zeroGrad();
          const r = fast
            ? (layer as nn.LSTM).forward(inputs.x, { h0: inputs.h0, c0: inputs.c0, lengths })
            : recurrentReference(layer, inputs.x, { h0: inputs.h0, c0: inputs.c0, lengths });
          const up = new Generator(7);
          let loss = sum(mul(r.output, randn(r.output.shape, { generator: up })));
          loss = add(loss, sum(mul(r.h, randn(r.h.shape, { generator: up }))));
          if (r.c) loss = add(loss, sum(mul(r.c, randn(r.c.shape, { generator: up }))));
          loss.backward();
          const grads = Object.fromEntries(layer.namedParameters().map(([k, p]) => [k, p.grad!.data.slice()]));
          return { r, inputs, grads };
        };
        const fast = run(true);
        const ref = run(false);
        expectClose(fast.r.output, ref.r.output, FAST_VS_REFERENCE, 'output');
        expectClose(fast.r.h, ref.r.h, FAST_VS_REFERENCE, 'h_n');
        if (ref.r.c) expectClose(fast.r.c!, ref.r.c, FAST_VS_REFERENCE, 'c_n');
        expectClose(fast.inputs.x.grad!, ref.inputs.x.grad!, FAST_VS_REFERENCE, 'grad x');
        if (h0) expectClose(fast.inputs.h0!.grad!, ref.inputs.h0!.grad!, FAST_VS_REFERENCE, 'grad h0');
        if (c0) expectClose(fast.inputs.c0!.grad!, ref.inputs.c0!.grad!, FAST_VS_REFERENCE, 'grad c0');
        for (const k of Object.keys(ref.grads)) expectClose(fast.grads[k], ref.grads[k], FAST_VS_REFERENCE, `grad ${k}`);
      }),
      { numRuns: 60, seed: 20261123 },
    );
  });
});

describe('BPTT through the fused layer passes gradcheck', () => {
  const kinds: CellKind[] = ['lstm', 'gru', 'rnnTanh', 'rnnRelu'];
  for (const kind of kinds) {
    it(kind, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }),
          fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1e6 }),
          (T, B, I, H, bidirectional, withLengths, seed) => {
            const g = new Generator(seed);
            const G = { lstm: 4, gru: 3, rnnTanh: 1, rnnRelu: 1 }[kind] * H;
            const D = bidirectional ? 2 : 1;
            const pools = Array.from({ length: D }, () => new WorkspacePool(H, kind));
            const lengths = Int32Array.from({ length: B }, () => (withLengths ? g.randint(1, T + 1) : T));
            const weights: Tensor[] = [];
            for (let d = 0; d < D; d++) weights.push(randn([G, I], { generator: g }), randn([G, H], { generator: g }), randn([G], { generator: g }), randn([G], { generator: g }));
            const x = randn([T, B, I], { generator: g });
            const h0 = randn([D, B, H], { generator: g });
            const c0 = randn([D, B, H], { generator: g });
            const fn = (xx: Tensor, hh: Tensor, cc: Tensor, ...w: Tensor[]) => {
              const dirs: DirectionWeights[] = [];
              for (let d = 0; d < D; d++) dirs.push({ weightIh: w[4 * d], weightHh: w[4 * d + 1], biasIh: w[4 * d + 2], biasHh: w[4 * d + 3] });
              const r = recurrentLayer(kind, xx, hh, kind === 'lstm' ? cc : null, dirs, lengths, pools);
              const parts = [reshape(r.output, [-1]), reshape(r.h, [-1])];
              if (r.c) parts.push(reshape(r.c, [-1]));
              return cat(parts, 0);
            };
            // ReLU has a kink at 0: a step that crosses it makes the central difference meaningless.
            const result = gradcheck(fn, [x, h0, c0, ...weights], { ...GRADCHECK, eps: kind === 'rnnRelu' ? 1e-3 : 1e-2 });
            expect(result.ok, JSON.stringify(result.worst)).toBe(true);
          },
        ),
        { numRuns: 15, seed: 11 },
      );
    });
  }
});
