/**
 * The CLI as a process against hostile checkpoints and careless runs: a checkpoint whose
 * config asks for a million layers or a hidden size its tensors do not have is refused in
 * moments, before any model is built; `train` and `compare` refuse to replace files of an
 * earlier run without --force, and refuse data inside their output folder.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '../../src/index.js';
import { CharModel, type RunConfig } from '../../src/node/cli/char-model.js';

const BIN = fileURLToPath(new URL('../../bin/recurrent.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'recurrent-hostile-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI in the temporary folder; resolves with exit code, output and wall time. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--max-old-space-size=256', BIN, ...args], { cwd: dir, env: { ...process.env, RECURRENT_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** A small valid run checkpoint, with its saved config then changed by `edit`. */
function checkpoint(name: string, edit: (config: RunConfig) => void): string {
  const config: RunConfig = { model: 'lstm', embed: 4, hidden: 12, layers: 1, seq: 8, batch: 2, lr: 0.003, clip: 1, seed: 1, valFraction: 0.1, data: join(dir, 'x.txt'), dataHash: '0', dataLength: 10 };
  const model = new CharModel(config, 5);
  const extra = { tool: 'recurrent train', config: { ...config }, vocab: ['a', 'b', 'c', 'd', 'e'], prompt: 'a', every: 10, sampleEvery: 10, elapsed: 0 };
  edit(extra.config);
  const path = join(dir, `${name}.safetensors`);
  writeFileSync(path, encodeCheckpoint({ model, extra }));
  return path;
}

describe('hostile checkpoint configs', () => {
  for (const [name, edit, message] of [
    ['a million layers', (c: RunConfig) => (c.layers = 1_000_000), /layers 1000000, outside 1\.\.16/],
    ['hidden 12000', (c: RunConfig) => (c.hidden = 12_000), /hidden 12000, outside 1\.\.4096/],
    ['hidden 4096, tensors of 12', (c: RunConfig) => (c.hidden = 4096), /does not fit its own config: .*the config needs/],
    ['16 layers, tensors of 1', (c: RunConfig) => (c.layers = 16), /does not fit its own config: 7 tensors, the config needs 67/],
  ] as const) {
    it(`${name}: summary and sample refuse at once`, async () => {
      const path = checkpoint(name.replace(/\W+/g, '-'), edit);
      for (const command of [['summary', '--checkpoint', path], ['sample', '--checkpoint', path, '--length', '5']]) {
        const r = await run(command);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(message);
        expect(r.ms).toBeLessThan(20_000); // the process, startup included; building the model took minutes or gigabytes
      }
    });
  }
});

describe('runs are not replaced without --force', () => {
  const text = 'the cat sat on the mat. '.repeat(20);
  writeFileSync(join(dir, 'text.txt'), text);
  const small = ['--hidden', '8', '--embed', '4', '--seq', '8', '--batch', '2', '--steps', '2', '--every', '1', '--sample-every', '2'];

  it('train refuses a folder holding metrics or samples of another run, and data inside its folder', async () => {
    mkdirSync(join(dir, 'partial'), { recursive: true });
    writeFileSync(join(dir, 'partial', 'samples.txt'), 'my notes');
    const r = await run(['train', '--data', 'text.txt', ...small, '--out', 'partial']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'partial' already holds a run; .* --force to replace it \(samples\.txt\)/);
    expect(readFileSync(join(dir, 'partial', 'samples.txt'), 'utf8')).toBe('my notes');
    const inside = await run(['train', '--data', 'partial/samples.txt', ...small, '--out', 'partial', '--force']);
    expect(inside.code).toBe(2);
    expect(inside.stderr).toMatch(/is inside the output folder 'partial'/);
    expect(readFileSync(join(dir, 'partial', 'samples.txt'), 'utf8')).toBe('my notes');
  });

  it('compare refuses an earlier comparison unless --force', async () => {
    mkdirSync(join(dir, 'cmp', 'gru'), { recursive: true });
    writeFileSync(join(dir, 'cmp', 'gru', 'checkpoint.safetensors'), 'earlier');
    const r = await run(['compare', '--data', 'text.txt', '--hidden', '8', '--embed', '4', '--seq', '8', '--batch', '2', '--steps', '2', '--out', 'cmp']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'cmp' already holds a comparison \(gru\)/);
    expect(readFileSync(join(dir, 'cmp', 'gru', 'checkpoint.safetensors'), 'utf8')).toBe('earlier');
    expect(existsSync(join(dir, 'cmp', 'rnn'))).toBe(false);
  });
});
