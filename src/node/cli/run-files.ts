/**
 * The files of a training run's folder, besides the checkpoint:
 *
 *   metrics.jsonl  one JSON object per logged step:
 *                  {"step","loss","valLoss"?,"gradNorm","lr","elapsed","tokensPerSecond"}
 *   samples.txt    a header line "=== step N (loss L) ===", the sample, a blank line; repeated
 *   loss.svg       training and validation loss against step
 *
 * Resuming rewrites the history files up to the checkpoint's step, so lines a stopped run
 * logged after its last checkpoint do not appear twice.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChart } from '../../plot/index.js';
import { writeFileAtomic } from '../files.js';

/** File names inside a run folder. */
export const RUN_FILES = {
  checkpoint: 'checkpoint.safetensors',
  metrics: 'metrics.jsonl',
  samples: 'samples.txt',
  lossPlot: 'loss.svg',
} as const;

/** One line of metrics.jsonl. */
export interface MetricsLine {
  step: number;
  /** Mean training loss over the steps since the previous line. */
  loss: number;
  /** Mean cross entropy over the whole held-out tail after this step (absent on steps that do not validate, and without a tail). */
  valLoss?: number;
  /** Mean gradient norm (before clipping) since the previous line. */
  gradNorm: number;
  lr: number;
  /** Training seconds so far, over every resumed run. */
  elapsed: number;
  /** Characters trained on per second since the previous line. */
  tokensPerSecond: number;
}

/** One entry of samples.txt. */
export interface SampleEntry {
  step: number;
  /** The training loss logged with it. */
  loss: number;
  /** Prompt and continuation. */
  text: string;
}

const HEADER = /^=== step (\d+) \(loss ([^)]*)\) ===$/gm;

/** metrics.jsonl as objects (lines that do not parse, such as one cut short by a crash, are skipped). */
export function readMetrics(path: string): MetricsLine[] {
  if (!existsSync(path)) return [];
  const out: MetricsLine[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    try {
      const m = JSON.parse(line) as MetricsLine;
      if (typeof m?.step === 'number' && typeof m.loss === 'number') out.push(m);
    } catch {
      // an empty or truncated line
    }
  }
  return out;
}

/** samples.txt as entries. */
export function readSamples(path: string): SampleEntry[] {
  if (!existsSync(path)) return [];
  const content = readFileSync(path, 'utf8');
  const heads = [...content.matchAll(HEADER)];
  return heads.map((m, i) => {
    const start = m.index + m[0].length + 1;
    const end = i + 1 < heads.length ? heads[i + 1].index : content.length;
    return { step: Number(m[1]), loss: Number(m[2]), text: content.slice(start, end).replace(/\n\n$/, '') };
  });
}

function metricsText(line: MetricsLine): string {
  const { step, loss, valLoss, gradNorm, lr, elapsed, tokensPerSecond } = line;
  return JSON.stringify({ step, loss, valLoss, gradNorm, lr, elapsed, tokensPerSecond }) + '\n';
}

function sampleText(entry: SampleEntry): string {
  return `=== step ${entry.step} (loss ${entry.loss.toFixed(4)}) ===\n${entry.text}\n\n`;
}

/** Rewrites metrics.jsonl and samples.txt in `dir` to hold exactly these entries. */
export function writeHistory(dir: string, metrics: readonly MetricsLine[], samples: readonly SampleEntry[]): void {
  writeFileAtomic(join(dir, RUN_FILES.metrics), new TextEncoder().encode(metrics.map(metricsText).join('')));
  writeFileAtomic(join(dir, RUN_FILES.samples), new TextEncoder().encode(samples.map(sampleText).join('')));
}

/** Appends one line to metrics.jsonl. */
export function appendMetrics(dir: string, line: MetricsLine): void {
  appendFileSync(join(dir, RUN_FILES.metrics), metricsText(line));
}

/** Appends one entry to samples.txt. */
export function appendSample(dir: string, entry: SampleEntry): void {
  appendFileSync(join(dir, RUN_FILES.samples), sampleText(entry));
}

/** The training and validation curves of `metrics` as an SVG line chart. */
export function lossChart(metrics: readonly MetricsLine[], title: string): string {
  const withVal = metrics.filter((m) => m.valLoss !== undefined);
  const series = [{ name: 'training', x: metrics.map((m) => m.step), y: metrics.map((m) => m.loss) }];
  if (withVal.length > 0) series.push({ name: 'validation', x: withVal.map((m) => m.step), y: withVal.map((m) => m.valLoss!) });
  return lineChart({ series, title, xLabel: 'step', yLabel: 'cross entropy (nats per character)', width: 720, height: 420 });
}
