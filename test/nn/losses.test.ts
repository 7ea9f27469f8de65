/**
 * The loss functions against PyTorch's fixtures (value and input gradient), against central
 * differences on random small problems (every loss, option and reduction), against
 * independent float64 formulas (cross entropy with every option, CTC by enumerating all
 * alignments), and their rejection of bad input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, Tensor, gradcheck, logSoftmax, ones } from '../../src/index.js';
import { binaryCrossEntropyWithLogits, crossEntropy, ctcLoss, mseLoss, nllLoss, type Reduction } from '../../src/nn/functional/index.js';
import { expectClose, fixture, fromFixture, type FixtureTensor, expectRejected } from '../helpers.js';
import { GRADCHECK, LOSS } from '../tolerances.js';

const REDUCTIONS: Reduction[] = ['mean', 'sum', 'none'];
const RUNS = { numRuns: 50 };

/** A tensor of standard normal values drawn from a seeded generator. */
function randomTensor(g: Generator, shape: number[], scale = 1): Tensor {
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = scale * g.normal();
  return new Tensor(data, shape);
}

/** Runs gradcheck with the project's tolerance and asserts it passes, reporting the worst entry. */
function expectGradOk(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(fn, inputs, { atol: GRADCHECK.atol, rtol: GRADCHECK.rtol });
  expect(r.ok, JSON.stringify(r.worst)).toBe(true);
}

interface LossFixture {
  fn: string;
  reduction?: Reduction;
  ignore_index?: number;
  label_smoothing?: number;
  blank?: number;
  inputs: Record<string, FixtureTensor>;
  outputs: { loss: number | FixtureTensor };
  grads: Record<string, FixtureTensor>;
}

function expectLoss(loss: Tensor, expected: number | FixtureTensor): void {
  if (typeof expected === 'number') {
    expect(loss.shape).toEqual([]);
    expectClose([loss.item()], [expected], LOSS, 'loss');
  } else {
    expectClose(loss, expected, LOSS, 'loss');
  }
}

describe('losses against PyTorch fixtures', () => {
  it('mse_mean', () => {
    const f = fixture<LossFixture>('mse_mean');
    const input = fromFixture(f.inputs.input!, true);
    const loss = mseLoss(input, fromFixture(f.inputs.target!), { reduction: f.reduction });
    expectLoss(loss, f.outputs.loss);
    loss.backward();
    expectClose(input.grad!, f.grads.input!, LOSS, 'd loss / d input');
  });

  for (const name of ['ce_mean', 'ce_sum', 'ce_ignore', 'ce_smooth', 'ce_extreme']) {
    it(name, () => {
      const f = fixture<LossFixture>(name);
      const logits = fromFixture(f.inputs.logits!, true);
      const loss = crossEntropy(logits, fromFixture(f.inputs.target!), {
        reduction: f.reduction,
        ignoreIndex: f.ignore_index,
        labelSmoothing: f.label_smoothing,
      });
      expectLoss(loss, f.outputs.loss);
      loss.backward();
      expectClose(logits.grad!, f.grads.logits!, LOSS, 'd loss / d logits');
    });
  }

  it('bce_logits', () => {
    const f = fixture<LossFixture>('bce_logits');
    const logits = fromFixture(f.inputs.logits!, true);
    const loss = binaryCrossEntropyWithLogits(logits, fromFixture(f.inputs.target!), { reduction: f.reduction });
    expectLoss(loss, f.outputs.loss);
    loss.backward();
    expectClose(logits.grad!, f.grads.logits!, LOSS, 'd loss / d logits');
  });

  for (const name of ['ctc_mean', 'ctc_sum', 'ctc_none']) {
    const f = fixture<LossFixture>(name);
    const args = (logProbs: Tensor): Tensor =>
      ctcLoss(logProbs, fromFixture(f.inputs.targets!), fromFixture(f.inputs.input_lengths!), fromFixture(f.inputs.target_lengths!), {
        blank: f.blank,
        reduction: f.reduction,
      });
    // For 'none' the fixture's gradient is that of the sum of the per-sequence losses.
    const backward = (loss: Tensor): void => (loss.ndim === 0 ? loss.backward() : loss.backward(ones(loss.shape)));

    it(`${name}: loss, and the gradient through logSoftmax equals PyTorch's`, () => {
      // The fixture's log_probs are log-softmax outputs, so logSoftmax leaves them as they are
      // (to float32 rounding); PyTorch's reported gradient is the one through that logSoftmax.
      const x = fromFixture(f.inputs.log_probs!, true);
      const loss = args(logSoftmax(x, 2));
      expectLoss(loss, f.outputs.loss);
      backward(loss);
      expectClose(x.grad!, f.grads.log_probs!, LOSS, 'd loss / d log_probs');
    });

    it(`${name}: the gradient w.r.t. free logProbs is PyTorch's minus its exp(logProbs) term`, () => {
      // PyTorch reports (exp(lp) - gamma) * dL/dloss_n at steps t < inputLengths[n], where
      // -gamma * dL/dloss_n is the exact derivative; dL/dloss_n is 1/(N max(L_n,1)) for 'mean'.
      const lp = fromFixture(f.inputs.log_probs!, true);
      backward(args(lp));
      const [, N, C] = lp.shape as [number, number, number];
      const inLen = f.inputs.input_lengths!.data;
      const tgLen = f.inputs.target_lengths!.data;
      const shifted = lp.grad!.data.map((v, i) => {
        const t = Math.floor(i / (N * C));
        const n = Math.floor(i / C) % N;
        const scale = f.reduction === 'mean' ? 1 / (N * Math.max(tgLen[n]!, 1)) : 1;
        return t < inLen[n]! ? v + scale * Math.exp(lp.data[i]!) : v;
      });
      expectClose(shifted, f.grads.log_probs!, LOSS, 'd loss / d log_probs + softmax');
    });
  }
});

