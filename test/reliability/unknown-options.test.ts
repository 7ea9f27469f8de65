/**
 * Every options object is checked the same way: a misspelled or PyTorch-style option name is
 * refused with a RecurrentError that suggests the right name, by layers, cells, forward calls,
 * losses, clipGradNorm and the rest, as optimizers, fit and summary already did.
 */
import { describe, expect, it } from 'vitest';
import * as R from '../../src/index.js';
import { F, nn, optim } from '../../src/index.js';
import { expectRecurrentError } from '../helpers.js';

const suggests = (fn: () => unknown, key: string, suggestion: string) => expectRecurrentError(fn, `unknown option '${key}' (did you mean '${suggestion}'?`);

describe('unknown options are refused with a suggestion', () => {
  const x = R.randn([3, 2, 4], { generator: new R.Generator(1) });
  const base = { inputSize: 4, hiddenSize: 3 };

  it('by layer and cell constructors', () => {
    suggests(() => new nn.LSTM({ ...base, batch_first: true } as never), 'batch_first', 'batchFirst');
    suggests(() => new nn.GRU({ ...base, numLayer: 2 } as never), 'numLayer', 'numLayers');
    suggests(() => new nn.RNN({ ...base, nonLinearity: 'relu' } as never), 'nonLinearity', 'nonlinearity');
    suggests(() => new nn.LSTMCell({ ...base, bais: false } as never), 'bais', 'bias');
    suggests(() => new nn.RNNCell({ ...base, nonLinearity: 'relu' } as never), 'nonLinearity', 'nonlinearity');
    suggests(() => new nn.Linear({ inFeatures: 2, outFeatures: 2, bais: false } as never), 'bais', 'bias');
    suggests(() => new nn.Embedding({ numEmbeddings: 5, embeddingDim: 2, padding_idx: 0 } as never), 'padding_idx', 'paddingIdx');
    suggests(() => new nn.Dropout({ P: 0.5 } as never), 'P', 'p');
  });

  it('by forward calls', () => {
    suggests(() => new nn.GRU(base).forward(x, { hx: R.zeros([1, 2, 3]) } as never), 'hx', 'h0');
    suggests(() => new nn.LSTM(base).forward(x, { c_0: R.zeros([1, 2, 3]) } as never), 'c_0', 'c0');
    suggests(() => new nn.RNN(base).forward(x, { c0: R.zeros([1, 2, 3]) } as never), 'c0', 'h0');
  });

  it('by losses, clipGradNorm, backward and loadStateDict', () => {
    const input = R.randn([2, 3]);
    suggests(() => F.mseLoss(input, input, { reductoin: 'sum' } as never), 'reductoin', 'reduction');
    suggests(() => F.crossEntropy(input, [0, 1], { label_smoothing: 0.1 } as never), 'label_smoothing', 'labelSmoothing');
    suggests(() => F.nllLoss(input, [0, 1], { ignore_index: 0 } as never), 'ignore_index', 'ignoreIndex');
    suggests(() => F.binaryCrossEntropyWithLogits(input, input, { pos_weight: input } as never), 'pos_weight', 'posWeight');
    const p = R.ones([2], { requiresGrad: true });
    R.sum(p).backward();
    const grad = Array.from(p.grad!.data);
    suggests(() => optim.clipGradNorm([p], 0.1, 2, { errorIfNonFinite: true } as never), 'errorIfNonFinite', 'errorIfNonfinite');
    expect(Array.from(p.grad!.data)).toEqual(grad);
    suggests(() => R.sum(R.mul(p, 2)).backward(undefined, { retain_graph: true } as never), 'retain_graph', 'retainGraph');
    suggests(() => new nn.Linear({ inFeatures: 1, outFeatures: 1 }).loadStateDict({}, { Strict: false } as never), 'Strict', 'strict');
  });

  it('optimizers, fit and summary word it the same way', () => {
    suggests(() => new optim.Adam([R.ones([1], { requiresGrad: true })], { weight_decay: 0.1 } as never), 'weight_decay', 'weightDecay');
  });
});
