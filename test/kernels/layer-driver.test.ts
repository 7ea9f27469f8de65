/**
 * What a backend's recurrent-layer driver promises besides the numbers: `release` gives each
 * direction's workspace back to that direction's pool, every gradient is an array of its own,
 * and on WASM a call the heap cannot hold throws and still gives its workspaces back; the time
 * loops are split over batch rows exactly when their work reaches `parallelWork.minimum`; and a
 * GRU layer whose arrays are larger than the kernels' scratch at the start of memory (where a
 * block of size 0 points) matches the JS kernels, with and without dx. The last runs on a module
 * assembled here, so that the heap's layout is known: the first block of a call follows the
 * scratch.
 */
import { describe, expect, it, vi } from 'vitest';
import { Generator } from '../../src/index.js';
import { backend, wasmKernels } from '../../src/kernels/backend.js';
import { jsBackend } from '../../src/kernels/js/backend.js';
import type { CellKind, RecurrentLayerCall } from '../../src/kernels/recurrent.js';
import { kernelPool, parallelWork, runJob, setKernelPool, type KernelPool } from '../../src/kernels/threads.js';
import { wasmBackend } from '../../src/kernels/wasm/backend.js';
import { GEMM_SCRATCH } from '../../src/kernels/wasm/gemm.js';
import { createWasmKernels } from '../../src/kernels/wasm/module.js';
import { WorkspacePool } from '../../src/kernels/workspace.js';
import { expectClose } from '../helpers.js';
import { FAST_VS_REFERENCE, LAYER } from '../tolerances.js';

const GATES: Record<CellKind, number> = { lstm: 4, gru: 3, rnnTanh: 1, rnnRelu: 1 };

/** A layer call with values in [-scale, scale) from `seed`; sequence b is T - (b % T) steps long. */
function layerCall(kind: CellKind, T: number, B: number, I: number, H: number, D: number, seed: number, scale = 1): RecurrentLayerCall {
  const g = new Generator(seed);
  const values = (n: number) => Float32Array.from({ length: n }, () => scale * (2 * g.random() - 1));
  const G = GATES[kind] * H;
  return {
    kind, T, B, I, H,
    x: values(T * B * I),
    h0: values(D * B * H),
    c0: kind === 'lstm' ? values(D * B * H) : null,
    directions: Array.from({ length: D }, () => ({ weightIh: values(G * I), weightHh: values(G * H), biasIh: values(G), biasHh: values(G) })),
    lengths: Int32Array.from({ length: B }, (_, b) => T - (b % T)),
    pools: Array.from({ length: D }, () => new WorkspacePool(H, kind)),
  };
}

/** A gradient for the packed outputs of `call`. */
function packedGradient(call: RecurrentLayerCall): Float32Array {
  const { T, B, H } = call;
  const D = call.directions.length;
  const n = T * B * D * H + D * B * H * (call.kind === 'lstm' ? 2 : 1);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i + 0.5));
}

/** The JS kernels' run of `call`, on pools of its own. */
function jsRun(call: RecurrentLayerCall) {
  return jsBackend.recurrentLayer({ ...call, pools: call.pools.map(() => new WorkspacePool(call.H, call.kind)) }, true);
}

describe('the recurrent layer driver of the active backend', () => {
  it('release gives each direction its workspace back to its own pool', () => {
    const call = layerCall('lstm', 3, 2, 2, 3, 2, 1);
    const taken = call.pools.map((pool) => vi.spyOn(pool, 'acquire'));
    const run = backend().recurrentLayer(call, true);
    run.backward(packedGradient(call), true);
    run.release();
    call.pools.forEach((pool, d) => expect(pool.acquire(3, 2), `direction ${d}`).toBe(taken[d]!.mock.results[0]!.value));
  });

  it('returns every gradient as an array of its own', () => {
    for (const kind of ['lstm', 'gru', 'rnnTanh'] as const) {
      const call = layerCall(kind, 2, 2, 2, 3, 2, 2);
      const run = backend().recurrentLayer(call, true);
      const grads = run.backward(packedGradient(call), true);
      run.release();
      expect(new Set(grads).size, kind).toBe(grads.length);
    }
  });
});