describe('gradients match central differences', () => {
  const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
  const reduction = fc.constantFrom(...REDUCTIONS);

  it('mseLoss w.r.t. input and target', () => {
    fc.assert(
      fc.property(seed, reduction, fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 3 }), (s, r, shape) => {
        const g = new Generator(s);
        expectGradOk((x, y) => mseLoss(x, y, { reduction: r }), [randomTensor(g, shape), randomTensor(g, shape)]);
      }),
      RUNS,
    );
  });

  it('crossEntropy on (N,C) and (N,C,d...) with weight, ignoreIndex and labelSmoothing', () => {
    fc.assert(
      fc.property(
        seed,
        reduction,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 5 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
        fc.record({ weighted: fc.boolean(), ignoreIndex: fc.constantFrom(-100, 0, 1), smoothing: fc.constantFrom(0, 0.1, 0.5, 1) }),
        (s, r, N, C, extra, o) => {
          const g = new Generator(s);
          const positions = N * extra.reduce((a, b) => a * b, 1);
          const target = new Tensor(Float32Array.from({ length: positions }, () => g.randint(0, C)), [N, ...extra]);
          // Keep one position counted, so that 'mean' divides by a non-zero weight.
          target.data[0] = o.ignoreIndex === 0 ? 1 : 0;
          if (o.ignoreIndex === -100 && positions > 1) target.data[positions - 1] = -100;
          const weight = o.weighted ? new Tensor(Float32Array.from({ length: C }, () => g.uniform(0.2, 2)), [C]) : undefined;
          const options = { reduction: r, ignoreIndex: o.ignoreIndex, labelSmoothing: o.smoothing, weight };
          expectGradOk((z) => crossEntropy(z, target, options), [randomTensor(g, [N, C, ...extra], 2)]);
        },
      ),
      RUNS,
    );
  });

  it('nllLoss with weight and ignoreIndex', () => {
    fc.assert(
      fc.property(seed, reduction, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 5 }), fc.boolean(), (s, r, N, C, weighted) => {
        const g = new Generator(s);
        const target = Array.from({ length: N }, (_, i) => (i === 1 ? -100 : g.randint(0, C)));
        const weight = weighted ? new Tensor(Float32Array.from({ length: C }, () => g.uniform(0.2, 2)), [C]) : undefined;
        expectGradOk((x) => nllLoss(x, target, { reduction: r, weight }), [randomTensor(g, [N, C])]);
      }),
      RUNS,
    );
  });

  it('binaryCrossEntropyWithLogits w.r.t. input and target, with posWeight and weight', () => {
    fc.assert(
      fc.property(seed, reduction, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.boolean(), (s, r, N, C, pos, weighted) => {
        const g = new Generator(s);
        const posWeight = pos ? new Tensor(Float32Array.from({ length: C }, () => g.uniform(0.2, 3)), [C]) : undefined;
        const weight = weighted ? new Tensor(Float32Array.from({ length: N }, () => g.uniform(0.2, 2)), [N, 1]) : undefined;
        const target = new Tensor(Float32Array.from({ length: N * C }, () => g.random()), [N, C]);
        expectGradOk((x, t) => binaryCrossEntropyWithLogits(x, t, { reduction: r, posWeight, weight }), [randomTensor(g, [N, C], 3), target]);
      }),
      RUNS,
    );
  });

  it('ctcLoss w.r.t. logProbs as free inputs, on random feasible lengths', () => {
    fc.assert(
      fc.property(seed, reduction, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 4 }), fc.boolean(), (s, r, N, C, padded) => {
        const g = new Generator(s);
        const blank = g.randint(0, C);
        const labels: number[][] = [];
        const needed: number[] = [];
        for (let n = 0; n < N; n++) {
          const L = g.randint(0, 4);
          const l = Array.from({ length: L }, () => (blank + g.randint(1, C)) % C);
          labels.push(l);
          needed.push(L + l.filter((v, k) => k > 0 && v === l[k - 1]).length);
        }
        const T = Math.max(...needed) + g.randint(0, 3);
        const inputLengths = needed.map((m) => g.randint(m, T + 1));
        const targetLengths = labels.map((l) => l.length);
        const S = Math.max(1, ...targetLengths);
        const targets = padded
          ? new Tensor(Float32Array.from(labels.flatMap((l) => [...l, ...new Array<number>(S - l.length).fill(blank)])), [N, S])
          : labels.flat();
        const logProbs = logSoftmax(randomTensor(g, [T, N, C]), 2).detach();
        expectGradOk((lp) => ctcLoss(lp, targets, inputLengths, targetLengths, { blank, reduction: r }), [logProbs]);
      }),
      RUNS,
    );
  });
});

