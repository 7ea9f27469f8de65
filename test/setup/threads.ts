// The 'threads' test project: every numerical test again on the WASM backend with two threads.
// The pool never falls back to one thread here (the test machine is busy with the other test
// worker, which would make the contention guard drop the workers), and the setup waits until
// the worker is up, and work of any size is split, so every parallel path in the library
// really runs on two threads.
import { afterAll } from 'vitest';
import { setBackend } from '../../src/index.js';
import { wasmKernels } from '../../src/kernels/backend.js';
import { ContentionGuard, kernelPool, parallelWork, setKernelPool } from '../../src/kernels/threads.js';
import { NodeKernelPool } from '../../src/node/threads.js';

setBackend('wasm');
parallelWork.minimum = 0; // split even the tests' small layers and products
setKernelPool(new NodeKernelPool(1, wasmKernels()!, new ContentionGuard(Infinity)));
const started = Date.now();
while (kernelPool()!.ready < 2) {
  if (Date.now() - started > 30_000) throw new Error('the kernel worker did not start within 30 s');
  await new Promise((resolve) => setTimeout(resolve, 10));
}

afterAll(() => {
  kernelPool()?.close();
  setKernelPool(null);
});
