/**
 * The generated model.py carries the run's hyperparameters: Python itself reads back its
 * sequence length, batch, learning rate and clip, and the model's sizes, and they are the run's
 * own (each a distinct value here, so that two swapped ones cannot pass).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { readRunCheckpoint } from '../../src/node/cli/run-checkpoint.js';
import { engineSuite, PYTHON, torchSkipReason } from '../engines.js';

const BIN = fileURLToPath(new URL('../../bin/recurrent.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'recurrent-hyper-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

engineSuite('recurrent export --torch: the hyperparameters in model.py', torchSkipReason, () => {
  it('are the run’s, read back by Python', () => {
    writeFileSync(join(dir, 'text.txt'), 'abcabd cab dab bad cad '.repeat(20));
    const run = (args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    };
    run(['train', '--data', 'text.txt', '--model', 'gru', '--hidden', '7', '--embed', '5', '--layers', '2', '--seq', '9', '--batch', '3', '--lr', '0.0125', '--clip', '2.5', '--steps', '2', '--every', '2', '--seed', '1', '--out', 'run']);
    run(['export', '--checkpoint', 'run/checkpoint.safetensors', '--torch', 'torch']);
    const code = [
      'import inspect, json, model',
      'defaults = {k: v.default for k, v in inspect.signature(model.CharModel.__init__).parameters.items() if k != "self"}',
      'print(json.dumps({"seq": model.SEQ, "batch": model.BATCH, "lr": model.LEARNING_RATE, "clip": model.CLIP, **defaults}))',
    ].join('\n');
    const r = spawnSync(PYTHON, ['-c', code], { cwd: join(dir, 'torch'), encoding: 'utf8', timeout: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    const { config, vocab } = readRunCheckpoint('test', join(dir, 'run', 'checkpoint.safetensors')).extra;
    expect({ seq: config.seq, batch: config.batch, lr: config.lr, clip: config.clip, hidden: config.hidden, embed: config.embed, layers: config.layers })
      .toEqual({ seq: 9, batch: 3, lr: 0.0125, clip: 2.5, hidden: 7, embed: 5, layers: 2 });
    expect(JSON.parse(r.stdout)).toEqual({ seq: 9, batch: 3, lr: 0.0125, clip: 2.5, vocab_size: vocab.length, embed: 5, hidden: 7, layers: 2 });
  });
});
