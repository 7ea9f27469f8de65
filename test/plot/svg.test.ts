/** The SVG charts as strings: structure, ticks, legends, gaps, escaping, heatmap colors. */
import { describe, expect, it } from 'vitest';
import { RecurrentError } from '../../src/index.js';
import { heatmap, lineChart, linearTicks, logTicks } from '../../src/plot/index.js';
import { findAll, parseXml, textOf, type XmlElement } from './xml.js';

const labels = (svg: XmlElement, axis: 'x' | 'y') => findAll(findAll(svg, 'g', 'axis').find((g) => g.attrs.class === `axis ${axis}`)!, 'text').map(textOf);
const seriesGroups = (svg: XmlElement) => findAll(svg, 'g', 'series');
const moves = (g: XmlElement) => (findAll(g, 'path')[0]?.attrs.d.match(/M/g) ?? []).length;

/** Asserts values step by one 1-2-5 multiple of a power of ten and cover [lo, hi]. */
function expectNiceSteps(values: number[], lo: number, hi: number) {
  const step = values[1] - values[0];
  const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
  expect([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6), `step ${step}`).toBe(true);
  for (let i = 1; i < values.length; i++) expect(values[i] - values[i - 1]).toBeCloseTo(step, 9);
  expect(values[0]).toBeLessThanOrEqual(lo);
  expect(values[values.length - 1]).toBeGreaterThanOrEqual(hi);
}

describe('linearTicks and logTicks', () => {
  it('steps by 1, 2 or 5 times a power of ten and spans the data', () => {
    for (const [lo, hi] of [[0, 1], [0, 100], [-3, 7], [0.001234, 0.00987], [1.2, 4.7], [950, 1020], [-1e9, 3e9]]) {
      const t = linearTicks(lo, hi, 5);
      expectNiceSteps(t.values, lo, hi);
      expect(t.values.length).toBeGreaterThanOrEqual(3);
      expect(t.values.length).toBeLessThanOrEqual(12);
      expect(t.domain).toEqual([t.values[0], t.values[t.values.length - 1]]);
    }
  });

  it('prints labels without floating-point noise', () => {
    expect(linearTicks(0, 1, 5).labels).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    expect(linearTicks(0.1, 0.35, 5).labels).toEqual(['0.10', '0.15', '0.20', '0.25', '0.30', '0.35']);
    expect(linearTicks(0, 100, 5).labels).toEqual(['0', '20', '40', '60', '80', '100']);
    expect(linearTicks(0, 3e9, 3).labels).toEqual(['0', '1e9', '2e9', '3e9']);
  });

  it('pads a single value', () => {
    const t = linearTicks(5, 5);
    expect(t.domain[0]).toBeLessThan(5);
    expect(t.domain[1]).toBeGreaterThan(5);
  });

  it('puts log ticks on decades, with 2 and 5 labelled over short spans', () => {
    const wide = logTicks(0.013, 420);
    expect(wide.labels).toEqual(['0.01', '0.1', '1', '10', '100', '1000']);
    expect(wide.minor).toContain(0.02);
    const short = logTicks(1.2, 4.5);
    expect(short.labels).toEqual(['1', '2', '5', '10']);
    const huge = logTicks(1e-30, 1e10, 5);
    expect(huge.labels.every((l) => /^1(e-?\d+)?$/.test(l))).toBe(true);
    expect(huge.values.length).toBeLessThanOrEqual(6);
  });
});

