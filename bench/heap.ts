/**
 * `npm run bench:heap [-- WORKLOAD STEPS]`: heap growth over a long run of one training
 * workload (default L1, 1,000 steps). Heap used after a full GC is read after 10 steps and
 * at the end; a steady-state training loop should not grow. Needs node --expose-gc.
 */
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
const fn = w.setup();
for (let i = 0; i < 10; i++) fn();
const after10 = heap();
const started = Date.now();
for (let i = 10; i < steps; i++) fn();
const atEnd = heap();
const mb = (b: number) => (b / 2 ** 20).toFixed(2);
console.log(`${name}: heap after 10 steps ${mb(after10)} MB, after ${steps} steps ${mb(atEnd)} MB, growth ${mb(atEnd - after10)} MB (${((Date.now() - started) / 1000).toFixed(0)} s)`);
