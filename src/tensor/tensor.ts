/**
 * Tensor: a contiguous row-major Float32Array plus its shape, and the autograd fields.
 *
 *   element (i0, ..., in) lives at data[i0*s0 + ... + in*sn], with s = stridesOf(shape)
 *
 * The methods are thin, PyTorch-named delegates to the differentiable functions in
 * src/autograd (each of which keeps its forward and backward side by side). That one
 * import runs "upwards" on purpose and only at call time, so `x.matmul(w).add(b).tanh()`
 * reads as it does in PyTorch.
 */
import * as ag from '../autograd/ops.js';
import { markStorageModified, storageVersion } from '../kernels/storage.js';
import { RecurrentError, fmt, show } from './errors.js';
import { formatTensor } from './format.js';
import { MAX_EMPTY_PIECES, MAX_NESTING, checkShape, numel, sizesArg, stridesOf } from './shape.js';
import { isBranded } from './brand.js';

/** How a non-leaf tensor was computed: the op's name, its inputs and its backward. */
export interface GradFn {
  /** Name of the op that produced the tensor, used in error messages and anomaly reports. */
  readonly name: string;
  /** The op's inputs, in order; `backward` returns one gradient per input. */
  readonly inputs: readonly Tensor[];
  /**
   * Maps d loss / d output to d loss / d input for every input (null where an input needs no
   * gradient). Set to null when the graph is freed after backward.
   */
  backward: ((grad: Float32Array) => (Float32Array | null)[]) | null;
}

/** Options of {@link Tensor.backward}. */
export interface BackwardOptions {
  /** Keep the graph so that backward can run through it again (as PyTorch's retain_graph). */
  retainGraph?: boolean;
}

/** A nested array of numbers, as accepted by {@link tensor} and returned by {@link Tensor.toArray}. */
export type NestedArray = number | NestedArray[];

/**
 * Writes `values` into `target`'s data in place and marks its storage modified: the one way the
 * library overwrites a tensor it does not own the computation of (loadStateDict, checkpoint
 * rollbacks, early-stopping restores), so no such write can leave a cache of the old values.
 */
export function overwrite(target: Tensor, values: ArrayLike<number>): void {
  target.data.set(values);
  target.markModified();
}

/** An n-dimensional array of float32 numbers that can record the operations applied to it. */
export class Tensor {
  /**
   * True only for objects this class's constructor built: a forged object whose prototype is
   * Tensor's (`Object.create(Tensor.prototype)`) is not one, so no check of the library can be
   * passed by an object without the fields the library then reads.
   * (See isBranded for the one exception.)
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(this, value, (v) => #brand in v);
  }
  readonly #brand = true;
  readonly #data: Float32Array;
  /**
   * The elements, contiguous and row-major. Throws a RecurrentError when the ArrayBuffer under
   * them no longer holds exactly the shape's elements: it was transferred (`postMessage`,
   * `structuredClone` with `transfer`, `ArrayBuffer.prototype.transfer`), which leaves no
   * elements, or it is resizable and was resized. Every read of a tensor's values goes through
   * here, so neither backend can compute on storage that lost its elements (the JS kernels would
   * read NaN, a sum 0).
   */
  get data(): Float32Array {
    const data = this.#data;
    if (data.length !== this.#numel) {
      throw new RecurrentError(
        'Tensor',
        `data holds ${data.length} elements but shape ${fmt(this.shape)} needs ${this.#numel}: its ArrayBuffer was transferred or resized after the tensor was made`,
        'state',
      );
    }
    return data;
  }
  readonly #numel: number;
  /** The size of every dimension; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** True when gradients flow to this tensor. */
  requiresGrad = false;
  /** The accumulated gradient of a leaf after backward, or null. */
  grad: Tensor | null = null;
  /** How this tensor was computed, or null for a leaf. */
  gradFn: GradFn | null = null;

