/**
 * Training progress on the terminal. On a TTY: one line redrawn in place with \r,
 *
 *   lstm  120/600 [████░░░░░░░░░░░░] 20%  loss 2.345  val 2.401  5,230 tok/s  ETA 1m10s
 *
 * at most ten times a second; other output (samples, notices) is printed above it. Elsewhere
 * (a pipe, a log file, CI): one plain line per logged step,
 *
 *   step 120/600  loss 2.3450  val 2.4010  grad 0.82  5,230 tok/s  elapsed 14s  ETA 1m10s
 */
import { count, duration } from './format.js';
import type { MetricsLine } from './run-files.js';

/** Where the CLI writes: process.stdout or anything shaped like it. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const BAR = 16;
const REDRAW_MS = 100;

/** A progress display for one training run from `startStep` to `total`. */
export class Progress {
  private readonly started = performance.now();
  private lastDraw = -Infinity;
  private loss = NaN;
  private valLoss: number | undefined;
  private tokensPerSecond = NaN;
  private step: number;
  private drawn = false;

  /**
   * @param stream  where to write
   * @param total   the step the run ends at
   * @param startStep  the step the run starts from (after a resume)
   * @param label   printed before each line (the model, in `compare`)
   */
  constructor(
    private readonly stream: OutputStream,
    private readonly total: number,
    private readonly startStep: number,
    private readonly label = '',
  ) {
    this.step = startStep;
  }

  private get tty(): boolean {
    return this.stream.isTTY === true;
  }

  /** Seconds left, from the mean step time of this process's steps so far. */
  private eta(): number {
    const done = this.step - this.startStep;
    return done > 0 ? ((performance.now() - this.started) / 1000 / done) * (this.total - this.step) : NaN;
  }

  /** Called after every training step with the mean loss since the last logged step, and the throughput. */
  update(step: number, loss: number, tokensPerSecond: number): void {
    this.step = step;
    this.loss = loss;
    this.tokensPerSecond = tokensPerSecond;
    if (this.tty && (performance.now() - this.lastDraw >= REDRAW_MS || step === this.total)) this.draw();
  }

  /** Called at every logged step: prints the plain line off a TTY, updates the bar on one. */
  log(m: MetricsLine): void {
    this.step = m.step;
    this.loss = m.loss;
    this.valLoss = m.valLoss ?? this.valLoss;
    if (this.tty) {
      this.draw();
      return;
    }
    const val = m.valLoss === undefined ? '' : `  val ${m.valLoss.toFixed(4)}`;
    const eta = this.step < this.total ? `  ETA ${duration(this.eta())}` : '';
    this.stream.write(`${this.label}step ${m.step}/${this.total}  loss ${m.loss.toFixed(4)}${val}  grad ${m.gradNorm.toFixed(2)}  ${count(m.tokensPerSecond)} tok/s  elapsed ${duration(m.elapsed)}${eta}\n`);
  }

  /** Prints a message line (above the bar on a TTY). */
  print(text: string): void {
    if (this.tty && this.drawn) this.stream.write('\r\x1b[K');
    this.stream.write(text.endsWith('\n') ? text : `${text}\n`);
    if (this.tty && this.drawn) this.draw();
  }

  /** Ends the display: moves past the bar on a TTY. */
  finish(): void {
    if (this.tty && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  private draw(): void {
    this.lastDraw = performance.now();
    const fraction = this.total > 0 ? this.step / this.total : 1;
    const filled = Math.round(fraction * BAR);
    const parts = [
      `${this.label}${String(this.step).padStart(String(this.total).length)}/${this.total}`,
      `[${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}]`,
      `${String(Math.floor(fraction * 100)).padStart(3)}%`,
      ` loss ${Number.isFinite(this.loss) ? this.loss.toFixed(3) : '--'}`,
    ];
    if (this.valLoss !== undefined) parts.push(` val ${this.valLoss.toFixed(3)}`);
    if (Number.isFinite(this.tokensPerSecond)) parts.push(` ${count(this.tokensPerSecond)} tok/s`);
    if (this.step < this.total) parts.push(` ETA ${duration(this.eta())}`);
    const line = parts.join(' ');
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(`\r\x1b[K${line.length > width ? line.slice(0, width) : line}`);
    this.drawn = true;
  }
}
