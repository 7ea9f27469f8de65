/** defineFunction: custom ops with their own backward, as torch.autograd.Function. */
import { describe, expect, it } from 'vitest';
import { RecurrentError, defineFunction, gradcheck, noGrad, randn, tensor, type Tensor } from '../../src/index.js';

/** y = x * sigmoid(w x), elementwise: two inputs, a saved intermediate, both gradients by hand. */
const swishScaled = defineFunction({
  name: 'swishScaled',
  forward(ctx, x: Tensor, w: Tensor) {
    const s = x.mul(w).sigmoid();
    ctx.saveForBackward(x, w, s);
    return x.mul(s);
  },
  backward(ctx, grad) {
    const [x, w, s] = ctx.savedTensors as [Tensor, Tensor, Tensor];
    const ds = s.mul(s.neg().add(1)); // sigmoid'
    const dx = ctx.needsInputGrad[0] ? grad.mul(s.add(x.mul(w).mul(ds))) : null;
    const dw = ctx.needsInputGrad[1] ? grad.mul(x.mul(x).mul(ds)) : null;
    return [dx, dw];
  },
});

describe('defineFunction', () => {
  it('passes gradcheck for a two-input op with saved tensors', () => {
    const result = gradcheck((x: Tensor, w: Tensor) => swishScaled.apply(x, w), [randn([3, 4]), randn([3, 4])]);
    expect(result.ok, JSON.stringify(result.worst)).toBe(true);
  });

  it('is caught by gradcheck when its backward is wrong', () => {
    const wrong = defineFunction({
      name: 'square',
      forward: (_ctx, x: Tensor) => x.mul(x),
      backward: (_ctx, grad) => [grad], // should be 2x * grad
    });
    const result = gradcheck((x: Tensor) => wrong.apply(x), [randn([5])]);
    expect(result.ok).toBe(false);
  });

  it('records one node named after the function, and composes with built-in ops', () => {
    const x = randn([2, 3], { requiresGrad: true });
    const w = randn([2, 3]);
    const y = swishScaled.apply(x, w);
    expect(y.gradFn?.name).toBe('swishScaled');
    expect(y.gradFn?.inputs).toEqual([x, w]);
    y.tanh().sum().backward();
    expect(x.grad?.shape).toEqual([2, 3]);
    expect(w.grad).toBeNull();
    const expected = gradcheck((a: Tensor) => swishScaled.apply(a, w).tanh(), [x.detach()]);
    expect(expected.ok).toBe(true);
  });

  it('tells backward which inputs need a gradient, and records nothing under noGrad', () => {
    let seen: readonly boolean[] = [];
    const probe = defineFunction({
      name: 'probe',
      forward: (_ctx, a: Tensor, b: Tensor) => a.add(b),
      backward(ctx, grad) {
        seen = ctx.needsInputGrad;
        return [grad, null];
      },
    });
    const a = randn([2], { requiresGrad: true });
    probe.apply(a, randn([2])).sum().backward();
    expect(seen).toEqual([true, false]);
    expect(noGrad(() => probe.apply(a, a)).gradFn).toBeNull();
  });

  it('refuses a backward that returns the wrong number or shape of gradients, naming the op', () => {
    const bad = (grads: (g: Tensor) => unknown) =>
      defineFunction({ name: 'bad', forward: (_c, x: Tensor) => x.mul(2), backward: (_c, g) => grads(g) as (Tensor | null)[] });
    const x = () => randn([3], { requiresGrad: true });
    expect(() => bad((g) => [g, g]).apply(x()).sum().backward()).toThrow(/^bad\.backward: backward must return an array of 1 gradients/);
    expect(() => bad(() => [tensor([1, 2])]).apply(x()).sum().backward()).toThrow(/^bad\.backward: backward's gradient 0 must be a Tensor of input 0's shape \[3\], got shape \[2\]/);
    expect(() => bad(() => [tensor([1, 2])]).apply(x()).sum().backward()).toThrow(RecurrentError);
  });

  it('checks its definition and inputs', () => {
    expect(() => defineFunction({ name: '', forward: (_c, x: Tensor) => x, backward: () => [null] })).toThrow(/^defineFunction: name must be a non-empty string/);
    const id = defineFunction({ name: 'id', forward: (_c, x: Tensor) => x, backward: (_c, g) => [g] });
    expect(() => id.apply([1, 2] as unknown as Tensor)).toThrow(/^id: input 0 must be a Tensor/);
    const notTensor = defineFunction({ name: 'nt', forward: (_c, _x: Tensor) => 3 as unknown as Tensor, backward: () => [null] });
    expect(() => notTensor.apply(randn([1]))).toThrow(/^nt: forward must return a Tensor, got 3/);
  });
});