describe.runIf(backend().name === 'wasm')('the WASM recurrent layer driver', () => {
  it('gives the workspaces back and the heap unchanged when the heap cannot hold the call', () => {
    const heap = wasmKernels()!.heap;
    const before = heap.allocatedBytes;
    // x of 2^30 floats per row: 4 GiB, past the heap's limit (the arrays themselves are never read)
    const call = { ...layerCall('rnnTanh', 1, 1, 1, 2, 1, 3), I: 2 ** 30 };
    const taken = vi.spyOn(call.pools[0]!, 'acquire');
    expect(() => backend().recurrentLayer(call, true)).toThrow(/cannot allocate/);
    expect(heap.allocatedBytes).toBe(before);
    expect(call.pools[0]!.acquire(1, 1)).toBe(taken.mock.results[0]!.value);
  });

  it('splits the time loops over batch rows exactly when their work reaches parallelWork.minimum', () => {
    const { exports } = wasmKernels()!;
    const loops: string[] = [];
    // A pool of 2 threads that runs every job on the caller and notes the time loops it got.
    const pool: KernelPool = {
      ready: 2,
      run(jobs) {
        const fn = jobs[0]![0]!.fn;
        if (fn === 'forwardLoop' || fn === 'backwardLoop') loops.push(`${fn} in ${jobs.length}`);
        for (const job of jobs) runJob(exports, job);
      },
      close() {},
    };
    const saved = { pool: kernelPool(), minimum: parallelWork.minimum };
    setKernelPool(pool);
    try {
      const [kind, T, B, H] = ['gru', 3, 3, 5] as const;
      const work = T * B * H * (GATES[kind] * H); // the multiply-adds of the loop's products
      for (const [minimum, split] of [[work, true], [work + 1, false]] as const) {
        parallelWork.minimum = minimum;
        loops.length = 0;
        const call = layerCall(kind, T, B, 2, H, 2, 4);
        const run = backend().recurrentLayer(call, true);
        const want = jsRun(call);
        expectClose(run.packed, want.packed, FAST_VS_REFERENCE, `minimum ${minimum}: outputs`);
        const g = packedGradient(call);
        const wantGrads = want.backward(g, true);
        run.backward(g, true).forEach((a, i) => expectClose(a!, wantGrads[i]!, FAST_VS_REFERENCE, `minimum ${minimum}: gradient ${i}`));
        run.release();
        // two threads ready, three rows: two jobs, one per direction and pass
        const expected = split ? ['forwardLoop in 2', 'forwardLoop in 2', 'backwardLoop in 2', 'backwardLoop in 2'] : [];
        expect(loops, `minimum ${minimum}`).toEqual(expected);
      }
    } finally {
      setKernelPool(saved.pool);
      parallelWork.minimum = saved.minimum;
    }
  });

  it('a GRU layer larger than the kernels’ scratch runs as the JS kernels do, with and without dx', () => {
    const kernels = createWasmKernels();
    if (typeof kernels === 'string') throw new Error(kernels);
    // T·B·H and T·B·I floats are more bytes than the scratch: a gate block or gx misplaced at
    // address 0 would run into the call's first blocks (x, the lengths...).
    const [T, B, I, H] = [24, 32, 32, 32];
    expect(T * B * H * 4).toBeGreaterThan(GEMM_SCRATCH.end);
    const call = layerCall('gru', T, B, I, H, 2, 5, 0.3);
    // This module has its own memory: the library's thread pool runs the library's module.
    const pool = kernelPool();
    setKernelPool(null);
    try {
      const mine = wasmBackend(kernels).recurrentLayer(call, true);
      const want = jsRun(call);
      expectClose(mine.packed, want.packed, LAYER, 'outputs');
      const g = packedGradient(call);
      for (const needX of [false, true]) {
        const got = mine.backward(g, needX);
        const expected = want.backward(g, needX);
        expect(got.map((a) => a?.length ?? null), `needX ${needX}`).toEqual(expected.map((a) => a?.length ?? null));
        got.forEach((a, i) => a !== null && expectClose(a, expected[i]!, LAYER, `needX ${needX}: gradient ${i}`));
      }
      mine.release();
    } finally {
      setKernelPool(pool);
    }
  });
});
