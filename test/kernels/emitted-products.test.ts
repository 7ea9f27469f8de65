/**
 * The product kernels of a module assembled in this test (kernelModuleBytes, on a memory of its
 * own, shared and private), bit for bit against a float32 reference written here from what
 * gemm.ts documents: each C entry one float32 sum over p in increasing order, cut into blocks of
 * 256 that are added in order, C added before the bias, the bias after the first block. Shapes
 * take every edge the emitted code branches on: rows not a multiple of 4 and past the 128-row
 * chunk, columns not a multiple of 8, k = 0 and k across the 256-deep blocks, 16 rows or more
 * (B's panels copied to a scratch slot), accumulate and overwrite, offsets, linear with and
 * without bias. Also the transpose and column sums kernels, the scratch slots' claiming on a
 * shared memory, how products are cut among threads, and empty products.
 * Assembling here is the point (as in emitted-kernels.test.ts): the emitters run inside these
 * tests, so per-test coverage in a mutation run credits them to tests that compare numbers.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Generator } from '../../src/index.js';
import { kernelPool, parallelWork, runJob, setKernelPool, type KernelPool } from '../../src/kernels/threads.js';
import type { WasmExports } from '../../src/kernels/wasm/abi.js';
import { wasmBackend } from '../../src/kernels/wasm/backend.js';
import { GEMM_SCRATCH } from '../../src/kernels/wasm/gemm.js';
import { Heap, MAX_PAGES } from '../../src/kernels/wasm/heap.js';
import { kernelModuleBytes, type WasmKernels } from '../../src/kernels/wasm/module.js';
import { gemmRows } from '../../src/kernels/wasm/products.js';

type Layout = 'NN' | 'NT' | 'TN';
const f32 = Math.fround;
/** The depth of one block of k (gemm.ts's KC). */
const BLOCK = 256;
/** Where the scratch slots start, and the bytes of one (gemm.ts: KC rows of 8 floats after the flags). */
const SLOT_BYTES = BLOCK * 32;
const SLOT_AT = GEMM_SCRATCH.end - GEMM_SCRATCH.slots * SLOT_BYTES;

/** The kernel module without fused multiply-add (so sums round as the reference's), on a new memory of 64 pages. */
function assemble(shared: boolean): WasmKernels {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared });
  const module = new WebAssembly.Module(kernelModuleBytes({ fma: false, shared }));
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { module, exports: instance.exports as unknown as WasmExports, heap: new Heap(memory, GEMM_SCRATCH.end), fma: false, shared };
}

// The library's thread pool (the threads project's) would run these jobs on the library's own
// module: every test here runs on the caller alone, or on the pool it installs.
let pool: KernelPool | null = null;
const minimum = parallelWork.minimum;
beforeAll(() => {
  pool = kernelPool();
  setKernelPool(null);
});
afterEach(() => {
  setKernelPool(null);
  parallelWork.minimum = minimum;
});
afterAll(() => setKernelPool(pool));

function values(g: Generator, length: number): Float32Array {
  return Float32Array.from({ length }, () => 2 * g.random() - 1);
}

/** C (+)= op(A) op(B) (+ bias) in float32, summed as gemm.ts documents. */
function reference(layout: Layout, m: number, k: number, n: number, a: Float32Array, b: Float32Array, c: Float32Array, accumulate: boolean, bias: Float32Array | null = null): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const prior = c[i * n + j];
      if (k === 0 && bias === null) {
        out[i * n + j] = accumulate ? prior : 0; // an empty sum leaves C as it was (-0 too)
        continue;
      }
      let v = 0;
      for (let p0 = 0; p0 < Math.max(k, 1); p0 += BLOCK) {
        let s = 0;
        for (let p = p0; p < Math.min(k, p0 + BLOCK); p++) {
          const x = layout === 'TN' ? a[p * m + i] : a[i * k + p];
          const y = layout === 'NT' ? b[j * k + p] : b[p * n + j];
          s = f32(s + f32(x * y));
        }
        if (p0 > 0) v = f32(v + s);
        else {
          v = accumulate ? f32(prior + s) : s;
          if (bias !== null) v = f32(v + bias[j]);
        }
      }
      out[i * n + j] = v;
    }
  }
  return out;
}

