/**
 * Helpers of the thread tests: the real WASM kernels and a pool started and waited for.
 */
import { expect } from 'vitest';
import { wasmKernels } from '../../src/kernels/backend.js';
import type { WasmExports, WasmKernels } from '../../src/kernels/wasm/module.js';
import { NodeKernelPool } from '../../src/node/threads.js';

/** The WASM kernels, which these tests need with a shared memory. */
export function kernels(): WasmKernels {
  const k = wasmKernels();
  expect(k, 'the WASM backend runs under Node').not.toBeNull();
  expect(k!.shared, 'its memory is shared').toBe(true);
  return k!;
}

/** The caller's exports in the form runJobs takes. */
export function exportsOf(k: WasmKernels): WasmExports {
  return k.exports;
}

/** Resolves once `ready` workers (counting the caller) are up. */
export async function whenReady(pool: NodeKernelPool, ready: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (pool.bootedWorkers + 1 < ready) {
    if (Date.now() > deadline) throw new Error(`the pool has ${pool.bootedWorkers} workers up after 20 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
