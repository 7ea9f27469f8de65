/**
 * `recurrent compare`: trains an RNN, an LSTM and a GRU of the same hidden size on the same
 * text with the same seed and batches, then prints a table (parameters, final losses,
 * throughput, wall time) and writes compare.svg (the three runs' curves) and compare.json.
 * Each run keeps its own folder (DIR/rnn, DIR/lstm, DIR/gru), as `recurrent train` writes it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { lineChart, seriesColor, type Series } from '../../plot/index.js';
import { writeFileAtomic } from '../files.js';
import { numberArg, switchArg, textArg, UsageError, type CommandSpec, type ParsedArgs } from './args.js';
import { MODEL_KINDS, modelName, type ModelKind, type RunConfig } from './char-model.js';
import { vocabularyOf } from './corpus.js';
import { count, duration, table } from './format.js';
import { readText, type CliIO } from './io.js';
import { readRunCheckpoint, type RunCheckpoint } from './run-checkpoint.js';
import { RUN_FILES } from './run-files.js';
import { lockRun } from './run-lock.js';
import { CONFIG_FLAGS, VAL_EVERY, checkDataOutside, configFromArgs } from './train-command.js';
import { stopExitCode } from './stop-signals.js';
import { train } from './trainer.js';

/** The declaration of `recurrent compare`. */
export const compareSpec: CommandSpec = {
  name: 'compare',
  summary: 'Trains an RNN, an LSTM and a GRU and compares them. All three get the same hidden size, data, seed and batches; the table shows their losses and speed.',
  flags: [
    ...CONFIG_FLAGS.filter((f) => f.name !== 'model'),
    { name: 'steps', kind: 'int', min: 1, max: 1e9, default: 300, help: 'training steps of each model' },
    { name: 'every', kind: 'int', min: 1, max: 1e9, default: 25, help: 'log a metrics line (and save a checkpoint, for --resume) every N steps' },
    VAL_EVERY,
    { name: 'out', kind: 'text', placeholder: 'DIR', default: 'runs/compare', help: 'writes compare.svg, compare.json and one run folder per model' },
    { name: 'force', kind: 'switch', help: 'replace the files of an earlier comparison in the same folder' },
    { name: 'resume', kind: 'switch', help: 'continue an interrupted compare in --out (same flags): finished runs are kept, the stopped one resumes' },
  ],
  notes: `
Without --resume every call starts the three runs over. tokens/s is the median over the
logged intervals, so the first model does not pay for the JIT warm-up; wall time is each
run's total (over resumes).`,
};

/** The models compared, in table order. */
const COMPARED: readonly ModelKind[] = ['rnn', 'lstm', 'gru'];

/** One model's line of compare.json. */
interface CompareRow {
  model: ModelKind;
  parameters: number;
  finalLoss: number;
  finalValLoss: number | null;
  tokensPerSecond: number;
  seconds: number;
}

/** The flags a resumed run must share with the command line (its data by content, not by path). */
const SAME: readonly (keyof RunConfig)[] = ['embed', 'hidden', 'layers', 'seq', 'batch', 'lr', 'clip', 'seed', 'valFraction', 'dataHash', 'dataLength'];

/** The checkpoint in `dir` to continue from with --resume (none when the run never saved one), checked against `config`. */
function resumeFrom(command: string, dir: string, config: RunConfig, steps: number): RunCheckpoint | undefined {
  const path = join(dir, RUN_FILES.checkpoint);
  if (!existsSync(path)) return undefined;
  const checkpoint = readRunCheckpoint(command, path);
  const differs = SAME.filter((key) => checkpoint.extra.config[key] !== config[key]);
  if (checkpoint.extra.config.model !== config.model || differs.length > 0) {
    throw new UsageError(command, `the run in '${dir}' was made with other flags or data (${differs.join(', ') || 'model'}); pass the flags it was started with, or drop --resume to start over`);
  }
  if (checkpoint.contents.step > steps) throw new UsageError(command, `--steps ${steps} is before the step ${checkpoint.contents.step} of the run in '${dir}'`);
  return checkpoint;
}

