/**
 * writeFileAtomic under contention and attack: two worker threads (one pid) writing the same
 * file, a symlink planted at the predictable temporary names of the old scheme, a rename that
 * fails, temporary files left by a crash, and a target that is itself a symlink.
 */
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RecurrentError } from '../../src/index.js';
import { loadCheckpoint, loadFile, saveFile, writeFileAtomic } from '../../src/node/files.js';

const work = mkdtempSync(join(tmpdir(), 'recurrent-atomic-'));
const script = join(work, 'atomic-writer.mjs');
let n = 0;
/** A fresh empty folder inside the work folder. */
const folder = () => {
  const dir = join(work, `d${n++}`);
  mkdirSync(dir);
  return dir;
};

beforeAll(async () => {
  await build({ entryPoints: [join(__dirname, 'atomic-writer.ts')], outfile: script, bundle: true, platform: 'node', format: 'esm', logLevel: 'silent' });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a writer thread to completion; rejects with its error. */
function writer(path: string, id: number, size: number, rounds: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = new Worker(script, { workerData: { path, id, size, rounds } });
    w.on('error', reject);
    w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${id} exited with ${code}`))));
  });
}

describe('writeFileAtomic', () => {
  test('two worker threads of one process writing the same file never tear it', async () => {
    const path = join(folder(), 'model.safetensors');
    const sizes = new Map([[1, 70_000], [2, 50_000]]);
    const done = Promise.all([writer(path, 1, sizes.get(1)!, 300), writer(path, 2, sizes.get(2)!, 300)]);
    let finished = false;
    let reads = 0;
    done.finally(() => (finished = true)).catch(() => {});
    while (!finished) {
      await new Promise((r) => setTimeout(r, 1));
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch {
        continue; // not written yet
      }
      reads++;
      const id = bytes[0]!;
      expect(bytes.length, `read ${reads}`).toBe(sizes.get(id));
      expect(bytes.every((b) => b === id), `read ${reads} mixes versions`).toBe(true);
    }
    await done;
    expect(reads).toBeGreaterThan(0);
    expect(readdirSync(join(path, '..'))).toEqual(['model.safetensors']);
  });

  test('a symlink planted at a predictable temporary name redirects nothing', () => {
    const dir = folder();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    const start = Date.now();
    // Every name the old scheme (.<name>.<pid>.<Date.now()>.tmp) could pick in the next 3 s.
    for (let t = start; t < start + 3000; t++) symlinkSync(victim, join(dir, `.out.bin.${process.pid}.${t}.tmp`));
    writeFileAtomic(join(dir, 'out.bin'), new Uint8Array([1, 2, 3]));
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(join(dir, 'out.bin')).isSymbolicLink()).toBe(false);
    expect([...readFileSync(join(dir, 'out.bin'))]).toEqual([1, 2, 3]);
  });

  test('a failed rename removes the temporary file and leaves the target as it was', () => {
    const dir = folder();
    const target = join(dir, 'busy');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'x'); // a non-empty folder: rename over it fails
    expect(() => writeFileAtomic(target, new Uint8Array(8))).toThrow();
    expect(readdirSync(dir)).toEqual(['busy']);
    expect(readdirSync(target)).toEqual(['inside']);
  });

  test('errors name the path asked for and why, never a temporary file', () => {
    const dir = folder();
    const missing = join(dir, 'no-such-folder', 'w.safetensors');
    expect(() => saveFile(missing, {})).toThrow(`writeFileAtomic: cannot write '${missing}': its folder does not exist`);
    const busy = join(dir, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'inside'), 'x');
    expect(() => writeFileAtomic(busy, new Uint8Array(8))).toThrow(/^writeFileAtomic: cannot write '.*busy': (it is a folder|a folder of that name is in the way)$/);
    expect(() => loadFile(join(dir, 'absent.safetensors'))).toThrow(`loadFile: cannot read '${join(dir, 'absent.safetensors')}': no such file`);
    for (const attempt of [() => saveFile(missing, {}), () => writeFileAtomic(busy, new Uint8Array(1))]) {
      try {
        attempt();
      } catch (error) {
        expect(error).toBeInstanceOf(RecurrentError);
        expect((error as Error).message).not.toMatch(/\.tmp/);
      }
    }
  });

  test('temporary files left by a crash are removed by the next save once stale; fresh ones are kept', () => {
    const dir = folder();
    const old = [join(dir, '.w.safetensors.0123456789abcdef.tmp'), join(dir, '.w.safetensors.1234.1700000000000.tmp')];
    const fresh = join(dir, '.w.safetensors.fedcba9876543210.tmp');
    const unrelated = join(dir, '.other.0123456789abcdef.tmp');
    for (const p of [...old, fresh, unrelated]) writeFileSync(p, 'partial');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    for (const p of [...old, unrelated]) utimesSync(p, twoHoursAgo, twoHoursAgo);
    writeFileAtomic(join(dir, 'w.safetensors'), new Uint8Array(4));
    expect(readdirSync(dir).sort()).toEqual(['.other.0123456789abcdef.tmp', '.w.safetensors.fedcba9876543210.tmp', 'w.safetensors']);
  });

  test('saving over a symlink replaces the file it points to and keeps the link', () => {
    const dir = folder();
    mkdirSync(join(dir, 'runs'));
    const real = join(dir, 'runs', 'real.bin');
    writeFileSync(real, 'old');
    const link = join(dir, 'latest.bin');
    symlinkSync(real, link);
    writeFileAtomic(link, new Uint8Array([7]));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect([...readFileSync(real)]).toEqual([7]);
  });

  test('wrong arguments are RecurrentErrors, and a number is never taken as a file descriptor', () => {
    const dir = folder();
    for (const call of [
      () => writeFileAtomic(join(dir, 'x'), undefined as unknown as Uint8Array),
      () => writeFileAtomic(42 as unknown as string, new Uint8Array(1)),
      () => saveFile(1 as unknown as string, {}),
      () => loadCheckpoint(42 as unknown as string, { model: null as never }),
      () => writeFileAtomic('', new Uint8Array(1)),
    ]) {
      expect(call).toThrow(RecurrentError);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});
