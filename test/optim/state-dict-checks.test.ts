/**
 * Optimizer state dicts that would break the next step are refused, and a refused dict
 * changes nothing: values checked after the float32 store, negative second moments, a dict of
 * another optimizer type, and options or buffers that exist only on the prototype.
 */
import { describe, expect, it } from 'vitest';
import { nn, optim } from '../../src/index.js';
import { expectRecurrentError } from '../helpers.js';
import type { OptimizerStateDict } from '../../src/optim/index.js';

function trained<O extends optim.Optimizer<any, any>>(make: (params: ReturnType<nn.Linear['parameters']>) => O): { model: nn.Linear; opt: O } {
  const model = new nn.Linear({ inFeatures: 3, outFeatures: 2, seed: 1 });
  const opt = make(model.parameters());
  for (const p of model.parameters()) p.grad = p.detach().mul(0.5);
  opt.step();
  return { model, opt };
}

function refused(opt: optim.Optimizer<any, any>, sd: unknown, message: RegExp): void {
  const before = JSON.stringify(opt.stateDict());
  expectRecurrentError(() => opt.loadStateDict(sd as OptimizerStateDict), message, 'format');
  expect(JSON.stringify(opt.stateDict())).toBe(before);
}

describe('optimizer loadStateDict refuses state that breaks the next step', () => {
  it('a value finite as a double but infinite as a float32 (1e39)', () => {
    const { opt } = trained((p) => new optim.Adam(p, { lr: 0.1 }));
    const sd = opt.stateDict();
    (sd.state[0]!.expAvg as number[])[0] = 1e39;
    refused(opt, sd, /expAvg\[0\] must be a finite float32, got 1e\+39/);
  });

  it('negative second moments (Adam expAvgSq and maxExpAvgSq, RMSprop squareAvg)', () => {
    const adam = trained((p) => new optim.Adam(p, { lr: 0.1, amsgrad: true })).opt;
    for (const name of ['expAvgSq', 'maxExpAvgSq']) {
      const sd = adam.stateDict();
      (sd.state[1]![name] as number[])[0] = -1e-3;
      refused(adam, sd, new RegExp(`${name}\\[0\\] is -0.001, but a second moment must be >= 0`));
    }
    const rms = trained((p) => new optim.RMSprop(p, { lr: 0.1 })).opt;
    const sd = rms.stateDict();
    (sd.state[0]!.squareAvg as number[])[2] = -5;
    refused(rms, sd, /squareAvg\[2\] is -5/);
    // expAvg may be negative: it is a first moment.
    const ok = adam.stateDict();
    (ok.state[0]!.expAvg as number[])[0] = -1;
    adam.loadStateDict(ok);
  });

  it('a dict of another optimizer type (AdamW into Adam, and back)', () => {
    const adamw = trained((p) => new optim.AdamW(p, { lr: 0.1 })).opt;
    const adam = trained((p) => new optim.Adam(p, { lr: 0.1 })).opt;
    expect(adamw.stateDict().type).toBe('AdamW');
    refused(adam, adamw.stateDict(), /is the state of "AdamW", not of Adam/);
    refused(adamw, adam.stateDict(), /is the state of "Adam", not of AdamW/);
  });

  it('options and buffers inherited through the prototype', () => {
    const { opt } = trained((p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 }));
    const sd = opt.stateDict();
    const group = sd.paramGroups[0]!;
    const inherited = Object.create({ lr: 5 }) as Record<string, unknown>;
    for (const [k, v] of Object.entries(group)) if (k !== 'lr') inherited[k] = v;
    refused(opt, { ...sd, paramGroups: [inherited] }, /paramGroups\[0\]\.lr is missing/);
    const entry = Object.create({ momentumBuffer: [1, 2, 3] }) as Record<string, unknown>;
    entry.step = 1;
    refused(opt, { ...sd, state: { ...sd.state, 0: entry } }, /momentumBuffer is missing/);
  });
});
