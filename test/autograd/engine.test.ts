/**
 * The autograd engine itself: accumulation, freeing and retaining the graph, grad mode,
 * detach, seeds of backward, fan-out, very deep graphs and anomaly detection.
 */
import { describe, expect, it } from 'vitest';
import {
  RecurrentError,
  Tensor,
  detectAnomaly,
  gradcheck,
  isGradEnabled,
  noGrad,
  ones,
  tensor,
} from '../../src/index.js';
import { expectClose, thrownRecurrentError } from '../helpers.js';
import { ALGEBRA, GRADCHECK } from '../tolerances.js';

describe('gradient accumulation', () => {
  it('two backward calls add their gradients into .grad', () => {
    const x = tensor([1, -2, 3], undefined, { requiresGrad: true });
    x.mul(x).sum().backward(); // d/dx sum x^2 = 2x
    expect(Array.from(x.grad!.data)).toEqual([2, -4, 6]);
    x.mul(3).sum().backward(); // + 3
    expect(Array.from(x.grad!.data)).toEqual([5, -1, 9]);
  });

  it('zeroGrad clears the gradient so the next backward starts afresh', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    x.mul(5).sum().backward();
    x.zeroGrad();
    expect(x.grad).toBeNull();
    x.mul(-1).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([-1, -1]);
  });

  it('the leaf gradient is a copy: later backward calls do not alias the seed', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const seed = tensor([10, 20]);
    x.reshape(2).backward(seed);
    x.reshape(2).backward(seed);
    expect(Array.from(seed.data)).toEqual([10, 20]);
    expect(Array.from(x.grad!.data)).toEqual([20, 40]);
  });

  it('tensors that do not require grad get no gradient', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const c = tensor([3, 4]);
    x.mul(c).sum().backward();
    expect(c.grad).toBeNull();
    expect(Array.from(x.grad!.data)).toEqual([3, 4]);
  });
});

describe('freeing and retaining the graph', () => {
  it('a second backward through a freed graph throws, naming retainGraph', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    const err = thrownRecurrentError(() => y.backward());
    expect(err.message).toMatch(/^backward: /);
    expect(err.message).toContain('retainGraph');
    expect(err.code).toBe('state');
  });

  it('a second backward through a shared, freed subgraph also throws', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const h = x.tanh();
    h.sum().backward();
    expect(() => h.mul(2).sum().backward()).toThrow(/retainGraph/);
  });

  it('retainGraph keeps the graph for another backward, which accumulates', () => {
    const x = tensor([0.5, -1], undefined, { requiresGrad: true });
    const y = x.mul(x).mul(x).sum(); // d/dx = 3x^2
    y.backward(undefined, { retainGraph: true });
    expect(Array.from(x.grad!.data)).toEqual([0.75, 3]);
    y.backward(undefined, { retainGraph: true });
    expect(Array.from(x.grad!.data)).toEqual([1.5, 6]);
    y.backward(); // frees now
    expect(Array.from(x.grad!.data)).toEqual([2.25, 9]);
    expect(() => y.backward()).toThrow(RecurrentError);
  });
});

describe('grad mode', () => {
  it('noGrad records nothing and restores grad mode afterwards', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return x.mul(2).add(1).exp().sum();
    });
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(isGradEnabled()).toBe(true);
    expect(() => y.backward()).toThrow(RecurrentError);
    expect(x.mul(2).requiresGrad).toBe(true);
  });

  it('noGrad restores grad mode when its function throws, and nests', () => {
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    noGrad(() => {
      noGrad(() => undefined);
      expect(isGradEnabled()).toBe(false);
    });
    expect(isGradEnabled()).toBe(true);
  });

  it('detach cuts the graph: no gradient flows through the detached branch', () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    expect(Array.from(d.data)).toEqual([2, 4, 6]);
    d.mul(x).sum().backward(); // d is a constant: d/dx (d * x) = d = 2x
    expect(Array.from(x.grad!.data)).toEqual([2, 4, 6]);
  });

  it('requiresGrad_(false) is refused on a non-leaf', () => {
    const x = tensor([1], undefined, { requiresGrad: true });
    expect(thrownRecurrentError(() => x.mul(2).requiresGrad_(false)).message).toMatch(/^requiresGrad_: /);
  });
});

describe('the backward seed', () => {
  it('a non-scalar output needs an explicit gradient', () => {
    const x = tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true });
    const y = x.mul(3);
    const err = thrownRecurrentError(() => y.backward());
    expect(err.message).toMatch(/^backward: /);
    expect(err.message).toContain('[2,2]');
    y.backward(tensor([[1, 0], [0, 2]]));
    expect(x.grad!.toArray()).toEqual([[3, 0], [0, 6]]);
  });

  it('a gradient of the wrong shape is refused', () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    expect(thrownRecurrentError(() => x.mul(2).backward(ones([3, 1]))).message).toContain('[3]');
  });

  it('backward on a tensor outside any graph is refused', () => {
    expect(thrownRecurrentError(() => tensor([1]).backward()).message).toMatch(/^backward: /);
  });

  it('a one-element non-scalar output defaults its gradient to 1', () => {
    const x = tensor([[2]], undefined, { requiresGrad: true });
    x.mul(x).backward();
    expect(x.grad!.toArray()).toEqual([[4]]);
  });
});

