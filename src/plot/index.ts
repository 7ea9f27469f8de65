/**
 * `plot`: small SVG charts with no dependency and no Node API (they run in browsers and
 * workers): line charts of training curves and heatmaps of weight matrices, as strings.
 */
export { lineChart, type LineChartOptions, type Series } from './line-chart.js';
export { heatmap, type FlatMatrix, type HeatmapOptions } from './heatmap.js';
export { escapeXml } from './svg.js';
export { linearTicks, logTicks, type Ticks } from './ticks.js';
export { divergingColor, seriesColor } from './colors.js';
export type { FrameOptions } from './frame.js';
