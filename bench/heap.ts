/**
 * `npm run bench:heap [-- WORKLOAD STEPS]`: heap growth over a long run of one training
 * workload (default L1, 1,000 steps) on the active backend. The JS heap used after a full GC,
 * and on the WASM backend its memory size and the bytes allocated in it, are read after 10
 * steps and at the end; a steady-state training loop should grow none of them. Needs node
 * --expose-gc.
 */
import { getBackend } from '../src/index.js';
import { wasmKernels } from '../src/kernels/backend.js';
import { WORKLOADS } from './workloads.js';

const name = process.argv[2] ?? 'L1';
const steps = Number(process.argv[3] ?? 1000);
const w = WORKLOADS.find((x) => x.name === name);
if (!w) throw new Error(`unknown workload ${name}`);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const wasmHeap = () => {
  const kernels = getBackend() === 'wasm' ? wasmKernels() : null;
  return kernels ? { memory: kernels.heap.memory.buffer.byteLength, allocated: kernels.heap.allocatedBytes } : null;
};
const fn = w.setup();
for (let i = 0; i < 10; i++) fn();
const after10 = heap();
const wasm10 = wasmHeap();
const started = Date.now();
for (let i = 10; i < steps; i++) fn();
const atEnd = heap();
const wasmEnd = wasmHeap();
const mb = (b: number) => (b / 2 ** 20).toFixed(2);
console.log(`${name} (${getBackend()}): JS heap after 10 steps ${mb(after10)} MB, after ${steps} steps ${mb(atEnd)} MB, growth ${mb(atEnd - after10)} MB (${((Date.now() - started) / 1000).toFixed(0)} s)`);
if (wasm10 && wasmEnd) {
  console.log(`WASM memory ${mb(wasm10.memory)} -> ${mb(wasmEnd.memory)} MB, allocated in it between steps ${mb(wasm10.allocated)} -> ${mb(wasmEnd.allocated)} MB (packed weights)`);
}
