/**
 * Crash safety: a child process that checkpoints after every training step is killed with
 * SIGKILL at random moments. The checkpoint on disk must always be one of the complete
 * checkpoints the child wrote, and resuming from it must reach exactly the parameters of an
 * uninterrupted run. RELIABILITY_SOAK=1 kills 200 times instead of 20.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator, decodeCheckpoint } from '../../src/index.js';

const KILLS = process.env.RELIABILITY_SOAK ? 200 : 20;
const work = mkdtempSync(join(tmpdir(), 'recurrent-kill-'));
const script = join(work, 'train-loop.mjs');

beforeAll(async () => {
  await build({ entryPoints: [join(__dirname, 'train-loop.ts')], outfile: script, bundle: true, platform: 'node', format: 'esm', logLevel: 'silent' });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return (h >>> 0).toString(16);
}

function run(dir: string, args: string[]): string {
  const r = spawnSync(process.execPath, [script, dir, ...args], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/**
 * Starts the training loop and kills it with SIGKILL `delayMs` after it started (or, with
 * `afterFirstSave`, after it announced its first checkpoint); returns every hash it announced.
 */
function trainAndKill(dir: string, resume: boolean, delayMs: number, afterFirstSave = false): Promise<Set<string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, dir, ...(resume ? ['--resume'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => (timer ??= setTimeout(() => child.kill('SIGKILL'), delayMs));
    child.stdout.on('data', (d) => {
      out += d;
      if (afterFirstSave && /^saving /m.test(out)) arm();
    });
    child.stderr.on('data', (d) => (err += d));
    if (!afterFirstSave) arm();
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`child exited on its own: ${err}`));
      resolve(new Set([...out.matchAll(/^saving \d+ ([0-9a-f]+)$/gm)].map((m) => m[1])));
    });
  });
}

describe('checkpoints survive SIGKILL', () => {
  it(`always holds a complete checkpoint, and resuming continues exactly (${KILLS} kills)`, async () => {
    const dir = join(work, 'killed');
    spawnSync('mkdir', ['-p', dir]);
    const delays = new Generator(2026);
    const announced = new Set<string>();
    let lastStep = 0;
    for (let k = 0; k < KILLS; k++) {
      // The first run must write one checkpoint (however slow the machine); later ones may die at once.
      const hashes = await trainAndKill(dir, k > 0, 40 + delays.randint(0, 400), k === 0);
      hashes.forEach((h) => announced.add(h));
      const bytes = new Uint8Array(readFileSync(join(dir, 'checkpoint.safetensors')));
      const step = decodeCheckpoint(bytes).step; // loads: never torn
      expect(announced.has(fnv1a(bytes)), `kill ${k}: the file is not one of the checkpoints written`).toBe(true);
      expect(step).toBeGreaterThanOrEqual(lastStep);
      lastStep = step;
    }
    expect(lastStep).toBeGreaterThan(0);
    const target = String(lastStep + 10);
    const [, resumedParams] = run(dir, ['--resume', '--until', target]).match(/^final ([0-9a-f]+)/m)!;
    const reference = join(work, 'reference');
    spawnSync('mkdir', ['-p', reference]);
    const [, uninterruptedParams] = run(reference, ['--until', target]).match(/^final ([0-9a-f]+)/m)!;
    expect(resumedParams).toBe(uninterruptedParams);
  });
});
