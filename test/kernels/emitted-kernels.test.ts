/**
 * A kernel module assembled in the test itself (createWasmKernels, not the one the library
 * keeps) runs every cell kind's recurrent layer, forward and backward, in both directions,
 * with and without bias, over batches and sizes that are not multiples of 4, as the scalar JS
 * kernels do. Assembling here is the point: the emitters (gates, loops, products) run inside
 * this test, so a slip in what they emit is checked against numbers, and per-test coverage in
 * a mutation run credits them to a test that compares values. A second module is built from the
 * kernel modules loaded anew, so that what they compute when they load (the assembler's opcode
 * table) is computed inside a test too, then its layers and accumulating products are checked.
 */
import { expect, it, vi } from 'vitest';
import { Generator } from '../../src/index.js';
import { jsBackend } from '../../src/kernels/js/backend.js';
import type { CellKind, RecurrentLayerCall } from '../../src/kernels/recurrent.js';
import { kernelPool, setKernelPool } from '../../src/kernels/threads.js';
import { wasmBackend } from '../../src/kernels/wasm/backend.js';
import { createWasmKernels } from '../../src/kernels/wasm/module.js';
import { WorkspacePool } from '../../src/kernels/workspace.js';
import { expectClose } from '../helpers.js';
import { FAST_VS_REFERENCE } from '../tolerances.js';

const GATES: Record<CellKind, number> = { lstm: 4, gru: 3, rnnTanh: 1, rnnRelu: 1 };

/** One layer call with values in [-1, 1) from `seed`: T steps, batch B, I inputs, H hidden, D directions. */
function layerCall(kind: CellKind, T: number, B: number, I: number, H: number, D: number, bias: boolean, seed: number): RecurrentLayerCall {
  const g = new Generator(seed);
  const values = (n: number) => Float32Array.from({ length: n }, () => 2 * g.random() - 1);
  const G = GATES[kind] * H;
  return {
    kind,
    T,
    B,
    I,
    H,
    x: values(T * B * I),
    h0: values(D * B * H),
    c0: kind === 'lstm' ? values(D * B * H) : null,
    directions: Array.from({ length: D }, () => ({ weightIh: values(G * I), weightHh: values(G * H), biasIh: bias ? values(G) : null, biasHh: bias ? values(G) : null })),
    lengths: Int32Array.from({ length: B }, (_, b) => T - (b % T)),
    pools: Array.from({ length: D }, () => new WorkspacePool(H, kind)),
  };
}

it('a freshly assembled module runs every layer forward and backward as the JS kernels do', () => {
  const kernels = createWasmKernels();
  if (typeof kernels === 'string') throw new Error(kernels);
  const wasm = wasmBackend(kernels);
  // A thread pool (the threads project's) runs the library's own module in its workers; this
  // module, with its own memory, runs on the caller alone.
  const pool = kernelPool();
  setKernelPool(null);
  try {
    runAll(wasm);
  } finally {
    setKernelPool(pool);
  }
});

it('a module built by the kernel modules loaded anew computes the same', async () => {
  // A mutation run switches a mutant on once the modules have loaded: loaded again here, with
  // it on, their tables (the assembler's opcodes) are built with the slip.
  vi.resetModules();
  const fresh = await import('../../src/kernels/wasm/module.js');
  const { wasmBackend: freshBackend } = await import('../../src/kernels/wasm/backend.js');
  const kernels = fresh.createWasmKernels();
  if (typeof kernels === 'string') throw new Error(kernels);
  // The modules loaded anew have no thread pool: all runs on the caller.
  const wasm = freshBackend(kernels);
  runAll(wasm);
  const g = new Generator(11);
  const values = (n: number) => Float32Array.from({ length: n }, () => 2 * g.random() - 1);
  for (const layout of ['NN', 'NT', 'TN'] as const) {
    const [m, k, n] = [5, 7, 9];
    const a = values(m * k), b = values(k * n), c = values(m * n);
    const mine = c.slice();
    wasm[`matmul${layout}`](m, k, n, a, 0, b, 0, mine, 0, true);
    jsBackend[`matmul${layout}`](m, k, n, a, 0, b, 0, c, 0, true);
    expectClose(mine, c, FAST_VS_REFERENCE, `${layout}, accumulating`);
  }
});

function runAll(wasm: ReturnType<typeof wasmBackend>): void {
  let seed = 1;
  for (const kind of ['lstm', 'gru', 'rnnTanh', 'rnnRelu'] as const) {
    for (const [T, B, I, H, D, bias] of [
      [3, 5, 3, 6, 2, true],
      [4, 1, 7, 9, 1, false],
      [2, 3, 4, 8, 1, true],
      [2, 2, 5, 7, 2, true], // H = 7: a tail of three columns, the only one that stores lane 2
    ] as const) {
      const call = layerCall(kind, T, B, I, H, D, bias, seed++);
      const what = `${kind} T${T} B${B} I${I} H${H} D${D}${bias ? '' : ' without bias'}`;
      const mine = wasm.recurrentLayer(call, true);
      const reference = jsBackend.recurrentLayer({ ...call, pools: call.directions.map(() => new WorkspacePool(H, kind)) }, true);
      expectClose(mine.packed, reference.packed, FAST_VS_REFERENCE, `${what}: outputs`);
      const grad = Float32Array.from(reference.packed, (_, i) => Math.sin(i + seed));
      const got = mine.backward(grad, true);
      const want = reference.backward(grad, true);
      expect(got.map((a) => a?.length ?? null), what).toEqual(want.map((a) => a?.length ?? null));
      got.forEach((a, i) => a !== null && expectClose(a, want[i]!, FAST_VS_REFERENCE, `${what}: gradient ${i}`));
      mine.release();
      reference.release();
    }
  }
}