describe('cross entropy and nll against independent formulas', () => {
  /** PyTorch's definition written out in float64: (1-e) nll + (e/C) smooth term, 'mean' over sum w_y. */
  function referenceCrossEntropy(z: Float32Array, N: number, C: number, target: number[], w: number[], ignore: number, e: number, r: Reduction): number[] {
    const l: number[] = [];
    let den = 0;
    for (let n = 0; n < N; n++) {
      const row = Array.from(z.subarray(n * C, n * C + C));
      const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      const y = target[n]!;
      if (y === ignore) {
        l.push(0);
        continue;
      }
      const nll = -w[y]! * (row[y]! - lse);
      const smooth = -row.reduce((s, v, c) => s + w[c]! * (v - lse), 0);
      l.push((1 - e) * nll + (e / C) * smooth);
      den += w[y]!;
    }
    const total = l.reduce((a, b) => a + b, 0);
    return r === 'none' ? l : [r === 'sum' ? total : total / den];
  }

  it('matches the float64 formula for every combination of weight, ignoreIndex, labelSmoothing and reduction', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(...REDUCTIONS), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 6 }), (s, r, N, C) => {
        const g = new Generator(s);
        const ignore = g.randint(0, 2) === 0 ? -100 : g.randint(0, C);
        const target = Array.from({ length: N }, () => (g.randint(0, 4) === 0 ? ignore : g.randint(0, C)));
        target[0] = ignore === 0 ? 1 : 0;
        const w = Array.from({ length: C }, () => Math.fround(g.uniform(0.1, 3)));
        const e = Math.fround(g.random());
        const z = randomTensor(g, [N, C], 3);
        const loss = crossEntropy(z, target, { reduction: r, ignoreIndex: ignore, labelSmoothing: e, weight: new Tensor(Float32Array.from(w), [C]) });
        expectClose(loss.data, referenceCrossEntropy(z.data, N, C, target, w, ignore, e, r), LOSS);
      }),
      RUNS,
    );
  });

  it('without smoothing equals nllLoss of logSoftmax, value and gradient', () => {
    const g = new Generator(7);
    const z1 = randomTensor(g, [5, 4], 2);
    z1.requiresGrad = true;
    const z2 = new Tensor(Float32Array.from(z1.data), z1.shape);
    z2.requiresGrad = true;
    const weight = new Tensor(Float32Array.from([0.5, 1, 2, 3]), [4]);
    const target = [3, 1, 1, -1, 0];
    const a = crossEntropy(z1, target, { weight, ignoreIndex: -1 });
    const b = nllLoss(logSoftmax(z2, 1), target, { weight, ignoreIndex: -1 });
    expectClose(a, b, LOSS);
    a.backward();
    b.backward();
    expectClose(z1.grad!, z2.grad!, LOSS);
  });

  it('(N,C,d) equals (N*d,C) after moving the class dim last', () => {
    const g = new Generator(3);
    const z = randomTensor(g, [2, 3, 4]);
    const target = new Tensor(Float32Array.from({ length: 8 }, () => g.randint(0, 3)), [2, 4]);
    const flat = z.permute(0, 2, 1).reshape(8, 3);
    for (const r of REDUCTIONS) {
      const a = crossEntropy(z, target, { reduction: r, labelSmoothing: 0.2 });
      const b = crossEntropy(flat, target.reshape(8), { reduction: r, labelSmoothing: 0.2 });
      expect(a.shape).toEqual(r === 'none' ? [2, 4] : []);
      expectClose(a.data, b.data, LOSS);
    }
  });

  it('a single sample (C) with a scalar target equals the batch of one', () => {
    const z = new Tensor(Float32Array.from([0.5, -1, 2]), [3]);
    const single = crossEntropy(z, 2, { reduction: 'none' });
    expect(single.shape).toEqual([]);
    expectClose(single.data, crossEntropy(z.reshape(1, 3), [2]).data, LOSS);
  });

  it('stays finite with -Infinity logits outside the target (masked classes), as PyTorch', () => {
    const z = new Tensor(Float32Array.from([-Infinity, 1, 2, 1e30, -Infinity, 1e30]), [2, 3]);
    z.requiresGrad = true;
    const loss = crossEntropy(z, [2, 0]);
    expect(Number.isFinite(loss.item())).toBe(true);
    loss.backward();
    expect(Array.from(z.grad!.data).every(Number.isFinite)).toBe(true);
    expect(z.grad!.data[0]).toBe(0);
  });

  it("'mean' with every target ignored is NaN, as PyTorch (0 / 0)", () => {
    expect(crossEntropy(new Tensor(new Float32Array(6), [2, 3]), [-100, -100]).item()).toBeNaN();
  });
});

