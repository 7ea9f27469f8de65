/**
 * Matrix product with torch.matmul semantics: 2-D, batched with broadcast batch dims, and
 * vectors (a 1-D left operand is a row, a 1-D right operand a column, removed afterwards).
 *
 *   C = A · B        dL/dA = dL/dC · B^T        dL/dB = A^T · dL/dC
 *
 * For broadcast batch dims the same A (or B) block serves several C blocks, so its gradient
 * is the sum over them: the kernels accumulate into one block.
 */
import { backend } from '../kernels/backend.js';
import { RecurrentError, fmt } from '../tensor/errors.js';
import { broadcastShapes, broadcastStrides, checkShape, numel, offsetMap } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { record } from './graph.js';
import { reshape } from './shape-ops.js';

/** Matrix product of two tensors (see the module comment for the accepted shapes). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new RecurrentError('matmul', 'both operands must be Tensors');
  if (a.shape.length === 0 || b.shape.length === 0) {
    throw new RecurrentError('matmul', `both operands need at least one dimension, got ${fmt(a.shape)} @ ${fmt(b.shape)}`, 'shape');
  }
  const a2 = a.shape.length === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.shape.length === 1 ? reshape(b, [b.shape[0], 1]) : b;
  const c = batchedMatmul(a2, b2, a.shape, b.shape);
  if (a.shape.length > 1 && b.shape.length > 1) return c;
  const shape = [...c.shape];
  // c is [...batch, m, n]: a vector on the left is its m = 1 row, on the right its n = 1 column.
  if (a.shape.length === 1) shape.splice(shape.length - 2, 1);
  if (b.shape.length === 1) shape.splice(shape.length - 1, 1);
  return reshape(c, shape);
}

function batchedMatmul(a: Tensor, b: Tensor, shownA: readonly number[], shownB: readonly number[]): Tensor {
  const m = a.shape[a.shape.length - 2];
  const k = a.shape[a.shape.length - 1];
  const kb = b.shape[b.shape.length - 2];
  const n = b.shape[b.shape.length - 1];
  if (k !== kb) throw new RecurrentError('matmul', `inner sizes differ, ${fmt(shownA)} @ ${fmt(shownB)}`, 'shape');
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes('matmul', batchA, batchB);
  const shape = [...batch, m, n];
  checkShape('matmul', shape, 'output shape');
  const batches = numel(batch);
  // Block offsets of A and B for every output batch (stride 0 along broadcast batch dims).
  const offA = offsetMap(batch, broadcastStrides(batchA, batch).map((s) => s * m * k));
  const offB = offsetMap(batch, broadcastStrides(batchB, batch).map((s) => s * k * n));
  const ad = a.data;
  const bd = b.data;
  const c = new Float32Array(batches * m * n);
  const { matmulNN, matmulNT, matmulTN } = backend();
  for (let t = 0; t < batches; t++) matmulNN(m, k, n, ad, offA[t], bd, offB[t], c, t * m * n, false);
  return record('matmul', c, shape, [a, b], (g) => {
    let ga: Float32Array | null = null;
    let gb: Float32Array | null = null;
    if (a.requiresGrad) {
      ga = new Float32Array(ad.length);
      for (let t = 0; t < batches; t++) matmulNT(m, n, k, g, t * m * n, bd, offB[t], ga, offA[t], true);
    }
    if (b.requiresGrad) {
      gb = new Float32Array(bd.length);
      for (let t = 0; t < batches; t++) matmulTN(k, m, n, ad, offA[t], g, t * m * n, gb, offB[t], true);
    }
    return [ga, gb];
  });
}
