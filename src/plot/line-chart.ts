/**
 * Line charts: one or more series of (x, y) points over shared axes, with a legend.
 *
 *   px(x) = left + (x - x0) / (x1 - x0) * width
 *   py(y) = top + height - (f(y) - f(y0)) / (f(y1) - f(y0)) * height,  f = identity or log10
 *
 * A point whose x or y is NaN or infinite (or y <= 0 on a log axis) is left out and breaks
 * its line, so a gap shows where values are missing; a point with no neighbour is drawn as a
 * dot. Without any drawable point the axes are drawn around a "no data" note.
 */
import { checkOptions } from '../tensor/options.js';
import { RecurrentError } from '../tensor/errors.js';
import { seriesColor } from './colors.js';
import { STYLE, axisTitles, noData, plotArea, sizeOption, svgDocument, textOption, tickLabelWidth, xAxis, yAxis, type FrameOptions, type Rect } from './frame.js';
import { el, num, text, textWidth } from './svg.js';
import { linearTicks, logTicks } from './ticks.js';

/** One line of a {@link lineChart}. */
export interface Series {
  /** Shown in the legend. */
  name: string;
  /** x of each point (default 0, 1, 2, ...); the same length as y. */
  x?: ArrayLike<number>;
  /** y of each point; NaN and infinite values leave gaps. */
  y: ArrayLike<number>;
  /** Any SVG color (default: the palette, by the series' position). */
  color?: string;
  /** Draw the line dashed (default false). */
  dashed?: boolean;
}

/** Options of {@link lineChart}. */
export interface LineChartOptions extends FrameOptions {
  /** The lines to draw, in legend order. */
  series: Series[];
  /** A logarithmic y axis with decade ticks (default false). */
  logY?: boolean;
}

const OP = 'lineChart';
const DASH = '7 4';

/** A series checked and split into runs of drawable points. */
interface Line {
  name: string;
  color: string;
  dashed: boolean;
  runs: [number, number][][];
}

function checkSeries(s: unknown, i: number, logY: boolean): Line {
  if (s === null || typeof s !== 'object') throw new RecurrentError(OP, `series[${i}] must be an object { name, y, x? }`);
  const { name, x, y, color, dashed } = s as Series;
  if (typeof name !== 'string') throw new RecurrentError(OP, `series[${i}].name must be a string`);
  const isNumbers = (a: unknown): a is ArrayLike<number> => a !== null && typeof a === 'object' && typeof (a as ArrayLike<number>).length === 'number';
  if (!isNumbers(y)) throw new RecurrentError(OP, `series[${i}].y must be an array of numbers`);
  if (x !== undefined && (!isNumbers(x) || x.length !== y.length)) {
    throw new RecurrentError(OP, `series[${i}].x must be an array of numbers as long as y (${y.length})`, 'shape');
  }
  if (color !== undefined && typeof color !== 'string') throw new RecurrentError(OP, `series[${i}].color must be a string`);
  const runs: [number, number][][] = [];
  let run: [number, number][] = [];
  for (let j = 0; j < y.length; j++) {
    const px = x === undefined ? j : Number(x[j]);
    const py = Number(y[j]);
    if (Number.isFinite(px) && Number.isFinite(py) && (!logY || py > 0)) {
      run.push([px, py]);
    } else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length > 0) runs.push(run);
  return { name, color: color ?? seriesColor(i), dashed: dashed === true, runs };
}

/** The extent [min, max] of coordinate `axis` over every point, or null without points. */
function extent(lines: Line[], axis: 0 | 1): [number, number] | null {
  let min = Infinity;
  let max = -Infinity;
  for (const line of lines) {
    for (const run of line.runs) {
      for (const p of run) {
        if (p[axis] < min) min = p[axis];
        if (p[axis] > max) max = p[axis];
      }
    }
  }
  return min <= max ? [min, max] : null;
}

/** The points of a polyline and points every 4 px along its segments (what a legend would hide). */
function alongLine(pts: [number, number][]): [number, number][] {
  const out: [number, number][] = pts.slice(0, 1);
  for (let i = 1; i < pts.length; i++) {
    const [x0, y0] = pts[i - 1];
    const [x1, y1] = pts[i];
    const n = Math.min(1000, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 4));
    for (let k = 1; k <= n; k++) out.push([x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n]);
  }
  return out;
}

