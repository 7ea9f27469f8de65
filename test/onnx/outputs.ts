/** The outputs of a forward, named as exportOnnx names them in the ONNX graph. */
import { Tensor } from '../../src/index.js';

/** Every tensor of a forward's result, by the output names exportOnnx gives them. */
export function flatten(result: unknown, prefix = ''): Record<string, Tensor> {
  if (result instanceof Tensor) return { [prefix || 'output']: result };
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(result as object)) Object.assign(out, flatten(v, prefix ? `${prefix}.${k}` : k));
  return out;
}
