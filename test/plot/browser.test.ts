/**
 * The charts rendered by a real browser: headless Chromium (Debian's /usr/bin/chromium,
 * driven by playwright-core, no network) draws a two-series line chart, its log-scale
 * variant and a heatmap; the test checks from the rendered page that the lines, axes and
 * legend are visible and inside the chart, and saves a screenshot of each to __screenshots__/
 * (ignored by git: a test run leaves the tree as it was).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heatmap, lineChart } from '../../src/plot/index.js';

const CHROMIUM = '/usr/bin/chromium';
const shots = fileURLToPath(new URL('./__screenshots__/', import.meta.url));
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the browser tests need Debian's chromium (apt-get install chromium), as CI installs it`);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 800, height: 520 } });
  await page.route('**/*', (route) => route.abort());
  mkdirSync(shots, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Renders `svg` alone on a blank page and returns its bounding box. */
async function render(svg: string): Promise<Box> {
  await page.setContent(`<!doctype html><html><body style="margin:10px;background:#fff">${svg}</body></html>`);
  const box = await page.locator('svg').boundingBox();
  expect(box).not.toBeNull();
  return box!;
}

/** Bounding boxes of every element matching `selector` inside the chart. */
async function boxes(selector: string): Promise<Box[]> {
  return page.$$eval(selector, (els) => els.map((el) => el.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height })));
}

function expectInside(inner: Box, outer: Box, what: string) {
  expect(inner.width + inner.height, `${what} has a size`).toBeGreaterThan(0);
  expect(inner.x, `${what} left`).toBeGreaterThanOrEqual(outer.x - 0.5);
  expect(inner.y, `${what} top`).toBeGreaterThanOrEqual(outer.y - 0.5);
  expect(inner.x + inner.width, `${what} right`).toBeLessThanOrEqual(outer.x + outer.width + 0.5);
  expect(inner.y + inner.height, `${what} bottom`).toBeLessThanOrEqual(outer.y + outer.height + 0.5);
}

const steps = Array.from({ length: 300 }, (_, i) => i + 1);
const curves = {
  series: [
    { name: 'training', x: steps, y: steps.map((s) => 3.2 * Math.exp(-s / 60) + 1.1 + 0.08 * Math.sin(s / 3)) },
    { name: 'validation', x: steps.filter((s) => s % 25 === 0), y: steps.filter((s) => s % 25 === 0).map((s) => 3.3 * Math.exp(-s / 70) + 1.3) },
  ],
  title: 'Character LSTM: loss',
  xLabel: 'step',
  yLabel: 'cross entropy (nats per character)',
};

/** Checks a rendered line chart: every series path, both axes and the legend are visible. */
async function checkLineChart(svg: string, names: string[]) {
  const chart = await render(svg);
  expect(chart.width).toBeGreaterThan(100);
  expectInside(chart, { x: 0, y: 0, width: 800, height: 520 }, 'chart');
  const paths = await boxes('g.series path');
  expect(paths).toHaveLength(names.length);
  paths.forEach((b, i) => {
    expect(b.width, `series ${i} spans the x axis`).toBeGreaterThan(chart.width / 2);
    expectInside(b, chart, `series ${i}`);
  });
  const axes = await boxes('g.axis');
  expect(axes).toHaveLength(2);
  axes.forEach((b, i) => expectInside(b, chart, `axis ${i}`));
  expect(await page.$$eval('g.axis text', (ts) => ts.length)).toBeGreaterThanOrEqual(6);
  const legend = await boxes('g.legend');
  expect(legend).toHaveLength(1);
  expectInside(legend[0], chart, 'legend');
  expect(await page.$$eval('g.legend text', (ts) => ts.map((t) => t.textContent))).toEqual(names);
  for (const b of await boxes('g.legend text')) expectInside(b, legend[0], 'legend text');
  expect(await page.locator('g.series path').first().evaluate((el) => getComputedStyle(el).visibility)).toBe('visible');
}

describe('charts in headless Chromium', () => {
  it('renders a line chart with two series, axes and a legend', async () => {
    await checkLineChart(lineChart(curves), ['training', 'validation']);
    await page.locator('svg').screenshot({ path: `${shots}line-chart.png` });
  });

  it('renders the log-scale variant', async () => {
    const svg = lineChart({ ...curves, title: 'Character LSTM: loss (log scale)', logY: true, series: curves.series.map((s) => ({ ...s, y: s.y.map((v) => (v - 1) ** 3) })) });
    await checkLineChart(svg, ['training', 'validation']);
    const labels = await page.$$eval('g.axis.y text', (ts) => ts.map((t) => t.textContent));
    expect(labels).toContain('1');
    expect(labels).toContain('10');
    await page.locator('svg').screenshot({ path: `${shots}line-chart-log.png` });
  });

  it('renders a heatmap with every cell and a color bar', async () => {
    const rows = 16;
    const cols = 24;
    const values = Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => Math.sin(r / 2.5) * Math.cos(c / 3.5) + (r === c ? 0.5 : 0)));
    const chart = await render(heatmap({ values, title: 'weight_hh_l0', xLabel: 'column', yLabel: 'row' }));
    const cells = await boxes('rect.cell');
    expect(cells).toHaveLength(rows * cols);
    for (const b of cells) expectInside(b, chart, 'cell');
    const fills = await page.$$eval('rect.cell', (els) => els.map((el) => getComputedStyle(el).fill));
    expect(new Set(fills).size).toBeGreaterThan(50);
    const bar = await boxes('g.color-bar');
    expectInside(bar[0], chart, 'color bar');
    expect(bar[0].x).toBeGreaterThan(Math.max(...cells.map((b) => b.x + b.width)));
    await page.locator('svg').screenshot({ path: `${shots}heatmap.png` });
  });
});
