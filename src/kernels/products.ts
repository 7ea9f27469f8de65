/**
 * Matrix products on the active backend, with the signatures of the scalar kernels in
 * matmul.ts (C(m,n) (+)= op(A) · op(B) over flat arrays with offsets):
 *
 *   NN:  C (+)= A · B        NT:  C (+)= A · Bᵀ        TN:  C (+)= Aᵀ · B
 *
 * On the WASM backend the operands are copied into its heap, multiplied by the SIMD kernel
 * and the result copied back: O(n²) copies around O(n³) work. `matmulWeightNT` is x · Wᵀ for a
 * weight W whose packed panels are cached per version (see wasm/packs.ts).
 */
import { activeWasm } from './backend.js';
import * as scalar from './matmul.js';
import { parallelism, runJobs } from './threads.js';
import type { WasmKernels } from './wasm/module.js';
import { packedBytes, packedTransposed } from './wasm/packs.js';

type Layout = 'NN' | 'NT' | 'TN';

/**
 * Work (multiply-adds) below which a product or a recurrent time loop runs on one thread:
 * waking a worker costs tens of microseconds, more than splitting such work saves. The tests
 * set it to 0 to split even the smallest work.
 */
export const parallelWork = { minimum: 1 << 20 };

/**
 * Cuts [0, n) into `parts` consecutive ranges, each a multiple of `align` long but the last.
 * The cut depends on the thread count, the results do not: every row (or column) of a product
 * is computed by the same instructions in the same order whichever range it falls in.
 */
export function splitRange(n: number, parts: number, align = 4): [number, number][] {
  const size = Math.ceil(n / parts / align) * align;
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += size) out.push([start, Math.min(n, start + size)]);
  return out;
}

/**
 * gemm on the WASM kernels (arguments as the kernel's, addresses in bytes), with its rows cut
 * among the threads that are ready when the product is large enough to gain from them.
 */
export function gemmRows(
  w: WasmKernels, m: number, k: number, n: number, a: number, ai: number, ap: number,
  b: number, bp: number, bpanel: number, c: number, ldc: number, accumulate: number, bias = 0,
): void {
  const parts = m * k * n >= parallelWork.minimum ? Math.min(parallelism(), Math.max(1, m >> 2)) : 1;
  if (parts <= 1) {
    w.exports.gemm(m, k, n, a, ai, ap, b, bp, bpanel, c, ldc, accumulate, bias);
    return;
  }
  runJobs(w.exports as unknown as Record<string, Function>, splitRange(m, parts).map(([r0, r1]) => [{
    fn: 'gemm',
    args: [r1 - r0, k, n, a + r0 * ai, ai, ap, b, bp, bpanel, c + r0 * ldc, ldc, accumulate, bias],
  }]));
}

/**
 * A product in the WASM heap; `packedB` is an already packed Wᵀ (NT), or 0 to pack B here;
 * `bias` (n floats, or null) starts every row of C.
 */
function wasmProduct(
  w: WasmKernels, layout: Layout, m: number, k: number, n: number,
  a: Float32Array, aOff: number, b: Float32Array | null, bOff: number, packedB: number,
  c: Float32Array, cOff: number, accumulate: boolean, bias: Float32Array | null = null,
): void {
  if (m === 0 || n === 0) return;
  const { heap, exports: e } = w;
  const pa = heap.alloc(m * k * 4);
  const pc = heap.alloc(m * n * 4);
  const pb = b === null ? 0 : heap.alloc(k * n * 4);
  const pbias = bias === null ? 0 : heap.alloc(n * 4);
  const packed = layout === 'NT' && packedB === 0 ? heap.alloc(packedBytes(n, k)) : packedB;
  const f = heap.f32;
  f.set(a.subarray(aOff, aOff + m * k), pa >> 2);
  if (b !== null) f.set(b.subarray(bOff, bOff + k * n), pb >> 2);
  if (bias !== null) f.set(bias, pbias >> 2);
  if (accumulate) f.set(c.subarray(cOff, cOff + m * n), pc >> 2);
  const acc = accumulate ? 1 : 0;
  if (layout === 'NN') gemmRows(w, m, k, n, pa, k * 4, 4, pb, n * 4, 32, pc, n * 4, acc, pbias);
  else if (layout === 'TN') gemmRows(w, m, k, n, pa, 4, m * 4, pb, n * 4, 32, pc, n * 4, acc, pbias);
  else {
    if (packedB === 0) e.packTransposed(n, k, pb, packed);
    gemmRows(w, m, k, n, pa, k * 4, 4, packed, 32, k * 32, pc, n * 4, acc, pbias);
  }
  c.set(heap.f32.subarray(pc >> 2, (pc >> 2) + m * n), cOff);
  for (const block of [pa, pc, pb, pbias]) if (block !== 0) heap.free(block);
  if (packed !== packedB) heap.free(packed);
}

/** C(m,n) (+)= A(m,k) · B(k,n). */
export function matmulNN(m: number, k: number, n: number, a: Float32Array, aOff: number, b: Float32Array, bOff: number, c: Float32Array, cOff: number, accumulate: boolean): void {
  const w = activeWasm();
  if (w === null) scalar.matmulNN(m, k, n, a, aOff, b, bOff, c, cOff, accumulate);
  else wasmProduct(w, 'NN', m, k, n, a, aOff, b, bOff, 0, c, cOff, accumulate);
}

/** C(m,n) (+)= A(m,k) · B(n,k)ᵀ. */
export function matmulNT(m: number, k: number, n: number, a: Float32Array, aOff: number, b: Float32Array, bOff: number, c: Float32Array, cOff: number, accumulate: boolean): void {
  const w = activeWasm();
  if (w === null) scalar.matmulNT(m, k, n, a, aOff, b, bOff, c, cOff, accumulate);
  else wasmProduct(w, 'NT', m, k, n, a, aOff, b, bOff, 0, c, cOff, accumulate);
}

/** C(m,n) (+)= A(k,m)ᵀ · B(k,n). */
export function matmulTN(m: number, k: number, n: number, a: Float32Array, aOff: number, b: Float32Array, bOff: number, c: Float32Array, cOff: number, accumulate: boolean): void {
  const w = activeWasm();
  if (w === null) scalar.matmulTN(m, k, n, a, aOff, b, bOff, c, cOff, accumulate);
  else wasmProduct(w, 'TN', m, k, n, a, aOff, b, bOff, 0, c, cOff, accumulate);
}

/**
 * C(m,n) = X(m,k) · Wᵀ (+ bias in every row) for a weight W (n, k) identified by `key` at
 * `version`: on the WASM backend its packed panels are reused until the version changes.
 */
export function matmulWeightNT(m: number, k: number, n: number, x: Float32Array, key: object, version: number, weight: Float32Array, bias: Float32Array | null, c: Float32Array): void {
  const w = activeWasm();
  if (w !== null) {
    wasmProduct(w, 'NT', m, k, n, x, 0, null, 0, packedTransposed(w, key, version, weight, n, k), c, 0, false, bias);
    return;
  }
  if (bias !== null) for (let r = 0; r < m; r++) c.set(bias, r * n);
  scalar.matmulNT(m, k, n, x, 0, weight, 0, c, 0, bias !== null);
}
