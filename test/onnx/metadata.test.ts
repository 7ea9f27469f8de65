/**
 * What ONNX Runtime reads of an exported model's inputs and outputs: names, element types, and
 * dims (the dynamic ones by the names exportOnnx gives them, the inputs' feature dims as numbers).
 */
import { expect, it } from 'vitest';
import { nn, randint, randn, type Tensor } from '../../src/index.js';
import { exportOnnx } from '../../src/onnx/index.js';
import { engineSuite, ort, ortSkipReason, type OrtValueMetadata } from '../engines.js';

/** An embedding, an LSTM with its initial states as inputs, and a head. */
class Tagger extends nn.Module {
  readonly embed = new nn.Embedding({ numEmbeddings: 7, embeddingDim: 4, seed: 1 });
  readonly lstm = new nn.LSTM({ inputSize: 4, hiddenSize: 5, batchFirst: true, seed: 2 });
  readonly head = new nn.Linear({ inFeatures: 5, outFeatures: 3, seed: 3 });
  forward(ids: Tensor, h0: Tensor, c0: Tensor): Tensor {
    return this.head.forward(this.lstm.forward(this.embed.forward(ids), { h0, c0 }).output);
  }
}

engineSuite('exported input and output metadata in ONNX Runtime', ortSkipReason, () => {
  it('names every dynamic dim and gives the feature dims as numbers', async () => {
    const example = [randint(0, 7, [2, 6]), randn([1, 2, 5]), randn([1, 2, 5])];
    const session = await ort!.InferenceSession.create(exportOnnx(new Tagger(), example, { inputNames: ['ids', 'h0', 'c0'], outputName: 'logits' }));
    const meta = (list: readonly OrtValueMetadata[]) => list.map(({ name, type, shape }) => ({ name, type, shape: [...(shape ?? [])] }));
    expect(meta(session.inputMetadata)).toEqual([
      { name: 'ids', type: 'int64', shape: ['ids_dim0', 'ids_dim1'] },
      { name: 'h0', type: 'float32', shape: ['h0_dim0', 'h0_dim1', 5] },
      { name: 'c0', type: 'float32', shape: ['c0_dim0', 'c0_dim1', 5] },
    ]);
    // The output's dims are all declared dynamic; ONNX Runtime's shape inference fixes the last.
    expect(meta(session.outputMetadata)).toEqual([{ name: 'logits', type: 'float32', shape: ['logits_dim0', 'logits_dim1', 3] }]);
  });
});
