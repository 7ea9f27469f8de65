/**
 * The WASM heap's exact bookkeeping: the addresses it hands out, the bytes a memory grows by
 * (the free block at the memory's end counts, the memory doubles while it may, and never past
 * 65536 pages even when the engine would allow more), its messages, which blocks it owns, and
 * its views, which are renewed only when the memory changed.
 */
import { describe, expect, it } from 'vitest';
import { Heap, MAX_PAGES, type LinearMemory } from '../../src/kernels/wasm/heap.js';
import { thrownRecurrentError } from '../helpers.js';

const PAGE = 65536;

/** A heap over a real WebAssembly memory of `pages` pages that may grow to `maximum`. */
const realHeap = (pages: number, maximum: number) => new Heap(new WebAssembly.Memory({ initial: pages, maximum }));

/**
 * A memory that only counts bytes (nothing is committed): an engine that would grow without
 * limit, recording every request, so that sizes near 4 GiB can be tried.
 */
class CountingMemory implements LinearMemory {
  readonly grows: number[] = [];
  constructor(private pages: number) {}
  get buffer(): ArrayBuffer {
    return { byteLength: this.pages * PAGE } as unknown as ArrayBuffer;
  }
  grow(pages: number): number {
    this.grows.push(pages);
    const old = this.pages;
    this.pages += pages;
    return old;
  }
}

describe('wasm heap bookkeeping', () => {
  it('counts the free block at the memory end, and grows again once the memory is full', () => {
    const heap = realHeap(1, 10);
    // 196480 bytes with slack; the free 65472 bytes at the end leave 131008: 2 pages.
    expect(heap.alloc(196_448)).toBe(64);
    expect(heap.memory.buffer.byteLength).toBe(3 * PAGE);
    expect(heap.alloc(32)).toBe(64 + 196_480); // the last 64 bytes, no growth
    expect(heap.memory.buffer.byteLength).toBe(3 * PAGE);
    // Nothing free: the memory doubles (3 more pages) and the block starts at the old end.
    expect(heap.alloc(32)).toBe(3 * PAGE);
    expect(heap.memory.buffer.byteLength).toBe(6 * PAGE);
    expect(heap.allocatedBytes).toBe(196_480 + 64 + 64);
  });

  it('does not count a free block that stops short of the memory end', () => {
    const heap = realHeap(1, 10);
    const a = heap.alloc(32_672); // 32704 bytes at 64
    expect(a).toBe(64);
    expect(heap.alloc(32_736)).toBe(32_768); // 32768 bytes up to the end
    heap.free(a);
    // 131136 bytes: the free block at 64 does not touch the end, so 3 pages are needed.
    expect(heap.alloc(131_104)).toBe(PAGE);
    expect(heap.memory.buffer.byteLength).toBe(4 * PAGE);
  });

  it('doubles the memory when that is more than a request needs', () => {
    const heap = realHeap(4, 100);
    expect(heap.alloc(4 * PAGE - 96)).toBe(64); // fills the memory exactly
    expect(heap.alloc(32)).toBe(4 * PAGE);
    expect(heap.memory.buffer.byteLength).toBe(8 * PAGE);
  });

  it('never grows past 65536 pages, even when the engine would, and then throws naming the bytes', () => {
    expect(MAX_PAGES).toBe(65536);
    const memory = new CountingMemory(60_000);
    const heap = new Heap(memory);
    expect(heap.alloc(60_000 * PAGE - 96)).toBe(64);
    // Doubling would pass 4 GiB: the memory grows to exactly 65536 pages, which the request needs.
    expect(heap.alloc(5536 * PAGE - 32)).toBe(60_000 * PAGE);
    expect(memory.grows).toEqual([5536]);
    expect(memory.buffer.byteLength).toBe(2 ** 32);
    const inUse = heap.allocatedBytes;
    expect(inUse).toBe(2 ** 32 - 64);
    const error = thrownRecurrentError(() => heap.alloc(32));
    expect(error.message).toBe(`wasm heap: cannot allocate 32 bytes: the WebAssembly memory holds ${2 ** 32} bytes, ${inUse} in use, and cannot grow past ${2 ** 32} (or the engine refused to grow it)`);
    expect(memory.grows).toEqual([5536]); // not asked to grow at all
    expect(heap.allocatedBytes).toBe(inUse);
  });

  it('grows by the room left when doubling would pass 65536 pages', () => {
    const memory = new CountingMemory(40_000);
    const heap = new Heap(memory);
    expect(heap.alloc(40_000 * PAGE - 96)).toBe(64);
    expect(heap.alloc(32)).toBe(40_000 * PAGE);
    expect(memory.grows).toEqual([25_536]);
  });

  it('hands out nothing below the reserved bytes, rounded up to 64', () => {
    expect(new Heap(new WebAssembly.Memory({ initial: 1 }), 1000).alloc(8)).toBe(1024);
    expect(new Heap(new WebAssembly.Memory({ initial: 1 }), 0).alloc(8)).toBe(64); // 0 is never a block
  });

  it('names the operation in its messages', () => {
    const heap = realHeap(1, 1);
    expect(thrownRecurrentError(() => heap.alloc(-1)).message).toBe('wasm heap: a block must be a whole number of bytes >= 0, got -1');
    expect(() => heap.free(12_345)).toThrow(new Error('wasm heap: 12345 is not an allocated block'));
    const at = heap.alloc(8);
    heap.free(at);
    expect(() => heap.free(at)).toThrow(`wasm heap: ${at} is not an allocated block`);
  });

  it('owns the blocks it handed out, until they are freed', () => {
    const heap = realHeap(1, 1);
    const at = heap.alloc(8);
    expect(heap.owns(at)).toBe(true);
    expect(heap.owns(at + 64)).toBe(false);
    heap.free(at);
    expect(heap.owns(at)).toBe(false);
  });

  it('keeps its views while the memory is unchanged and renews them when it grows', () => {
    const heap = realHeap(1, 4);
    const f32 = heap.f32;
    const i32 = heap.i32;
    expect(heap.f32 === f32).toBe(true);
    expect(heap.i32 === i32).toBe(true);
    expect(i32.length).toBe(PAGE / 4);
    heap.alloc(PAGE); // grows
    expect(heap.i32 === i32).toBe(false); // the old view is detached
    expect(heap.i32.length).toBe(heap.memory.buffer.byteLength / 4);
    expect(heap.i32 === heap.i32).toBe(true);
    expect(heap.f32.length).toBe(heap.memory.buffer.byteLength / 4);
  });
});
