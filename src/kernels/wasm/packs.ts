/**
 * Packed weights, kept in the WASM heap from one use to the next.
 *
 * x · Wᵀ (every layer's forward) reads W (n, k) as the (k, n) matrix Wᵀ in 8-column panels
 * (see gemm.ts). Packing costs about as much as one batch-1 product, so a weight is packed once
 * per version: the cache is keyed by the weight object and rebuilt when its version counter
 * (bumped by every in-place write) has moved. A pack is freed when its weight is collected.
 */
import type { WasmKernels } from './module.js';

interface Pack {
  version: number;
  data: Float32Array;
  at: number;
}

const packs = new WeakMap<object, Pack>();
let registry: FinalizationRegistry<number> | null | undefined;

function onCollect(w: WasmKernels, key: object, at: number): void {
  if (registry === undefined) {
    registry = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry((block) => w.heap.free(block)) : null;
  }
  registry?.register(key, at);
}

/** Bytes of W (n, k) packed: whole panels of 8 columns, k rows each. */
export function packedBytes(n: number, k: number): number {
  return Math.ceil(n / 8) * 8 * k * 4;
}

/**
 * The heap address of W (n, k) packed as Wᵀ panels, for the weight `key` at `version`. The raw
 * rows are copied to the heap and packed there; the block stays until the key is collected.
 */
export function packedTransposed(w: WasmKernels, key: object, version: number, data: Float32Array, n: number, k: number): number {
  let pack = packs.get(key);
  if (pack !== undefined && pack.version === version && pack.data === data) return pack.at;
  if (pack === undefined) {
    pack = { version, data, at: w.heap.alloc(packedBytes(n, k)) };
    packs.set(key, pack);
    onCollect(w, key, pack.at);
  }
  pack.version = version;
  pack.data = data;
  const raw = w.heap.alloc(n * k * 4);
  w.heap.f32.set(data, raw >> 2);
  w.exports.packTransposed(n, k, raw, pack.at);
  w.heap.free(raw);
  return pack.at;
}