describe('fan-out', () => {
  it('a tensor used twice in one op gets both gradients (x * x)', () => {
    const x = tensor([-1.5, 0.25, 3], undefined, { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([-3, 0.5, 6]);
  });

  it('a tensor feeding several branches gets the sum over branches', () => {
    const xs = [-0.7, 0.2, 1.3];
    const x = tensor(xs, undefined, { requiresGrad: true });
    // y = 3x + tanh(x) + x^2 (via a reshape that shares storage) -> dy/dx = 3 + 1 - tanh^2 + 2x
    const r = x.reshape(3, 1).reshape(3);
    x.mul(3).add(x.tanh()).add(r.mul(x)).sum().backward();
    expectClose(x.grad!, xs.map((v) => 3 + 1 - Math.tanh(v) ** 2 + 2 * v), ALGEBRA, 'fan-out gradient');
  });

  it('a diamond (x -> a, b -> a * b) visits every node once', () => {
    const x = tensor([0.5, 2], undefined, { requiresGrad: true });
    const a = x.exp();
    const b = x.mul(2);
    a.mul(b).sum().backward(); // d/dx (2x e^x) = 2 e^x (1 + x)
    expectClose(x.grad!, [0.5, 2].map((v) => 2 * Math.exp(v) * (1 + v)), ALGEBRA, 'diamond gradient');
  });
});

describe('deep graphs', () => {
  it('a chain of 100,000 multiplications backpropagates without a stack overflow', () => {
    const steps = 100_000;
    const factor = 1.0001;
    const x = tensor(0.5, undefined, { requiresGrad: true });
    let y: Tensor = x;
    for (let i = 0; i < steps; i++) y = y.mul(factor);
    y.backward();
    // Oracle 1, exact: the same float32 roundings, simulated independently with Math.fround.
    const f = Math.fround(factor);
    let p = 1;
    for (let i = 0; i < steps; i++) p = Math.fround(p * f);
    expect(y.item()).toBe(0.5 * p); // times 0.5 is exact in float32
    expect(x.grad!.item()).toBe(p);
    // Oracle 2, closed form: d/dx (x f^n) = f^n, with f the float32 value of 1.0001.
    expectClose([x.grad!.item(), y.item()], [f ** steps, 0.5 * f ** steps], ALGEBRA, 'deep chain vs closed form');
  });
});

describe('anomaly detection', () => {
  it('names the op whose forward made a NaN (log of a negative number)', () => {
    const x = tensor([1, -1], undefined, { requiresGrad: true });
    const err = thrownRecurrentError(() => detectAnomaly(() => x.mul(2).log().sum()));
    expect(err.message).toMatch(/^log: forward produced NaN/);
    expect(err.message).toContain('[2]');
    expect(err.code).toBe('numeric');
  });

  it('names the op whose backward made an Infinity (sqrt at 0)', () => {
    const x = tensor([0, 4], undefined, { requiresGrad: true });
    const err = thrownRecurrentError(() =>
      detectAnomaly(() => {
        const y = x.sqrt().mul(3).sum(); // forward is finite: sqrt(0) = 0
        y.backward();
      }),
    );
    expect(err.message).toMatch(/^sqrt: backward produced Infinity/);
    expect(err.code).toBe('numeric');
  });

  it('is off outside detectAnomaly: the same computations pass silently', () => {
    const neg = tensor([1, -1], undefined, { requiresGrad: true });
    expect(Number.isNaN(neg.log().data[1]!)).toBe(true);
    const x = tensor([0, 4], undefined, { requiresGrad: true });
    x.sqrt().sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([Infinity, 0.25]);
  });

  it('restores the previous mode after throwing', () => {
    expect(() => detectAnomaly(() => tensor([-1]).log())).toThrow(RecurrentError);
    expect(() => tensor([-1]).log()).not.toThrow();
  });
});

describe('gradcheck itself', () => {
  /** y = 2x with a deliberately wrong backward (3 instead of 2). */
  function wrongDouble(x: Tensor): Tensor {
    const y = new Tensor(x.data.map((v) => 2 * v), x.shape);
    y.requiresGrad = true;
    y.gradFn = { name: 'wrongDouble', inputs: [x], backward: (g) => [g.map((v) => 3 * v)] };
    return y;
  }

  it('rejects a wrong gradient and reports where', () => {
    const result = gradcheck(wrongDouble, [tensor([1, 2, 3])], GRADCHECK);
    expect(result.ok).toBe(false);
    expect(result.worst).not.toBeNull();
    expect(result.worst!.input).toBe(0);
    expect(result.worst!.ratio).toBeGreaterThan(1);
    expect(result.maxAbsError).toBeGreaterThan(0);
  });

  it('accepts the right one', () => {
    expect(gradcheck((x) => x.mul(2), [tensor([1, 2, 3])], GRADCHECK).ok).toBe(true);
  });

  it('does not modify its inputs', () => {
    const x = tensor([0.5, 1.5]);
    gradcheck((t) => t.exp(), [x], GRADCHECK);
    expect(Array.from(x.data)).toEqual([0.5, 1.5]);
    expect(x.grad).toBeNull();
  });
});
