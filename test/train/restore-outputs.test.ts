/**
 * After every restore the model's outputs, not only its weight bytes, are those of the saved
 * point: a restore that wrote the weights without marking them modified would leave the WASM
 * backend multiplying with panels packed from the weights it replaced. Each test runs a forward
 * right before the restore, so that any stale pack is current for the weights being replaced.
 */
import { describe, expect, it } from 'vitest';
import { earlyStopping, encodeCheckpoint, F, Generator, nn, noGrad, optim, randn, restoreCheckpoint, type Tensor } from '../../src/index.js';

/** An LSTM and a Linear head as one module. */
class Model extends nn.Module {
  readonly lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 8, seed: 1 });
  readonly head = new nn.Linear({ inFeatures: 8, outFeatures: 2, seed: 2 });
  forward(x: Tensor): Tensor {
    return this.head.forward(this.lstm.forward(x).output);
  }
}

const g = new Generator(3);
const x = randn([5, 4, 3], { generator: g });
const y = randn([5, 4, 2], { generator: g });
const outputs = (model: Model) => Array.from(noGrad(() => model.forward(x)).data);

/** Three Adam steps, then a forward (which packs the trained weights). */
function trainFurther(model: Model, optimizer: optim.Adam): void {
  for (let i = 0; i < 3; i++) {
    optimizer.zeroGrad();
    F.mseLoss(model.forward(x), y).backward();
    optimizer.step();
  }
  outputs(model);
}

describe('restores give the saved outputs', () => {
  it('restoreCheckpoint', () => {
    const model = new Model();
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.1 });
    const saved = outputs(model);
    const bytes = encodeCheckpoint({ model, optimizer, step: 0 });
    trainFurther(model, optimizer);
    expect(outputs(model)).not.toEqual(saved);
    restoreCheckpoint(bytes, { model, optimizer });
    expect(outputs(model)).toEqual(saved);
  });

  it('a failed restoreCheckpoint rolls back to the outputs before it', () => {
    const model = new Model();
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.1 });
    const bytes = encodeCheckpoint({ model });
    trainFurther(model, optimizer);
    const before = outputs(model);
    // The model loads, then the missing optimizer state fails the restore: the model rolls back.
    expect(() => restoreCheckpoint(bytes, { model, optimizer })).toThrow(/no optimizer state/);
    expect(outputs(model)).toEqual(before);
  });

  it('earlyStopping with restoreBestWeights', () => {
    const model = new Model();
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.1 });
    const stopper = earlyStopping({ monitor: 'valLoss', patience: 1, restoreBestWeights: true });
    const context = { model, optimizer, epochs: 2, stepsPerEpoch: 1, generator: new Generator(0), logKeys: ['loss', 'valLoss'], history: {}, log: () => {}, epoch: 0, step: 0, stopTraining: false };
    stopper.onTrainBegin(context as unknown as Parameters<typeof stopper.onTrainBegin>[0]);
    const best = outputs(model);
    stopper.onEpochEnd(0, { loss: 1, valLoss: 1 }, context as never);
    trainFurther(model, optimizer);
    stopper.onEpochEnd(1, { loss: 1, valLoss: 2 }, context as never);
    expect(context.stopTraining).toBe(true);
    stopper.onTrainEnd(context as never);
    expect(outputs(model)).toEqual(best);
  });

  it('loadStateDict', () => {
    const model = new Model();
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.1 });
    const state = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.clone()]));
    const saved = outputs(model);
    trainFurther(model, optimizer);
    model.loadStateDict(state);
    expect(outputs(model)).toEqual(saved);
  });
});
