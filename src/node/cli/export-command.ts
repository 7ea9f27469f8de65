/**
 * `recurrent export`: a run's model for other engines. --onnx writes an ONNX model for ONNX
 * Runtime (one step of generation: ids and the state in, logits and the next state out), its
 * vocabulary in the model's metadata_props;
 * --torch writes a PyTorch project to continue training there (see torch-export.ts).
 */
import { lstatSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { Module } from '../../nn/module.js';
import { exportOnnx } from '../../onnx/index.js';
import { zeros } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { writeFilesAtomic } from '../files.js';
import { UsageError, switchArg, textArg, type CommandSpec, type ParsedArgs } from './args.js';
import type { CharModel } from './char-model.js';
import type { CliIO } from './io.js';
import { loadRunModel, readRunCheckpoint } from './run-checkpoint.js';
import { TORCH_FILES, torchProject } from './torch-export.js';

/** The declaration of `recurrent export`. */
export const exportSpec: CommandSpec = {
  name: 'export',
  summary: 'Exports a trained model for ONNX Runtime (--onnx) or as a PyTorch module to continue training there (--torch).',
  flags: [
    { name: 'checkpoint', kind: 'text', placeholder: 'FILE', help: 'a checkpoint written by recurrent train' },
    { name: 'onnx', kind: 'text', optional: true, placeholder: 'FILE', help: 'write an ONNX model: ids (B, T) and the state in, logits (B, T, V) and the next state out; the vocabulary is in its metadata_props' },
    { name: 'torch', kind: 'text', optional: true, placeholder: 'DIR', help: 'write model.py, weights.safetensors and a README for PyTorch into DIR' },
    { name: 'force', kind: 'switch', help: 'replace files that already exist (never the checkpoint itself)' },
  ],
  notes: `
Give --onnx, --torch or both. The ONNX model takes any batch size and sequence length; its
inputs are ids (int64), h0 (and c0 for an LSTM), shaped (layers, batch, hidden).

The id <-> character table travels inside the ONNX file: its metadata_props (the model's
metadata, as onnx.load(path).metadata_props reads it) hold "vocab", a JSON array whose entry
i is the character of id i. The PyTorch project has it as VOCAB in model.py.

Existing files are not replaced without --force; all files are written completely before any
is put in place, so a failed export changes nothing.`,
};

/** One generation step of the run's model, with the state as plain tensor arguments (for tracing). */
class Step extends Module {
  constructor(readonly char: CharModel) {
    super();
  }
  forward(ids: Tensor, h0: Tensor, c0?: Tensor): { logits: Tensor; h: Tensor; c?: Tensor } {
    const { logits, state } = this.char.forward(ids, { h0, c0 });
    return { logits, h: state.h0, c: state.c0 };
  }
}

/** The file at `path`, or undefined when there is none (a part of the path a file included). */
function fileAt(path: string, follow: boolean): Stats | undefined {
  try {
    return (follow ? statSync : lstatSync)(path);
  } catch {
    return undefined;
  }
}

/** Whether two paths name the same existing file (through symlinks and hard links too). */
function sameFile(a: string, b: string): boolean {
  const x = fileAt(a, true);
  const y = fileAt(b, true);
  return x !== undefined && y !== undefined && x.dev === y.dev && x.ino === y.ino;
}

/** Runs `recurrent export`. */
export async function exportCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const command = 'recurrent export';
  const onnx = textArg(args, 'onnx');
  const torch = textArg(args, 'torch');
  if (onnx === undefined && torch === undefined) throw new UsageError(command, 'give --onnx FILE, --torch DIR, or both');
  const checkpointPath = textArg(args, 'checkpoint')!;
  // Refuse before any work: the checkpoint itself always, existing files without --force.
  const targets = [...(onnx === undefined ? [] : [onnx]), ...(torch === undefined ? [] : TORCH_FILES.map((name) => join(torch, name)))];
  const mine = targets.find((path) => sameFile(path, checkpointPath));
  if (mine !== undefined) throw new UsageError(command, `'${mine}' is the checkpoint being exported; writing there would destroy the run, choose another path`);
  if (new Set(targets.map((path) => resolve(path))).size < targets.length) throw new UsageError(command, '--onnx names a file that --torch writes; choose another path');
  const present = targets.filter((path) => fileAt(path, false) !== undefined);
  if (present.length > 0 && !switchArg(args, 'force')) {
    throw new UsageError(command, `${present.map((p) => `'${p}'`).join(', ')} already exist${present.length === 1 ? 's' : ''}; pass --force to replace ${present.length === 1 ? 'it' : 'them'}`);
  }

  const checkpoint = readRunCheckpoint(command, checkpointPath);
  const model = loadRunModel(command, checkpoint);
  const files: [string, Uint8Array][] = [];
  if (onnx !== undefined) {
    const { layers, hidden, model: kind } = checkpoint.extra.config;
    const example = [zeros([2, 3]), zeros([layers, 2, hidden])];
    if (kind === 'lstm') example.push(zeros([layers, 2, hidden]));
    files.push([onnx, exportOnnx(new Step(model), example, {
      inputNames: kind === 'lstm' ? ['ids', 'h0', 'c0'] : ['ids', 'h0'],
      graphName: 'CharModel',
      metadata: { vocab: JSON.stringify(checkpoint.extra.vocab) },
    })]);
  }
  if (torch !== undefined) for (const [name, bytes] of torchProject(checkpoint, model)) files.push([join(torch, name), bytes]);
  writeFilesAtomic(files);
  if (onnx !== undefined) io.stdout.write(`wrote ${onnx} (ONNX, ${files[0][1].length} bytes)\n`);
  if (torch !== undefined) io.stdout.write(`wrote ${torch}/model.py, weights.safetensors and README.md (PyTorch)\n`);
  return 0;
}
