/**
 * The live page (examples/browser/, served by scripts/serve.mjs) driven like a user would:
 * paste a text, start, watch the loss fall and a sample appear, stop and resume, download the
 * weights, and keep a screenshot in test/runtimes/__screenshots__/live-page.png (ignored by git).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load } from '../../src/io/safetensors.js';
import { CHROMIUM_ARGS, ensureBuilt, requireChromium, ROOT, startServer, type Server } from './helpers.js';

const TEXT = `The quick brown fox jumps over the lazy dog. A lazy dog sleeps in the sun.
The brown fox runs into the woods, and the dog dreams of the fox.
`.repeat(6);

let browser: Browser | undefined;
let server: Server | undefined;

beforeAll(async () => {
  const executablePath = requireChromium();
  await ensureBuilt();
  server = await startServer();
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

const readStep = async (page: Page) => Number(await page.locator('#step').textContent());
const waitForStep = (page: Page, n: number, timeout = 90_000) =>
  page.waitForFunction((min) => Number(document.getElementById('step')!.textContent) >= min, n, { timeout, polling: 200 });

describe('live page (examples/browser)', () => {
  it('trains on pasted text: the loss falls, samples appear, stop/resume and export work', async () => {
    const page = await browser!.newPage({ viewport: { width: 1200, height: 860 }, acceptDownloads: true });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
    try {
      await page.goto(`${server!.url}examples/browser/`);
      await page.waitForSelector('body[data-ready="true"]');
      expect((await page.inputValue('#text')).length, 'default text is prefilled').toBeGreaterThan(500);

      await page.fill('#text', TEXT);
      const started = performance.now();
      await page.click('#start');
      await waitForStep(page, 100);
      const seconds = (performance.now() - started) / 1000;
      const first = Number(await page.locator('#first-loss').textContent());
      const recent = Number(await page.locator('#loss').textContent());
      const speed = await page.locator('#speed').textContent();
      console.log(`live page: ${await readStep(page)} steps in ${seconds.toFixed(1)} s, loss ${first} -> ${recent}, ${speed} characters/s`);
      expect(first).toBeGreaterThan(2.5); // about ln(vocabulary) at the start
      expect(recent).toBeLessThan(first - 1);
      await page.waitForFunction(() => /step \d+/.test(document.getElementById('sample-step')!.textContent!), null, { timeout: 30_000 });
      const sample = (await page.locator('#sample').textContent())!;
      expect(sample.length).toBeGreaterThan(100);

      // Temperature slider, then a sample on demand.
      await page.locator('#temperature').fill('0.3');
      await page.click('#sample-now');
      await page.waitForFunction(() => document.getElementById('sample-step')!.textContent!.includes('temperature 0.30'), null, { timeout: 30_000 });

      // Stop: the step counter stands still. Resume: it moves again.
      await page.click('#stop');
      await page.waitForTimeout(400);
      const stoppedAt = await readStep(page);
      await page.waitForTimeout(800);
      expect(await readStep(page)).toBe(stoppedAt);
      await page.click('#resume');
      await waitForStep(page, stoppedAt + 5, 30_000);

      // Export: a safetensors file with the model's PyTorch-style names, readable by the core.
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.click('#export')]);
      const path = await download.path();
      const weights = load(new Uint8Array(readFileSync(path)));
      expect(Object.keys(weights).sort()).toEqual(
        ['embed.weight', 'head.bias', 'head.weight', 'lstm.bias_hh_l0', 'lstm.bias_ih_l0', 'lstm.weight_hh_l0', 'lstm.weight_ih_l0'].sort(),
      );
      expect(download.suggestedFilename()).toMatch(/^char-lstm-step\d+\.safetensors$/);

      await page.click('#stop');
      const dir = join(ROOT, 'test', 'runtimes', '__screenshots__');
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, 'live-page.png'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