  /** Wraps existing storage; `data.length` must equal the shape's element count. */
  constructor(data: Float32Array, shape: readonly number[]) {
    if (!(data instanceof Float32Array)) throw new RecurrentError('Tensor', `data must be a Float32Array, got ${show(data)}`);
    checkShape('Tensor', shape);
    if (data.length !== numel(shape)) {
      throw new RecurrentError('Tensor', `data has ${data.length} elements but shape ${fmt(shape)} needs ${numel(shape)}`, 'shape');
    }
    this.#data = data;
    this.#numel = data.length;
    this.shape = shape;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  numel(): number {
    return this.data.length;
  }

  /** The shape, or the size of one dimension (negative dims count from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    if (typeof dim !== 'number') throw new RecurrentError('size', `dim must be an integer, got ${show(dim)}`);
    const d = dim < 0 ? dim + this.shape.length : dim;
    if (!Number.isInteger(d) || d < 0 || d >= this.shape.length) {
      throw new RecurrentError('size', `dim ${dim} is out of range for shape ${fmt(this.shape)}`);
    }
    return this.shape[d]!;
  }

  /**
   * Counts in-place changes of the storage under `data` (PyTorch's `_version`): one counter per
   * ArrayBuffer, shared by every view of it (`detach()`, `reshape()`, a Tensor over the same or
   * a `subarray` of the same data). The library bumps it whenever it writes a tensor in place
   * (optimizer steps, loadStateDict, init, checkpoint and early-stopping restores, gradcheck,
   * a gradient accumulated by backward, clipped, or zeroed by zeroGrad(false)),
   * and caches derived from the data, such as the WASM backend's packed weights, are rebuilt
   * when it changes. After writing `data` yourself, call {@link Tensor.markModified}.
   */
  get version(): number {
    return storageVersion(this.data);
  }

  /**
   * Declares that `data` was changed in place, so caches derived from it or from any view of
   * its storage (the packed weights of the WASM backend) are rebuilt before their next use.
   * Returns the tensor.
   */
  markModified(): this {
    markStorageModified(this.data);
    return this;
  }

  /** True for a tensor created by the user rather than computed by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Sets requiresGrad on a leaf in place (as PyTorch's requires_grad_) and returns it. */
  requiresGrad_(flag = true): this {
    if (this.gradFn !== null && !flag) {
      throw new RecurrentError('requiresGrad_', 'only a leaf can stop requiring grad; use detach()', 'state');
    }
    this.requiresGrad = flag;
    return this;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) throw new RecurrentError('item', `needs a one-element tensor, got shape ${fmt(this.shape)}`, 'shape');
    return this.data[0]!;
  }

