/**
 * ONNX in the browser: models exported by exportOnnx run in headless chromium through
 * onnxruntime-web's WASM backend (pages/onnx-web.html; the runtime and its .wasm files are
 * served from the engines package in test/runtimes), at a batch size and length other than the
 * export's example, and give this library's outputs to the LAYER tolerance (the tolerance the
 * onnxruntime-node comparisons use): the CLI's character model (Embedding -> 2-layer LSTM ->
 * Linear, int64 ids in) and a bidirectional 2-layer GRU with an initial state (output and h_n).
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nn, noGrad, randint, randn, Tensor } from '../../src/index.js';
import { CharModel, type RunConfig } from '../../src/node/cli/char-model.js';
import { exportOnnx, type ExportableModule } from '../../src/onnx/index.js';
import { expectClose } from '../helpers.js';
import { flatten } from '../onnx/outputs.js';
import { LAYER } from '../tolerances.js';
import { CHROMIUM_ARGS, requireChromium, startServer, type Server } from './helpers.js';

interface WebRun {
  inputNames: string[];
  result: Record<string, { dims: number[]; data: number[] }>;
}

let browser: Browser | undefined;
let server: Server | undefined;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  const executablePath = requireChromium();
  server = await startServer();
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 60_000 });
  page = await browser.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`));
  await page.goto(`${server.url}test/runtimes/pages/onnx-web.html`);
  await page.waitForFunction(() => document.getElementById('out')?.textContent === 'ready', undefined, { timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

/** Exports `model` on `example`, runs it in the page on `inputs`, compares every output with the library's. */
async function expectSameInBrowser(model: ExportableModule, example: Tensor[], inputs: Tensor[], ids: boolean[]): Promise<void> {
  const bytes = exportOnnx(model, example);
  model.eval();
  const expected = flatten(noGrad(() => (model.forward as (...xs: Tensor[]) => unknown).apply(model, inputs)));
  const names = example.length === 1 ? ['input'] : example.map((_, i) => `input${i}`);
  const feeds = Object.fromEntries(inputs.map((x, i) => [names[i], { type: ids[i] ? 'int64' : 'float32', data: Array.from(x.data), dims: x.shape }]));
  const got = await page.evaluate(({ model, feeds }) => (globalThis as unknown as { runOnnx(m: number[], f: object): Promise<WebRun> }).runOnnx(model, feeds), { model: Array.from(bytes), feeds });
  expect(problems).toEqual([]);
  expect(got.inputNames).toEqual(names);
  expect(Object.keys(got.result).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, t] of Object.entries(expected)) {
    expect(got.result[name]!.dims, name).toEqual(t.shape);
    expectClose(got.result[name]!.data, t, LAYER, `onnxruntime-web ${name}`);
  }
}

it("runs the CLI's character model (Embedding -> 2-layer LSTM -> Linear) with this library's logits", async () => {
  const char = new CharModel({ model: 'lstm', embed: 8, hidden: 12, layers: 2, seed: 4 } as RunConfig, 9);
  await expectSameInBrowser(char, [randint(0, 9, [3, 5])], [randint(0, 9, [2, 7])], [true]);
});

it('runs a bidirectional 2-layer GRU with an initial state, with its output and h_n', async () => {
  class Layer extends nn.Module {
    gru = new nn.GRU({ inputSize: 6, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true, seed: 3 });
    forward(x: Tensor, h0: Tensor): unknown {
      return this.gru.forward(x, { h0 });
    }
  }
  await expectSameInBrowser(new Layer(), [randn([3, 5, 6]), randn([4, 3, 4])], [randn([2, 8, 6]), randn([4, 2, 4])], [false, false]);
});
