/**
 * The affine map of a Linear layer, fused into one op so no transpose is ever copied:
 *
 *   y = x W^T + b          x (N, in), W (out, in), b (out), y (N, out)
 *   dL/dx = dL/dy W        dL/dW = dL/dy^T x        dL/db = sum over rows of dL/dy
 *
 * Leading dims of x are flattened into N and restored, so it applies to the last dim of any rank.
 */
import { backend } from '../kernels/backend.js';
import { RecurrentError, fmt } from '../tensor/errors.js';
import { numel } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { record } from './graph.js';

/** y = x W^T + b over the last dim of x (as torch.nn.functional.linear). */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (!(x instanceof Tensor) || !(weight instanceof Tensor)) throw new RecurrentError('linear', 'input and weight must be Tensors');
  if (weight.shape.length !== 2) throw new RecurrentError('linear', `weight must be 2-D (out, in), got ${fmt(weight.shape)}`, 'shape');
  const [outF, inF] = weight.shape;
  if (x.shape.length === 0 || x.shape[x.shape.length - 1] !== inF) {
    throw new RecurrentError('linear', `input's last dim must be ${inF}, got input ${fmt(x.shape)} with weight ${fmt(weight.shape)}`, 'shape');
  }
  if (bias !== null && (!(bias instanceof Tensor) || bias.shape.length !== 1 || bias.shape[0] !== outF)) {
    throw new RecurrentError('linear', `bias must have shape [${outF}], got ${bias instanceof Tensor ? fmt(bias.shape) : typeof bias}`, 'shape');
  }
  // rows: the leading dims' product (not x.data.length / inF, which is 0/0 when inF = 0)
  const n = numel(x.shape.slice(0, -1));
  const shape = [...x.shape.slice(0, -1), outF];
  const xd = x.data;
  const wd = weight.data;
  const y = new Float32Array(n * outF);
  const { linear: affine, matmulNN, matmulTN, addColumnSums } = backend();
  affine(n, inF, outF, xd, wd, bias === null ? null : bias.data, y);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return record('linear', y, shape, inputs, (g) => {
    let gx: Float32Array | null = null;
    let gw: Float32Array | null = null;
    let gb: Float32Array | null = null;
    if (x.requiresGrad) {
      gx = new Float32Array(xd.length);
      matmulNN(n, outF, inF, g, 0, wd, 0, gx, 0, false);
    }
    if (weight.requiresGrad) {
      gw = new Float32Array(wd.length);
      matmulTN(outF, n, inF, g, 0, xd, 0, gw, 0, false);
    }
    if (bias !== null && bias.requiresGrad) {
      gb = new Float32Array(outF);
      addColumnSums(n, outF, g, gb);
    }
    return [gx, gw, gb];
  });
}
