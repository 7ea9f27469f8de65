/**
 * A tensor as text, the way PyTorch prints it: nested rows aligned under each other, all
 * values in one format (`1.` for whole numbers, four decimals, or `1.0000e-05` when the
 * magnitudes span too much), and tensors over 1000 elements summarised to the first and last
 * three entries of each dimension.
 *
 *   tensor([[1., 2.],
 *           [3., 4.]])
 */
import { stridesOf } from './shape.js';

const THRESHOLD = 1000;
const EDGE = 3;
const PREFIX = 'tensor(';

/** The indices of a dimension of size n that are shown; -1 stands for the elided middle. */
function shownIndices(n: number, summarise: boolean): number[] {
  const all = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  return summarise && n > 2 * EDGE ? [...all(0, EDGE), -1, ...all(n - EDGE, n)] : all(0, n);
}

/** One number format for all shown values. */
function numberFormat(values: readonly number[]): (v: number) => string {
  const finite = values.filter(Number.isFinite);
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  const abs = finite.map(Math.abs).filter((v) => v > 0);
  const [lo, hi] = abs.length > 0 ? [Math.min(...abs), Math.max(...abs)] : [1, 1];
  if (finite.every(Number.isInteger) && hi < 1e8) return (v) => (Number.isFinite(v) ? `${v}.` : special(v));
  if (hi / lo > 1000 || hi >= 1e8 || lo < 1e-4) return (v) => (Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : special(v));
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
}

/** `tensor([...])` text of row-major `data` of `shape`, followed by `suffix` inside the parentheses. */
export function formatTensor(data: Float32Array, shape: readonly number[], suffix = ''): string {
  if (shape.length === 0) return `${PREFIX}${numberFormat([data[0]!])(data[0]!)}${suffix})`;
  if (data.length === 0) return `${PREFIX}[]${shape.length > 1 ? `, shape=[${shape.join(',')}]` : ''}${suffix})`;
  const summarise = data.length > THRESHOLD;
  const strides = stridesOf(shape);
  const shown: number[] = [];
  const collect = (dim: number, offset: number): void => {
    if (dim === shape.length) shown.push(data[offset]!);
    else for (const i of shownIndices(shape[dim]!, summarise)) if (i >= 0) collect(dim + 1, offset + i * strides[dim]!);
  };
  collect(0, 0);
  const format = numberFormat(shown);
  const width = Math.max(...shown.map((v) => format(v).length));
  const build = (dim: number, offset: number): string => {
    if (dim === shape.length) return format(data[offset]!).padStart(width);
    const items = shownIndices(shape[dim]!, summarise).map((i) => (i < 0 ? '...' : build(dim + 1, offset + i * strides[dim]!)));
    const separator = `,${'\n'.repeat(shape.length - dim - 1) || ' '}${shape.length - dim > 1 ? ' '.repeat(PREFIX.length + dim + 1) : ''}`;
    return `[${items.join(separator)}]`;
  };
  return `${PREFIX}${build(0, 0)}${suffix})`;
}
