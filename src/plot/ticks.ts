/**
 * Axis ticks a reader can take in at a glance.
 *
 *   linear  steps of 1, 2 or 5 times a power of ten (the smallest giving at most about
 *           `target` intervals); the domain widens to the ticks just outside the data
 *   log     the decades 10^k (every 1, 2, 5, 10, ... decades over wide spans); when the data
 *           spans at most two decades 2 and 5 times 10^k are labelled too, and 2..9 times
 *           10^k are drawn as unlabelled minor ticks
 *   index   whole numbers 0..n-1 in steps of 1, 2 or 5 times a power of ten (heatmap rows)
 *
 * Tick values are parsed from decimal text (`Number('2e-3')`), so they are the doubles
 * nearest the round numbers, and labels print without floating-point noise.
 */
import { RecurrentError, show } from '../tensor/errors.js';

/** Throws unless every value is a finite number. */
function finiteNumbers(op: string, values: Record<string, unknown>): void {
  for (const [name, v] of Object.entries(values)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RecurrentError(op, `${name} must be a finite number, got ${show(v)}`);
  }
}

/** Ticks of one axis: the domain it spans, the labelled values with their labels, and minor values. */
export interface Ticks {
  /** The axis range [low, high] (data range widened to round values). */
  domain: [number, number];
  /** Labelled tick positions, increasing. */
  values: number[];
  /** The label of each value. */
  labels: string[];
  /** Unlabelled minor tick positions (log axes). */
  minor: number[];
}

/** A step m * 10^k with m in {1, 2, 5}: the smallest one at least `raw`. */
function niceStep(raw: number): { m: number; k: number } {
  let k = Math.floor(Math.log10(raw));
  const f = raw / Number(`1e${k}`);
  let m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  if (m === 10) {
    m = 1;
    k += 1;
  }
  return { m, k };
}

/** The double nearest to the decimal i * m * 10^k. */
function decimal(i: number, m: number, k: number): number {
  return Number(`${i * m}e${k}`);
}

/** A label for i * m * 10^k: fixed-point with k's decimals, or exponent form far from 1. */
function linearLabel(i: number, m: number, k: number, maxAbs: number): string {
  const v = decimal(i, m, k);
  if (v === 0) return '0';
  if (maxAbs >= 1e7 || k < -6) {
    const digits = Math.max(0, Math.floor(Math.log10(maxAbs)) - k);
    return v.toExponential(Math.min(digits, 20)).replace(/\.?0+e/, 'e').replace('e+', 'e');
  }
  return v.toFixed(Math.max(0, -k));
}

/** Linear ticks over [min, max] with about `target` intervals (a single value is padded). */
export function linearTicks(min: number, max: number, target = 5): Ticks {
  finiteNumbers('linearTicks', { min, max, target });
  let lo = min;
  let hi = max;
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) / 10;
    lo -= pad;
    hi += pad;
  }
  const { m, k } = niceStep((hi - lo) / Math.max(1, target));
  const step = decimal(1, m, k);
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const maxAbs = Math.max(Math.abs(decimal(first, m, k)), Math.abs(decimal(last, m, k)));
  const values: number[] = [];
  const labels: string[] = [];
  for (let i = first; i <= last; i++) {
    values.push(decimal(i, m, k));
    labels.push(linearLabel(i, m, k, maxAbs));
  }
  return { domain: [values[0], values[values.length - 1]], values, labels, minor: [] };
}

/** A label for m * 10^k: plain decimals near 1, exponent form (1e-7, 5e8) beyond. */
function logLabel(m: number, k: number): string {
  return k < -4 || k > 5 ? `${m}e${k}` : String(decimal(1, m, k));
}

/** Log-scale ticks over [min, max], both > 0, with at most about `target` labelled decades. */
export function logTicks(min: number, max: number, target = 6): Ticks {
  finiteNumbers('logTicks', { min, max, target });
  let first = Math.floor(Math.log10(min) + 1e-9);
  let last = Math.ceil(Math.log10(max) - 1e-9);
  if (last <= first) last = first + 1;
  const decades = last - first;
  const nice = niceStep(Math.max(1, decades / Math.max(1, target)));
  const every = decimal(1, nice.m, nice.k);
  first = Math.floor(first / every) * every;
  last = Math.ceil(last / every) * every;
  const values: number[] = [];
  const labels: string[] = [];
  const minor: number[] = [];
  for (let k = first; k <= last; k += every) {
    values.push(decimal(1, 1, k));
    labels.push(logLabel(1, k));
    if (k === last || every > 1 || decades > 6) continue;
    for (let m = 2; m <= 9; m++) {
      if (decades <= 2 && (m === 2 || m === 5)) {
        values.push(decimal(1, m, k));
        labels.push(logLabel(m, k));
      } else {
        minor.push(decimal(1, m, k));
      }
    }
  }
  return { domain: [values[0], values[values.length - 1]], values, labels, minor };
}

/** Ticks at whole indices 0..n-1 (n >= 1), about `target` of them. */
export function indexTicks(n: number, target = 8): Ticks {
  const { m, k } = niceStep(Math.max(1, (n - 1) / Math.max(1, target)));
  const step = Math.max(1, decimal(1, m, k));
  const values: number[] = [];
  for (let i = 0; i < n; i += step) values.push(i);
  return { domain: [0, n - 1], values, labels: values.map(String), minor: [] };
}
