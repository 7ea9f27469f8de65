/**
 * The optimizers against PyTorch's fixtures, against independent float64 re-implementations
 * of PyTorch's update equations on random hyperparameters, shapes and gradients, and the
 * contract of the base class: parameter groups, state dicts, skipNonFinite, option checks,
 * in-place updates with buffers allocated once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, Tensor } from '../../src/index.js';
import { Adam, AdamW, Optimizer, RMSprop, SGD, type OptimizerStateDict } from '../../src/optim/index.js';
import { expectClose, fixture, fromFixture, type FixtureTensor, expectRejected } from '../helpers.js';
import { OPTIMIZER } from '../tolerances.js';

type Vec = number[];

/** A parameter of `shape` with seeded normal values. */
function param(g: Generator, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, () => g.normal()), shape);
}

/** A float32 gradient with seeded normal values times `scale`. */
function gradient(g: Generator, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => scale * g.normal());
}

/** The bytes of a parameter, for byte-for-byte comparisons. */
function bytes(t: Tensor): number[] {
  return Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

// ---------------------------------------------------------------------------------------------
// Independent float64 re-implementations of PyTorch 1.13's update equations, written from
// torch/optim/{sgd,adam,adamw,rmsprop}.py over plain number arrays.

interface SgdHyper {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  maximize: boolean;
}
function sgdReference(h: SgdHyper): (p: Vec, g: Vec) => void {
  let buf: Vec | null = null;
  return (p, g) => {
    let d = g.map((x, i) => (h.maximize ? -x : x) + h.weightDecay * p[i]!);
    if (h.momentum !== 0) {
      const prev = buf;
      buf = prev === null ? [...d] : prev.map((b, i) => h.momentum * b + (1 - h.dampening) * d[i]!);
      const b = buf;
      d = h.nesterov ? d.map((x, i) => x + h.momentum * b[i]!) : b;
    }
    for (let i = 0; i < p.length; i++) p[i] = p[i]! - h.lr * d[i]!;
  };
}

interface AdamHyper {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}
function adamReference(h: AdamHyper, decoupled: boolean): (p: Vec, g: Vec) => void {
  let m: Vec | null = null;
  let v: Vec | null = null;
  let vmax: Vec | null = null;
  let t = 0;
  const [b1, b2] = h.betas;
  return (p, g) => {
    t += 1;
    if (decoupled) for (let i = 0; i < p.length; i++) p[i] = p[i]! * (1 - h.lr * h.weightDecay);
    const d = g.map((x, i) => (h.maximize ? -x : x) + (decoupled ? 0 : h.weightDecay * p[i]!));
    m = (m ?? d.map(() => 0)).map((mi, i) => b1 * mi + (1 - b1) * d[i]!);
    v = (v ?? d.map(() => 0)).map((vi, i) => b2 * vi + (1 - b2) * d[i]! ** 2);
    const vv = v;
    if (h.amsgrad) vmax = (vmax ?? d.map(() => 0)).map((x, i) => Math.max(x, vv[i]!));
    const second = h.amsgrad ? vmax! : v;
    const c1 = 1 - b1 ** t;
    const c2 = 1 - b2 ** t;
    for (let i = 0; i < p.length; i++) p[i] = p[i]! - (h.lr / c1) * (m[i]! / (Math.sqrt(second[i]!) / Math.sqrt(c2) + h.eps));
  };
}

interface RmspropHyper {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}
function rmspropReference(h: RmspropHyper): (p: Vec, g: Vec) => void {
  let sq: Vec | null = null;
  let avg: Vec | null = null;
  let buf: Vec | null = null;
  return (p, g) => {
    const d = g.map((x, i) => (h.maximize ? -x : x) + h.weightDecay * p[i]!);
    sq = (sq ?? d.map(() => 0)).map((s, i) => h.alpha * s + (1 - h.alpha) * d[i]! ** 2);
    const s = sq;
    let denom: Vec;
    if (h.centered) {
      avg = (avg ?? d.map(() => 0)).map((a, i) => h.alpha * a + (1 - h.alpha) * d[i]!);
      const a = avg;
      denom = s.map((x, i) => Math.sqrt(x - a[i]! ** 2) + h.eps);
    } else {
      denom = s.map((x) => Math.sqrt(x) + h.eps);
    }
    if (h.momentum > 0) {
      buf = (buf ?? d.map(() => 0)).map((b, i) => h.momentum * b + d[i]! / denom[i]!);
      const b = buf;
      for (let i = 0; i < p.length; i++) p[i] = p[i]! - h.lr * b[i]!;
    } else {
      for (let i = 0; i < p.length; i++) p[i] = p[i]! - (h.lr * d[i]!) / denom[i]!;
    }
  };
}

// ---------------------------------------------------------------------------------------------

interface OptimizerFixture {
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop';
  hyper: { lr: number; momentum?: number; nesterov?: boolean; weight_decay?: number; betas?: [number, number]; eps?: number; alpha?: number; centered?: boolean };
  start: FixtureTensor;
  grads: FixtureTensor[];
  params: FixtureTensor[];
}

/** PyTorch's hyperparameter names in this library's casing. */
function camelHyper(h: OptimizerFixture['hyper']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

function build(kind: OptimizerFixture['optimizer'], params: Tensor[], options: Record<string, unknown>): Optimizer {
  switch (kind) {
    case 'SGD':
      return new SGD(params, options as { lr: number });
    case 'Adam':
      return new Adam(params, options);
    case 'AdamW':
      return new AdamW(params, options);
    case 'RMSprop':
      return new RMSprop(params, options);
  }
}

describe('optimizers against PyTorch fixtures', () => {
  const names = ['sgd_plain', 'sgd_momentum', 'sgd_nesterov_wd', 'adam', 'adam_wd', 'adamw', 'rmsprop', 'rmsprop_momentum_centered'];
  for (const name of names) {
    it(name, () => {
      const f = fixture<OptimizerFixture>(name);
      const p = fromFixture(f.start, true);
      const opt = build(f.optimizer, [p], camelHyper(f.hyper));
      f.grads.forEach((g, k) => {
        p.grad = fromFixture(g);
        expect(opt.step()).toEqual({ skipped: false });
        expectClose(p, f.params[k]!, OPTIMIZER, `${name}: params after step ${k + 1}`);
      });
    });
  }
});

describe('optimizers against float64 re-implementations of PyTorch (random hyperparameters, shapes, gradients)', () => {
  const setup = fc.record({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
    steps: fc.integer({ min: 1, max: 6 }),
    scale: fc.constantFrom(1e-3, 1, 10),
  });
  const RUNS = { numRuns: 100 };

  /** Steps the optimizer and the reference on the same gradients, comparing after every step. */
  function compare(s: { seed: number; shape: number[]; steps: number; scale: number }, make: (p: Tensor) => Optimizer, reference: (p: Vec, g: Vec) => void): void {
    const g = new Generator(s.seed);
    const p = param(g, s.shape);
    const expected = Array.from(p.data);
    const opt = make(p);
    for (let k = 0; k < s.steps; k++) {
      const grad = gradient(g, p.numel(), s.scale);
      p.grad = new Tensor(grad, p.shape);
      opt.step();
      reference(expected, Array.from(grad));
      expectClose(p.data, expected, OPTIMIZER, `step ${k + 1}`);
    }
  }

  it('SGD', () => {
    const hyper = fc
      .record({
        lr: fc.double({ min: 0, max: 0.5, noNaN: true }),
        momentum: fc.constantFrom(0, 0.5, 0.9, 0.99),
        dampening: fc.constantFrom(0, 0.1, 0.5),
        nesterov: fc.boolean(),
        weightDecay: fc.constantFrom(0, 1e-4, 0.1),
        maximize: fc.boolean(),
      })
      .map((h) => (h.nesterov ? { ...h, momentum: h.momentum || 0.9, dampening: 0 } : h));
    fc.assert(fc.property(setup, hyper, (s, h) => compare(s, (p) => new SGD([p], h), sgdReference(h))), RUNS);
  });

  const adamHyper = fc.record({
    lr: fc.double({ min: 0, max: 0.1, noNaN: true }),
    betas: fc.tuple(fc.constantFrom(0, 0.5, 0.9), fc.constantFrom(0.5, 0.9, 0.999)),
    eps: fc.constantFrom(1e-8, 1e-6, 1e-3),
    weightDecay: fc.constantFrom(0, 1e-2, 0.1),
    amsgrad: fc.boolean(),
    maximize: fc.boolean(),
  });

  it('Adam', () => {
    fc.assert(fc.property(setup, adamHyper, (s, h) => compare(s, (p) => new Adam([p], h), adamReference(h, false))), RUNS);
  });

  it('AdamW', () => {
    fc.assert(fc.property(setup, adamHyper, (s, h) => compare(s, (p) => new AdamW([p], h), adamReference(h, true))), RUNS);
  });

  it('RMSprop', () => {
    const hyper = fc.record({
      lr: fc.double({ min: 0, max: 0.05, noNaN: true }),
      alpha: fc.constantFrom(0.5, 0.9, 0.99),
      eps: fc.constantFrom(1e-8, 1e-6, 1e-3),
      weightDecay: fc.constantFrom(0, 1e-2),
      momentum: fc.constantFrom(0, 0.5, 0.9),
      centered: fc.boolean(),
      maximize: fc.boolean(),
    });
    fc.assert(fc.property(setup, hyper, (s, h) => compare(s, (p) => new RMSprop([p], h), rmspropReference(h))), RUNS);
  });
});

describe('the Optimizer contract', () => {
  const makers: [string, (ps: Tensor[]) => Optimizer][] = [
    ['SGD', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
    ['Adam', (ps) => new Adam(ps, { lr: 0.01, amsgrad: true, weightDecay: 0.1 })],
    ['AdamW', (ps) => new AdamW(ps, { lr: 0.01, amsgrad: true })],
    ['RMSprop', (ps) => new RMSprop(ps, { lr: 0.01, momentum: 0.5, centered: true })],
  ];

  for (const [name, make] of makers) {
    it(`${name}: a state dict round trip (through JSON) continues identically`, () => {
      const g = new Generator(11);
      const a = [param(g, [3, 2]), param(g, [4])];
      const b = a.map((t) => new Tensor(Float32Array.from(t.data), t.shape));
      const grads = Array.from({ length: 6 }, () => a.map((t) => gradient(g, t.numel(), 1)));
      const optA = make(a);
      for (const step of grads.slice(0, 3)) {
        a.forEach((t, i) => (t.grad = new Tensor(step[i]!, t.shape)));
        optA.step();
        b.forEach((t, i) => t.data.set(a[i]!.data));
      }
      const saved = JSON.parse(JSON.stringify(optA.stateDict())) as OptimizerStateDict;
      const optB = make(b);
      optB.loadStateDict(saved);
      expect(optB.stateDict()).toEqual(optA.stateDict());
      for (const step of grads.slice(3)) {
        a.forEach((t, i) => (t.grad = new Tensor(step[i]!, t.shape)));
        b.forEach((t, i) => (t.grad = new Tensor(step[i]!, t.shape)));
        optA.step();
        optB.step();
      }
      a.forEach((t, i) => expect(bytes(b[i]!)).toEqual(bytes(t)));
    });

    it(`${name}: skipNonFinite leaves parameters and state untouched, byte for byte`, () => {
      const g = new Generator(5);
      const ps = [param(g, [2, 3]), param(g, [3])];
      const opt = make(ps);
      opt.skipNonFinite = true;
      ps.forEach((p) => (p.grad = new Tensor(gradient(g, p.numel(), 1), p.shape)));
      expect(opt.step()).toEqual({ skipped: false });
      const before = ps.map(bytes);
      const state = JSON.stringify(opt.stateDict());
      for (const bad of [NaN, Infinity, -Infinity]) {
        ps[1]!.grad!.data[2] = bad;
        const result = opt.step();
        expect(result.skipped).toBe(true);
        if (result.skipped) expect(result.reason).toContain('paramGroups[0].params[1]');
        expect(ps.map(bytes)).toEqual(before);
        expect(JSON.stringify(opt.stateDict())).toBe(state);
      }
    });
  }

  it('updates param.data in place and allocates its state buffers once', () => {
    const p = param(new Generator(1), [5]);
    const data = p.data;
    const opt = new Adam([p], { amsgrad: true });
    const state = (opt as unknown as { state: Map<Tensor, Record<string, unknown>> }).state;
    p.grad = new Tensor(gradient(new Generator(2), 5, 1), [5]);
    opt.step();
    const buffers = { ...state.get(p)! };
    for (let k = 0; k < 4; k++) opt.step();
    expect(p.data).toBe(data);
    for (const name of ['expAvg', 'expAvgSq', 'maxExpAvgSq']) expect(state.get(p)![name]).toBe(buffers[name]);
    expect(state.get(p)!.step).toBe(5);
  });

  it('parameter groups take their own options, the rest from the defaults', () => {
    const g = new Generator(3);
    const a = param(g, [3]);
    const b = param(g, [2]);
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5, momentum: 0.9 }], { lr: 0.1 });
    expect(opt.paramGroups.map((x) => [x.lr, x.momentum])).toEqual([
      [0.1, 0],
      [0.5, 0.9],
    ]);
    const a0 = Array.from(a.data);
    const b0 = Array.from(b.data);
    a.grad = new Tensor(Float32Array.from([1, 2, 3]), [3]);
    b.grad = new Tensor(Float32Array.from([1, -1]), [2]);
    opt.step();
    expectClose(a.data, a0.map((v, i) => v - 0.1 * (i + 1)), OPTIMIZER);
    expectClose(b.data, [b0[0]! - 0.5, b0[1]! + 0.5], OPTIMIZER);
    // lr is mutable (schedulers set it), per group.
    opt.paramGroups[0]!.lr = 0.01;
    const a1 = Array.from(a.data);
    opt.step();
    expectClose(a.data, a1.map((v, i) => v - 0.01 * (i + 1)), OPTIMIZER);
  });

  it('skips parameters whose grad is null, creating no state for them', () => {
    const g = new Generator(4);
    const a = param(g, [2]);
    const b = param(g, [2]);
    const before = bytes(b);
    const opt = new Adam([a, b]);
    a.grad = new Tensor(Float32Array.from([1, 1]), [2]);
    opt.step();
    expect(bytes(b)).toEqual(before);
    expect(Object.keys(opt.stateDict().state)).toEqual(['0']);
  });

  it('zeroGrad sets grads to null by default, or fills them with zeros', () => {
    const a = param(new Generator(1), [2]);
    const opt = new SGD([a], { lr: 1 });
    a.grad = new Tensor(Float32Array.from([1, 2]), [2]);
    const grad = a.grad;
    opt.zeroGrad(false);
    expect(a.grad).toBe(grad);
    expect(Array.from(grad.data)).toEqual([0, 0]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });

  it('rejects invalid options in the constructor', () => {
    const p = (): Tensor[] => [param(new Generator(0), [2])];
    expectRejected(() => new SGD(p(), { lr: -1 }), 'SGD', 'argument');
    expectRejected(() => new SGD(p(), { lr: NaN }), 'SGD', 'argument');
    expectRejected(() => new SGD(p(), {} as { lr: number }), 'SGD', 'argument');
    expectRejected(() => new SGD(p(), { lr: 0.1, momentum: -0.1 }), 'SGD', 'argument');
    expectRejected(() => new SGD(p(), { lr: 0.1, nesterov: true }), 'SGD', 'argument');
    expectRejected(() => new SGD(p(), { lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 }), 'SGD', 'argument');
    expectRejected(() => new SGD(p(), { lr: 0.1, learningRate: 1 } as { lr: number }), 'SGD', 'argument');
    expectRejected(() => new SGD([], { lr: 0.1 }), 'SGD', 'argument');
    expectRejected(() => new Adam(p(), { betas: [1, 0.999] }), 'Adam', 'argument');
    expectRejected(() => new Adam(p(), { betas: [0.9, -0.1] }), 'Adam', 'argument');
    expectRejected(() => new Adam(p(), { eps: -1e-8 }), 'Adam', 'argument');
    expectRejected(() => new Adam(p(), { weightDecay: -1 }), 'Adam', 'argument');
    expectRejected(() => new AdamW(p(), { lr: Infinity }), 'AdamW', 'argument');
    expectRejected(() => new RMSprop(p(), { alpha: 1.5 }), 'RMSprop', 'argument');
    expectRejected(() => new RMSprop(p(), { momentum: -1 }), 'RMSprop', 'argument');
    expectRejected(() => new RMSprop(p(), { centered: 1 as unknown as boolean }), 'RMSprop', 'argument');
    // Parameters: a non-leaf, a duplicate, a group with an unknown option or a bad value.
    const q = param(new Generator(0), [2]);
    q.requiresGrad = true;
    expectRejected(() => new SGD([q.mul(2)], { lr: 0.1 }), 'SGD', 'argument');
    expectRejected(() => new SGD([q, q], { lr: 0.1 }), 'SGD', 'argument');
    expectRejected(() => new SGD([{ params: [q] }, { params: [q] }], { lr: 0.1 }), 'SGD', 'argument');
    expectRejected(() => new SGD([{ params: [q], rate: 1 } as never], { lr: 0.1 }), 'SGD', 'argument');
    expectRejected(() => new Adam([{ params: [q], lr: -1 }]), 'Adam', 'argument');
  });

  it('checks options and gradient shapes at step() before changing anything', () => {
    const a = param(new Generator(0), [2]);
    const b = param(new Generator(1), [2]);
    const opt = new SGD([a, b], { lr: 0.1, momentum: 0.9 });
    a.grad = new Tensor(Float32Array.from([1, 1]), [2]);
    b.grad = new Tensor(Float32Array.from([1, 1, 1]), [3]);
    const before = [bytes(a), bytes(b)];
    expectRejected(() => opt.step(), 'SGD', 'shape');
    expect([bytes(a), bytes(b)]).toEqual(before);
    b.grad = new Tensor(Float32Array.from([1, 1]), [2]);
    opt.paramGroups[0]!.lr = -1;
    expectRejected(() => opt.step(), 'SGD', 'argument');
    expect([bytes(a), bytes(b)]).toEqual(before);
    expect(opt.stateDict().state).toEqual({});
  });

  it('loadStateDict checks everything first: a bad dict throws and changes nothing', () => {
    const g = new Generator(9);
    const ps = [param(g, [2]), param(g, [3])];
    const opt = new Adam(ps, { lr: 0.01 });
    ps.forEach((p) => (p.grad = new Tensor(gradient(g, p.numel(), 1), p.shape)));
    opt.step();
    const good = opt.stateDict();
    const variants: ((sd: OptimizerStateDict) => void)[] = [
      (sd) => (sd.state['1']!.expAvg = [1, 2]), // wrong length
      (sd) => (sd.state['1']!.expAvgSq = [1, NaN, 2]),
      (sd) => delete sd.state['1']!.expAvg, // required buffer missing
      (sd) => (sd.state['1']!.momentum = [0, 0, 0]), // unknown buffer
      (sd) => (sd.state['7'] = { step: 1 }), // no such parameter
      (sd) => (sd.state['0']!.step = -1),
      (sd) => (sd.paramGroups[0]!.lr = -0.1),
      (sd) => delete sd.paramGroups[0]!.eps,
      (sd) => sd.paramGroups[0]!.params.pop(),
      (sd) => sd.paramGroups.push({ params: [] }),
    ];
    for (const change of variants) {
      const bad = opt.stateDict();
      change(bad);
      opt.paramGroups[0]!.lr = 0.02; // a value the bad dict must not overwrite
      expectRejected(() => opt.loadStateDict(bad), 'Adam.loadStateDict', 'format');
      expect(opt.paramGroups[0]!.lr).toBe(0.02);
      opt.paramGroups[0]!.lr = 0.01;
      expect(opt.stateDict()).toEqual(good);
    }
  });
});
