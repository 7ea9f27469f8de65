/**
 * The WASM heap at its limits: sizes are checked before anything is allocated, a request the
 * memory cannot hold throws a RecurrentError naming the bytes and changes nothing, a call whose
 * later block fails frees its earlier ones, and every later call is right. Addresses are
 * unsigned: blocks past 2 GiB are read and written where they are.
 */
import { describe, expect, it } from 'vitest';
import { RecurrentError } from '../../src/index.js';
import { Heap } from '../../src/kernels/wasm/heap.js';

/** A heap over a memory of `pages` pages that may grow to `maximum`. */
function smallHeap(pages: number, maximum: number): Heap {
  return new Heap(new WebAssembly.Memory({ initial: pages, maximum }));
}

/** The heap's observable state: bytes in use and memory size. */
const state = (heap: Heap) => [heap.allocatedBytes, heap.memory.buffer.byteLength];

describe('wasm heap limits', () => {
  it('refuses sizes that are not whole numbers of bytes >= 0, before allocating', () => {
    const heap = smallHeap(1, 4);
    for (const bad of [Number.NaN, -1, 1.5, Infinity, 2 ** 53]) {
      const before = state(heap);
      expect(() => heap.alloc(bad)).toThrow(RecurrentError);
      expect(() => heap.alloc(bad)).toThrow(`a block must be a whole number of bytes >= 0, got ${bad}`);
      expect(state(heap)).toEqual(before);
    }
    expect(heap.alloc(0)).toBeGreaterThan(0);
  });

  it('grows to what a request lacks, and past what the memory can hold throws naming the bytes, changing nothing', () => {
    const heap = smallHeap(1, 3);
    const a = heap.alloc(100_000); // grows to 2 pages at least
    expect(heap.memory.buffer.byteLength).toBeGreaterThanOrEqual(2 * 65536);
    const before = state(heap);
    let error: unknown;
    try {
      heap.alloc(200_000);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RecurrentError);
    expect((error as RecurrentError).code).toBe('memory');
    expect((error as RecurrentError).message).toMatch(/^wasm heap: cannot allocate 200000 bytes/);
    expect(state(heap)).toEqual(before);
    // Later calls are served: what fits fits, and freed memory is reused.
    heap.free(a);
    const b = heap.alloc(150_000);
    expect(b).toBeGreaterThan(0);
    expect(heap.allocatedBytes).toBeGreaterThanOrEqual(150_000);
  });

  it('grows by less than doubling when doubling would pass the maximum', () => {
    const heap = smallHeap(2, 3);
    heap.alloc(100_000);
    // Doubling to 4 pages is refused by the memory; one more page serves the request.
    heap.alloc(50_000);
    expect(heap.memory.buffer.byteLength).toBe(3 * 65536);
  });

  it('withBlocks frees every block when a later allocation or the body fails', () => {
    const heap = smallHeap(1, 2);
    const before = heap.allocatedBytes;
    expect(() => heap.withBlocks([1000, 2000, 10 ** 9], () => 0)).toThrow(/cannot allocate 1000000000 bytes/);
    expect(heap.allocatedBytes).toBe(before);
    expect(() => heap.withBlocks([1000, 2000], () => { throw new Error('body'); })).toThrow('body');
    expect(heap.allocatedBytes).toBe(before);
    expect(heap.withBlocks([8, 0, 8], ([x, none, y]) => [x! > 0, none, y! > x!])).toEqual([true, 0, true]);
    expect(heap.allocatedBytes).toBe(before);
  });

  it('keeps blocks past 2 GiB at their own addresses (unsigned), readable through f32', () => {
    const heap = new Heap(new WebAssembly.Memory({ initial: 1, maximum: 65536 }));
    const low = heap.alloc(2 ** 31); // fills the memory up to past 2 GiB
    const high = heap.alloc(64);
    expect(high).toBeGreaterThanOrEqual(2 ** 31);
    heap.f32[high >>> 2] = 7;
    expect(heap.f32[high >>> 2]).toBe(7);
    expect(heap.f32[(high >>> 2) - (2 ** 31 >>> 2)]).not.toBe(7);
    heap.free(low);
    heap.free(high);
    expect(heap.allocatedBytes).toBe(0);
  });
});