describe('ctcLoss beyond the fixtures', () => {
  /** -log of the total probability of every path of length T collapsing to `target` (blank b). */
  function bruteForceCtc(lp: number[][], target: number[], b: number): number {
    const T = lp.length;
    const C = lp[0]!.length;
    let total = 0;
    const path = new Array<number>(T).fill(0);
    const visit = (t: number, logp: number): void => {
      if (t === T) {
        const collapsed = path.filter((c, i) => c !== b && (i === 0 || c !== path[i - 1]));
        if (collapsed.length === target.length && collapsed.every((c, i) => c === target[i])) total += Math.exp(logp);
        return;
      }
      for (let c = 0; c < C; c++) {
        path[t] = c;
        visit(t + 1, logp + lp[t]![c]!);
      }
    };
    visit(0, 0);
    return -Math.log(total);
  }

  it('equals the sum over every alignment, found by enumeration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 3 }), (s, T, C) => {
        const g = new Generator(s);
        const blank = g.randint(0, C);
        const L = g.randint(0, Math.min(T, 3) + 1);
        const target = Array.from({ length: L }, () => (blank + g.randint(1, C)) % C);
        const lp = logSoftmax(randomTensor(g, [T, C]), 1);
        const rows = Array.from({ length: T }, (_, t) => Array.from(lp.data.subarray(t * C, t * C + C)));
        const expected = bruteForceCtc(rows, target, blank);
        const loss = ctcLoss(lp, target, T, L, { blank, reduction: 'sum' }).item();
        if (expected === Infinity) expect(loss).toBe(Infinity);
        else expectClose([loss], [expected], LOSS);
      }),
      RUNS,
    );
  });

  const f = fixture<LossFixture>('ctc_none');
  const lp = fromFixture(f.inputs.log_probs!);
  const padded = fromFixture(f.inputs.targets!);
  const targetLengths = Array.from(f.inputs.target_lengths!.data);
  const inputLengths = Array.from(f.inputs.input_lengths!.data);

  it('takes concatenated 1-D targets as well as padded ones', () => {
    const S = padded.shape[1]!;
    const concatenated = targetLengths.flatMap((L, n) => Array.from(padded.data.subarray(n * S, n * S + L)));
    const a = ctcLoss(lp, padded, inputLengths, targetLengths, { reduction: 'none' });
    const b = ctcLoss(lp, concatenated, inputLengths, targetLengths, { reduction: 'none' });
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });

  it('takes one unbatched (T,C) sequence', () => {
    const S = padded.shape[1]!;
    const one = ctcLoss(lp.select(1, 1), padded.data.subarray(S, 2 * S), inputLengths[1]!, targetLengths[1]!, { reduction: 'none' });
    expect(one.shape).toEqual([]);
    expectClose(one.data, [(f.outputs.loss as FixtureTensor).data[1]!], LOSS);
  });

  it('gives Infinity and a NaN gradient for an impossible alignment, and 0 with zeroInfinity', () => {
    // Target (1, 1) needs 3 steps (1, blank, 1); two steps cannot produce it.
    const x = logSoftmax(new Tensor(Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2]), [2, 2, 3]), 2).detach();
    x.requiresGrad = true;
    const lossInf = ctcLoss(x, [1, 1, 2], [2, 2], [2, 1], { reduction: 'none' });
    expect(lossInf.data[0]).toBe(Infinity);
    expect(Number.isFinite(lossInf.data[1])).toBe(true);
    lossInf.backward(ones([2]));
    expect(x.grad!.data[0]).toBeNaN();
    expect(Number.isFinite(x.grad!.data[3])).toBe(true);

    x.grad = null;
    const lossZero = ctcLoss(x, [1, 1, 2], [2, 2], [2, 1], { reduction: 'sum', zeroInfinity: true });
    expect(lossZero.item()).toBeCloseTo(lossInf.data[1]!, 5);
    lossZero.backward();
    for (const t of [0, 1]) for (const c of [0, 1, 2]) expect(x.grad!.data[(t * 2 + 0) * 3 + c]).toBe(0);
  });

  it('gives 0 for an empty input with an empty target, Infinity with a non-empty one', () => {
    const x = new Tensor(new Float32Array(6).fill(Math.log(1 / 3)), [2, 1, 3]);
    expect(ctcLoss(x, [], [0], [0], { reduction: 'sum' }).item()).toBe(0);
    expect(ctcLoss(x, [1], [0], [1], { reduction: 'sum' }).item()).toBe(Infinity);
  });

  it('does not read past each input length', () => {
    const changed = new Tensor(Float32Array.from(lp.data), lp.shape);
    const n = 2; // input length 7 of 12
    for (let t = inputLengths[n]!; t < 12; t++) changed.data[(t * 3 + n) * 6] = 123;
    const a = ctcLoss(lp, padded, inputLengths, targetLengths, { reduction: 'none' });
    const b = ctcLoss(changed, padded, inputLengths, targetLengths, { reduction: 'none' });
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });
});

