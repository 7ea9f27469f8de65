/**
 * `npm run demo`: trains a character-level LSTM on built-in text (examples/data/corpus.txt,
 * written for this project) through `recurrent train`'s own code path, writing the run into
 * runs/demo/ (checkpoint, metrics.jsonl, loss.svg, samples.txt), then prints an early and a
 * late sample side by side, so you can see what the model learned.
 *
 *   Embedding(V, 32) -> LSTM(32, 128) -> Linear(128, V) -> cross entropy on every step
 *   Adam (lr 3e-3), gradient norm clipped at 1, windows of 48 characters, batches of 16
 *
 *   npm run demo                     the full run (about 15 seconds on a 2-core machine)
 *   npm run demo -- --steps 200      a shorter one; any `recurrent train` flag works here
 *   npm run demo -- 200              the same, for short
 *   npm run demo -- --force          run again over an earlier runs/demo (refused without it)
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, readSamples } from '../src/node/index.js';

const STEPS = 600;
const corpus = fileURLToPath(new URL('./data/corpus.txt', import.meta.url));
const given = process.argv.slice(2);
const extra = given.length > 0 && /^\d+$/.test(given[0]) ? ['--steps', given[0], ...given.slice(1)] : given;
const args = [
  ...['--data', corpus, '--model', 'lstm', '--embed', '32', '--hidden', '128', '--layers', '1'],
  ...['--seq', '48', '--batch', '16', '--lr', '0.003', '--clip', '1', '--seed', '1'],
  ...['--steps', String(STEPS), '--every', '25', '--val-every', '50', '--sample-every', '100', '--prompt', 'The ', '--out', 'runs/demo'],
  ...extra,
];

/** The value of the last `--name value` or `--name=value` in args (later flags win, as in the CLI). */
function flagValue(name: string): string {
  let value = '';
  args.forEach((word, i) => {
    if (word === `--${name}`) value = args[i + 1];
    else if (word.startsWith(`--${name}=`)) value = word.slice(name.length + 3);
  });
  return value;
}

const code = await cli(['train', ...args]);
const samples = code === 0 ? readSamples(join(flagValue('out'), 'samples.txt')) : [];
if (samples.length > 0) {
  const early = samples[0];
  const late = samples[samples.length - 1];
  console.log(`\nearly sample, step ${early.step} (loss ${early.loss.toFixed(2)}):\n  ${early.text.replace(/\n/g, '\n  ')}`);
  if (late !== early) console.log(`\nlate sample, step ${late.step} (loss ${late.loss.toFixed(2)}):\n  ${late.text.replace(/\n/g, '\n  ')}`);
  console.log(`\nThe loss curve is in ${join(flagValue('out'), 'loss.svg')}; sample more with\n  node bin/recurrent.mjs sample --checkpoint ${join(flagValue('out'), 'checkpoint.safetensors')} --prompt "The "`);
}
process.exitCode = code;