/** The median of `values` (not empty): a throughput the first run's JIT warm-up does not skew. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

/** Runs `recurrent compare`, with its --out folder and the three run folders in it locked first. */
export async function compareCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const command = 'recurrent compare';
  const dataPath = textArg(args, 'data');
  if (dataPath === undefined) throw new UsageError(command, "--data is required; see 'recurrent compare --help'");
  const out = textArg(args, 'out')!;
  const releases = [lockRun(command, out)];
  try {
    const present = [...COMPARED, 'compare.svg', 'compare.json'].filter((name) => existsSync(join(out, name)));
    if (present.length > 0 && !switchArg(args, 'force') && !switchArg(args, 'resume')) {
      throw new UsageError(command, `'${out}' already holds a comparison (${present.join(', ')}); continue it with --resume, pass --force to replace it, or choose another --out`);
    }
    for (const model of COMPARED) releases.push(lockRun(command, join(out, model)));
    return await compareLocked(command, args, io, dataPath, out);
  } finally {
    for (const release of releases.reverse()) release();
  }
}

/** The comparison, with its folders locked. */
async function compareLocked(command: string, args: ParsedArgs, io: CliIO, dataPath: string, out: string): Promise<number> {
  const data = readText(command, 'data file', dataPath);
  const vocab = vocabularyOf(data.text);
  checkDataOutside(command, dataPath, out);
  const steps = numberArg(args, 'steps');
  const every = numberArg(args, 'every');
  const prompt = Array.from(data.text)[0];
  const rows: CompareRow[] = [];
  const series: Series[] = [];
  for (const model of COMPARED) {
    const config = configFromArgs(args, data, model);
    const dir = join(out, model);
    const resume = switchArg(args, 'resume') ? resumeFrom(command, dir, config, steps) : undefined;
    const plan = { config, text: data.text, vocab: resume?.extra.vocab ?? vocab, steps, out: dir, every, valEvery: numberArg(args, 'val-every'), checkpointEvery: every, sampleEvery: steps, prompt, label: `${model.padEnd(4)} `, resume, resumeDir: dir };
    const result = await train(plan, io.stdout);
    if (result.stoppedBy !== null) {
      io.stdout.write(`stopped by ${result.stoppedBy} during ${modelName(model)}; its checkpoint is in ${dir}\ncontinue with the same command and --resume\n`);
      return stopExitCode(result.stoppedBy);
    }
    const { metrics } = result;
    const last = metrics[metrics.length - 1];
    rows.push({ model, parameters: result.parameters, finalLoss: last.loss, finalValLoss: last.valLoss ?? null, tokensPerSecond: median(metrics.map((m) => m.tokensPerSecond)), seconds: last.elapsed });
    const color = seriesColor(MODEL_KINDS.indexOf(model));
    const val = metrics.filter((m) => m.valLoss !== undefined);
    series.push({ name: `${modelName(model)} training`, x: metrics.map((m) => m.step), y: metrics.map((m) => m.loss), color, dashed: true });
    if (val.length > 0) series.push({ name: `${modelName(model)} validation`, x: val.map((m) => m.step), y: val.map((m) => m.valLoss!), color });
  }

  const { model: _, ...shared } = configFromArgs(args, data, 'lstm');
  const title = `RNN, LSTM and GRU, hidden ${shared.hidden}: ${steps} steps of ${shared.batch} x ${shared.seq}`;
  writeFileAtomic(join(out, 'compare.svg'), new TextEncoder().encode(lineChart({ series, title, xLabel: 'step', yLabel: 'cross entropy (nats per character)', width: 760, height: 440 })));
  writeFileAtomic(join(out, 'compare.json'), new TextEncoder().encode(JSON.stringify({ config: shared, steps, results: rows }, null, 2) + '\n'));

  const fmt = (v: number | null) => (v === null ? '-' : v.toFixed(4));
  io.stdout.write(
    '\n' +
      table(
        ['model', 'parameters', 'final loss', 'final val loss', 'tokens/s', 'wall time'],
        rows.map((r) => [modelName(r.model), count(r.parameters), fmt(r.finalLoss), fmt(r.finalValLoss), count(r.tokensPerSecond), duration(r.seconds)]),
      ) +
      `wrote ${join(out, 'compare.svg')} and ${join(out, 'compare.json')}\n`,
  );
  return 0;
}
