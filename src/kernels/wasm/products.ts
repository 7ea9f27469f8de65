/**
 * Matrix products on the WASM backend (layouts in ../backend.ts): the operands are copied into
 * the heap, multiplied by the SIMD kernel (gemm.ts), and the result copied back: O(n²) copies
 * around O(n³) work. `linear` reads a weight's packed panels from the pack cache (packs.ts).
 * Large products cut their rows among the threads that are ready (../threads.ts).
 */
import type { Product } from '../backend.js';
import { kernelCall, parallelism, parallelWork, runJobs, splitRange } from '../threads.js';
import type { KernelArgs } from './abi.js';
import type { WasmKernels } from './module.js';
import { packedBytes, packedTransposed } from './packs.js';

/**
 * gemm (arguments as in abi.ts, addresses in bytes), with its rows cut among the threads that
 * are ready when the product is large enough to gain from them.
 */
export function gemmRows(w: WasmKernels, args: KernelArgs<'gemm'>): void {
  const { m, k, n, a, ai, c, ldc } = args;
  const parts = m * k * n >= parallelWork.minimum ? Math.min(parallelism(), Math.max(1, m >> 2)) : 1;
  runJobs(w.exports, splitRange(m, parts).map(([r0, r1]) => [kernelCall('gemm', { ...args, m: r1 - r0, a: a + r0 * ai, c: c + r0 * ldc })]));
}

type Layout = 'NN' | 'NT' | 'TN';

/**
 * C (+)= op(A) · op(B) (+ bias) through the heap. `packedB` is an already packed Wᵀ (NT), or 0
 * to copy B in (and pack it, for NT); `bias` (n floats, or null) is added to every row's finished sums.
 */
function product(
  w: WasmKernels, layout: Layout, m: number, k: number, n: number,
  a: Float32Array, aOff: number, b: Float32Array | null, bOff: number, packedB: number,
  c: Float32Array, cOff: number, accumulate: boolean, bias: Float32Array | null = null,
): void {
  if (m === 0 || n === 0) return;
  const { heap, exports: e } = w;
  const packHere = layout === 'NT' && packedB === 0;
  heap.withBlocks([m * k * 4, m * n * 4, b === null ? 0 : k * n * 4, bias === null ? 0 : n * 4, packHere ? packedBytes(n, k) : 0], ([pa, pc, pb, pbias, packed]) => {
    const f = heap.f32;
    f.set(a.subarray(aOff, aOff + m * k), pa! >>> 2);
    if (b !== null) f.set(b.subarray(bOff, bOff + k * n), pb! >>> 2);
    if (bias !== null) f.set(bias, pbias! >>> 2);
    // Stryker disable next-line ConditionalExpression: C copied in when overwriting changes nothing: the kernel writes every entry without reading it
    if (accumulate) f.set(c.subarray(cOff, cOff + m * n), pc! >>> 2);
    const common = { m, k, n, a: pa!, c: pc!, ldc: n * 4, accumulate: accumulate ? 1 : 0, bias: pbias! };
    if (layout === 'NN') gemmRows(w, { ...common, ai: k * 4, ap: 4, b: pb!, bp: n * 4, bpanel: 32 });
    else if (layout === 'TN') gemmRows(w, { ...common, ai: 4, ap: m * 4, b: pb!, bp: n * 4, bpanel: 32 });
    else {
      if (packHere) e.packTransposed(n, k, pb!, packed!);
      gemmRows(w, { ...common, ai: k * 4, ap: 4, b: packHere ? packed! : packedB, bp: 32, bpanel: k * 32 });
    }
    c.set(heap.f32.subarray(pc! >>> 2, (pc! >>> 2) + m * n), cOff);
  });
}

/** The three products of the Backend interface on these kernels. */
export function wasmProducts(w: WasmKernels): { matmulNN: Product; matmulNT: Product; matmulTN: Product } {
  return {
    matmulNN: (m, k, n, a, aOff, b, bOff, c, cOff, accumulate) => product(w, 'NN', m, k, n, a, aOff, b, bOff, 0, c, cOff, accumulate),
    matmulNT: (m, k, n, a, aOff, b, bOff, c, cOff, accumulate) => product(w, 'NT', m, k, n, a, aOff, b, bOff, 0, c, cOff, accumulate),
    matmulTN: (m, k, n, a, aOff, b, bOff, c, cOff, accumulate) => product(w, 'TN', m, k, n, a, aOff, b, bOff, 0, c, cOff, accumulate),
  };
}

/** y(m,n) = x(m,k) · Wᵀ (+ bias) for a weight W (n, k), packed once per storage version. */
export function wasmLinear(w: WasmKernels, m: number, k: number, n: number, x: Float32Array, weight: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  // Stryker disable next-line ConditionalExpression: n = 0 (false) packs an empty weight and the product returns at once (m = 0 is caught: it packs the weight)
  if (m === 0 || n === 0) return;
  const callBlocks: number[] = [];
  try {
    // Stryker disable next-line StringLiteral: any layout but NN and TN takes the NT branch, and a packed B is never packed again
    product(w, 'NT', m, k, n, x, 0, null, 0, packedTransposed(w, weight, n, k, callBlocks), y, 0, false, bias);
  } finally {
    for (const at of callBlocks) w.heap.free(at);
  }
}
