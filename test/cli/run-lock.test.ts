/**
 * Runs that collide, with real CLI processes: while one `recurrent train` writes a run folder,
 * a second `train --resume`, `train --force` or `compare` on it is refused with exit code 75
 * and the owner's pid, and changes nothing; once the owner is killed with SIGKILL, its lock is
 * taken over and the run resumes. A lock naming a live pid whose process started at another
 * time (a reused pid) is stale too; a refused fresh run leaves no folder behind.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli, startCli } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-run-lock-'));
const file = (...parts: string[]) => join(dir, ...parts);
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

writeFileSync(file('text.txt'), 'the cat sat on the mat. the dog sat on the log. '.repeat(20));
const SMALL = ['--hidden', '4', '--embed', '3', '--seq', '6', '--batch', '2', '--threads', '1'];

function start(args: string[]): ReturnType<typeof startCli> {
  const started = startCli(dir, args);
  children.push(started.child);
  return started;
}
const cli = (args: string[]) => runCli(dir, args);

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 50) {
    if (waited > 60_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('a second process is refused while a run trains, and takes over once the first is killed with SIGKILL', async () => {
  // A run long enough to be caught training (the LSTM of a comparison in 'cmp'); it saves a checkpoint every step.
  const first = start(['train', '--data', 'text.txt', '--out', 'cmp/lstm', ...SMALL, '--steps', '1000000', '--every', '1', '--sample-every', '1000000']);
  await until(() => existsSync(file('cmp', 'lstm', 'checkpoint.safetensors')), 'the first checkpoint');
  expect(JSON.parse(readFileSync(file('cmp', 'lstm', 'run.lock'), 'utf8')).pid).toBe(first.child.pid);

  const metricsBefore = readFileSync(file('cmp', 'lstm', 'metrics.jsonl'), 'utf8');
  const [resumed, forced, compared] = await Promise.all([
    cli(['train', '--resume', 'cmp/lstm', '--steps', '5']),
    cli(['train', '--data', 'text.txt', '--out', 'cmp/lstm', ...SMALL, '--steps', '2', '--force']),
    cli(['compare', '--data', 'text.txt', '--out', 'cmp', ...SMALL, '--steps', '2', '--force']),
  ]);
  for (const r of [resumed, forced, compared]) {
    expect(r.code, r.stderr).toBe(75);
    expect(r.stderr).toMatch(new RegExp(`^recurrent (train|compare): the run folder 'cmp/lstm' is in use by process ${first.child.pid}; wait for it to finish or stop it`));
  }
  expect(readFileSync(file('cmp', 'lstm', 'metrics.jsonl'), 'utf8').startsWith(metricsBefore)).toBe(true); // only the first run wrote
  expect(existsSync(file('cmp', 'rnn'))).toBe(false); // compare trained nothing before it was refused
  expect(first.child.exitCode).toBe(null);

  first.child.kill('SIGKILL');
  expect((await first.done).signal).toBe('SIGKILL');
  expect(existsSync(file('cmp', 'lstm', 'run.lock'))).toBe(true); // left behind, and stale
  const step = JSON.parse(readFileSync(file('cmp', 'lstm', 'metrics.jsonl'), 'utf8').trim().split('\n').pop()!).step as number;
  const after = await cli(['train', '--resume', 'cmp/lstm', '--steps', String(step + 2)]);
  expect(after.code, after.stderr).toBe(0);
  expect(after.stdout).toMatch(new RegExp(`done, step ${step + 2}:`));
  expect(existsSync(file('cmp', 'lstm', 'run.lock'))).toBe(false);
});

it('a lock naming a live pid that started at another time (a reused pid) is stale; one from a live owner is not', async () => {
  mkdirSync(file('reused'));
  writeFileSync(file('reused', 'run.lock'), JSON.stringify({ pid: process.pid, host: hostname(), started: '1' }));
  const r = await cli(['train', '--data', 'text.txt', '--out', 'reused', ...SMALL, '--steps', '1', '--every', '1', '--sample-every', '1']);
  expect(r.code, r.stderr).toBe(0);
  expect(existsSync(file('reused', 'run.lock'))).toBe(false);

  // This test's own process, as /proc describes it: alive, so the lock holds.
  const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
  const started = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  mkdirSync(file('held'));
  writeFileSync(file('held', 'run.lock'), JSON.stringify({ pid: process.pid, host: hostname(), started }));
  const held = await cli(['train', '--data', 'text.txt', '--out', 'held', ...SMALL, '--steps', '1']);
  expect(held.code).toBe(75);
  expect(held.stderr).toContain(`in use by process ${process.pid}`);
  expect(existsSync(file('held', 'checkpoint.safetensors'))).toBe(false);
});

it('a refused run leaves no folder of its own behind', async () => {
  const r = await cli(['train', '--data', 'missing.txt', '--out', 'new/run', ...SMALL]);
  expect(r.code).toBe(1);
  expect(existsSync(file('new'))).toBe(false);
});
