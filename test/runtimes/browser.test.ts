/**
 * Headless chromium (Debian's, at /usr/bin/chromium) loads pages served by scripts/serve.mjs:
 * - pages/iife.html: dist/recurrent.global.js in a classic <script>, and in a classic worker
 *   through importScripts;
 * - pages/esm.html: dist/index.js in a <script type=module>, and in a module worker.
 * Each trains the shared LSTM workload in the page and in the worker, under a Content Security
 * Policy without 'unsafe-eval'; the losses must fall and equal Node's. The ESM page's policy
 * allows 'wasm-unsafe-eval', so it runs the WASM kernels; the global bundle's page does not, so
 * it runs the JS kernels (compiling WebAssembly there is refused, which the page reports as one
 * violation), and setBackend('wasm') says why. Workers have no policy of their own: WASM.
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../helpers.js';
import { FAST_VS_REFERENCE } from '../tolerances.js';
import { CHROMIUM_ARGS, ensureBuilt, expectLossFalls, requireChromium, runWorkload, startServer, type Server } from './helpers.js';

interface PageResults {
  page: number[] | null;
  worker: number[] | null;
  backend: string;
  workerBackend: string;
  wasmRefused?: string;
  violations: string[];
  errors: string[];
  done: boolean;
}

let browser: Browser | undefined;
let server: Server | undefined;
let node: number[];

beforeAll(async () => {
  const executablePath = requireChromium();
  await ensureBuilt();
  server = await startServer();
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 60_000 });
  node = (await runWorkload<number[]>('node', 'trainLstm', 8)).result;
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe('browser (headless chromium)', () => {
  it.each([
    ['the global bundle in <script> and in a classic worker (importScripts)', 'iife.html', 'js'],
    ['the ESM build in <script type=module> and in a module worker', 'esm.html', 'wasm'],
  ])('%s trains an LSTM', async (_, file, backend) => {
    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`);
    });
    try {
      const started = performance.now();
      await page.goto(`${server!.url}test/runtimes/pages/${file}`);
      await page.waitForFunction(() => (window as unknown as { __results?: { done?: boolean } }).__results?.done === true, null, { timeout: 60_000 });
      const results = await page.evaluate(() => (window as unknown as { __results: PageResults }).__results);
      console.log(`${file}: page and worker trained in ${(performance.now() - started).toFixed(0)} ms; losses ${results.page?.map((l) => l.toFixed(2)).join(' ')}`);
      expect(problems).toEqual([]);
      expect(results.errors).toEqual([]);
      expect(results.backend).toBe(backend);
      expect(results.workerBackend).toBe('wasm');
      if (backend === 'js') {
        expect(results.violations).toEqual(['script-src: wasm-eval']);
        expect(results.wasmRefused).toMatch(/^RecurrentError: setBackend: the 'wasm' backend cannot run here: WebAssembly could not be compiled here \(.*\); a Content Security Policy without 'wasm-unsafe-eval' does this$/);
      } else {
        expect(results.violations).toEqual([]);
      }
      expectLossFalls(results.page!, `${file} page`);
      expectLossFalls(results.worker!, `${file} worker`);
      expectClose(results.page!, node, FAST_VS_REFERENCE, `${file} page vs Node`);
      expectClose(results.worker!, node, FAST_VS_REFERENCE, `${file} worker vs Node`);
    } finally {
      await page.close();
    }
  });
});
