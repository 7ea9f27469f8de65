/**
 * Under contention the pool falls back to one thread on its own: the test process and a busy
 * process share one core (taskset), so the worker gets the core only after the caller has
 * finished its own job and given up waiting; the runs come out late and the pool stops
 * sending jobs to its worker. Asserts the fallback, never a time.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { expect, it } from 'vitest';
import { killGroup, ROOT, run } from '../runtimes/helpers.js';

/** The first core this process may run on. */
function firstCore(): string {
  const list = /Cpus_allowed_list:\s*([0-9]+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return list?.[1] ?? '0';
}

it('falls back to one thread when its worker must share a core with a busy process', async () => {
  const dir = join(ROOT, '.cache', 'threads');
  mkdirSync(dir, { recursive: true });
  const child = join(dir, 'contention-child.mjs');
  await build({ entryPoints: [join(ROOT, 'test/threads/contention-child.ts')], outfile: child, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
  const core = firstCore();
  const hog = spawn('taskset', ['-c', core, process.execPath, '-e', 'for (;;);'], { detached: true, stdio: 'ignore' });
  try {
    const out = await run('taskset', ['-c', core, process.execPath, child], { timeoutMs: 90_000 });
    const got = JSON.parse(out.stdout.trim()) as { booted: number; runs: number; fallbacks: number; readyAfter: number; threadedAfter: number };
    console.log(`contention: fell back after ${got.runs} runs`);
    expect(got.booted).toBe(1);
    expect(got.fallbacks).toBeGreaterThan(0);
    expect(got.readyAfter).toBe(1);
    expect(got.threadedAfter).toBe(0); // the runs during the back-off stayed on the caller
  } finally {
    killGroup(hog);
  }
});
