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
 * - pages/threads.html: recurrent/browser (dist/browser/index.js) under the ESM page's policy.
 *   Served crossOriginIsolated (scripts/serve.mjs's /isolated/ prefix), setNumThreads(2) runs
 *   the kernels on a Web Worker, in the page and in a module worker: the LSTM's losses are
 *   the bits of 1 thread, the runs reached the worker, a job larger than the worker's buffer
 *   runs, and a call that traps on the worker is reported by the caller. Served without the
 *   headers, setNumThreads(2) throws the RecurrentError and nothing changes.
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../helpers.js';
import { FAST_VS_REFERENCE } from '../tolerances.js';
import { CHROMIUM_ARGS, ensureBuilt, expectLossFalls, requireChromium, runWorkload, startServer, type Server } from './helpers.js';

interface ThreadsResults {
  isolated: boolean;
  backend: string;
  threads: number;
  threadsError?: string | null;
  one?: number[];
  two?: number[];
  ready?: number;
  threadedRuns?: number;
  grownRun?: boolean;
  failure?: string | null;
  dispatchUs?: number;
  threadsAfter?: number;
}

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

  /** Loads a page, waits for window.__results.done, and returns the results (no 4xx/5xx, no page errors). */
  async function pageResults<T>(url: string): Promise<T> {
    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    // The pool warns when a kernel worker fails to start.
    page.on('console', (m) => {
      if (m.type() === 'warning') problems.push(`console: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`);
    });
    try {
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { __results?: { done?: boolean } }).__results?.done === true, null, { timeout: 60_000 });
      const results = await page.evaluate(() => (window as unknown as { __results: T }).__results);
      expect(problems).toEqual([]);
      return results;
    } finally {
      await page.close();
    }
  }

  it('recurrent/browser runs setNumThreads(2) on a Web Worker in a crossOriginIsolated page and its worker, with the bits of 1 thread', async () => {
    const results = await pageResults<{ page: ThreadsResults; worker: ThreadsResults; violations: string[]; errors: string[] }>(`${server!.url}isolated/test/runtimes/pages/threads.html`);
    expect(results.errors).toEqual([]);
    expect(results.violations).toEqual([]);
    for (const [where, r] of [['page', results.page], ['worker', results.worker]] as const) {
      console.log(`threads.html ${where}: ${r.threadedRuns} threaded runs, a run of two empty jobs costs ${r.dispatchUs!.toFixed(1)} µs more than one on the caller`);
      expect([r.isolated, r.backend, r.threads, r.ready, r.threadsAfter], where).toEqual([true, 'wasm', 2, 2, 1]);
      expectLossFalls(r.one!, `${where}, 1 thread`);
      expect(r.two!.map(bitsOf), `${where}: 2 threads give the bits of 1`).toEqual(r.one!.map(bitsOf));
      expect(r.threadedRuns!, `${where}: runs that reached the worker`).toBeGreaterThan(0);
      expect(r.grownRun, `${where}: a job larger than the worker's buffer`).toBe(true);
      expect(r.failure, `${where}: a trap on the worker`).toMatch(/^kernel worker 1: gemm\(8, 8, 8, .*out of bounds/);
    }
  });

  it('recurrent/browser: setNumThreads(2) throws a RecurrentError in a page that is not crossOriginIsolated, and its worker', async () => {
    const results = await pageResults<{ page: ThreadsResults; worker: ThreadsResults; errors: string[] }>(`${server!.url}test/runtimes/pages/threads.html`);
    expect(results.errors).toEqual([]);
    for (const r of [results.page, results.worker]) {
      expect([r.isolated, r.backend, r.threads]).toEqual([false, 'wasm', 1]);
      expect(r.threadsError).toBe(
        'RecurrentError: setNumThreads: threads need a shared WebAssembly.Memory, and this engine has no SharedArrayBuffer (in browsers the page must be crossOriginIsolated)',
      );
    }
  });
});

/** The bits of a float64 (losses must be identical, not close). */
function bitsOf(x: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16);
}
