/** examples/words.ts in its quick mode: a word-level LSTM language model, its tokenizer and temperature sampling. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { Vocabulary, main, tokenize } from '../../examples/words.js';

it('tokenizes into words and punctuation, and maps rare words to <unk>', () => {
  const tokens = tokenize('The gate opens. The gate closes, then opens!');
  expect(tokens).toEqual(['the', 'gate', 'opens', '.', 'the', 'gate', 'closes', ',', 'then', 'opens', '!']);
  const vocab = new Vocabulary(tokens, 2);
  expect(vocab.words).toEqual(['<unk>', 'gate', 'opens', 'the']);
  const ids = vocab.encode(tokenize('the gate closes.'));
  expect(ids).toEqual([3, 1, 0, 0]);
  expect(vocab.decode(ids)).toBe('the gate <unk> <unk>');
  expect(vocab.decode(vocab.encode(['the', 'gate', 'opens', '.']).slice(0, 3))).toBe('the gate opens');
});

it('lowers the validation perplexity far below a uniform guess, and samples known words more diversely when hotter', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'words-'));
  onTestFinished(() => rmSync(outDir, { recursive: true, force: true }));
  const result = await main({ quick: true, log: () => {}, outDir });
  const V = result.vocabulary.length;
  // Untrained, the model is close to a uniform guess: perplexity about V (measured 437 for V = 424).
  expect(result.untrained).toBeGreaterThan(V * 0.7);
  // Measured 76 (5.7x lower); 3x means it predicts the next word far better than a uniform guess.
  expect(result.trained).toBeLessThan(result.untrained / 3);
  const [cold, hot] = result.samples;
  expect([cold.temperature, hot.temperature]).toEqual([0.5, 1.5]);
  for (const { ids } of [cold, hot]) {
    expect(ids).toHaveLength(60);
    // Every sampled token is a known word: a vocabulary id other than 0, <unk>.
    expect(ids.every((id) => Number.isInteger(id) && id >= 1 && id < V)).toBe(true);
  }
  // Measured 17 distinct tokens at 0.5 and 52 at 1.5: a hotter sample uses far more of the vocabulary.
  expect(new Set(hot.ids).size).toBeGreaterThan(1.5 * new Set(cold.ids).size);
  expect(existsSync(join(outDir, 'words.svg'))).toBe(true);
});
