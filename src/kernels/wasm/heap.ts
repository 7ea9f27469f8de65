/**
 * The WebAssembly backend's linear memory and a first-fit allocator over it.
 *
 * Everything a kernel reads or writes lives in one memory: packed weights (kept until the
 * weight's storage is collected), and the blocks of one call (a product's operands, a
 * recurrent layer's gates and states), taken together by `withBlocks` and freed when the call
 * returns or throws. Blocks are 64-byte aligned and carry 32 bytes of slack past their end, so
 * a SIMD kernel may read a few floats beyond a row without leaving memory. Free blocks are
 * kept sorted by address and merged with their neighbours; when none fits, the memory grows
 * (doubling while it can, else by what the request lacks) up to the engine's limit of 65536
 * pages (4 GiB); a request beyond that throws, names the bytes, and changes nothing.
 *
 * Addresses are unsigned byte offsets below 4 GiB: a float index is `address >>> 2`, never a
 * signed shift. Growing a non-shared memory detaches its old ArrayBuffer, so views are always
 * taken through `f32` / `i32`, which renew them when the buffer changed.
 */
import { kernelError } from '../errors.js';

const PAGE = 65536;
/** The most pages a 32-bit WebAssembly memory can have: 4 GiB. */
export const MAX_PAGES = 65536;
const ALIGN = 64;
const SLACK = 32;

/**
 * What the heap uses of a WebAssembly.Memory, declared here so that the package's types need
 * neither the DOM library nor Node's.
 */
export interface LinearMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** An allocator over a WebAssembly.Memory. Addresses are byte offsets. */
export class Heap {
  private freeList: { at: number; size: number }[] = [];
  private readonly sizes = new Map<number, number>();
  private f32View: Float32Array;
  private i32View: Int32Array;

  /** `reserved`: bytes at the start of the memory that kernels keep for themselves (never allocated). */
  constructor(readonly memory: LinearMemory, reserved = 0) {
    // Address 0 stays unused so that 0 never names a live block.
    const start = Math.max(ALIGN, Math.ceil(reserved / ALIGN) * ALIGN);
    this.freeList.push({ at: start, size: memory.buffer.byteLength - start });
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
  }

  /** The whole memory as floats (index = address >>> 2). */
  get f32(): Float32Array {
    // Stryker disable next-line ConditionalExpression,LogicalOperator: after a growth both hold (a new buffer object, and a longer one), so either check alone, or both together, renews the view; heap-exact.test.ts checks that it is renewed
    if (this.f32View.buffer !== this.memory.buffer || this.f32View.length * 4 !== this.memory.buffer.byteLength) {
      this.f32View = new Float32Array(this.memory.buffer);
    }
    return this.f32View;
  }

  /** The whole memory as 32-bit integers (index = address >>> 2). */
  get i32(): Int32Array {
    // Stryker disable next-line ConditionalExpression,LogicalOperator: as f32
    if (this.i32View.buffer !== this.memory.buffer || this.i32View.length * 4 !== this.memory.buffer.byteLength) {
      this.i32View = new Int32Array(this.memory.buffer);
    }
    return this.i32View;
  }

  /**
   * A block of at least `bytes` bytes (plus slack); returns its address. Throws, naming the
   * bytes, when `bytes` is not a whole number ≥ 0 or the memory cannot grow to hold it; the
   * heap is then as it was.
   */
  alloc(bytes: number): number {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw kernelError('wasm heap', `a block must be a whole number of bytes >= 0, got ${bytes}`);
    const size = Math.ceil((bytes + SLACK) / ALIGN) * ALIGN;
    const found = this.take(size);
    if (found !== 0) return found;
    if (!this.grow(size)) {
      throw kernelError('wasm heap', `cannot allocate ${bytes} bytes: the WebAssembly memory holds ${this.memory.buffer.byteLength} bytes, ${this.allocatedBytes} in use, and cannot grow past ${MAX_PAGES * PAGE} (or the engine refused to grow it)`);
    }
    return this.take(size);
  }

  /**
   * Runs `body` with one new block of each size in `bytes` (address 0, no block, for a size of
   * 0: the kernels read nothing there) and frees them all when it returns or throws: a call's
   * blocks never outlive it, even when an allocation or the call fails.
   */
  withBlocks<R>(bytes: readonly number[], body: (blocks: number[]) => R): R {
    const blocks: number[] = [];
    try {
      for (const b of bytes) blocks.push(b === 0 ? 0 : this.alloc(b));
      return body(blocks);
    } finally {
      for (const at of blocks) if (at !== 0) this.free(at);
    }
  }

  /** Returns a block to the free list, merging it with free neighbours. */
  free(at: number): void {
    const size = this.sizes.get(at);
    if (size === undefined) throw new Error(`wasm heap: ${at} is not an allocated block`);
    this.sizes.delete(at);
    this.insertFree(at, size);
  }

  /** True when `at` is the address of an allocated block. */
  owns(at: number): boolean {
    return this.sizes.has(at);
  }

  /** Bytes in use, for tests and the heap benchmark. */
  get allocatedBytes(): number {
    let total = 0;
    for (const size of this.sizes.values()) total += size;
    return total;
  }

  /** The first free block of `size` bytes, taken from the free list; 0 when none is that large. */
  private take(size: number): number {
    for (let i = 0; i < this.freeList.length; i++) {
      const block = this.freeList[i]!;
      if (block.size < size) continue;
      const at = block.at;
      // Stryker disable next-line ConditionalExpression: a block taken whole may stay listed with size 0: no request takes it, and it merges into its neighbours when they are freed
      if (block.size === size) this.freeList.splice(i, 1);
      else {
        block.at += size;
        block.size -= size;
      }
      this.sizes.set(at, size);
      return at;
    }
    return 0;
  }

  private insertFree(at: number, size: number): void {
    const list = this.freeList;
    let i = 0;
    // Stryker disable next-line EqualityOperator: no free block starts where a block being freed does
    while (i < list.length && list[i]!.at < at) i++;
    list.splice(i, 0, { at, size });
    if (i + 1 < list.length && at + size === list[i + 1]!.at) {
      list[i]!.size += list[i + 1]!.size;
      list.splice(i + 1, 1);
    }
    if (i > 0 && list[i - 1]!.at + list[i - 1]!.size === at) {
      list[i - 1]!.size += list[i]!.size;
      list.splice(i, 1);
    }
  }

  /**
   * Grows the memory so that a free block of `size` bytes exists: by what the free block at its
   * end lacks, doubled (the memory at least doubles) while that fits under MAX_PAGES. False when
   * it cannot, and then nothing changed.
   */
  private grow(size: number): boolean {
    const before = this.memory.buffer.byteLength;
    const tail = this.freeList[this.freeList.length - 1];
    const free = tail !== undefined && tail.at + tail.size === before ? tail.size : 0;
    const needed = Math.ceil((size - free) / PAGE);
    const room = MAX_PAGES - before / PAGE;
    if (needed > room) return false;
    for (const pages of [Math.min(room, Math.max(needed, before / PAGE)), needed]) {
      try {
        this.memory.grow(pages);
      } catch {
        continue; // the engine could not reserve that much: try the least that serves
      }
      this.insertFree(before, this.memory.buffer.byteLength - before);
      return true;
    }
    return false;
  }
}
