/**
 * The fused multiply-add variant of the products (relaxed SIMD's f32x4.relaxed_madd), chosen
 * when `WebAssembly.validate` accepts it. Node 20 has it behind --experimental-wasm-relaxed-simd,
 * which later Nodes (V8 with relaxed SIMD on by default) reject as a bad option, so this runs a
 * child Node with the flag only where its V8 lists it: the backend must pick FMA there, and its
 * products must match a float64 triple loop as closely as the multiply-then-add kernel does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { createWasmKernels } from '../../src/kernels/wasm/module.js';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-fma-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHECK = `
import { backend, wasmKernels } from './src/kernels/backend.js';
import { Generator, randn, setBackend } from './src/index.js';
setBackend('wasm');
const { matmulNN, matmulNT, matmulTN } = backend();
const g = new Generator(5);
let worst = 0;
for (const [m, k, n] of [[1, 1, 1], [5, 300, 7], [33, 17, 65], [64, 64, 64]]) {
  for (const [layout, product] of [['NN', matmulNN], ['NT', matmulNT], ['TN', matmulTN]]) {
    const a = randn([m * k], { generator: g }).data, b = randn([k * n], { generator: g }).data;
    const c = new Float32Array(m * n);
    product(m, k, n, a, 0, b, 0, c, 0, false);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let exact = 0, sumAbs = 0;
      for (let p = 0; p < k; p++) {
        const x = a[layout === 'TN' ? p * m + i : i * k + p] * b[layout === 'NT' ? j * k + p : p * n + j];
        exact += x; sumAbs += Math.abs(x);
      }
      worst = Math.max(worst, Math.abs(c[i * n + j] - exact) / ((k + 2) * 1.2e-7 * sumAbs + 1e-37));
    }
  }
}
console.log(JSON.stringify({ fma: wasmKernels().fma, worst }));
`;

/**
 * A module whose one function runs `op` (two bytes after the SIMD prefix 0xfd, as LEB128) on
 * three v128 constants and drops the result, written out byte by byte: what the engine
 * validates, asked without the library's assembler.
 */
function probe(op: [number, number]): Uint8Array<ArrayBuffer> {
  const v128 = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
  const body = [0x00, ...v128, ...v128, ...v128, 0xfd, ...op, 0x1a, 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // one type: () -> ()
    0x03, 0x02, 0x01, 0x00, // one function of that type
    0x0a, body.length + 2, 0x01, body.length, ...body, // its code
  ]);
}

describe('relaxed SIMD', () => {
  it('is chosen in this process exactly when the engine validates f32x4.relaxed_madd', () => {
    // f32x4.relaxed_madd (0x105) takes three operands; the same module with bitselect (0x52,
    // also three) must validate wherever SIMD does, so the bytes themselves are right.
    expect(WebAssembly.validate(probe([0x52, 0x00]))).toBe(true);
    const kernels = createWasmKernels();
    if (typeof kernels === 'string') throw new Error(kernels);
    expect(kernels.fma).toBe(WebAssembly.validate(probe([0x85, 0x02])));
  });

  it('is used where the engine has it, and its products are as exact', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const outfile = join(dir, 'check.mjs');
    await build({ stdin: { contents: CHECK, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'silent' });
    const check = (flags: string[]) => JSON.parse(execFileSync(process.execPath, [...flags, outfile], { encoding: 'utf8' })) as { fma: boolean; worst: number };
    const flag = '--experimental-wasm-relaxed-simd';
    const v8Options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const withRelaxed = check(v8Options.includes(flag) ? [flag] : []);
    expect(withRelaxed.fma).toBe(true);
    expect(withRelaxed.worst).toBeLessThanOrEqual(1);
    // Where the flag exists, a Node without it may or may not have relaxed SIMD on (Node 20:
    // off); either way its products are as exact.
    if (v8Options.includes(flag)) expect(check([]).worst).toBeLessThanOrEqual(1);
  });
});
