/**
 * Packed weights, kept in the WASM heap from one use to the next.
 *
 * x · Wᵀ (every layer's forward) reads W (n, k) as the (k, n) matrix Wᵀ in 8-column panels
 * (see gemm.ts). Packing costs about as much as one batch-1 product, so a weight is packed once
 * per version of its storage: the cache is keyed by W's ArrayBuffer (and W's place in it) and
 * a pack is rebuilt when the storage's version counter (../storage.ts), which every view of
 * that storage shares and every library write bumps, has moved. The packs of a storage are
 * freed when the storage is collected.
 *
 * Only a storage used before is kept packed: the first use packs into a block of that call,
 * freed when the call ends. A weight made anew for every call (w = g · v / |v|, a new model per
 * trial) is then never kept: its pack would stay in the heap until the garbage collector runs
 * the finalizer, which a synchronous loop never lets it do, and the heap would grow by one
 * pack per call up to its 4 GiB limit.
 */
import { storageVersion } from '../storage.js';
import type { WasmKernels } from './module.js';

interface Pack {
  readonly byteOffset: number;
  readonly n: number;
  readonly k: number;
  readonly at: number;
  version: number;
}

const packs = new WeakMap<ArrayBufferLike, Pack[]>();
/** Storages a pack was asked for once: the second ask keeps one. */
const seen = new WeakSet<ArrayBufferLike>();
let registry: FinalizationRegistry<{ w: WasmKernels; list: Pack[] }> | null | undefined;

/**
 * Frees a collected storage's packs. A registry callback must not throw (the error would reach
 * no caller and can end the process), so a block the heap does not know is passed over.
 */
// Stryker disable all: runs only when a storage is collected, which no test can bring about
function freePacks({ w, list }: { w: WasmKernels; list: Pack[] }): void {
  for (const pack of list) if (w.heap.owns(pack.at)) w.heap.free(pack.at);
}
// Stryker restore all

/** Bytes of W (n, k) packed: whole panels of 8 columns, k rows each. */
export function packedBytes(n: number, k: number): number {
  return Math.ceil(n / 8) * 8 * k * 4;
}

/** Copies W (n, k) into the heap and packs it as Wᵀ panels into the block at `at`. */
function packInto(w: WasmKernels, weight: Float32Array, n: number, k: number, at: number): void {
  w.heap.withBlocks([n * k * 4], ([raw]) => {
    w.heap.f32.set(weight.subarray(0, n * k), raw! >>> 2);
    w.exports.packTransposed(n, k, raw!, at);
  });
}

/**
 * The heap address of W (n, k) packed as Wᵀ panels, current for W's storage version. On the
 * first use of W's storage the pack goes to a new block that is pushed onto `callBlocks`, for
 * the caller to free when its call ends; from the second use on the block stays until the
 * storage is collected.
 */
export function packedTransposed(w: WasmKernels, weight: Float32Array, n: number, k: number, callBlocks: number[]): number {
  if (!seen.has(weight.buffer)) {
    const at = w.heap.alloc(packedBytes(n, k));
    callBlocks.push(at);
    packInto(w, weight, n, k, at);
    seen.add(weight.buffer);
    return at;
  }
  const version = storageVersion(weight);
  let list = packs.get(weight.buffer);
  if (list === undefined) {
    // Stryker disable next-line ArrayDeclaration: a list seeded with anything else holds no pack, so nothing differs
    list = [];
    packs.set(weight.buffer, list);
    // Freeing runs only when a storage is collected, which no test can bring about (no GC is exposed to them).
    // Stryker disable next-line all
    registry ??= typeof FinalizationRegistry === 'function' ? new FinalizationRegistry(freePacks) : null;
    // Stryker disable next-line all
    registry?.register(weight.buffer, { w, list });
  }
  let pack = list.find((p) => p.byteOffset === weight.byteOffset && p.n === n && p.k === k);
  // Stryker disable next-line ConditionalExpression: repacking every time gives the same products, only slower
  if (pack !== undefined && pack.version === version) return pack.at;
  if (pack === undefined) {
    // Stryker disable next-line UnaryOperator: -1 matters only when the first packing fails for memory after this block was taken, which no test can bring about
    pack = { byteOffset: weight.byteOffset, n, k, at: w.heap.alloc(packedBytes(n, k)), version: -1 };
    list.push(pack);
  }
  packInto(w, weight, n, k, pack.at);
  pack.version = version; // only once the pack holds this version (the copy-in may fail)
  return pack.at;
}
