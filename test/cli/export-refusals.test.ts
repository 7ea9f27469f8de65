/**
 * `recurrent export` as a process does not lose work: it never writes over the checkpoint it
 * exports (by name, symlink or hard link, even with --force), replaces existing files only with
 * --force, and a failure part-way (a folder where a file must go, a file where a folder must go)
 * leaves every file as it was, no temporary file and no folder it created.
 */
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-export-refusals-'));
const file = (...parts: string[]) => join(dir, ...parts);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => runCli(dir, args);

/** Every temporary file (`.name.<hex>.tmp`) under the work folder. */
function temporaries(): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((name) => /\.tmp$/.test(name));
}

const CHECKPOINT = 'run/checkpoint.safetensors';
let original: Buffer;

beforeAll(async () => {
  writeFileSync(file('text.txt'), 'the cat sat on the mat. '.repeat(20));
  const r = await cli(['train', '--data', 'text.txt', '--out', 'run', '--hidden', '4', '--embed', '3', '--seq', '6', '--batch', '2', '--steps', '1', '--every', '1', '--sample-every', '1']);
  expect(r.code, r.stderr).toBe(0);
  original = readFileSync(file(CHECKPOINT));
});

it('never writes over the checkpoint it exports, by name, symlink or hard link, even with --force', async () => {
  symlinkSync('run/checkpoint.safetensors', file('symlink.safetensors'));
  linkSync(file(CHECKPOINT), file('hardlink.safetensors'));
  const targets = [CHECKPOINT, './run/../run/checkpoint.safetensors', 'symlink.safetensors', 'hardlink.safetensors'];
  const calls = targets.flatMap((target) => [[target], [target, '--force']]);
  const results = await Promise.all(calls.map(([target, ...force]) => cli(['export', '--checkpoint', CHECKPOINT, '--onnx', target, ...force])));
  results.forEach((r, i) => {
    expect(r.code, calls[i].join(' ')).toBe(2);
    expect(r.stderr).toContain(`'${calls[i][0]}' is the checkpoint being exported; writing there would destroy the run`);
  });
  expect(readFileSync(file(CHECKPOINT)).equals(original)).toBe(true);
  // A checkpoint named like a file of the PyTorch project, exported into its own folder.
  writeFileSync(file('weights.safetensors'), original);
  const torch = await cli(['export', '--checkpoint', 'weights.safetensors', '--torch', '.', '--force']);
  expect(torch.code).toBe(2);
  expect(torch.stderr).toContain("'weights.safetensors' is the checkpoint being exported");
  expect(readFileSync(file('weights.safetensors')).equals(original)).toBe(true);
  expect(temporaries()).toEqual([]);
});

it('replaces an existing ONNX file or PyTorch project only with --force', async () => {
  writeFileSync(file('mine.onnx'), 'my model');
  mkdirSync(file('project'));
  writeFileSync(file('project', 'README.md'), 'my notes');
  writeFileSync(file('project', 'model.py'), 'my code');
  const refused = await cli(['export', '--checkpoint', CHECKPOINT, '--onnx', 'mine.onnx', '--torch', 'project']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toBe("recurrent export: 'mine.onnx', 'project/model.py', 'project/README.md' already exist; pass --force to replace them\n");
  expect(readFileSync(file('mine.onnx'), 'utf8')).toBe('my model');
  expect(readFileSync(file('project', 'README.md'), 'utf8')).toBe('my notes');
  expect(readFileSync(file('project', 'model.py'), 'utf8')).toBe('my code');
  expect(existsSync(file('project', 'weights.safetensors'))).toBe(false);

  const forced = await cli(['export', '--checkpoint', CHECKPOINT, '--onnx', 'mine.onnx', '--torch', 'project', '--force']);
  expect(forced.code, forced.stderr).toBe(0);
  expect(readFileSync(file('mine.onnx'), 'utf8')).not.toBe('my model');
  expect(readFileSync(file('project', 'README.md'), 'utf8')).toMatch(/^# An? LSTM character model/);
  expect(readFileSync(file('project', 'model.py'), 'utf8')).toMatch(/^"""A character-level LSTM/);
  expect(temporaries()).toEqual([]);
});

it('a failure part-way writes nothing: a folder where a file must go, a file where a folder must go', async () => {
  mkdirSync(file('old', 'README.md'), { recursive: true });
  writeFileSync(file('old', 'model.py'), 'old code');
  writeFileSync(file('old', 'weights.safetensors'), 'old weights');
  const folderInTheWay = await cli(['export', '--checkpoint', CHECKPOINT, '--onnx', 'new/first.onnx', '--torch', 'old', '--force']);
  expect(folderInTheWay.code).toBe(1);
  expect(folderInTheWay.stderr).toMatch(/cannot write 'old\/README\.md': it is a folder/);
  expect(readFileSync(file('old', 'model.py'), 'utf8')).toBe('old code');
  expect(readFileSync(file('old', 'weights.safetensors'), 'utf8')).toBe('old weights');
  expect(existsSync(file('new'))).toBe(false);

  // The ONNX file is complete on disk (as a temporary file) when the project's folder fails.
  writeFileSync(file('notes.txt'), 'my notes');
  const fileInTheWay = await cli(['export', '--checkpoint', CHECKPOINT, '--onnx', 'deep/er/first.onnx', '--torch', 'notes.txt/project']);
  expect(fileInTheWay.code).toBe(1);
  expect(fileInTheWay.stderr).toMatch(/cannot write 'notes\.txt\/project\/weights\.safetensors': a part of the path is a file, not a folder/);
  expect(existsSync(file('deep'))).toBe(false);
  expect(readFileSync(file('notes.txt'), 'utf8')).toBe('my notes');
  expect(temporaries()).toEqual([]);
});
