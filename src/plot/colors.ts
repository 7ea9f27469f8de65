/**
 * Colors: a categorical palette for series and a diverging scale for heatmaps.
 *
 *   series    Okabe & Ito's colorblind-safe palette (yellow left out: too pale on white)
 *   diverging t in [-1, 1] -> blue (-1) .. near-white (0) .. red (+1), ColorBrewer's RdBu
 *             stops, linear in RGB between neighbouring stops
 */
import { RecurrentError, show } from '../tensor/errors.js';

/** Series colors in the order series get them. */
const SERIES_COLORS: readonly string[] = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000'];

/** The color of series `index` (the palette repeats past its end). */
export function seriesColor(index: number): string {
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) throw new RecurrentError('seriesColor', `index must be an integer >= 0, got ${show(index)}`);
  return SERIES_COLORS[index % SERIES_COLORS.length];
}

/** RdBu stops from t = -1 to t = +1, evenly spaced. */
const DIVERGING: readonly [number, number, number][] = [
  [0x21, 0x66, 0xac],
  [0x67, 0xa9, 0xcf],
  [0xd1, 0xe5, 0xf0],
  [0xf7, 0xf7, 0xf7],
  [0xfd, 0xdb, 0xc7],
  [0xef, 0x8a, 0x62],
  [0xb2, 0x18, 0x2b],
];

/** The color of a cell whose value is NaN. */
export const MISSING_COLOR = '#9a9a9a';

function hex(v: number): string {
  return Math.round(v).toString(16).padStart(2, '0');
}

/** The diverging color of t in [-1, 1] (clamped), as #rrggbb: -1 blue, 0 near-white, +1 red. */
export function divergingColor(t: number): string {
  if (typeof t !== 'number' || Number.isNaN(t)) throw new RecurrentError('divergingColor', `t must be a number, got ${show(t)}`);
  const u = ((Math.min(1, Math.max(-1, t)) + 1) / 2) * (DIVERGING.length - 1);
  const i = Math.min(DIVERGING.length - 2, Math.floor(u));
  const f = u - i;
  const a = DIVERGING[i];
  const b = DIVERGING[i + 1];
  return `#${hex(a[0] + (b[0] - a[0]) * f)}${hex(a[1] + (b[1] - a[1]) * f)}${hex(a[2] + (b[2] - a[2]) * f)}`;
}