/** Asserts equal bits (so -0 differs from 0), naming the first entry that differs. */
function expectSameBits(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  const g = new Int32Array(got.buffer, got.byteOffset, got.length);
  const w = new Int32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < w.length; i++) {
    if (g[i] !== w[i]) expect.fail(`${what}: entry ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

/** The scratch slots' flags (1 = in use). */
const flags = (w: WasmKernels): number[] => Array.from(w.heap.i32.subarray(GEMM_SCRATCH.flags >>> 2, (GEMM_SCRATCH.flags >>> 2) + GEMM_SCRATCH.slots));

/** m, k, n: rows past the 128-row chunk and not a multiple of 4, 16 rows (scratch), k at and past the 256-deep blocks, n on both sides of 8. */
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [3, 5, 7], [4, 8, 8], [5, 3, 9], [7, 2, 17], [16, 256, 8], [17, 257, 11], [16, 40, 3],
  [6, 513, 10], [133, 20, 9], [130, 3, 16], [2, 0, 5], [20, 0, 9],
];

describe.each([true, false])('products of a freshly assembled module (shared memory: %s)', (shared) => {
  it('NN, NT and TN, overwriting and accumulating, give the reference\'s bits', () => {
    const w = assemble(shared);
    const wasm = wasmBackend(w);
    const g = new Generator(shared ? 1 : 2);
    for (const [m, k, n] of SHAPES) {
      for (const layout of ['NN', 'NT', 'TN'] as const) {
        for (const accumulate of [false, true]) {
          const [oa, ob, oc] = [g.randint(0, 3), g.randint(0, 3), g.randint(0, 3)];
          const a = values(g, oa + m * k);
          const b = values(g, ob + k * n);
          const c = values(g, oc + m * n);
          if (k === 0) c[oc] = -0; // kept as it is when accumulating
          const want = reference(layout, m, k, n, a.subarray(oa), b.subarray(ob), c.subarray(oc), accumulate);
          const before = c.slice(0, oc);
          wasm[`matmul${layout}`](m, k, n, a, oa, b, ob, c, oc, accumulate);
          const what = `${layout} m${m} k${k} n${n}${accumulate ? ' accumulating' : ''}`;
          expectSameBits(c.subarray(oc), want, what);
          expectSameBits(c.subarray(0, oc), before, `${what}: before C`);
          expect(flags(w), `${what}: scratch flags`).toEqual(Array(GEMM_SCRATCH.slots).fill(0));
        }
      }
    }
  });

  it('linear adds the bias to each finished sum, on a weight\'s first use and from its kept pack', () => {
    const w = assemble(shared);
    const wasm = wasmBackend(w);
    expect(wasm.name).toBe('wasm');
    const g = new Generator(3);
    for (const [m, k, n] of SHAPES) {
      const weight = values(g, n * k);
      for (const bias of [values(g, n), null]) {
        for (let use = 0; use < 2; use++) {
          const x = values(g, m * k);
          const y = values(g, m * n);
          wasm.linear(m, k, n, x, weight, bias, y);
          expectSameBits(y, reference('NT', m, k, n, x, weight, new Float32Array(m * n), false, bias), `linear m${m} k${k} n${n}${bias ? '' : ' without bias'}, use ${use}`);
        }
      }
    }
  });

  it('products take heap blocks for A, C and B only, NT one more for B packed', () => {
    const w = assemble(shared);
    const wasm = wasmBackend(w);
    const g = new Generator(9);
    const [m, k, n] = [3, 20, 10];
    const alloc = vi.spyOn(w.heap, 'alloc');
    for (const layout of ['NN', 'NT', 'TN'] as const) {
      alloc.mockClear();
      wasm[`matmul${layout}`](m, k, n, values(g, m * k), 0, values(g, k * n), 0, new Float32Array(m * n), 0, false);
      const sizes = alloc.mock.calls.map(([bytes]) => bytes);
      expect(sizes.slice(0, 3), layout).toEqual([m * k * 4, m * n * 4, k * n * 4]);
      expect(sizes.length, layout).toBe(layout === 'NT' ? 4 : 3);
    }
  });

  it('linear on a kept pack takes heap blocks for x, y and the bias only', () => {
    const w = assemble(shared);
    const wasm = wasmBackend(w);
    const g = new Generator(8);
    const [m, k, n] = [3, 20, 10];
    const weight = values(g, n * k);
    for (let use = 0; use < 2; use++) wasm.linear(m, k, n, values(g, m * k), weight, null, new Float32Array(m * n));
    const alloc = vi.spyOn(w.heap, 'alloc');
    for (const bias of [values(g, n), null]) {
      alloc.mockClear();
      wasm.linear(m, k, n, values(g, m * k), weight, bias, new Float32Array(m * n));
      expect(alloc.mock.calls.map(([bytes]) => bytes)).toEqual(bias === null ? [m * k * 4, m * n * 4] : [m * k * 4, m * n * 4, n * 4]);
    }
  });

  it('transposes and sums columns as a plain loop does', () => {
    const w = assemble(shared);
    const { heap, exports: e } = w;
    const g = new Generator(4);
    for (const rows of [1, 3, 4, 5, 8, 133, 261]) {
      for (const cols of [1, 3, 4, 7, 8, 9, 17]) {
        const what = `${rows} x ${cols}`;
        const src = values(g, rows * cols);
        const out = values(g, cols);
        heap.withBlocks([rows * cols * 4, rows * cols * 4 + 64, cols * 4], ([ps, pd, po]) => {
          heap.f32.set(src, ps! >>> 2);
          const guard = heap.f32.subarray(pd! >>> 2, (pd! >>> 2) + rows * cols + 16).fill(7);
          e.transpose(rows, cols, ps!, pd!);
          const want = new Float32Array(rows * cols);
          for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) want[j * rows + i] = src[i * cols + j];
          expectSameBits(guard.subarray(0, rows * cols), want, `transpose ${what}`);
          expect(Array.from(guard.subarray(rows * cols)), `transpose ${what}: past the end`).toEqual(Array(16).fill(7));
          heap.f32.set(out, po! >>> 2);
          e.columnSums(rows, cols, ps!, po!);
          const sums = out.slice();
          for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) sums[j] = f32(sums[j] + src[i * cols + j]);
          expectSameBits(heap.f32.subarray(po! >>> 2, (po! >>> 2) + cols), sums, `column sums ${what}`);
        });
      }
    }
  });

  it('an empty product (m or n = 0) takes no heap block and writes nothing', () => {
    const w = assemble(shared);
    const wasm = wasmBackend(w);
    const bytes = w.heap.memory.buffer.byteLength;
    // 4 MiB operands: a block for any of them would make the 4 MiB memory grow.
    const big = new Float32Array(1 << 20).fill(1);
    const c = new Float32Array(4).fill(5);
    wasm.matmulNN(0, 1024, 1024, new Float32Array(0), 0, big, 0, c, 0, false);
    wasm.matmulTN(1024, 1024, 0, big, 0, new Float32Array(0), 0, c, 0, false);
    wasm.linear(0, 1024, 1024, new Float32Array(0), big, null, c);
    expect(w.heap.memory.buffer.byteLength).toBe(bytes);
    expect(w.heap.allocatedBytes).toBe(0);
    expect(Array.from(c)).toEqual([5, 5, 5, 5]);
  });
});

describe('the scratch slots of a shared memory', () => {
  it('a product of 16 rows or more copies B\'s panels into a free slot, never into one another thread holds', () => {
    const w = assemble(true);
    const wasm = wasmBackend(w);
    const g = new Generator(5);
    const [m, k, n] = [16, 200, 12];
    const a = values(g, m * k);
    const b = values(g, k * n);
    const f = w.heap.f32;
    const slot = (s: number) => f.subarray((SLOT_AT + s * SLOT_BYTES) >>> 2, (SLOT_AT + (s + 1) * SLOT_BYTES) >>> 2);
    for (let s = 0; s < GEMM_SCRATCH.slots; s++) slot(s).fill(7);
    w.heap.i32[(GEMM_SCRATCH.flags >>> 2) + 0] = 1; // slot 0 is another thread's
    const c = new Float32Array(m * n);
    wasm.matmulNN(m, k, n, a, 0, b, 0, c, 0, false);
    expectSameBits(c, reference('NN', m, k, n, a, b, c, false), 'product');
    expect(slot(0).every((v) => v === 7), 'the held slot').toBe(true);
    // Slot 1 holds the last panel of B (columns 8..11 of each row, then what lies past the row).
    for (let p = 0; p < k; p++) expect(Array.from(slot(1).subarray(p * 8, p * 8 + 4)), `slot 1, row ${p}`).toEqual(Array.from(b.subarray(p * n + 8, p * n + 12)));
    expect(flags(w)).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('with every slot held, a product reads B in place and gives the same bits', () => {
    const w = assemble(true);
    const wasm = wasmBackend(w);
    const g = new Generator(6);
    const [m, k, n] = [40, 100, 20];
    const a = values(g, k * m);
    const b = values(g, k * n);
    w.heap.i32.fill(1, GEMM_SCRATCH.flags >>> 2, (GEMM_SCRATCH.flags >>> 2) + GEMM_SCRATCH.slots);
    const c = new Float32Array(m * n);
    wasm.matmulTN(m, k, n, a, 0, b, 0, c, 0, false);
    expectSameBits(c, reference('TN', m, k, n, a, b, c, false), 'product');
    expect(flags(w)).toEqual(Array(GEMM_SCRATCH.slots).fill(1));
  });
});

describe('products cut among threads', () => {
  /** A pool of `ready` threads that runs every job on the caller, in order, and counts them. */
  function countingPool(w: WasmKernels, ready: number): KernelPool & { runs: number[] } {
    const runs: number[] = [];
    return { ready, runs, run: (jobs) => { runs.push(jobs.length); for (const job of jobs) runJob(w.exports, job); }, close: () => {} };
  }

  it('a product of at least parallelWork.minimum multiply-adds is cut into as many row ranges as threads are ready; a smaller one is not', () => {
    const w = assemble(true);
    const g = new Generator(7);
    const [m, k, n] = [40, 5, 6];
    const a = values(g, m * k);
    const b = values(g, k * n);
    const run = (ready: number, least: number): number[] => {
      const threads = countingPool(w, ready);
      setKernelPool(threads);
      parallelWork.minimum = least;
      const c = new Float32Array(m * n);
      w.heap.withBlocks([m * k * 4, k * n * 4, m * n * 4], ([pa, pb, pc]) => {
        w.heap.f32.set(a, pa! >>> 2);
        w.heap.f32.set(b, pb! >>> 2);
        gemmRows(w, { m, k, n, a: pa!, ai: k * 4, ap: 4, b: pb!, bp: n * 4, bpanel: 32, c: pc!, ldc: n * 4, accumulate: 0, bias: 0 });
        c.set(w.heap.f32.subarray(pc! >>> 2, (pc! >>> 2) + m * n));
      });
      expectSameBits(c, reference('NN', m, k, n, a, b, c, false), `ready ${ready}, minimum ${least}`);
      return threads.runs;
    };
    expect(run(3, m * k * n)).toEqual([3]);
    expect(run(3, m * k * n + 1)).toEqual([]);
    // Never more ranges than threads, nor ranges of fewer than 4 rows.
    expect(run(16, 0)).toEqual([10]);
  });
});
