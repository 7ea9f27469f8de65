/** examples/hidden-states.ts in its quick mode: an LSTM learns bracket depth and one unit visibly counts it. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { main } from '../../examples/hidden-states.js';

it('learns the bracket depth, keeps it in a hidden unit, and draws one cell per unit and step', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'hidden-states-'));
  onTestFinished(() => rmSync(outDir, { recursive: true, force: true }));
  const result = await main({ quick: true, log: () => {}, outDir });
  // Measured 0.20; below 0.5 the rounded prediction is mostly the exact depth (depths span 0..5).
  expect(result.testMae).toBeLessThan(0.5);
  // Measured 0.945; 0.85 means a single unit alone explains over 70% of the depth's variance.
  expect(Math.abs(result.correlations[result.bestUnit])).toBeGreaterThan(0.85);
  // The heatmap has one cell per hidden unit (8) and character (40).
  expect(result.heatmapSvg.match(/<rect class="cell"/g)?.length).toBe(8 * 40);
  expect(existsSync(join(outDir, 'hidden-states.svg'))).toBe(true);
  expect(existsSync(join(outDir, 'hidden-states-unit.svg'))).toBe(true);
});
