/**
 * Same seed, same engine: bit-identical training runs. And workspace reuse never aliases:
 * interleaving the forward and backward passes of several models (or graphs) of the same
 * shape gives exactly what running them one after the other gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { F, Generator, nn, optim, randn, sum, type Tensor } from '../../src/index.js';

const bytes = (ts: Tensor[]) => ts.map((t) => Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)));

function run(seed: number, steps: number): { params: Tensor[]; losses: number[] } {
  const g = new Generator(seed);
  const embed = new nn.Embedding({ numEmbeddings: 11, embeddingDim: 6, generator: g });
  const lstm = new nn.LSTM({ inputSize: 6, hiddenSize: 12, numLayers: 2, dropout: 0.3, bidirectional: true, batchFirst: true, generator: g });
  const head = new nn.Linear({ inFeatures: 24, outFeatures: 11, generator: g });
  const params = [...embed.parameters(), ...lstm.parameters(), ...head.parameters()];
  const optimizer = new optim.AdamW(params, { lr: 1e-2 });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const ids = Array.from({ length: 4 * 7 }, () => g.randint(0, 11));
    const x = embed.forward(ids).reshape(4, 7, 6);
    const logits = head.forward(lstm.forward(x, { lengths: [7, 5, 7, 2] }).output);
    const loss = F.crossEntropy(logits.reshape(-1, 11), ids);
    optimizer.zeroGrad();
    loss.backward();
    optim.clipGradNorm(params, 1);
    optimizer.step();
    losses.push(loss.item());
  }
  return { params, losses };
}

describe('determinism', () => {
  it('the same seed gives bit-identical 100-step training runs', () => {
    const a = run(123, 100);
    const b = run(123, 100);
    expect(b.losses).toEqual(a.losses);
    expect(bytes(b.params)).toEqual(bytes(a.params));
    expect(run(124, 3).losses).not.toEqual(a.losses.slice(0, 3));
  });
});

describe('workspace reuse never aliases', () => {
  it('any interleaving of forwards and backwards of same-shaped models equals running them in turn', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('lstm', 'gru', 'rnn'),
        fc.integer({ min: 2, max: 4 }),
        fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        fc.boolean(),
        (kind, count, order, bidirectional) => {
          const make = () =>
            Array.from({ length: count }, (_, i) => {
              const o = { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional, seed: i + 1 };
              return kind === 'lstm' ? new nn.LSTM(o) : kind === 'gru' ? new nn.GRU(o) : new nn.RNN(o);
            });
          const x = randn([4, 2, 3], { generator: new Generator(9) });
          // In turn: each model's forward then backward.
          const solo = make();
          for (const m of solo) sum(m.forward(x).output).backward();
          // Interleaved: every forward first (all graphs alive at once), then backwards in a shuffled order.
          const mixed = make();
          const losses = mixed.map((m) => sum(m.forward(x).output));
          const pending = losses.map((_, i) => i);
          for (const r of order) {
            if (pending.length === 0) break;
            losses[pending.splice(r % pending.length, 1)[0]].backward();
          }
          for (const i of pending) losses[i].backward();
          mixed.forEach((m, i) => expect(bytes(m.parameters().map((p) => p.grad!))).toEqual(bytes(solo[i].parameters().map((p) => p.grad!))));
        },
      ),
      { numRuns: 30, seed: 5 },
    );
  });

  it('one model with several graphs alive at once: each backward gives exactly its own gradients', () => {
    fc.assert(
      fc.property(fc.constantFrom('lstm', 'gru', 'rnn'), fc.integer({ min: 2, max: 4 }), fc.array(fc.nat(), { minLength: 4, maxLength: 4 }), (kind, count, order) => {
        const o = { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, seed: 1 };
        const m = kind === 'lstm' ? new nn.LSTM(o) : kind === 'gru' ? new nn.GRU(o) : new nn.RNN(o);
        const xs = Array.from({ length: count }, (_, i) => randn([4, 2, 3], { generator: new Generator(i) }));
        const gradsOf = (loss: Tensor) => {
          m.zeroGrad();
          loss.backward();
          return bytes(m.parameters().map((p) => p.grad!));
        };
        const solo = xs.map((x) => gradsOf(sum(m.forward(x).output)));
        const losses = xs.map((x) => sum(m.forward(x).output));
        const pending = losses.map((_, i) => i);
        const mixed: ReturnType<typeof gradsOf>[] = [];
        for (const r of [...order, 0, 0, 0, 0]) {
          if (pending.length === 0) break;
          const i = pending.splice(r % pending.length, 1)[0];
          mixed[i] = gradsOf(losses[i]);
        }
        mixed.forEach((g, i) => expect(g).toEqual(solo[i]));
      }),
      { numRuns: 30, seed: 6 },
    );
  });
});