describe('lineChart', () => {
  const steps = Array.from({ length: 101 }, (_, i) => i);
  const options = {
    series: [
      { name: 'training', x: steps, y: steps.map((s) => 4 * Math.exp(-s / 30) + 1) },
      { name: 'validation', x: steps.filter((s) => s % 10 === 0), y: steps.filter((s) => s % 10 === 0).map((s) => 4.2 * Math.exp(-s / 35) + 1.2) },
    ],
    title: 'Loss',
    xLabel: 'step',
    yLabel: 'nats',
  };

  it('is a well-formed SVG document of the requested size', () => {
    const svg = parseXml(lineChart({ ...options, width: 500, height: 300 }));
    expect(svg.tag).toBe('svg');
    expect(svg.attrs).toMatchObject({ xmlns: 'http://www.w3.org/2000/svg', width: '500', height: '300', viewBox: '0 0 500 300' });
    expect(textOf(findAll(svg, 'text', 'title')[0])).toBe('Loss');
    expect(textOf(findAll(svg, 'text', 'x-label')[0])).toBe('step');
    expect(textOf(findAll(svg, 'text', 'y-label')[0])).toBe('nats');
  });

  it('draws one colored path per series and names each in the legend', () => {
    const svg = parseXml(lineChart(options));
    const groups = seriesGroups(svg);
    expect(groups.map((g) => g.attrs['data-name'])).toEqual(['training', 'validation']);
    const strokes = groups.map((g) => findAll(g, 'path')[0].attrs.stroke);
    expect(new Set(strokes).size).toBe(2);
    expect(findAll(groups[0], 'path')[0].attrs.d.match(/[ML]/g)).toHaveLength(101);
    const legend = findAll(svg, 'g', 'legend')[0];
    expect(findAll(legend, 'text').map(textOf)).toEqual(['training', 'validation']);
    expect(findAll(legend, 'line').map((l) => l.attrs.stroke)).toEqual(strokes);
  });

  it('labels round ticks covering the data on both axes', () => {
    const svg = parseXml(lineChart(options));
    expect(labels(svg, 'x')).toEqual(['0', '20', '40', '60', '80', '100']);
    const y = labels(svg, 'y').map(Number);
    expectNiceSteps(y, 1, 5);
  });

  it('keeps every series point inside the plot area', () => {
    const svg = parseXml(lineChart(options));
    for (const g of seriesGroups(svg)) {
      const nums = findAll(g, 'path')[0].attrs.d.split(/[ML ]/).filter(Boolean).map(Number);
      for (let i = 0; i < nums.length; i += 2) {
        expect(nums[i]).toBeGreaterThanOrEqual(0);
        expect(nums[i]).toBeLessThanOrEqual(640);
        expect(nums[i + 1]).toBeGreaterThanOrEqual(0);
        expect(nums[i + 1]).toBeLessThanOrEqual(400);
      }
    }
  });

  it('puts a log axis on decades, evenly spaced', () => {
    const svg = parseXml(lineChart({ series: [{ name: 'loss', y: steps.map((s) => 100 * Math.exp(-s / 10) + 0.01) }], logY: true }));
    expect(labels(svg, 'y')).toEqual(['0.01', '0.1', '1', '10', '100', '1000']);
    const ys = findAll(findAll(svg, 'g', 'axis').find((g) => g.attrs.class === 'axis y')!, 'text').map((t) => Number(t.attrs.y));
    const gaps = ys.slice(1).map((y, i) => ys[i] - y);
    for (const gap of gaps) expect(gap).toBeCloseTo(gaps[0], 1);
  });

  it('breaks a line at NaN and infinite values and dots isolated points', () => {
    const svg = parseXml(lineChart({ series: [{ name: 'gappy', y: [1, 2, NaN, 3, 4, Infinity, 5, -Infinity, 6, 7] }] }));
    const g = seriesGroups(svg)[0];
    expect(moves(g)).toBe(3);
    expect(findAll(g, 'circle')).toHaveLength(1);
    expect(lineChart({ series: [{ name: 'n', y: [1, NaN, 2] }] })).not.toContain('NaN');
  });

  it('drops values <= 0 on a log axis as gaps', () => {
    const g = seriesGroups(parseXml(lineChart({ series: [{ name: 'log', y: [1, 10, 0, 100, 1000] }], logY: true })))[0];
    expect(moves(g)).toBe(2);
  });

  it('handles no series and series without any finite point', () => {
    const none = parseXml(lineChart({ series: [], title: 'Empty' }));
    expect(textOf(findAll(none, 'text', 'no-data')[0])).toBe('no data');
    expect(seriesGroups(none)).toHaveLength(0);
    expect(findAll(none, 'g', 'legend')).toHaveLength(0);
    const blank = parseXml(lineChart({ series: [{ name: 'nothing', y: [NaN, Infinity] }, { name: 'empty', y: [] }] }));
    expect(findAll(blank, 'text', 'no-data')).toHaveLength(1);
    expect(seriesGroups(blank)).toHaveLength(2);
    expect(findAll(findAll(blank, 'g', 'legend')[0], 'text').map(textOf)).toEqual(['nothing', 'empty']);
  });

  it('escapes every text for XML', () => {
    const nasty = `<b>"Tom" & 'Jerry'</b>\u0001`;
    const source = lineChart({ series: [{ name: nasty, y: [1, 2] }], title: nasty, xLabel: nasty, yLabel: nasty });
    const svg = parseXml(source);
    expect(textOf(findAll(svg, 'text', 'title')[0])).toBe(`<b>"Tom" & 'Jerry'</b>\ufffd`);
    expect(seriesGroups(svg)[0].attrs['data-name']).toBe(`<b>"Tom" & 'Jerry'</b>\ufffd`);
    expect(source).not.toContain('<b>');
  });

  it('is deterministic', () => {
    expect(lineChart(options)).toBe(lineChart(structuredClone(options)));
  });

  it('rejects malformed options with a RecurrentError', () => {
    expect(() => lineChart({ series: [{ name: 'a', x: [1, 2], y: [1] }] })).toThrow(RecurrentError);
    expect(() => lineChart({ series: [{ name: 'a', y: 3 as unknown as number[] }] })).toThrow(/series\[0\]\.y/);
    expect(() => lineChart({ series: [], width: -5 })).toThrow(/width/);
    expect(() => lineChart({ series: 'x' as unknown as [] })).toThrow(/series/);
  });
});

