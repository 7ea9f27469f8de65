/**
 * Helpers of the thread tests: the real WASM kernels, a product split into row chunks as
 * KernelCall jobs, and a pool started and waited for.
 */
import { expect } from 'vitest';
import { wasmKernels } from '../../src/kernels/backend.js';
import type { KernelCall } from '../../src/kernels/threads.js';
import type { WasmKernels } from '../../src/kernels/wasm/module.js';
import { NodeKernelPool } from '../../src/node/threads.js';

/** The WASM kernels, which these tests need with a shared memory. */
export function kernels(): WasmKernels {
  const k = wasmKernels();
  expect(k, 'the WASM backend runs under Node').not.toBeNull();
  expect(k!.shared, 'its memory is shared').toBe(true);
  return k!;
}

/** The caller's exports in the form runJobs takes. */
export function exportsOf(k: WasmKernels): Record<string, Function> {
  return k.exports as unknown as Record<string, Function>;
}

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
    for (let i = 0; i < m * inner; i++) f[(this.a >> 2) + i] = random();
    for (let i = 0; i < inner * n; i++) f[(this.b >> 2) + i] = random();
  }

  /** `chunks` jobs of consecutive rows (the last ones may be empty of rows but still run). */
  jobs(chunks: number): KernelCall[][] {
    const { m, inner, n } = this;
    const out: KernelCall[][] = [];
    const per = Math.ceil(m / chunks);
    for (let r = 0; r < m; r += per) {
      const rows = Math.min(per, m - r);
      out.push([{ fn: 'gemm', args: [rows, inner, n, this.a + r * inner * 4, inner * 4, 4, this.b, n * 4, 32, this.c + r * n * 4, n * 4, 0] }]);
    }
    return out;
  }

  /** A copy of C, after clearing it for the next run. */
  take(): Float32Array {
    const f = this.k.heap.f32;
    const at = this.c >> 2;
    const copy = f.slice(at, at + this.m * this.n);
    f.fill(Number.NaN, at, at + this.m * this.n);
    return copy;
  }

  free(): void {
    for (const p of [this.a, this.b, this.c]) this.k.heap.free(p);
  }
}

/** Resolves once `ready` workers (counting the caller) are up. */
export async function whenReady(pool: NodeKernelPool, ready: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (pool.bootedWorkers + 1 < ready) {
    if (Date.now() > deadline) throw new Error(`the pool has ${pool.bootedWorkers} workers up after 20 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The bits of a float array, for exact comparisons (NaN-safe). */
export function bits(a: Float32Array): Int32Array {
  return new Int32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}
