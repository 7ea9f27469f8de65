/**
 * The live page (examples/browser/, served by scripts/serve.mjs) driven like a user would:
 * paste a text, start, watch the loss fall and a sample appear, stop and resume, download the
 * weights, restart (confirmed); and what the user reads: round axis ticks, labels, the error
 * next to the button, the stats at phone width. Screenshots at desktop and phone widths go to
 * test/runtimes/__screenshots__/ (ignored by git).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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
const shots = join(ROOT, 'test', 'runtimes', '__screenshots__');

/** Tick labels the chart drew: numbers one round step (1, 2 or 5 times a power of ten) apart. */
async function expectRoundTicks(page: Page, axis: 'x' | 'y'): Promise<number[]> {
  const labels = (await page.locator('#chart').getAttribute(`data-${axis}-ticks`))!.split(' ').map(Number);
  expect(labels.length, `${axis} ticks ${labels}`).toBeGreaterThanOrEqual(3);
  const step = labels[1]! - labels[0]!;
  const mantissa = step / 10 ** Math.floor(Math.log10(step));
  expect([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9), `${axis} ticks ${labels}`).toBe(true);
  labels.forEach((v, i) => expect(Math.abs(v - labels[0]! - i * step), `${axis} ticks ${labels}`).toBeLessThan(1e-9 * step));
  expect(labels.every((v) => Math.abs(v / step - Math.round(v / step)) < 1e-9), `${axis} ticks ${labels}`).toBe(true);
  return labels;
}
const waitForStep = (page: Page, n: number, timeout = 90_000) =>
  page.waitForFunction((min) => Number(document.getElementById('step')!.textContent) >= min, n, { timeout, polling: 200 });

