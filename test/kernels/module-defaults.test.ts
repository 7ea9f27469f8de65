/**
 * What the kernels' modules set up when they load, each read from a fresh copy of the module:
 * the backend choice falls back to the JS kernels (and says why) on an engine without
 * WebAssembly SIMD, the JS backend's name and recurrent layer, the kernels' plain Error until
 * the library installs its own, and the work below which products stay on one thread.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as Backends from '../../src/kernels/backend.js';
import type * as Errors from '../../src/kernels/errors.js';
import type * as Js from '../../src/kernels/js/backend.js';
import type * as Threads from '../../src/kernels/threads.js';
import { WorkspacePool } from '../../src/kernels/workspace.js';
import { RecurrentError } from '../../src/index.js';
import { freshCopy } from './fresh-modules.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the backend choice', () => {
  it('takes the JS kernels where WebAssembly SIMD does not validate, and says why WASM cannot run', async () => {
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    const fresh = await freshCopy<typeof Backends>(new URL('../../src/kernels/backend.ts', import.meta.url));
    expect(fresh.backend().name).toBe('js');
    expect(fresh.wasmKernels()).toBeNull();
    expect(fresh.selectBackend('wasm')).toBe('this engine has WebAssembly but not its 128-bit SIMD');
    expect(fresh.backend().name).toBe('js');
  });
});

describe('the JS backend', () => {
  it("is named 'js' and runs a recurrent layer", async () => {
    const { jsBackend } = await freshCopy<typeof Js>(new URL('../../src/kernels/js/backend.ts', import.meta.url));
    expect(jsBackend.name).toBe('js');
    // One tanh RNN step: h = tanh(2 * 0.5 + 0 * h0) = tanh(1), the output and h_n.
    const run = jsBackend.recurrentLayer({
      kind: 'rnnTanh', T: 1, B: 1, I: 1, H: 1, x: Float32Array.of(0.5), h0: Float32Array.of(0.25), c0: null,
      directions: [{ weightIh: Float32Array.of(2), weightHh: Float32Array.of(0), biasIh: null, biasHh: null }],
      lengths: Int32Array.of(1), pools: [new WorkspacePool(1, 'rnnTanh')],
    }, false);
    expect(Array.from(run.packed)).toEqual([Math.fround(Math.tanh(1)), Math.fround(Math.tanh(1))]);
  });
});

describe('kernel errors', () => {
  it('are plain Errors named by operation until the library installs its class', async () => {
    const fresh = await freshCopy<typeof Errors>(new URL('../../src/kernels/errors.ts', import.meta.url));
    const plain = fresh.kernelError('wasm heap', 'cannot grow');
    expect(plain).toBeInstanceOf(Error);
    expect(plain).not.toBeInstanceOf(RecurrentError);
    expect(plain.message).toBe('wasm heap: cannot grow');
    fresh.setKernelError((op, message) => new RangeError(`${message} (${op})`));
    const installed = fresh.kernelError('wasm heap', 'cannot grow');
    expect([installed instanceof RangeError, installed.message]).toEqual([true, 'cannot grow (wasm heap)']);
  });
});

describe('parallel work', () => {
  it('keeps products below a positive amount of work on one thread by default', async () => {
    const { parallelWork } = await freshCopy<typeof Threads>(new URL('../../src/kernels/threads.ts', import.meta.url));
    expect(parallelWork.minimum).toBeGreaterThan(0);
    expect(Number.isFinite(parallelWork.minimum)).toBe(true);
  });
});
