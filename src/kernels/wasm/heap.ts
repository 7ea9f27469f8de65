/**
 * The WebAssembly backend's linear memory and a first-fit allocator over it.
 *
 * Everything a kernel reads or writes lives in one memory: packed weights (kept until the
 * weight changes), a recurrent layer's gates and states (kept from forward to backward), and
 * scratch blocks of a single product. Blocks are 64-byte aligned and carry 32 bytes of slack
 * past their end, so a SIMD kernel may read a few floats beyond a row without leaving memory.
 * Free blocks are kept sorted by address and merged with their neighbours; when none fits,
 * the memory grows. Growing a non-shared memory detaches its old ArrayBuffer, so views are
 * always taken through `f32` / `i32`, which renew them when the buffer changed.
 */

const PAGE = 65536;
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

  /** The whole memory as floats (index = address / 4). */
  get f32(): Float32Array {
    if (this.f32View.buffer !== this.memory.buffer || this.f32View.length * 4 !== this.memory.buffer.byteLength) {
      this.f32View = new Float32Array(this.memory.buffer);
    }
    return this.f32View;
  }

  /** The whole memory as 32-bit integers (index = address / 4). */
  get i32(): Int32Array {
    if (this.i32View.buffer !== this.memory.buffer || this.i32View.length * 4 !== this.memory.buffer.byteLength) {
      this.i32View = new Int32Array(this.memory.buffer);
    }
    return this.i32View;
  }

  /** A block of at least `bytes` bytes (plus slack); returns its address. */
  alloc(bytes: number): number {
    const size = Math.ceil((bytes + SLACK) / ALIGN) * ALIGN;
    for (let attempt = 0; attempt < 2; attempt++) {
      for (let i = 0; i < this.freeList.length; i++) {
        const block = this.freeList[i];
        if (block.size < size) continue;
        const at = block.at;
        if (block.size === size) this.freeList.splice(i, 1);
        else {
          block.at += size;
          block.size -= size;
        }
        this.sizes.set(at, size);
        return at;
      }
      this.grow(size);
    }
    throw new Error(`wasm heap: cannot allocate ${bytes} bytes`);
  }

  /** Returns a block to the free list, merging it with free neighbours. */
  free(at: number): void {
    const size = this.sizes.get(at);
    if (size === undefined) throw new Error(`wasm heap: ${at} is not an allocated block`);
    this.sizes.delete(at);
    this.insertFree(at, size);
  }

  /** Bytes in use, for tests and the heap benchmark. */
  get allocatedBytes(): number {
    let total = 0;
    for (const size of this.sizes.values()) total += size;
    return total;
  }

  private insertFree(at: number, size: number): void {
    const list = this.freeList;
    let i = 0;
    while (i < list.length && list[i].at < at) i++;
    list.splice(i, 0, { at, size });
    if (i + 1 < list.length && at + size === list[i + 1].at) {
      list[i].size += list[i + 1].size;
      list.splice(i + 1, 1);
    }
    if (i > 0 && list[i - 1].at + list[i - 1].size === at) {
      list[i - 1].size += list[i].size;
      list.splice(i, 1);
    }
  }

  /** Grows the memory by at least `bytes` (at least doubling it) and frees the new pages. */
  private grow(bytes: number): void {
    const before = this.memory.buffer.byteLength;
    const pages = Math.max(Math.ceil(bytes / PAGE), before / PAGE);
    this.memory.grow(pages);
    this.insertFree(before, this.memory.buffer.byteLength - before);
  }
}
