/** The progress display: a bar redrawn in place on a TTY, plain lines elsewhere. */
import { describe, expect, it } from 'vitest';
import { Progress, type OutputStream } from '../../src/node/cli/progress.js';
import type { MetricsLine } from '../../src/node/cli/run-files.js';

function stream(isTTY: boolean, columns = 100): OutputStream & { text: string } {
  const s = { text: '', isTTY, columns, write: (t: string) => (s.text += t) };
  return s;
}

const line = (step: number): MetricsLine => ({ step, loss: 2.5, valLoss: 2.6, gradNorm: 0.5, lr: 0.003, elapsed: 12, tokensPerSecond: 4321 });

describe('Progress', () => {
  it('redraws one line with \\r on a TTY: step/total, bar, loss, tokens/s, ETA', () => {
    const out = stream(true);
    const p = new Progress(out, 200, 0);
    p.update(1, 3.21, 5000);
    expect(out.text).toMatch(/^\r\x1b\[K  1\/200 \[░{16}\]   0%  loss 3\.210  5,000 tok\/s  ETA /);
    expect(out.text).not.toContain('\n');
    p.print('a sample');
    expect(out.text).toContain('\r\x1b[Ka sample\n\r\x1b[K  1/200');
    p.log(line(100));
    // A logged step shows the logged line's loss (the interval's mean, as metrics.jsonl has it).
    expect(out.text.slice(out.text.lastIndexOf('\r'))).toMatch(/100\/200 \[█{8}░{8}\]  50%  loss 2\.500  val 2\.600/);
    p.finish();
    expect(out.text.endsWith('\n')).toBe(true);
  });

  it('never writes past the terminal width', () => {
    const out = stream(true, 40);
    new Progress(out, 1000, 0, 'lstm ').update(500, 1.5, 12345);
    expect(out.text.slice('\r\x1b[K'.length).length).toBeLessThanOrEqual(39);
  });

  it('writes one plain line per logged step off a TTY, and nothing per step', () => {
    const out = stream(false);
    const p = new Progress(out, 200, 0, '[gru] ');
    p.update(1, 3.21, 5000);
    expect(out.text).toBe('');
    p.log(line(50));
    expect(out.text).toMatch(/^\[gru\] step 50\/200 {2}loss 2\.5000 {2}val 2\.6000 {2}grad 0\.50 {2}4,321 tok\/s {2}elapsed 12s {2}ETA \S+\n$/);
    p.finish();
    expect(out.text.split('\n')).toHaveLength(2);
  });
});
