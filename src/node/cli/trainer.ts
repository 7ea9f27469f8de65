/**
 * The training loop of `recurrent train` (and of `compare` and `npm run demo`): a character
 * model on a text, with Adam and gradient-norm clipping, logging, validation, samples,
 * checkpoints and a loss plot in the run folder, and a clean stop on Ctrl-C.
 *
 *   each step   batch ~ data generator; loss = CE(model(x), y); g = grad; n = ||g||;
 *               g <- g min(1, clip / n); Adam step
 *   every N     a metrics line (mean loss and grad norm since the last line) and loss.svg
 *               redrawn; "loss" everywhere (the bar on a terminal, metrics.jsonl, samples.txt,
 *               the done line) is that mean over the steps since the previous line
 *   every V     the validation loss: mean cross entropy over the whole held-out tail (see
 *               corpus.ts), in that step's metrics line
 *   every C     a checkpoint (and a metrics line, so a resumed run logs what this one would)
 *   every S     a sample of 200 characters, drawn with Generator(seed * 1000003 + step), so
 *               samples never disturb the training stream and a resumed run draws the same
 *   the end     (the last step, or the first step past the --minutes budget) all of the above
 *
 * A checkpoint holds the weights, Adam's moments, the step and the data generator: resuming
 * from step k replays steps k+1, k+2, ... exactly as the uninterrupted run would.
 *
 * SIGINT / SIGTERM: the current step finishes, a checkpoint is saved and the run returns the
 * signal's name; a second signal quits at once (the checkpoint file is written atomically, so
 * it is never left half-written).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { noGrad } from '../../autograd/graph.js';
import { crossEntropy } from '../../nn/functional/cross-entropy.js';
import { Adam } from '../../optim/adam.js';
import { clipGradNorm } from '../../optim/clip.js';
import { restoreCheckpoint } from '../../train/checkpoint.js';
import { RecurrentError } from '../../tensor/errors.js';
import { Generator } from '../../tensor/random.js';
import { saveCheckpoint, writeFileAtomic } from '../files.js';
import { CharModel, modelName, type RunConfig } from './char-model.js';
import { makeCorpus, sampleBatch, validationBatches, type Batch } from './corpus.js';
import { generate, promptIds } from './generate.js';
import { count, plural } from './format.js';
import { Progress, type OutputStream } from './progress.js';
import type { RunCheckpoint, RunExtra } from './run-checkpoint.js';
import { StopSignals, type StopSignal } from './stop-signals.js';
import { RUN_FILES, appendMetrics, appendSample, lossChart, readMetrics, readSamples, writeHistory, type MetricsLine, type SampleEntry } from './run-files.js';

/** Characters per sample. */
const SAMPLE_LENGTH = 200;
/** Temperature of the samples taken while training. */
const SAMPLE_TEMPERATURE = 0.8;

/** What a run does: its config and data, how far it goes, where it writes. */
export interface TrainPlan {
  config: RunConfig;
  /** The training text (its hash matches config.dataHash). */
  text: string;
  /** The characters of the model's ids (the text's, or the resumed checkpoint's). */
  vocab: string[];
  /** The step to stop at (total, counting resumed steps). */
  steps: number;
  /** The run folder. */
  out: string;
  /** Log a metrics line and redraw the plot every this many steps. */
  every: number;
  /** Compute the validation loss every this many steps. */
  valEvery: number;
  /** Save a checkpoint every this many steps. */
  checkpointEvery: number;
  /** Sample every this many steps. */
  sampleEvery: number;
  /** Stop (with a checkpoint) after the first step that ends this many minutes after the start. */
  minutes?: number;
  /** Samples start from this text. */
  prompt: string;
  /** The checkpoint to continue from, if any. */
  resume?: RunCheckpoint;
  /** The folder the resumed run's history is read from. */
  resumeDir?: string;
  /** Put before every progress line (compare names the model). */
  label?: string;
}

/** What a run did. */
export interface TrainResult {
  /** The last step taken. */
  step: number;
  /** The signal that stopped the run early, or null. */
  stoppedBy: StopSignal | null;
  /** True when the --minutes budget ran out before the run reached its steps. */
  outOfTime: boolean;
  /** Every metrics line of the run folder (resumed history included). */
  metrics: MetricsLine[];
  /** Every sample of the run folder. */
  samples: SampleEntry[];
  /** Number of model parameters. */
  parameters: number;
  /** Wall seconds of this process's training. */
  seconds: number;
  /** Characters per second over this process's steps. */
  tokensPerSecond: number;
}