  /** The values as nested arrays (a number for a scalar). */
  toArray(): NestedArray {
    if (this.shape.length > MAX_NESTING) throw new RecurrentError('toArray', `a tensor of ${this.shape.length} dims is deeper than nested arrays may be (${MAX_NESTING})`, 'shape');
    if (this.data.length === 0) {
      // the arrays of an empty tensor: 1 + d0 + d0·d1 + ... (no data bounds them: MAX_EMPTY_PIECES)
      let arrays = 1;
      for (let d = 0, level = 1; d < this.shape.length - 1 && level > 0; d++) {
        level *= this.shape[d]!;
        arrays += level;
        if (arrays > MAX_EMPTY_PIECES) throw new RecurrentError('toArray', `${fmt(this.shape)} would nest ${arrays} arrays, more than ${MAX_EMPTY_PIECES}, the most an empty tensor gives`, 'shape');
      }
    }
    const strides = stridesOf(this.shape);
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset]!;
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]!; i++) out.push(build(dim + 1, offset + i * strides[dim]!));
      return out;
    };
    return build(0, 0);
  }

  /** A new tensor sharing this one's storage, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A copy with its own storage, recorded in the graph (gradient passes through unchanged). */
  clone(): Tensor {
    return ag.clone(this);
  }

  /** Clears the accumulated gradient. */
  zeroGrad(): void {
    this.grad = null;
  }

  /**
   * Backpropagates from this tensor: accumulates d this / d leaf into every leaf's `.grad`.
   * `grad` defaults to 1 for a one-element tensor and is required otherwise.
   */
  backward(grad?: Tensor, options: BackwardOptions = {}): void {
    ag.backward(this, grad, options);
  }

  /** Elementwise sum, broadcasting. */
  add(other: Tensor | number): Tensor {
    return ag.add(this, other);
  }
  /** Elementwise difference, broadcasting. */
  sub(other: Tensor | number): Tensor {
    return ag.sub(this, other);
  }
  /** Elementwise product, broadcasting. */
  mul(other: Tensor | number): Tensor {
    return ag.mul(this, other);
  }
  /** Elementwise quotient, broadcasting. */
  div(other: Tensor | number): Tensor {
    return ag.div(this, other);
  }
  /** Elementwise power, broadcasting. */
  pow(exponent: Tensor | number): Tensor {
    return ag.pow(this, exponent);
  }
  /** -x */
  neg(): Tensor {
    return ag.neg(this);
  }
  /** e^x */
  exp(): Tensor {
    return ag.exp(this);
  }
  /** ln x */
  log(): Tensor {
    return ag.log(this);
  }
  /** sqrt x */
  sqrt(): Tensor {
    return ag.sqrt(this);
  }
  /** |x| */
  abs(): Tensor {
    return ag.abs(this);
  }
  /** tanh x */
  tanh(): Tensor {
    return ag.tanh(this);
  }
  /** 1 / (1 + e^-x) */
  sigmoid(): Tensor {
    return ag.sigmoid(this);
  }
  /** max(x, 0) */
  relu(): Tensor {
    return ag.relu(this);
  }
  /** min(max(x, min), max) */
  clamp(min?: number, max?: number): Tensor {
    return ag.clamp(this, min, max);
  }
  /** Matrix product (2-D, batched, or with vectors), as torch.matmul. */
  matmul(other: Tensor): Tensor {
    return ag.matmul(this, other);
  }
  /** Sum over all elements, or over `dim`. */
  sum(dim?: number | number[], keepdim = false): Tensor {
    return ag.sum(this, dim, keepdim);
  }
  /** Mean over all elements, or over `dim`. */
  mean(dim?: number | number[], keepdim = false): Tensor {
    return ag.mean(this, dim, keepdim);
  }
  /** Maximum over all elements, or over `dim` (tied maxima: see `max` in autograd/reduce.ts). */
  max(dim?: number | number[], keepdim = false): Tensor {
    return ag.max(this, dim, keepdim);
  }
  /** Minimum over all elements, or over `dim` (tied minima: see `max` in autograd/reduce.ts). */
  min(dim?: number | number[], keepdim = false): Tensor {
    return ag.min(this, dim, keepdim);
  }
  /** Index of the maximum along `dim` (not differentiable). */
  argmax(dim: number, keepdim = false): Tensor {
    return ag.argmax(this, dim, keepdim);
  }
  /** Softmax along `dim`. */
  softmax(dim: number): Tensor {
    return ag.softmax(this, dim);
  }
  /** Log-softmax along `dim`. */
  logSoftmax(dim: number): Tensor {
    return ag.logSoftmax(this, dim);
  }
  /** log(sum(exp(x))) along `dim`, computed stably. */
  logsumexp(dim: number | number[], keepdim = false): Tensor {
    return ag.logsumexp(this, dim, keepdim);
  }
  /** Same data, new shape (one size may be -1). */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return ag.reshape(this, sizesArg(shape));
  }
  /** Alias of {@link Tensor.reshape}: tensors here are always contiguous. */
  view(...shape: number[] | [readonly number[]]): Tensor {
    return ag.reshape(this, sizesArg(shape));
  }
  /** Broadcasts to a larger shape. */
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return ag.expand(this, sizesArg(shape));
  }
  /** Swaps two dimensions. */
  transpose(dim0: number, dim1: number): Tensor {
    return ag.transpose(this, dim0, dim1);
  }
  /** Transpose of a 2-D tensor. */
  t(): Tensor {
    return ag.transpose(this, 0, 1);
  }
  /** Reorders the dimensions. */
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return ag.permute(this, sizesArg(dims));
  }
  /** Removes size-1 dimensions (all, or just `dim`). */
  squeeze(dim?: number): Tensor {
    return ag.squeeze(this, dim);
  }
  /** Inserts a size-1 dimension at `dim`. */
  unsqueeze(dim: number): Tensor {
    return ag.unsqueeze(this, dim);
  }
  /** `length` entries of `dim` starting at `start`. */
  narrow(dim: number, start: number, length: number): Tensor {
    return ag.narrow(this, dim, start, length);
  }
  /** Entries [start, end) of `dim`, as Python's slice (negative indices count from the end). */
  slice(dim: number, start?: number, end?: number): Tensor {
    return ag.slice(this, dim, start, end);
  }
  /** Index `index` of `dim`, removing that dimension. */
  select(dim: number, index: number): Tensor {
    return ag.select(this, dim, index);
  }
  /** Splits `dim` into pieces of `size` (or of the given sizes). */
  split(sizes: number | number[], dim = 0): Tensor[] {
    return ag.split(this, sizes, dim);
  }
  /** Splits `dim` into `chunks` nearly equal pieces. */
  chunk(chunks: number, dim = 0): Tensor[] {
    return ag.chunk(this, chunks, dim);
  }
  /** Rows (entries of `dim`) picked by integer indices. */
  indexSelect(dim: number, index: ArrayLike<number> | Tensor): Tensor {
    return ag.indexSelect(this, dim, index);
  }
  /** out[i][j] = x[i][index[i][j]] along `dim` (as torch.gather). */
  gather(dim: number, index: Tensor): Tensor {
    return ag.gather(this, dim, index);
  }
  /** Entries where `mask` is non-zero replaced by `value`. */
  maskedFill(mask: Tensor, value: number): Tensor {
    return ag.maskedFill(this, mask, value);
  }

  /** The values as PyTorch prints them (nested rows, long dims summarised), then the grad state. */
  toString(): string {
    const grad = this.gradFn ? `, gradFn=${this.gradFn.name}` : this.requiresGrad ? ', requiresGrad=true' : '';
    return formatTensor(this.data, this.shape, grad);
  }

  /** What `console.log(tensor)` prints in Node: {@link Tensor.toString}. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