describe('bad input is rejected with a RecurrentError naming the op', () => {
  const z = new Tensor(new Float32Array(6), [2, 3]);

  it('mseLoss', () => {
    expectRejected(() => mseLoss(z, new Tensor(new Float32Array(6), [3, 2])), 'mseLoss');
    expectRejected(() => mseLoss(z, z, { reduction: 'avg' as Reduction }), 'mseLoss');
  });

  it('crossEntropy', () => {
    expectRejected(() => crossEntropy(z, [0, 3]), 'crossEntropy');
    expectRejected(() => crossEntropy(z, [0, -1]), 'crossEntropy');
    expectRejected(() => crossEntropy(z, [0.5, 1]), 'crossEntropy');
    expectRejected(() => crossEntropy(z, [0, 1, 2]), 'crossEntropy');
    expectRejected(() => crossEntropy(z, new Tensor(new Float32Array(2), [2, 1])), 'crossEntropy');
    expectRejected(() => crossEntropy(z, [0, 1], { reduction: 'Mean' as Reduction }), 'crossEntropy');
    expectRejected(() => crossEntropy(z, [0, 1], { labelSmoothing: 1.5 }), 'crossEntropy');
    expectRejected(() => crossEntropy(z, [0, 1], { weight: new Tensor(new Float32Array(2), [2]) }), 'crossEntropy');
    expectRejected(() => crossEntropy(new Tensor(new Float32Array(1), []), 0), 'crossEntropy');
  });

  it('nllLoss', () => {
    expectRejected(() => nllLoss(z, [3, 0]), 'nllLoss');
    expectRejected(() => nllLoss(z, [0]), 'nllLoss');
    expectRejected(() => nllLoss(z, [0, 1], { reduction: 'max' as Reduction }), 'nllLoss');
  });

  it('binaryCrossEntropyWithLogits', () => {
    const op = 'binaryCrossEntropyWithLogits';
    expectRejected(() => binaryCrossEntropyWithLogits(z, new Tensor(new Float32Array(3), [3])), op);
    expectRejected(() => binaryCrossEntropyWithLogits(z, z, { posWeight: new Tensor(new Float32Array(2), [2]) }), op);
    expectRejected(() => binaryCrossEntropyWithLogits(z, z, { weight: new Tensor(new Float32Array(12), [2, 2, 3]) }), op);
    expectRejected(() => binaryCrossEntropyWithLogits(z, z, { reduction: 'all' as Reduction }), op);
  });

  it('ctcLoss', () => {
    const lp = new Tensor(new Float32Array(4 * 2 * 3), [4, 2, 3]);
    const ok = (): Tensor => ctcLoss(lp, [1, 2, 1], [4, 3], [2, 1]);
    expect(Number.isFinite(ok().item())).toBe(true);
    expectRejected(() => ctcLoss(lp, [1, 2, 1], [5, 3], [2, 1]), 'ctcLoss'); // input length > T
    expectRejected(() => ctcLoss(lp, [1, 0, 1], [4, 3], [2, 1]), 'ctcLoss'); // blank inside a target
    expectRejected(() => ctcLoss(lp, [1, 3, 1], [4, 3], [2, 1]), 'ctcLoss'); // class out of range
    expectRejected(() => ctcLoss(lp, [1, 2, 1, 1], [4, 3], [2, 1]), 'ctcLoss'); // concatenated length != sum
    expectRejected(() => ctcLoss(lp, new Tensor(new Float32Array(2), [2, 1]), [4, 3], [2, 1]), 'ctcLoss'); // padded too short
    expectRejected(() => ctcLoss(lp, [1, 2, 1], [4], [2, 1]), 'ctcLoss'); // one length missing
    expectRejected(() => ctcLoss(lp, [1, 2, 1], [4, 3], [2, -1]), 'ctcLoss');
    expectRejected(() => ctcLoss(lp, [1, 2, 1], [4, 3], [2, 1], { blank: 3 }), 'ctcLoss');
    expectRejected(() => ctcLoss(lp, [1, 2, 1], [4, 3], [2, 1], { reduction: 'avg' as Reduction }), 'ctcLoss');
    expectRejected(() => ctcLoss(lp.reshape(4, 2, 3, 1), [1, 2, 1], [4, 3], [2, 1]), 'ctcLoss');
  });
});
