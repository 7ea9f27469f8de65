/** What a PyTorch user expects from printing tensors and from passing shapes and options. */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Generator, arange, ones, rand, randn, tensor, zeros } from '../../src/index.js';

describe('String(tensor), as PyTorch prints it', () => {
  it('prints nested rows aligned, whole numbers as 1.', () => {
    expect(String(tensor([[1, 2], [3, 4]]))).toBe('tensor([[1., 2.],\n        [3., 4.]])');
    expect(String(arange(8).reshape(2, 2, 2))).toBe('tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])');
    expect(String(tensor([1.5, -2.25, 3]))).toBe('tensor([ 1.5000, -2.2500,  3.0000])');
    expect(String(tensor(3))).toBe('tensor(3.)');
    expect(String(tensor([1e-6, 1, 1000]))).toBe('tensor([1.0000e-06, 1.0000e+00, 1.0000e+03])');
  });

  it('summarises large tensors and shows the grad state; console.log prints the same', () => {
    const big = arange(1, 401, 0.25).reshape(40, 40);
    big.requiresGrad = true;
    const text = String(big);
    expect(text.split('\n')).toHaveLength(7);
    expect(text.split('\n')[0]).toBe('tensor([[  1.0000,   1.2500,   1.5000, ...,  10.2500,  10.5000,  10.7500],');
    expect(text).toMatch(/\n {8}\.\.\.,\n/);
    expect(text.endsWith(']], requiresGrad=true)')).toBe(true);
    expect(String(big.sum())).toBe('tensor(321400., gradFn=sum)');
    expect(inspect(tensor([1, 2]))).toBe('tensor([1., 2.])');
  });
});

describe('shapes and options as PyTorch takes them', () => {
  it('tensor(data, options) needs no shape', () => {
    const t = tensor([[1, 2]], { requiresGrad: true });
    expect(t.requiresGrad).toBe(true);
    expect(t.shape).toEqual([1, 2]);
  });

  it('creators take sizes as arguments or one array, options last', () => {
    expect(zeros(2, 3).shape).toEqual([2, 3]);
    expect(ones(4).shape).toEqual([4]);
    expect(zeros(2, 3, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(Array.from(randn(2, 2, { generator: new Generator(5) }).data)).toEqual(Array.from(randn([2, 2], { generator: new Generator(5) }).data));
    expect(rand(3, 1).shape).toEqual([3, 1]);
    expect(() => zeros({} as unknown as number[])).toThrow(/^zeros: shape must be an array of sizes/);
  });

  it('methods take sizes as arguments or one array', () => {
    const x = arange(6);
    expect(x.reshape([2, 3]).shape).toEqual([2, 3]);
    expect(x.view([3, 2]).shape).toEqual([3, 2]);
    expect(x.reshape(2, 3).permute([1, 0]).shape).toEqual([3, 2]);
    expect(tensor([[1], [2]]).expand([2, 4]).shape).toEqual([2, 4]);
  });
});
