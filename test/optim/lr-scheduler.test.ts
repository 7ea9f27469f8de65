/**
 * The learning-rate schedules against PyTorch's own (chainable, recursive) update rules and
 * the examples in its documentation, ReduceLROnPlateau on a traced metric sequence, state
 * dict round trips and option checks.
 */
import { describe, expect, it } from 'vitest';
import { RecurrentError, Tensor } from '../../src/index.js';
import {
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  ReduceLROnPlateau,
  SGD,
  StepLR,
  type LRScheduler,
  type LRSchedulerStateDict,
  type ReduceLROnPlateauStateDict,
} from '../../src/optim/index.js';
import { expectClose } from '../helpers.js';
import { OPTIMIZER } from '../tolerances.js';

/** An SGD over two groups with learning rates 0.1 and 0.02. */
function twoGroups(): SGD {
  const a = new Tensor(new Float32Array(2), [2]);
  const b = new Tensor(new Float32Array(3), [3]);
  return new SGD([{ params: [a] }, { params: [b], lr: 0.02 }], { lr: 0.1 });
}

/** The lrs after construction and after each of `epochs` steps. */
function trace(s: { step(): void; getLastLr(): number[] }, epochs: number): number[][] {
  const out = [s.getLastLr()];
  for (let e = 1; e <= epochs; e++) {
    s.step();
    out.push(s.getLastLr());
  }
  return out;
}

/**
 * PyTorch 1.13's chainable get_lr() rules: each epoch's lr from the previous one, as
 * torch.optim.lr_scheduler computes them by default (not the closed forms this library uses).
 */
function pytorchRecursive(rule: (lr: number, base: number, e: number) => number, bases: number[], epochs: number): number[][] {
  const out: number[][] = [];
  let lrs = bases.map((b) => rule(b, b, 0));
  out.push(lrs);
  for (let e = 1; e <= epochs; e++) {
    lrs = lrs.map((lr, i) => rule(lr, bases[i]!, e));
    out.push(lrs);
  }
  return out;
}

function expectTrace(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((lrs, e) => expectClose(lrs, expected[e]!, OPTIMIZER, `epoch ${e}`));
}

describe('epoch schedulers follow PyTorch', () => {
  const bases = [0.1, 0.02];

  it('StepLR', () => {
    const opt = twoGroups();
    const s = new StepLR(opt, { stepSize: 3, gamma: 0.5 });
    expectTrace(trace(s, 10), pytorchRecursive((lr, _b, e) => (e === 0 || e % 3 !== 0 ? lr : lr * 0.5), bases, 10));
    expect(opt.paramGroups.map((g) => g.lr)).toEqual(s.getLastLr());
  });

  it('ExponentialLR', () => {
    const s = new ExponentialLR(twoGroups(), { gamma: 0.9 });
    expectTrace(trace(s, 8), pytorchRecursive((lr, _b, e) => (e === 0 ? lr : lr * 0.9), bases, 8));
  });

  it('CosineAnnealingLR, past tMax too', () => {
    const [tMax, etaMin] = [5, 0.001];
    const s = new CosineAnnealingLR(twoGroups(), { tMax, etaMin });
    const rule = (lr: number, base: number, e: number): number => {
      if (e === 0) return lr;
      if ((e - 1 - tMax) % (2 * tMax) === 0) return lr + ((base - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2;
      return ((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) * (lr - etaMin) + etaMin;
    };
    expectTrace(trace(s, 12), pytorchRecursive(rule, bases, 12));
  });

  it('LinearLR (warmup)', () => {
    const [start, end, total] = [0.25, 1, 4];
    const s = new LinearLR(twoGroups(), { startFactor: start, endFactor: end, totalIters: total });
    const rule = (lr: number, _b: number, e: number): number => {
      if (e === 0) return lr * start;
      if (e > total) return lr;
      return lr * (1 + (end - start) / (total * start + (e - 1) * (end - start)));
    };
    expectTrace(trace(s, 7), pytorchRecursive(rule, bases, 7));
  });

  it("reproduces the examples of PyTorch's documentation", () => {
    const one = (lr: number): SGD => new SGD([new Tensor(new Float32Array(1), [1])], { lr });
    // LinearLR(optimizer, start_factor=0.5, total_iters=4) with lr 0.05: 0.025, 0.03125, 0.0375, 0.04375, 0.05, ...
    expectTrace(trace(new LinearLR(one(0.05), { startFactor: 0.5, totalIters: 4 }), 5), [[0.025], [0.03125], [0.0375], [0.04375], [0.05], [0.05]]);
    // StepLR(optimizer, step_size=30, gamma=0.1) with lr 0.05: 0.05 for epochs < 30, 0.005 for 30 <= epoch < 60.
    const lrs = trace(new StepLR(one(0.05), { stepSize: 30 }), 60).map((l) => l[0]!);
    expectClose([lrs[29]!, lrs[30]!, lrs[59]!, lrs[60]!], [0.05, 0.005, 0.005, 0.0005], OPTIMIZER);
  });

  it('a state dict round trip (through JSON) continues identically', () => {
    const makers: ((o: SGD) => LRScheduler<object>)[] = [
      (o) => new StepLR(o, { stepSize: 2 }),
      (o) => new ExponentialLR(o, { gamma: 0.7 }),
      (o) => new CosineAnnealingLR(o, { tMax: 6 }),
      (o) => new LinearLR(o, { startFactor: 0.1, totalIters: 5 }),
    ];
    for (const make of makers) {
      const optA = twoGroups();
      const a = make(optA);
      trace(a, 3);
      const optB = twoGroups();
      const b = make(optB);
      b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())) as LRSchedulerStateDict<object>);
      expect(b.lastEpoch).toBe(3);
      expect(trace(b, 4).slice(1)).toEqual(trace(a, 4).slice(1));
    }
  });

  it('rejects bad options and bad state dicts with a RecurrentError naming the scheduler', () => {
    const bad: [() => unknown, string][] = [
      [() => new StepLR(twoGroups(), { stepSize: 0 }), 'StepLR'],
      [() => new StepLR(twoGroups(), { stepSize: 2, gamma: -1 }), 'StepLR'],
      [() => new StepLR(twoGroups(), { stepSize: 2, gama: 0.5 } as never), 'StepLR'],
      [() => new ExponentialLR(twoGroups(), {} as never), 'ExponentialLR'],
      [() => new CosineAnnealingLR(twoGroups(), { tMax: 2.5 }), 'CosineAnnealingLR'],
      [() => new LinearLR(twoGroups(), { startFactor: 0 }), 'LinearLR'],
      [() => new LinearLR(twoGroups(), { endFactor: 1.5 }), 'LinearLR'],
      [() => new LinearLR({} as SGD), 'LinearLR'],
      [() => new StepLR(twoGroups(), { stepSize: 2 }).loadStateDict({ lastEpoch: 1, baseLrs: [0.1], lastLr: [0.1, 0.1], options: { stepSize: 2, gamma: 0.1 } }), 'StepLR.loadStateDict'],
      [() => new StepLR(twoGroups(), { stepSize: 2 }).loadStateDict({ lastEpoch: -1, baseLrs: [0.1, 0.1], lastLr: [0.1, 0.1], options: { stepSize: 2, gamma: 0.1 } }), 'StepLR.loadStateDict'],
      [() => new StepLR(twoGroups(), { stepSize: 2 }).loadStateDict({ lastEpoch: 1, baseLrs: [0.1, 0.1], lastLr: [0.1, 0.1], options: { stepSize: 0, gamma: 0.1 } }), 'StepLR.loadStateDict'],
    ];
    for (const [call, op] of bad) {
      expect(call).toThrow(RecurrentError);
      expect(call).toThrow(new RegExp(`^${op}: `));
    }
  });
});

