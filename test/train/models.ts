/** Small models, data and comparisons shared by the training-API tests. */
import { Generator, nn, randn, type Tensor } from '../../src/index.js';

/** Many-to-one regression: LSTM over (B, T, 1), a linear head on the last layer's final h. */
export class SeqRegressor extends nn.Module {
  lstm: nn.LSTM;
  head: nn.Linear;
  constructor(seed = 1, options: { hidden?: number; layers?: number; dropout?: number } = {}) {
    super();
    const hidden = options.hidden ?? 8;
    this.lstm = new nn.LSTM({ inputSize: 1, hiddenSize: hidden, numLayers: options.layers ?? 1, dropout: options.dropout ?? 0, batchFirst: true, seed });
    this.head = new nn.Linear({ inFeatures: hidden, outFeatures: 1, seed: seed + 100 });
  }
  forward(x: Tensor): Tensor {
    const { h } = this.lstm.forward(x);
    return this.head.forward(h.select(0, this.lstm.numLayers - 1));
  }
}

/** The sum task: x ~ N(0, 1) of shape (n, steps, 1), y = the sum over steps, shape (n, 1). */
export function sumTask(n: number, steps: number, seed: number): { x: Tensor; y: Tensor } {
  const x = randn([n, steps, 1], { generator: new Generator(seed) });
  return { x, y: x.sum(1) };
}

/** Every parameter's bytes, for bit-for-bit comparisons. */
export function paramBytes(model: nn.Module): Uint8Array[] {
  return model.parameters().map((p) => new Uint8Array(p.data.buffer.slice(p.data.byteOffset, p.data.byteOffset + p.data.byteLength)));
}

/** Fisher-Yates from the identity, written out as the documentation states it. */
export function fisherYates(n: number, g: Generator): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = g.randint(0, i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
