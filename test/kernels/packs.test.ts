/**
 * The WASM pack cache (src/kernels/wasm/packs.ts) keys a packed weight by its storage, its
 * place in it and its shape: two weights in one buffer, one storage read with two shapes, and
 * a weight packed after another all give the JS backend's products. A storage's first use
 * packs into a block of that call only, so weights made anew for every call leave nothing
 * behind; from the second use on one block of the pack's size is kept.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Generator, getBackend, linear, nn, noGrad, randn, setBackend, Tensor } from '../../src/index.js';
import { wasmKernels } from '../../src/kernels/backend.js';
import { GEMM_SCRATCH } from '../../src/kernels/wasm/gemm.js';
import { createWasmKernels } from '../../src/kernels/wasm/module.js';
import { packedBytes, packedTransposed } from '../../src/kernels/wasm/packs.js';
import { expectClose, linearOnBothBackends } from '../helpers.js';
import { FAST_VS_REFERENCE } from '../tolerances.js';

const initial = getBackend();
afterAll(() => setBackend(initial));


describe.runIf(wasmKernels() !== null)('the pack cache', () => {
  it('tells apart weights at other places of one buffer and one storage read with other shapes', () => {
    const g = new Generator(1);
    const buffer = randn([2 * 9 * 20], { generator: g }).data;
    const first = new Tensor(buffer.subarray(0, 180), [9, 20]);
    const second = new Tensor(buffer.subarray(180, 360), [9, 20]);
    const reshaped = new Tensor(buffer.subarray(0, 180), [20, 9]);
    const fewerRows = new Tensor(buffer.subarray(0, 60), [3, 20]); // same place, same k, other n
    const shorterRows = new Tensor(buffer.subarray(0, 90), [9, 10]); // same place, same n, other k
    const x20 = randn([3, 20], { generator: g });
    const x10 = randn([3, 10], { generator: g });
    const x9 = randn([3, 9], { generator: g });
    // Fewer rows before the 9-row weight at the same place, and after the buffer's first use
    // (which packs for that call only): a kept pack of 3 rows must not serve 9.
    const cases = [[x20, second, 'second'], [x20, fewerRows, 'fewer rows'], [x20, first, 'first'], [x9, reshaped, 'reshaped'], [x10, shorterRows, 'shorter rows']] as const;
    for (let round = 0; round < 2; round++) {
      for (const [x, w, what] of cases) {
        const [wasm, js] = linearOnBothBackends(x, w);
        expectClose(wasm, js, FAST_VS_REFERENCE, `${what}, round ${round}`);
      }
    }
  });

  it('keeps a large weight packed after another, and both right', () => {
    const g = new Generator(2);
    const small = randn([8, 16], { generator: g });
    const large = randn([300, 129], { generator: g }); // 155 kB: more than the kernels' scratch
    const xs = randn([2, 16], { generator: g });
    const xl = randn([2, 129], { generator: g });
    for (let round = 0; round < 2; round++) {
      for (const [x, w, what] of [[xs, small, 'small'], [xl, large, 'large']] as const) {
        const [wasm, js] = linearOnBothBackends(x, w);
        expectClose(wasm, js, FAST_VS_REFERENCE, `${what}, round ${round}`);
      }
    }
  });

  it('keeps nothing after a first use, then one block of the pack’s size from the second use on', () => {
    const heap = wasmKernels()!.heap;
    const g = new Generator(3);
    const w = randn([13, 7], { generator: g });
    const x = randn([1, 7], { generator: g });
    setBackend('wasm');
    const before = heap.allocatedBytes;
    noGrad(() => linear(x, w));
    expect(heap.allocatedBytes).toBe(before);
    noGrad(() => linear(x, w));
    // A block is the request plus 32 bytes of slack, rounded up to 64.
    expect(heap.allocatedBytes - before).toBe(Math.ceil((packedBytes(13, 7) + 32) / 64) * 64);
    expect(packedBytes(13, 7)).toBe(16 * 7 * 4);
    noGrad(() => linear(x, w));
    expect(heap.allocatedBytes - before).toBe(Math.ceil((packedBytes(13, 7) + 32) / 64) * 64);
  });

  it('leaves no block behind for weights made anew for every call, in a loop that lets no finalizer run', () => {
    const heap = wasmKernels()!.heap;
    const g = new Generator(4);
    const v = randn([40, 24], { generator: g });
    const x = randn([3, 24], { generator: g });
    const seq = randn([4, 2, 24], { generator: g });
    setBackend('wasm');
    const before = heap.allocatedBytes;
    for (let i = 1; i <= 20; i++) {
      const computed = noGrad(() => v.mul(i)); // as a weight norm's w = g · v / |v|: new storage each call
      const [wasm, js] = linearOnBothBackends(x, computed);
      expectClose(wasm, js, FAST_VS_REFERENCE, `computed weight ${i}`);
      setBackend('wasm');
      const fresh = new nn.GRU({ inputSize: 24, hiddenSize: 8, seed: i }); // a new model per trial
      const out = noGrad(() => fresh.forward(seq).output).data;
      setBackend('js');
      expectClose(out, noGrad(() => fresh.forward(seq).output).data, FAST_VS_REFERENCE, `new GRU ${i}`);
      setBackend('wasm');
    }
    expect(heap.allocatedBytes).toBe(before);
  });

  it('copies W into a block of its own before packing, past the scratch at the start of memory', () => {
    // A module of its own: an empty heap, so the block taken first lies just past the scratch.
    const kernels = createWasmKernels();
    if (typeof kernels === 'string') throw new Error(kernels);
    const { heap } = kernels;
    const [n, k] = [256, 256];
    const first = heap.alloc(4096);
    // W's 256 KiB copied to address 0 (the scratch) would run over this block.
    expect(first).toBeGreaterThanOrEqual(GEMM_SCRATCH.end);
    expect(first + 4096).toBeLessThanOrEqual(n * k * 4);
    const marks = Float32Array.from({ length: 1024 }, (_, i) => i + 0.5);
    heap.f32.set(marks, first >>> 2);
    const weight = randn([n, k], { generator: new Generator(7) }).data;
    const at = packedTransposed(kernels, weight, n, k, []);
    expect(Array.from(heap.f32.subarray(first >>> 2, (first >>> 2) + 1024))).toEqual(Array.from(marks));
    // Wᵀ in panels of 8 columns, k rows each: W[j][p] at panel j / 8, row p, column j % 8.
    const f = heap.f32;
    for (const [j, p] of [[0, 0], [7, 255], [8, 1], [255, 128], [130, 77]] as const) {
      expect(f[(at >>> 2) + (j >> 3) * k * 8 + p * 8 + (j & 7)], `W[${j}][${p}]`).toBe(weight[j * k + p]);
    }
  });
});
