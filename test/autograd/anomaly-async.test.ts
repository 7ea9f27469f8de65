/** detectAnomaly around async code: detection stays on until the callback's promise settles. */
import { describe, expect, it } from 'vitest';
import * as R from '../../src/index.js';
import { RecurrentError, Tensor } from '../../src/index.js';

const nanLeaf = () => new Tensor(Float32Array.from([NaN, 1]), [2]).requiresGrad_();

describe('detectAnomaly with async callbacks', () => {
  it('catches an anomaly after the first await', async () => {
    const run = R.detectAnomaly(async () => {
      await new Promise((r) => setTimeout(r, 5));
      return R.relu(nanLeaf());
    });
    await expect(run).rejects.toBeInstanceOf(RecurrentError);
    await expect(run).rejects.toThrow(/relu: forward produced NaN/);
  });

  it('is off again once the promise settles, and after a synchronous throw', async () => {
    await R.detectAnomaly(async () => {
      await Promise.resolve();
    });
    expect(R.relu(nanLeaf()).data[0]).toBeNaN(); // no anomaly error outside
    expect(() => R.detectAnomaly(() => R.exp(nanLeaf()))).toThrow(RecurrentError);
    expect(R.exp(nanLeaf()).data[0]).toBeNaN();
  });

  it('a callback that is not a function is a RecurrentError', () => {
    expect(() => R.detectAnomaly(undefined as never)).toThrow(RecurrentError);
    expect(() => R.noGrad(42 as never)).toThrow(RecurrentError);
  });
});
