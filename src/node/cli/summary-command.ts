/** `recurrent summary`: what a run's checkpoint holds: config, vocabulary, step, parameters. */
import { basename } from 'node:path';
import { textArg, type CommandSpec, type ParsedArgs } from './args.js';
import { modelName } from './char-model.js';
import { count, duration, plural, printable, table } from './format.js';
import type { CliIO } from './io.js';
import { loadRunModel, readRunCheckpoint } from './run-checkpoint.js';

/** The declaration of `recurrent summary`. */
export const summarySpec: CommandSpec = {
  name: 'summary',
  summary: "Describes a checkpoint written by recurrent train (or weights saved by an exported model.py). Prints its config, vocabulary size, step, and a table of the model's parameters.",
  flags: [{ name: 'checkpoint', kind: 'text', placeholder: 'FILE', help: 'the checkpoint file, or weights saved by an exported model.py' }],
};

/** Runs `recurrent summary`. */
export async function summaryCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const command = 'recurrent summary';
  const checkpoint = readRunCheckpoint(command, textArg(args, 'checkpoint')!);
  const model = loadRunModel(command, checkpoint);
  const { config, vocab, elapsed } = checkpoint.extra;
  const rows = model.namedParameters().map(([name, p]) => [name, `[${p.shape.join(', ')}]`, count(p.data.length)]);
  rows.push(['total', '', count(model.numParameters())]);
  const layers = `${config.layers} layer${config.layers > 1 ? 's' : ''}`;
  const lines = [
    `checkpoint  ${checkpoint.path}`,
    `model       ${modelName(config.model)}, ${layers}, hidden ${config.hidden}, embedding ${config.embed}`,
    `vocabulary  ${plural(vocab.length, 'character')}`,
    `step        ${checkpoint.contents.step} (${duration(elapsed)} of training)`,
    `data        ${printable(basename(config.data))} (${plural(config.dataLength, 'character')}, validation fraction ${config.valFraction})`,
    `training    seq ${config.seq}, batch ${config.batch}, lr ${config.lr}, clip ${config.clip}, seed ${config.seed}`,
    ...(checkpoint.kind === 'weights' ? ['weights     saved by an exported model.py: no optimizer state (train --resume starts Adam afresh)'] : []),
    '',
    table(['parameter', 'shape', 'count'], rows),
  ];
  io.stdout.write(lines.join('\n'));
  return 0;
}
