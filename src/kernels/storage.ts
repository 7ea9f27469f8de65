/**
 * Version counters of storage, as PyTorch's `_version`: one counter per ArrayBuffer, shared by
 * every typed array over it, so a Tensor, its views (`detach()`, `reshape()`, a Tensor built
 * over the same `data` or over a `subarray` of it) and every cache derived from any of them
 * see one count. Every library write path bumps it through `markStorageModified`
 * (`Tensor.markModified`); a cache (the WASM backend's packed weights) keeps the version it
 * was built at and is rebuilt when the storage's count has moved.
 *
 * The counters live in a WeakMap keyed by the buffer: a buffer never written counts 0, and a
 * collected buffer takes its counter with it.
 */

const versions = new WeakMap<ArrayBufferLike, number>();

/** How many times the storage under `array` was marked modified. */
export function storageVersion(array: ArrayBufferView): number {
  return versions.get(array.buffer) ?? 0;
}

/** Records an in-place write into the storage under `array` (any part of its buffer). */
export function markStorageModified(array: ArrayBufferView): void {
  versions.set(array.buffer, storageVersion(array) + 1);
}