/** A sample as the console shows it: as written, each line indented, control characters (but newline and tab) as \\u escapes. */
function indent(text: string): string {
  const visible = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return visible.split('\n').map((line) => `  ${line}`).join('\n');
}

/** Mean cross entropy over every predicted character of the validation batches, without gradients, in eval mode. */
function evaluate(model: CharModel, batches: readonly Batch[], vocabSize: number): number {
  return noGrad(() => {
    model.eval();
    let sum = 0;
    let count = 0;
    for (const batch of batches) {
      const { logits } = model.forward(batch.inputs);
      sum += crossEntropy(logits.reshape(-1, vocabSize), batch.targets).item() * batch.targets.length;
      count += batch.targets.length;
    }
    model.train();
    return sum / count;
  });
}

/** What the validation loss covers, as the run's output states it. */
export function validationScope(tailLength: number, valEvery: number): string {
  return `"val" is the mean cross entropy over the whole held-out tail (${plural(tailLength, 'character')}), every ${plural(valEvery, 'step')} and at the end`;
}

/** Runs (or continues) a training run, writing into plan.out; see the module comment. */
export async function train(plan: TrainPlan, stdout: OutputStream): Promise<TrainResult> {
  const op = 'recurrent train';
  const { config, vocab, steps, out, every, valEvery, checkpointEvery, sampleEvery } = plan;
  const corpus = makeCorpus(op, plan.text, vocab, config.valFraction, config.seq);
  const prompt = promptIds(op, plan.prompt, vocab);
  const valBatches = validationBatches(corpus, config.seq);
  const V = vocab.length;

  const model = new CharModel(config, V);
  const params = model.parameters();
  const optimizer = new Adam(params, { lr: config.lr });
  const data = new Generator(config.seed + 3);
  let step = 0;
  let elapsedBefore = 0;
  let metrics: MetricsLine[] = [];
  let samples: SampleEntry[] = [];
  if (plan.resume?.kind === 'weights') {
    // Weights back from PyTorch: the model only; Adam and the batch generator start afresh.
    model.loadStateDict(plan.resume.contents.model);
    step = plan.resume.contents.step;
    elapsedBefore = plan.resume.extra.elapsed;
  } else if (plan.resume) {
    step = restoreCheckpoint(plan.resume.bytes, { model, optimizer, generators: { data } }).step;
    elapsedBefore = plan.resume.extra.elapsed;
    const dir = plan.resumeDir ?? out;
    metrics = readMetrics(join(dir, RUN_FILES.metrics)).filter((m) => m.step <= step);
    samples = readSamples(join(dir, RUN_FILES.samples)).filter((s) => s.step <= step);
  }
  mkdirSync(out, { recursive: true });
  writeHistory(out, metrics, samples);

  const title = `${modelName(config.model)} on ${count(corpus.train.length + corpus.validation.length)} characters: hidden ${config.hidden}, ${config.layers} layer${config.layers > 1 ? 's' : ''}`;
  const progress = new Progress(stdout, steps, step, plan.label);
  const started = performance.now();
  const deadline = plan.minutes === undefined ? Infinity : started + plan.minutes * 60_000;
  const startStep = step;
  const tokensPerStep = config.batch * config.seq;
  const elapsed = () => elapsedBefore + (performance.now() - started) / 1000;
  let savedStep = step;
  const checkpoint = () => {
    const extra: RunExtra = { tool: 'recurrent train', config, vocab, prompt: plan.prompt, every, valEvery, checkpointEvery, sampleEvery, steps, elapsed: elapsed() };
    saveCheckpoint(join(out, RUN_FILES.checkpoint), { model, optimizer, step, generators: { data }, extra });
    savedStep = step;
  };

  let lossSum = 0;
  let gradSum = 0;
  let counted = 0;
  let intervalStart = performance.now();
  /** Logs a metrics line for the steps since the last one (with the validation loss if asked) and redraws loss.svg. */
  const log = (validate: boolean) => {
    const line: MetricsLine = {
      step,
      loss: lossSum / counted,
      valLoss: validate && valBatches.length > 0 ? evaluate(model, valBatches, V) : undefined,
      gradNorm: gradSum / counted,
      lr: optimizer.paramGroups[0].lr,
      elapsed: Math.round(elapsed() * 1000) / 1000,
      tokensPerSecond: Math.round((counted * tokensPerStep) / ((performance.now() - intervalStart) / 1000)),
    };
    metrics.push(line);
    appendMetrics(out, line);
    progress.log(line);
    writeFileAtomic(join(out, RUN_FILES.lossPlot), new TextEncoder().encode(lossChart(metrics, title)));
    lossSum = gradSum = counted = 0;
    intervalStart = performance.now();
  };
  if (metrics.length > 0) writeFileAtomic(join(out, RUN_FILES.lossPlot), new TextEncoder().encode(lossChart(metrics, title)));

  const name = `${modelName(config.model)} (hidden ${config.hidden}, ${config.layers} layer${config.layers > 1 ? 's' : ''}, ${count(model.numParameters())} parameters)`;
  progress.print(
    step > 0
      ? `${plan.label ?? ''}resuming ${name} at step ${step} of ${steps}`
      : `${plan.label ?? ''}training ${name} on ${count(corpus.train.length)} + ${count(corpus.validation.length)} validation characters, vocabulary ${V}; ${plural(steps, 'step')}, each on ${plural(config.batch, 'window')} of ${plural(config.seq, 'character')}`,
  );
  if (valBatches.length > 0) progress.print(`${plan.label ?? ''}${validationScope(corpus.validation.length, valEvery)}`);
  const signals = new StopSignals((signal) => progress.print(`${signal}: saving a checkpoint at step ${step} (send it again to quit at once without saving)`));
  let outOfTime = false;
  try {
    while (step < steps && signals.received === null && !outOfTime) {
      const batch = sampleBatch(corpus, config.batch, config.seq, data);
      const { logits } = model.forward(batch.inputs);
      const loss = crossEntropy(logits.reshape(-1, V), batch.targets);
      const lossValue = loss.item();
      if (!Number.isFinite(lossValue)) {
        throw new RecurrentError(op, `the loss became ${lossValue} at step ${step + 1}; try a lower --lr or a --clip; the last checkpoint in ${out} is kept`, 'numeric');
      }
      optimizer.zeroGrad();
      loss.backward();
      const gradNorm = clipGradNorm(params, config.clip > 0 ? config.clip : Infinity);
      optimizer.step();
      step += 1;
      lossSum += lossValue;
      gradSum += gradNorm;
      counted += 1;
      // The bar shows the mean loss since the last logged step: the number metrics.jsonl, the
      // plain progress lines, samples.txt and the done line report for that step.
      progress.update(step, lossSum / counted, ((step - startStep) * tokensPerStep) / ((performance.now() - started) / 1000));
      outOfTime = step < steps && performance.now() >= deadline;
      const end = step === steps || outOfTime;
      const validate = step % valEvery === 0 || end;
      const save = step % checkpointEvery === 0 || end;
      if (step % every === 0 || validate || save) log(validate);
      if (save) checkpoint();
      if (step % sampleEvery === 0 || step === steps) {
        const text = plan.prompt + generate(model, prompt, vocab, SAMPLE_LENGTH, SAMPLE_TEMPERATURE, new Generator(config.seed * 1000003 + step));
        const entry = { step, loss: metrics[metrics.length - 1]?.loss ?? lossValue, text };
        samples.push(entry);
        appendSample(out, entry);
        progress.print(`${plan.label ?? ''}sample at step ${step}:\n${indent(text)}`);
      }
      await nextTurn(); // signals are delivered here, between steps
    }
    if (signals.received !== null) {
      if (counted > 0) log(false);
      if (savedStep !== step) checkpoint();
    }
  } finally {
    signals.dispose();
    progress.finish();
  }
  const seconds = (performance.now() - started) / 1000;
  return { step, stoppedBy: signals.received, outOfTime, metrics, samples, parameters: model.numParameters(), seconds, tokensPerSecond: ((step - startStep) * tokensPerStep) / seconds };
}
