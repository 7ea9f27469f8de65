/**
 * What every chart shares: the SVG document with its background and title, the plot area,
 * axes with tick marks, labels and optional grid lines, and the axis titles.
 *
 *   +-------------------- width --------------------+
 *   |                     title                      |
 *   |  y labels |  plot area (data, grid)      | ... |   ... legend or color bar
 *   |           +-------------------------------     |
 *   |              x labels / x title                |
 *   +------------------------------------------------+
 */
import { RecurrentError } from '../tensor/errors.js';
import { el, num, text, textWidth } from './svg.js';
import type { Ticks } from './ticks.js';

/** Font sizes (px) and colors every chart uses. */
export const STYLE = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  titleSize: 15,
  labelSize: 13,
  tickSize: 11,
  ink: '#222222',
  axis: '#444444',
  grid: '#e6e6e6',
  minorGrid: '#f3f3f3',
} as const;

/** A rectangle in px, from the top-left corner. */
export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Options every chart takes. */
export interface FrameOptions {
  /** Shown centred above the chart. */
  title?: string;
  /** Title of the horizontal axis. */
  xLabel?: string;
  /** Title of the vertical axis. */
  yLabel?: string;
  /** Width in px (default 640). */
  width?: number;
  /** Height in px (default 400). */
  height?: number;
}

/** A checked size option: a finite number in [min, 10000], or the default. */
export function sizeOption(op: string, name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > 10000) {
    throw new RecurrentError(op, `${name} must be a number in [${min}, 10000], got ${String(value)}`);
  }
  return value;
}

/** A checked optional text option. */
export function textOption(op: string, name: string, value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw new RecurrentError(op, `${name} must be a string, got ${typeof value}`);
  return value;
}

/** The plot area left after the title, the axis titles and the tick labels take their room. */
export function plotArea(width: number, height: number, titled: boolean, xLabel: boolean, yLabel: boolean, yTickWidth: number, right: number): Rect {
  const top = titled ? 38 : 14;
  const bottom = xLabel ? 50 : 30;
  const left = 10 + (yLabel ? STYLE.labelSize + 10 : 0) + yTickWidth + 8;
  return { left, top, width: Math.max(10, width - left - right), height: Math.max(10, height - top - bottom) };
}

/** The widest tick label of `ticks` in px. */
export function tickLabelWidth(ticks: Ticks): number {
  return Math.max(0, ...ticks.labels.map((l) => textWidth(l, STYLE.tickSize)));
}

/** The whole SVG document: root element, white background, title, then `body`. */
export function svgDocument(width: number, height: number, title: string, body: string): string {
  const heading = title ? text(title, { x: width / 2, y: 24, 'text-anchor': 'middle', 'font-size': STYLE.titleSize, 'font-weight': 'bold', fill: STYLE.ink, class: 'title' }) : '';
  return (
    el(
      'svg',
      { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}`, 'font-family': STYLE.font, 'font-size': STYLE.tickSize },
      `\n${el('rect', { width, height, fill: '#ffffff' })}\n${heading}${body}`,
    ) + '\n'
  );
}

/** The horizontal axis below `plot`: baseline, tick marks and labels, optional grid lines. */
export function xAxis(plot: Rect, ticks: Ticks, scale: (v: number) => number, grid: boolean): string {
  const bottom = plot.top + plot.height;
  let lines = '';
  let marks = '';
  for (const v of ticks.minor) if (grid) lines += el('line', { x1: scale(v), x2: scale(v), y1: plot.top, y2: bottom, stroke: STYLE.minorGrid });
  ticks.values.forEach((v, i) => {
    const x = scale(v);
    if (grid) lines += el('line', { x1: x, x2: x, y1: plot.top, y2: bottom, stroke: STYLE.grid });
    marks += el('line', { x1: x, x2: x, y1: bottom, y2: bottom + 5, stroke: STYLE.axis });
    marks += text(ticks.labels[i], { x, y: bottom + 18, 'text-anchor': 'middle', fill: STYLE.ink });
  });
  const baseline = el('line', { x1: plot.left, x2: plot.left + plot.width, y1: bottom, y2: bottom, stroke: STYLE.axis });
  return `${grid ? el('g', { class: 'grid x' }, lines) + '\n' : ''}${el('g', { class: 'axis x' }, baseline + marks)}\n`;
}

/** The vertical axis left of `plot`: baseline, tick marks and labels, optional grid lines. */
export function yAxis(plot: Rect, ticks: Ticks, scale: (v: number) => number, grid: boolean): string {
  const right = plot.left + plot.width;
  let lines = '';
  let marks = '';
  for (const v of ticks.minor) if (grid) lines += el('line', { x1: plot.left, x2: right, y1: scale(v), y2: scale(v), stroke: STYLE.minorGrid });
  ticks.values.forEach((v, i) => {
    const y = scale(v);
    if (grid) lines += el('line', { x1: plot.left, x2: right, y1: y, y2: y, stroke: STYLE.grid });
    marks += el('line', { x1: plot.left - 5, x2: plot.left, y1: y, y2: y, stroke: STYLE.axis });
    marks += text(ticks.labels[i], { x: plot.left - 8, y: y + 4, 'text-anchor': 'end', fill: STYLE.ink });
  });
  const baseline = el('line', { x1: plot.left, x2: plot.left, y1: plot.top, y2: plot.top + plot.height, stroke: STYLE.axis });
  return `${grid ? el('g', { class: 'grid y' }, lines) + '\n' : ''}${el('g', { class: 'axis y' }, baseline + marks)}\n`;
}

/** The axis titles: x centred below the tick labels, y rotated along the left edge. */
export function axisTitles(plot: Rect, xLabel: string, yLabel: string): string {
  let out = '';
  if (xLabel) {
    out += text(xLabel, { x: plot.left + plot.width / 2, y: plot.top + plot.height + 40, 'text-anchor': 'middle', 'font-size': STYLE.labelSize, fill: STYLE.ink, class: 'x-label' }) + '\n';
  }
  if (yLabel) {
    const x = 10 + STYLE.labelSize;
    const y = plot.top + plot.height / 2;
    out += text(yLabel, { x, y, transform: `rotate(-90 ${num(x)} ${num(y)})`, 'text-anchor': 'middle', 'font-size': STYLE.labelSize, fill: STYLE.ink, class: 'y-label' }) + '\n';
  }
  return out;
}

/** A "no data" note in the middle of the plot area. */
export function noData(plot: Rect): string {
  return text('no data', { x: plot.left + plot.width / 2, y: plot.top + plot.height / 2, 'text-anchor': 'middle', 'font-size': STYLE.labelSize, fill: '#888888', class: 'no-data' }) + '\n';
}
