/** Exporting a model and comparing ONNX Runtime's outputs with the library's own forward. */
import { expect } from 'vitest';
import { noGrad, Tensor } from '../../src/index.js';
import { exportOnnx, type ExportableModule } from '../../src/onnx/index.js';
import { ort, type OrtTensor } from '../engines.js';
import { expectClose } from '../helpers.js';
import { LAYER } from '../tolerances.js';
import { flatten } from './outputs.js';

/** [batch, steps] pairs the exported graphs run at; the examples use [3, 5]. */
export const SIZES = [
  [1, 7],
  [4, 2],
] as const;

function feed(x: Tensor, ids: boolean): OrtTensor {
  return ids ? new ort!.Tensor('int64', BigInt64Array.from(x.data, (v) => BigInt(v)), x.shape) : new ort!.Tensor('float32', x.data, x.shape);
}

/** Exports `model` on `example`, then runs ONNX Runtime on `inputs` and compares every output with the library's. */
export async function expectSameInOrt(model: ExportableModule, example: Tensor[], cases: Tensor[][], ids: boolean[] = example.map(() => false)): Promise<void> {
  const session = await ort!.InferenceSession.create(exportOnnx(model, example));
  model.eval();
  for (const inputs of cases) {
    const expected = flatten(noGrad(() => (model.forward as (...xs: Tensor[]) => unknown).apply(model, inputs)));
    const feeds = Object.fromEntries(session.inputNames.map((name, i) => [name, feed(inputs[i], ids[i])]));
    const actual = await session.run(feeds);
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, t] of Object.entries(expected)) {
      expect(actual[name].dims, name).toEqual(t.shape);
      expectClose(actual[name].data as Float32Array, t, LAYER, `${name} at input ${inputs[0].shape}`);
    }
  }
}