describe('ReduceLROnPlateau', () => {
  it('reduces after more than `patience` bad epochs, with cooldown, threshold, minLr and eps as PyTorch', () => {
    const opt = new SGD([{ params: [new Tensor(new Float32Array(1), [1])] }, { params: [new Tensor(new Float32Array(1), [1])], lr: 0.001 }], { lr: 0.1 });
    const s = new ReduceLROnPlateau(opt, { patience: 2, factor: 0.5, cooldown: 1, threshold: 0.1, minLr: [0, 0.0008] });
    const metrics = [10, 9, 9.5, 9.2, 9.1, 8, 8, 8, 8, 8, 8];
    const lrs = metrics.map((m) => {
      s.step(m);
      return s.getLastLr();
    });
    // Epoch 2: 9 is not below 10 * (1 - 0.1); epoch 4 is the third bad epoch: reduce, then one
    // epoch of cooldown. 8 improves on 9 at epoch 6; epochs 7..9 are bad: reduce again.
    // The second group stops at minLr, and a reduction of 0 (below eps) is not applied.
    expectTrace(lrs, [
      [0.1, 0.001],
      [0.1, 0.001],
      [0.1, 0.001],
      [0.05, 0.0008],
      [0.05, 0.0008],
      [0.05, 0.0008],
      [0.05, 0.0008],
      [0.05, 0.0008],
      [0.025, 0.0008],
      [0.025, 0.0008],
      [0.025, 0.0008],
    ]);
    expect(s.best).toBe(8);
  });

  it("'max' mode with an absolute threshold", () => {
    const opt = new SGD([new Tensor(new Float32Array(1), [1])], { lr: 1 });
    const s = new ReduceLROnPlateau(opt, { mode: 'max', thresholdMode: 'abs', threshold: 0.5, patience: 0 });
    s.step(1); // improves on -Infinity
    s.step(1.4); // not above 1 + 0.5: bad, more than 0 bad epochs: reduce
    s.step(2); // improves
    expectClose(s.getLastLr(), [0.1], OPTIMIZER);
    expect(s.best).toBe(2);
  });

  it('a state dict round trip (through JSON, Infinity included) continues identically', () => {
    const make = (): [SGD, ReduceLROnPlateau] => {
      const opt = twoGroups();
      return [opt, new ReduceLROnPlateau(opt, { patience: 1, cooldown: 1 })];
    };
    const [, fresh] = make();
    const [, again] = make();
    again.loadStateDict(JSON.parse(JSON.stringify(fresh.stateDict())) as ReduceLROnPlateauStateDict);
    expect(again.best).toBe(Infinity);

    const [optA, a] = make();
    for (const m of [5, 6, 7]) a.step(m);
    const [optB, b] = make();
    b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())) as ReduceLROnPlateauStateDict);
    optB.paramGroups.forEach((g, i) => (g.lr = optA.paramGroups[i]!.lr));
    for (const m of [7, 7, 4, 9, 9]) {
      a.step(m);
      b.step(m);
      expect(b.getLastLr()).toEqual(a.getLastLr());
    }
  });

  it('rejects bad options', () => {
    const bad = [{ factor: 1 }, { factor: -0.1 }, { mode: 'avg' }, { thresholdMode: 'pct' }, { patience: -1 }, { minLr: [0] }, { cooldown: 0.5 }, { minLR: 0 }];
    for (const options of bad) {
      expect(() => new ReduceLROnPlateau(twoGroups(), options as never)).toThrow(/^ReduceLROnPlateau: /);
    }
    expect(() => new ReduceLROnPlateau(twoGroups()).step('1' as never)).toThrow(RecurrentError);
  });
});
