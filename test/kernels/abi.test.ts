/**
 * The kernel ABI (src/kernels/wasm/abi.ts) is the one declaration of every kernel's signature:
 * the compiled module exports exactly its kernels, in its order, each taking as many
 * parameters as it names; named arguments become positional ones in ABI order, whatever order
 * they are written in; and a call between kernels that lacks an argument fails to emit.
 */
import { describe, expect, it } from 'vitest';
import { wasmKernels } from '../../src/kernels/backend.js';
import { ABI, argsOf, callKernel, KERNEL_NAMES } from '../../src/kernels/wasm/abi.js';
import { Code } from '../../src/kernels/wasm/assembler.js';

describe('the kernel ABI', () => {
  it('is what the module exports: the same kernels, in order, with as many parameters', () => {
    const k = wasmKernels()!;
    const exported = WebAssembly.Module.exports(k.module as WebAssembly.Module).filter((e) => e.kind === 'function').map((e) => e.name);
    expect(exported).toEqual(KERNEL_NAMES);
    for (const name of KERNEL_NAMES) expect((k.exports[name] as (...a: number[]) => void).length, name).toBe(ABI[name].length);
  });

  it('puts named arguments in ABI order', () => {
    expect(argsOf('transpose', { dst: 4, src: 3, cols: 2, rows: 1 })).toEqual([1, 2, 3, 4]);
    expect(argsOf('gemm', { bias: 13, accumulate: 12, ldc: 11, c: 10, bpanel: 9, bp: 8, b: 7, ap: 6, ai: 5, a: 4, n: 3, k: 2, m: 1 })).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('refuses to emit a call between kernels that lacks an argument', () => {
    const code = new Code(0);
    const args = { rows: 0, cols: 0, src: 0 } as unknown as Parameters<typeof callKernel<'transpose'>>[2];
    expect(() => callKernel(code, 'transpose', args)).toThrow('callKernel: transpose has no argument dst');
  });
});