/** The legend box, in the corner of the plot area that covers the fewest drawn points. */
function legend(lines: Line[], plot: Rect, points: [number, number][]): string {
  const rowHeight = 18;
  const width = 16 + 24 + 8 + Math.max(...lines.map((l) => textWidth(l.name, STYLE.tickSize + 1)));
  const height = 10 + rowHeight * lines.length;
  const inset = 8;
  const corners: [number, number][] = [
    [plot.left + plot.width - width - inset, plot.top + inset],
    [plot.left + plot.width - width - inset, plot.top + plot.height - height - inset],
    [plot.left + inset, plot.top + inset],
    [plot.left + inset, plot.top + plot.height - height - inset],
  ];
  const covered = ([bx, by]: [number, number]) => points.filter(([px, py]) => px >= bx && px <= bx + width && py >= by && py <= by + height).length;
  let [bx, by] = corners[0];
  let best = covered(corners[0]);
  for (const corner of corners.slice(1)) {
    const n = covered(corner);
    if (n < best) [best, bx, by] = [n, corner[0], corner[1]];
  }
  let items = el('rect', { x: bx, y: by, width, height, rx: 4, fill: '#ffffff', 'fill-opacity': 0.9, stroke: '#cccccc' });
  lines.forEach((line, i) => {
    const y = by + 5 + rowHeight * i + rowHeight / 2;
    items += el('line', { x1: bx + 8, x2: bx + 32, y1: y, y2: y, stroke: line.color, 'stroke-width': 2.5, 'stroke-dasharray': line.dashed ? DASH : undefined });
    items += text(line.name, { x: bx + 40, y: y + 4, 'font-size': STYLE.tickSize + 1, fill: STYLE.ink });
  });
  return el('g', { class: 'legend' }, items) + '\n';
}

/**
 * A line chart as an SVG string: axes with round-number ticks (decades with `logY`), grid,
 * one colored line per series, a legend, title and axis titles. The same options give the
 * same string.
 */
export function lineChart(options: LineChartOptions): string {
  if (options === null || typeof options !== 'object') throw new RecurrentError(OP, 'needs an options object { series, title?, xLabel?, yLabel?, logY?, width?, height? }');
  options = checkOptions(OP, options, 'options', { series: 'array', title: 'string', xLabel: 'string', yLabel: 'string', logY: 'boolean', width: 'number', height: 'number' });
  if (!Array.isArray(options.series)) throw new RecurrentError(OP, 'series must be an array of { name, y, x? }');
  const width = sizeOption(OP, 'width', options.width, 640, 120);
  const height = sizeOption(OP, 'height', options.height, 400, 100);
  const title = textOption(OP, 'title', options.title);
  const xLabel = textOption(OP, 'xLabel', options.xLabel);
  const yLabel = textOption(OP, 'yLabel', options.yLabel);
  const logY = options.logY === true;
  const lines = options.series.map((s, i) => checkSeries(s, i, logY));

  const xs = extent(lines, 0);
  const ys = extent(lines, 1);
  const roughPlotHeight = height - 80;
  const yTicks = ys === null ? (logY ? logTicks(1, 10) : linearTicks(0, 1)) : logY ? logTicks(ys[0], ys[1], Math.max(2, Math.floor(roughPlotHeight / 45))) : linearTicks(ys[0], ys[1], Math.max(2, Math.floor(roughPlotHeight / 50)));
  const plot = plotArea(width, height, title !== '', xLabel !== '', yLabel !== '', tickLabelWidth(yTicks), 20);
  const xTicks = xs === null ? linearTicks(0, 1) : linearTicks(xs[0], xs[1], Math.max(2, Math.floor(plot.width / 90)));

  const [x0, x1] = xTicks.domain;
  const f = logY ? Math.log10 : (v: number) => v;
  const fy0 = f(yTicks.domain[0]);
  const fy1 = f(yTicks.domain[1]);
  const px = (v: number) => plot.left + ((v - x0) / (x1 - x0)) * plot.width;
  const py = (v: number) => plot.top + plot.height - ((f(v) - fy0) / (fy1 - fy0)) * plot.height;

  let body = yAxis(plot, yTicks, py, true) + xAxis(plot, xTicks, px, true);
  const drawn: [number, number][] = [];
  lines.forEach((line, i) => {
    let d = '';
    let dots = '';
    for (const run of line.runs) {
      const pts = run.map(([x, y]): [number, number] => [px(x), py(y)]);
      drawn.push(...alongLine(pts));
      if (pts.length === 1) dots += el('circle', { cx: pts[0][0], cy: pts[0][1], r: 2.5, fill: line.color });
      else d += pts.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${num(x)} ${num(y)}`).join('');
    }
    const path = d === '' ? '' : el('path', { d, fill: 'none', stroke: line.color, 'stroke-width': 2, 'stroke-linejoin': 'round', 'stroke-linecap': 'round', 'stroke-dasharray': line.dashed ? DASH : undefined });
    body += el('g', { class: 'series', 'data-series': i, 'data-name': line.name }, path + dots) + '\n';
  });
  if (drawn.length === 0) body += noData(plot);
  if (lines.length > 0) body += legend(lines, plot, drawn);
  body += axisTitles(plot, xLabel, yLabel);
  return svgDocument(width, height, title, body);
}
