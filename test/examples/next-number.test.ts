/** examples/next-number.ts in its quick mode: the LSTM learns "add one" and carries it to unseen numbers. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { main } from '../../examples/next-number.js';

it('learns to add one and keeps doing it on numbers it never saw', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'next-number-'));
  onTestFinished(() => rmSync(outDir, { recursive: true, force: true }));
  const result = await main({ quick: true, log: () => {}, outDir });
  // Measured ~5e5x; 1e4x shows real fitting (the best constant guess is only ~5x below the first epoch).
  expect(result.firstLoss / result.lastLoss).toBeGreaterThan(1e4);
  // Measured 0.54; 1.5 means off by less than two numbers on average on 50..99, where
  // answering 49 (the largest answer it was trained on) would be off by ~26.
  expect(result.unseenMae).toBeLessThan(1.5);
  // The example's headline: [47, 48, 49] -> 50, with 50 itself never seen in training.
  expect(Math.abs(result.after47 - 50)).toBeLessThan(0.5);
  expect(readdirSync(outDir).sort()).toEqual(['next-number-loss.svg', 'next-number-mae.svg']);
});