describe('heatmap', () => {
  const values = [
    [-2, -1, 0],
    [0.5, 1, 2],
  ];

  it('draws one cell per entry, on a diverging scale around zero', () => {
    const svg = parseXml(heatmap({ values, title: 'W', xLabel: 'column', yLabel: 'row' }));
    const cells = findAll(svg, 'rect', 'cell');
    expect(cells).toHaveLength(6);
    const fill = cells.map((c) => c.attrs.fill);
    expect(fill[0]).toBe('#2166ac');
    expect(fill[2]).toBe('#f7f7f7');
    expect(fill[5]).toBe('#b2182b');
    expect(new Set(fill).size).toBe(6);
    const red = (hex: string) => parseInt(hex.slice(1, 3), 16) - parseInt(hex.slice(5, 7), 16);
    expect(red(fill[3])).toBeGreaterThan(0);
    expect(red(fill[4])).toBeGreaterThan(red(fill[3]));
    expect(red(fill[1])).toBeLessThan(0);
    const x = cells.map((c) => Number(c.attrs.x));
    const y = cells.map((c) => Number(c.attrs.y));
    expect(x[0]).toBeLessThan(x[1]);
    expect(y[0]).toBe(y[2]);
    expect(y[3]).toBeGreaterThan(y[0]);
  });

  it('labels the color bar with -max, 0 and +max', () => {
    const svg = parseXml(heatmap({ values }));
    const bar = findAll(svg, 'g', 'color-bar')[0];
    expect(findAll(bar, 'text').map(textOf)).toEqual(['2', '0', '-2']);
    expect(findAll(bar, 'rect').length).toBeGreaterThan(16);
  });

  it('takes flat row-major data with its sizes (a Tensor, say) and draws the same', () => {
    const flat = heatmap({ values: { data: Float32Array.from(values.flat()), rows: 2, cols: 3 } });
    expect(flat).toBe(heatmap({ values }));
  });

  it('grays NaN cells and saturates infinities', () => {
    const cells = findAll(parseXml(heatmap({ values: [[NaN, Infinity, -Infinity, 1]] })), 'rect', 'cell').map((c) => c.attrs.fill);
    expect(cells).toEqual(['#9a9a9a', '#b2182b', '#2166ac', '#b2182b']);
  });

  it('handles an all-zero and an empty matrix', () => {
    expect(new Set(findAll(parseXml(heatmap({ values: [[0, 0], [0, 0]] })), 'rect', 'cell').map((c) => c.attrs.fill))).toEqual(new Set(['#f7f7f7']));
    const empty = parseXml(heatmap({ values: [] }));
    expect(findAll(empty, 'rect', 'cell')).toHaveLength(0);
    expect(findAll(empty, 'text', 'no-data')).toHaveLength(1);
  });

  it('escapes its texts and rejects ragged or mis-sized input', () => {
    expect(heatmap({ values, title: 'a < b & c' })).toContain('a &lt; b &amp; c');
    expect(() => heatmap({ values: [[1, 2], [3]] })).toThrow(RecurrentError);
    expect(() => heatmap({ values: { data: [1, 2, 3], rows: 2, cols: 2 } })).toThrow(/rows \* cols/);
  });
});