describe('live page (examples/browser)', () => {
  it('draws a moving average that follows the early fall of the loss instead of sitting above it', async () => {
    const { movingAverage } = (await import(pathToFileURL(join(ROOT, 'examples', 'browser', 'chart.js')).href)) as { movingAverage: (v: number[]) => number[] };
    // The shape of a training start: a steep fall from ln(V) towards a plateau, with noise.
    const losses = Array.from({ length: 120 }, (_, i) => 2.5 + 1.8 * Math.exp(-i / 8) + (i % 2 ? 0.08 : -0.08));
    const gap = (average: number[]) => Math.max(...average.slice(0, 40).map((a, i) => a - losses[i]!));
    let ema = losses[0]!;
    const plain = losses.map((v) => (ema = 0.9 * ema + 0.1 * v)); // measured gap 0.73
    const average = movingAverage(losses);
    expect(average[0]).toBe(losses[0]);
    expect(gap(plain)).toBeGreaterThan(0.6);
    expect(gap(average)).toBeLessThan(0.25); // measured 0.14
    expect(Math.abs(average[119]! - 2.5)).toBeLessThan(0.05); // and smooths the plateau's noise
  });

  it('has text in the box at first paint, before the corpus arrives, and the corpus after', async () => {
    const page = await browser!.newPage({ viewport: { width: 1200, height: 860 } });
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/examples/data/corpus.txt', async (route) => {
      await held; // the corpus arrives only when the test says so
      await route.continue();
    });
    try {
      await page.goto(`${server!.url}examples/browser/`, { waitUntil: 'load' });
      expect(await page.evaluate(() => document.body.dataset.ready)).toBeUndefined(); // still waiting for the corpus
      const early = await page.inputValue('#text');
      expect(early.length, 'text at first paint').toBeGreaterThan(100);
      release();
      await page.waitForSelector('body[data-ready="true"]');
      const corpus = readFileSync(join(ROOT, 'examples', 'data', 'corpus.txt'), 'utf8');
      expect(await page.inputValue('#text')).toBe(corpus);
    } finally {
      release();
      await page.close();
    }
  });

  it("says which backend its worker's kernels run on: the one the worker can run", async () => {
    const page = await browser!.newPage({ viewport: { width: 1200, height: 860 } });
    try {
      await page.goto(`${server!.url}examples/browser/`);
      await page.waitForSelector('body[data-ready="true"]');
      const header = () => page.locator('header').innerText();
      expect(await header()).not.toMatch(/no WebAssembly/);
      expect(await header()).toMatch(/Its kernels run in the worker on WebAssembly SIMD where the browser allows it, else on scalar JavaScript\./);
      const spawned = page.waitForEvent('worker');
      await page.click('#start');
      const worker = await spawned;
      await page.waitForFunction(() => !document.getElementById('backend')!.textContent!.includes('where the browser allows it'), null, { timeout: 30_000 });
      // Independently of the library: can this worker compile WebAssembly SIMD? (v128.const, drop)
      const simd = await worker.evaluate(async () => {
        const bytes = [0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 23, 1, 21, 0, 253, 12, ...new Array(16).fill(0), 26, 11];
        try {
          await WebAssembly.compile(new Uint8Array(bytes));
          return true;
        } catch {
          return false;
        }
      });
      expect(simd).toBe(true); // Chromium's module workers run WebAssembly SIMD
      expect(await header()).toMatch(/Its kernels run in the worker on WebAssembly SIMD\./);
      await page.click('#stop');
    } finally {
      await page.close();
    }
  });

  it('fits a phone: at 390 px the stats are not clipped', async () => {
    const page = await browser!.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await page.goto(`${server!.url}examples/browser/`);
      await page.waitForSelector('body[data-ready="true"]');
      const overflow = await page.evaluate(() =>
        [...document.querySelectorAll('.stats > div, .stats output, .panel')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 || e.scrollWidth > e.clientWidth + 1).map((e) => e.id || e.className || e.tagName),
      );
      expect(overflow).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'live-page-phone.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

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
      expect(await expectRoundTicks(page, 'y')).toEqual([0, 1, 2, 3, 4]);
      await expectRoundTicks(page, 'x');
      expect(await page.locator('#temperature-value').textContent()).toBe('0.80');
      expect(await page.locator('#first-loss').locator('xpath=..').textContent()).toMatch(/^first loss/);

      // Too short: the error shows next to the button, which does not claim a run started.
      await page.fill('#text', 'abc');
      await page.click('#start');
      await page.waitForSelector('#error:not([hidden])');
      const button = (await page.locator('#start').boundingBox())!;
      const error = (await page.locator('#error').boundingBox())!;
      expect(error.y - (button.y + button.height), 'the error sits just below the buttons').toBeLessThan(60);
      expect(error.y).toBeGreaterThan(button.y);
      expect(await page.locator('#start').textContent()).toBe('Start training');

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
      expect(await page.locator('#start').textContent()).toBe('Restart on this text');
      await expectRoundTicks(page, 'x');
      await expectRoundTicks(page, 'y');
      await page.waitForFunction(() => /step \d+/.test(document.getElementById('sample-step')!.textContent!), null, { timeout: 30_000 });
      const sample = (await page.locator('#sample').textContent())!;
      expect(sample.length).toBeGreaterThan(100);

      // Temperature slider, then a sample on demand.
      await page.locator('#temperature').fill('0.3');
      expect(await page.locator('#temperature-value').textContent()).toBe('0.30');
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
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'live-page.png'), fullPage: true });

      // Restart asks first: dismissed, the run stays; accepted, a new one starts from step 0.
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void (dialogs.length === 1 ? dialog.dismiss() : dialog.accept());
      });
      await page.waitForTimeout(500); // a slice in flight when stop was clicked still reports
      const before = await readStep(page);
      await page.click('#start');
      expect(dialogs[0]).toMatch(/^Discard the current run \(step \d+\)/);
      expect(await readStep(page)).toBe(before);
      await page.click('#start');
      expect(dialogs).toHaveLength(2);
      await page.waitForFunction((was) => Number(document.getElementById('step')!.textContent) < was, before, { timeout: 30_000 });
      await page.click('#stop');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
