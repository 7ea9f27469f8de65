/** The `recurrent` CLI as a child process, for tests that use it from the user's side. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/recurrent.mjs', import.meta.url));

/** How a CLI process ended, with everything it printed. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `recurrent ARGS` in `cwd` (RECURRENT_DEBUG off); `done` resolves when it has exited. */
export function startCli(cwd: string, args: readonly string[]): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, RECURRENT_DEBUG: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs `recurrent ARGS` in `cwd` to the end. */
export function runCli(cwd: string, args: readonly string[]): Promise<CliResult> {
  return startCli(cwd, args).done;
}
