/**
 * The end-to-end PyTorch trajectory: Embedding -> LSTM -> Linear -> cross entropy, trained
 * with gradient-norm clipping and Adam from fixed weights on fixed batches. Every step's
 * loss and pre-clipping gradient norm must follow PyTorch's.
 */
import { describe, expect, it } from 'vitest';
import { F, nn, optim, tensor, type Tensor } from '../../src/index.js';
import { expectClose, fixture, fromFixture, type FixtureTensor } from '../helpers.js';
import { TRAJECTORY } from '../tolerances.js';

interface Trajectory {
  config: { hidden: number; layers: number; seq: number; batch: number; steps: number; lr: number; clip: number; adam_betas: [number, number]; adam_eps: number };
  text: string;
  vocab: string;
  starts: FixtureTensor;
  init_params: Record<string, FixtureTensor>;
  losses: number[];
  grad_norms: number[];
}

describe('char-LSTM training trajectory equals PyTorch', () => {
  it('matches every step of the 25-step run', () => {
    const f = fixture<Trajectory>('char_lstm_trajectory');
    const c = f.config;
    const V = f.vocab.length;
    class CharModel extends nn.Module {
      embedding = new nn.Embedding({ numEmbeddings: V, embeddingDim: c.hidden });
      lstm = new nn.LSTM({ inputSize: c.hidden, hiddenSize: c.hidden, numLayers: c.layers, batchFirst: true });
      head = new nn.Linear({ inFeatures: c.hidden, outFeatures: V });
      forward(ids: Tensor): Tensor {
        return this.head.forward(this.lstm.forward(this.embedding.forward(ids)).output);
      }
    }
    const model = new CharModel();
    model.loadStateDict(Object.fromEntries(Object.entries(f.init_params).map(([k, v]) => [k, fromFixture(v)])));
    const optimizer = new optim.Adam(model.parameters(), { lr: c.lr, betas: c.adam_betas, eps: c.adam_eps });
    const ids = Array.from(f.text, (ch) => f.vocab.indexOf(ch));
    const losses: number[] = [];
    const norms: number[] = [];
    for (let step = 0; step < c.steps; step++) {
      const starts = f.starts.data.slice(step * c.batch, (step + 1) * c.batch);
      const x = tensor(starts.map((s) => ids.slice(s, s + c.seq)));
      const y = starts.flatMap((s) => ids.slice(s + 1, s + c.seq + 1));
      optimizer.zeroGrad();
      const loss = F.crossEntropy(model.forward(x).reshape(-1, V), y);
      loss.backward();
      norms.push(optim.clipGradNorm(model.parameters(), c.clip));
      optimizer.step();
      losses.push(loss.item());
    }
    expect(losses.length).toBe(f.losses.length);
    expectClose(losses, f.losses, TRAJECTORY, 'losses');
    expectClose(norms, f.grad_norms, TRAJECTORY, 'grad norms');
  });
});
