/**
 * `recurrent export`: a run's model for other engines. --onnx writes an ONNX model for ONNX
 * Runtime (one step of generation: ids and the state in, logits and the next state out), its
 * vocabulary in the model's metadata_props;
 * --torch writes a PyTorch project to continue training there (see torch-export.ts).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Module } from '../../nn/module.js';
import { exportOnnx } from '../../onnx/index.js';
import { zeros } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { writeFileAtomic } from '../files.js';
import { UsageError, textArg, type CommandSpec, type ParsedArgs } from './args.js';
import type { CharModel } from './char-model.js';
import type { CliIO } from './io.js';
import { loadRunModel, readRunCheckpoint } from './run-checkpoint.js';
import { writeTorchProject } from './torch-export.js';

/** The declaration of `recurrent export`. */
export const exportSpec: CommandSpec = {
  name: 'export',
  summary: 'Exports a trained model for ONNX Runtime (--onnx) or as a PyTorch module to continue training there (--torch).',
  flags: [
    { name: 'checkpoint', kind: 'text', placeholder: 'FILE', help: 'a checkpoint written by recurrent train' },
    { name: 'onnx', kind: 'text', optional: true, placeholder: 'FILE', help: 'write an ONNX model: ids (B, T) and the state in, logits (B, T, V) and the next state out; the vocabulary is in its metadata_props' },
    { name: 'torch', kind: 'text', optional: true, placeholder: 'DIR', help: 'write model.py, weights.safetensors and a README for PyTorch into DIR' },
  ],
  notes: `
Give --onnx, --torch or both. The ONNX model takes any batch size and sequence length; its
inputs are ids (int64), h0 (and c0 for an LSTM), shaped (layers, batch, hidden).

The id <-> character table travels inside the ONNX file: its metadata_props (the model's
metadata, as onnx.load(path).metadata_props reads it) hold "vocab", a JSON array whose entry
i is the character of id i. The PyTorch project has it as VOCAB in model.py.`,
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

/** Runs `recurrent export`. */
export async function exportCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const command = 'recurrent export';
  const onnx = textArg(args, 'onnx');
  const torch = textArg(args, 'torch');
  if (onnx === undefined && torch === undefined) throw new UsageError(command, 'give --onnx FILE, --torch DIR, or both');
  const checkpoint = readRunCheckpoint(command, textArg(args, 'checkpoint')!);
  const model = loadRunModel(command, checkpoint);
  if (onnx !== undefined) {
    const { layers, hidden, model: kind } = checkpoint.extra.config;
    const example = [zeros([2, 3]), zeros([layers, 2, hidden])];
    if (kind === 'lstm') example.push(zeros([layers, 2, hidden]));
    const bytes = exportOnnx(new Step(model), example, {
      inputNames: kind === 'lstm' ? ['ids', 'h0', 'c0'] : ['ids', 'h0'],
      graphName: 'CharModel',
      metadata: { vocab: JSON.stringify(checkpoint.extra.vocab) },
    });
    mkdirSync(dirname(onnx), { recursive: true });
    writeFileAtomic(onnx, bytes);
    io.stdout.write(`wrote ${onnx} (ONNX, ${bytes.length} bytes)\n`);
  }
  if (torch !== undefined) {
    writeTorchProject(torch, checkpoint, model);
    io.stdout.write(`wrote ${torch}/model.py, weights.safetensors and README.md (PyTorch)\n`);
  }
  return 0;
}
