/**
 * `recurrent train` in a real terminal (a pseudo-terminal from util-linux's `script`): the
 * progress bar redrawn in place reports the same loss as the log files and the done line, the
 * mean over the steps since the last logged step, so one step shows one number everywhere.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/recurrent.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'recurrent-tty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command line under `script`, so the program sees a terminal on stdout; resolves with what it drew. */
function inTerminal(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('script', ['-qec', command, '/dev/null'], { cwd: dir, env: { ...process.env, COLUMNS: '160' }, timeout: 60_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}

it('shows on the bar the loss that metrics.jsonl and the done line report for the same step', async () => {
  writeFileSync(join(dir, 'text.txt'), 'the cat sat on the mat. the dog sat on the log. '.repeat(30));
  const screen = await inTerminal(`'${process.execPath}' '${BIN}' train --data text.txt --hidden 12 --embed 6 --seq 12 --batch 4 --steps 40 --every 20 --out run`);
  const draws = screen.split('\r').map((part) => part.replace(/\x1b\[K/g, ''));
  const metrics = readFileSync(join(dir, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss: number });
  expect(metrics.map((m) => m.step)).toEqual([20, 40]);
  for (const m of metrics) {
    const bar = draws.filter((d) => d.startsWith(`${m.step}/40 `)).at(-1);
    expect(bar, `a bar drawn at step ${m.step} in:\n${JSON.stringify(screen)}`).toBeDefined();
    expect(bar).toContain(` loss ${m.loss.toFixed(3)} `);
  }
  const done = screen.match(/done, step 40: loss (\d\.\d{4})/);
  expect(done, screen).not.toBeNull();
  expect(done![1]).toBe(metrics[1]!.loss.toFixed(4));
});
