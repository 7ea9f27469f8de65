/**
 * Shared helpers of the runtime tests: build dist/ once (only when it is older than its
 * sources), run child processes with a hard time limit, start the project's static server,
 * launch the system's chromium, and compute Node's reference results for the workloads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** node_modules/.bin of the repository. */
export const BIN = join(ROOT, 'node_modules', '.bin');
/**
 * Where the other engines live: test/runtimes has its own pinned package.json and lockfile,
 * installed by `npm test` (test:engines-install), so that `npm ci` at the root does not
 * download them.
 */
const ENGINES = join(ROOT, 'test', 'runtimes', 'node_modules');
const BINARIES = {
  bun: '.bin/bun',
  deno: '.bin/deno',
  workerd: '.bin/workerd',
  'node-20': 'node-20/bin/node',
  'node-22': 'node-22/bin/node',
  'node-24': 'node-24/bin/node',
  'node-26': 'node-26/bin/node',
  hermes: 'hermes-engine-cli/linux64-bin/hermes',
} as const;

/** The path of an engine's binary; fails with the command that installs it when it is missing. */
export function engineBinary(name: keyof typeof BINARIES): string {
  const path = join(ENGINES, BINARIES[name]);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: the runtime tests' engines are installed by \`npm test\`, or by \`npm run test:engines-install\` before running vitest directly.`);
  }
  return path;
}
/** Where Debian's chromium lives; CI installs it (.ci/run). */
export const CHROMIUM = '/usr/bin/chromium';

const OUTPUTS = [
  'dist/index.js',
  'dist/node.js',
  'dist/index.cjs',
  'dist/node.cjs',
  'dist/recurrent.global.js',
  'dist/index.d.ts',
  'dist/index.d.cts',
  'dist/node.d.ts',
  'dist/node.d.cts',
  'dist/browser/index.js',
  'dist/browser/kernel-worker.js',
];
const INPUTS = ['src', 'scripts/build.mjs', 'tsconfig.build.json', 'tsconfig.json', 'package.json'];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file shows up as a newer directory
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when some output is missing or older than the newest input. */
export function distIsStale(): boolean {
  const outputs = OUTPUTS.map((f) => join(ROOT, f));
  if (!outputs.every((f) => existsSync(f))) return true;
  const oldestOutput = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  const newestInput = Math.max(...INPUTS.map((f) => newestMtime(join(ROOT, f))));
  return oldestOutput < newestInput;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `npm run build` if dist/ is stale. Test files run in parallel, so a lock directory in
 * .cache/ makes the others wait while one builds (a lock older than two minutes is stale).
 */
export async function ensureBuilt(): Promise<void> {
  const lock = join(ROOT, '.cache', 'runtimes-build.lock');
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmdirSync(lock);
      } catch {
        // the holder released it meanwhile
      }
      if (Date.now() > deadline) throw new Error(`ensureBuilt: ${lock} is still held after 3 minutes`);
      await sleep(100);
    }
  }
  try {
    if (distIsStale()) await run('npm', ['run', 'build', '--silent'], { timeoutMs: 120_000 });
  } finally {
    rmdirSync(lock);
  }
}

/**
 * The package as a user installs it: builds dist/ if stale, packs it (`npm pack`) into a new
 * temporary folder, and installs the tarball there into an ESM project named `name`; resolves
 * with the folder and how long the install took.
 */
export async function installPacked(name: string): Promise<{ dir: string; installMs: number }> {
  await ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), `recurrent-${name}-`));
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { timeoutMs: 60_000 });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  const install = await run('npm', ['install', `./${tarball}`, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, timeoutMs: 120_000 });
  return { dir, installMs: install.ms };
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Hard limit: the child's whole process group is killed (SIGKILL) when it runs longer. */
  timeoutMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion and resolves with its output; rejects on failure or timeout. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { cwd = ROOT, env = process.env, timeoutMs = 60_000 } = options;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      const what = `${command} ${args.join(' ')}`;
      if (timedOut) reject(new Error(`${what}: killed after ${timeoutMs} ms\n${stderr}`));
      else if (code !== 0) reject(new Error(`${what}: exit ${code ?? signal}\n${stderr}\n${stdout}`));
      else resolve({ stdout, stderr, ms });
    });
  });
}

/** Kills a child started with `detached: true` and everything it started (its process group). */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** Runs `test/runtimes/run-workload.mjs` (the ESM build) under an engine and parses its JSON. */
export async function runWorkload<T>(engine: 'node' | 'bun' | 'deno', name: string, arg?: unknown): Promise<{ result: T; ms: number; wallMs: number }> {
  const script = join(ROOT, 'test', 'runtimes', 'run-workload.mjs');
  const rest = arg === undefined ? [name] : [name, JSON.stringify(arg)];
  const env = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' };
  const [command, args] =
    engine === 'node'
      ? [process.execPath, [script, ...rest]]
      : engine === 'bun'
        ? [engineBinary('bun'), [script, ...rest]]
        : // No permission flags: loading local modules needs none, and the workload asks for none.
          [engineBinary('deno'), ['run', '--no-prompt', '--no-config', '--no-lock', script, ...rest]];
  const out = await run(command, args, { env, timeoutMs: 60_000 });
  const line = out.stdout.trim().split('\n').pop() ?? '';
  const parsed = JSON.parse(line) as { result: T; ms: number };
  return { ...parsed, wallMs: out.ms };
}

/** Asserts that a training run's losses fall: the last is below 80% of the first. */
export function expectLossFalls(losses: readonly number[], what: string): void {
  expect(losses.length, `${what}: number of losses`).toBeGreaterThan(1);
  for (const l of losses) expect(Number.isFinite(l), `${what}: finite losses`).toBe(true);
  expect(losses[losses.length - 1]!, `${what}: the loss falls (${losses.join(', ')})`).toBeLessThan(0.8 * losses[0]!);
}

/** The flags the runtime tests launch chromium with. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails with a clear message when the system chromium is missing. */
export function requireChromium(): string {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser tests drive Debian's chromium. Install it with ` +
        '`apt-get update && apt-get install -y chromium` (CI does this in .ci/run).',
    );
  }
  return CHROMIUM;
}

export interface Server {
  url: string;
  close(): void;
}

/** Starts scripts/serve.mjs on a free loopback port and resolves with its URL. */
export function startServer(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'serve.mjs')], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error('scripts/serve.mjs did not print its URL within 10 s'));
    }, 10_000);
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const match = /^(http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, close: () => killGroup(child) });
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`scripts/serve.mjs exited with ${code}: ${out}`));
    });
  });
}
