/**
 * A product in the WASM heap split into row chunks as KernelCall jobs, for the thread tests
 * (and their child processes, so no vitest import here).
 */
import { kernelCall, type KernelCall } from '../../src/kernels/threads.js';
import type { WasmKernels } from '../../src/kernels/wasm/module.js';

/** C(m,n) = A(m,k)·B(k,n) in the heap, random A and B; `jobs(chunks)` splits it by rows. */
export class Product {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  constructor(
    private readonly k: WasmKernels,
    readonly m: number,
    readonly inner: number,
    readonly n: number,
    seed = 1,
  ) {
    this.a = k.heap.alloc(m * inner * 4);
    this.b = k.heap.alloc(inner * n * 4);
    this.c = k.heap.alloc(m * n * 4);
    let s = seed;
    const f = k.heap.f32;
    const random = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    for (let i = 0; i < m * inner; i++) f[(this.a >>> 2) + i] = random();
    for (let i = 0; i < inner * n; i++) f[(this.b >>> 2) + i] = random();
  }

  /** `chunks` jobs of consecutive rows (the last ones may be empty of rows but still run). */
  jobs(chunks: number): KernelCall[][] {
    const { m, inner, n } = this;
    const out: KernelCall[][] = [];
    const per = Math.ceil(m / chunks);
    for (let r = 0; r < m; r += per) {
      const rows = Math.min(per, m - r);
      out.push([kernelCall('gemm', { m: rows, k: inner, n, a: this.a + r * inner * 4, ai: inner * 4, ap: 4, b: this.b, bp: n * 4, bpanel: 32, c: this.c + r * n * 4, ldc: n * 4, accumulate: 0, bias: 0 })]);
    }
    return out;
  }

  /** A copy of C, after clearing it for the next run. */
  take(): Float32Array {
    const f = this.k.heap.f32;
    const at = this.c >>> 2;
    const copy = f.slice(at, at + this.m * this.n);
    f.fill(Number.NaN, at, at + this.m * this.n);
    return copy;
  }

  free(): void {
    for (const p of [this.a, this.b, this.c]) this.k.heap.free(p);
  }
}

/** The bits of a float array, for exact comparisons (NaN-safe). */
export function bits(a: Float32Array): Int32Array {
  return new Int32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}
