/**
 * Child process of the contention test, started pinned to one core beside a busy process:
 * runs a product split in two on a pool of one worker until the pool falls back, then ten
 * more runs, and prints what happened as JSON.
 */
import { wasmKernels } from '../../src/kernels/backend.js';
import { NodeKernelPool } from '../../src/node/threads.js';
import { Product } from './product.js';

const kernels = wasmKernels()!;
const pool = new NodeKernelPool(1, kernels);
const booting = Date.now();
while (pool.bootedWorkers < 1 && Date.now() - booting < 20_000) await new Promise((r) => setTimeout(r, 5));
// Each half takes milliseconds: the guard judges only runs whose caller part takes 1 ms or more.
const jobs = new Product(kernels, 256, 512, 512).jobs(2);
const deadline = Date.now() + 20_000;
let runs = 0;
while (pool.guard.fallbacks === 0 && Date.now() < deadline) {
  pool.run(jobs);
  runs++;
}
const threaded = pool.threadedRuns;
const readyAfter = pool.ready;
for (let i = 0; i < 10; i++) pool.run(jobs);
console.log(JSON.stringify({ booted: pool.bootedWorkers, runs, fallbacks: pool.guard.fallbacks, readyAfter, threadedAfter: pool.threadedRuns - threaded }));
pool.close();
