/**
 * Heatmaps: a matrix drawn as a grid of colored cells (row 0 at the top, as the matrix is
 * printed), with a diverging color scale centred on zero and a color bar beside it.
 *
 *   m = max |v| over the finite values      color(v) = diverging(v / m)   (m = 0: all white)
 *
 * So zero is always near-white, negative values blue and positive red, and two heatmaps of
 * the same weights before and after training read on the same terms. NaN cells are gray;
 * +-Infinity take the end colors.
 */
import { checkOptions } from '../tensor/options.js';
import { RecurrentError } from '../tensor/errors.js';
import { MISSING_COLOR, divergingColor } from './colors.js';
import { STYLE, axisTitles, noData, plotArea, sizeOption, svgDocument, textOption, xAxis, yAxis, type FrameOptions, type Rect } from './frame.js';
import { el, text, textWidth } from './svg.js';
import { indexTicks, type Ticks } from './ticks.js';

/** A matrix given flat, row-major (a Tensor's `data` with its two sizes, for instance). */
export interface FlatMatrix {
  data: ArrayLike<number>;
  rows: number;
  cols: number;
}

/** Options of {@link heatmap}. */
export interface HeatmapOptions extends FrameOptions {
  /** The matrix: rows of equal length, or flat row-major data with its sizes. */
  values: number[][] | FlatMatrix;
}

const OP = 'heatmap';
const BAR_STEPS = 64;

/** The matrix as flat data and sizes, after checking its shape. */
function matrix(values: unknown): FlatMatrix {
  if (Array.isArray(values)) {
    const cols = values.length === 0 ? 0 : (values[0] as unknown[])?.length;
    const data: number[] = [];
    values.forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== cols) throw new RecurrentError(OP, `values must be rows of equal length; row ${r} is not an array of ${cols} numbers`, 'shape');
      for (const v of row) data.push(Number(v));
    });
    return { data, rows: values.length, cols: cols ?? 0 };
  }
  const m = values as FlatMatrix;
  if (m === null || typeof m !== 'object' || m.data === null || typeof m.data !== 'object' || typeof m.data.length !== 'number') {
    throw new RecurrentError(OP, 'values must be an array of rows or { data, rows, cols }');
  }
  if (!Number.isSafeInteger(m.rows) || !Number.isSafeInteger(m.cols) || m.rows < 0 || m.cols < 0 || m.data.length !== m.rows * m.cols) {
    throw new RecurrentError(OP, `values.data must hold rows * cols numbers; got ${m.data.length} for rows ${m.rows}, cols ${m.cols}`, 'shape');
  }
  return m;
}

/** A short label for a color bar value: three significant digits, no trailing zeros. */
function valueLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  const s = a >= 1e5 || a < 1e-3 ? v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e') : String(Number(v.toPrecision(3)));
  return s;
}

/** The color bar right of the plot: BAR_STEPS bands from +m (top) to -m, labelled at +m, 0, -m. */
function colorBar(plot: Rect, m: number): string {
  const x = plot.left + plot.width + 16;
  const barWidth = 14;
  const band = plot.height / BAR_STEPS;
  let out = '';
  for (let i = 0; i < BAR_STEPS; i++) {
    const t = 1 - (2 * (i + 0.5)) / BAR_STEPS;
    out += el('rect', { x, y: plot.top + i * band, width: barWidth, height: band + 0.5, fill: divergingColor(t) });
  }
  out += el('rect', { x, y: plot.top, width: barWidth, height: plot.height, fill: 'none', stroke: STYLE.axis });
  const marks: [number, number][] = m === 0 ? [[0, 0.5]] : [[m, 0], [0, 0.5], [-m, 1]];
  for (const [v, at] of marks) {
    const y = plot.top + at * plot.height;
    out += el('line', { x1: x + barWidth, x2: x + barWidth + 4, y1: y, y2: y, stroke: STYLE.axis });
    out += text(valueLabel(v), { x: x + barWidth + 7, y: y + 4, fill: STYLE.ink });
  }
  return el('g', { class: 'color-bar' }, out) + '\n';
}

/**
 * A heatmap as an SVG string: one cell per matrix entry colored on a diverging scale around
 * zero, row and column indices on the axes, a color bar, title and axis titles (x runs along
 * the columns, y down the rows). The same options give the same string.
 */
export function heatmap(options: HeatmapOptions): string {
  if (options === null || typeof options !== 'object') throw new RecurrentError(OP, 'needs an options object { values, title?, xLabel?, yLabel?, width?, height? }');
  options = checkOptions(OP, options, 'options', { values: 'any', title: 'string', xLabel: 'string', yLabel: 'string', width: 'number', height: 'number' });
  const { data, rows, cols } = matrix(options.values);
  const width = sizeOption(OP, 'width', options.width, 640, 160);
  const height = sizeOption(OP, 'height', options.height, 400, 100);
  const title = textOption(OP, 'title', options.title);
  const xLabel = textOption(OP, 'xLabel', options.xLabel);
  const yLabel = textOption(OP, 'yLabel', options.yLabel);

  let m = 0;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]);
    if (Number.isFinite(a) && a > m) m = a;
  }
  const rowTicks: Ticks = rows > 0 ? indexTicks(rows, Math.max(2, Math.floor((height - 80) / 30))) : { domain: [0, 0], values: [], labels: [], minor: [] };
  const rowLabelWidth = Math.max(0, ...rowTicks.labels.map((l) => textWidth(l, STYLE.tickSize)));
  const barRoom = 16 + 14 + 8 + Math.max(...[m, -m].map((v) => textWidth(valueLabel(v), STYLE.tickSize))) + 10;
  const plot = plotArea(width, height, title !== '', xLabel !== '', yLabel !== '', rowLabelWidth, barRoom);

  let body = '';
  if (rows === 0 || cols === 0) {
    body += noData(plot);
  } else {
    const cw = plot.width / cols;
    const ch = plot.height / rows;
    let cells = '';
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = Number(data[r * cols + c]);
        const fill = Number.isNaN(v) ? MISSING_COLOR : divergingColor(m === 0 ? 0 : v / m);
        cells += el('rect', { class: 'cell', x: plot.left + c * cw, y: plot.top + r * ch, width: cw, height: ch, fill });
      }
    }
    body += el('g', { class: 'cells', 'shape-rendering': 'crispEdges' }, cells) + '\n';
    const colTicks = indexTicks(cols, Math.max(2, Math.floor(plot.width / 60)));
    body += xAxis(plot, colTicks, (i) => plot.left + (i + 0.5) * cw, false);
    body += yAxis(plot, rowTicks, (i) => plot.top + (i + 0.5) * ch, false);
  }
  body += colorBar(plot, m);
  body += axisTitles(plot, xLabel, yLabel);
  return svgDocument(width, height, title, body);
}
