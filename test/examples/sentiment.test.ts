/** examples/sentiment.ts in its quick mode: gated layers learn negation across padded, variable-length sentences. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { main } from '../../examples/sentiment.js';

it('classifies sentences far above chance, negated ones included, with LSTM and GRU', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'sentiment-'));
  onTestFinished(() => rmSync(outDir, { recursive: true, force: true }));
  const result = await main({ quick: true, log: () => {}, outDir });
  for (const kind of ['LSTM', 'GRU'] as const) {
    // Measured 1.000 for both; chance is 0.5 (balanced labels), so 0.95 is real learning
    // with room for a few slips.
    expect(result[kind].accuracy, kind).toBeGreaterThan(0.95);
    // Measured 1.000; with "not" the adjective's own polarity is always wrong, so a model
    // that ignored the negation would score ~0 here.
    expect(result[kind].negatedAccuracy, kind).toBeGreaterThan(0.95);
  }
  expect(existsSync(join(outDir, 'sentiment.svg'))).toBe(true);
});
