#!/usr/bin/env node
// The `recurrent` command. The package has no build step at install time, so this file finds
// the CLI one of two ways:
//  - in a source checkout (src/node/cli/main.ts is here and esbuild, a devDependency, is
//    installed) it bundles the TypeScript with esbuild into .cache/cli/, named by a hash of
//    the bundle (about 0.1 s; always the current source; written atomically, so parallel runs
//    never race; in the temp folder when the checkout is read-only), and imports it; the
//    worker script of its threads goes beside it;
//  - otherwise (the published package, which ships dist/ only: `npm pack` and `npm publish`
//    build it first, in the prepack script) it imports the built dist/node/cli.js.
// RECURRENT_DEBUG=1 adds stack traces to error messages, mapped to the TypeScript source.
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const source = join(root, 'src/node/cli/main.ts');
const built = join(root, 'dist/node/cli.js');
const HOUR = 3600_000;

/** Writes `code` to `file` atomically unless the file is there already. */
function writeOnce(file, code) {
  if (existsSync(file)) return;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
}

/** The folder for the bundled CLI: .cache/cli in the checkout, or one in the temp folder when the checkout is read-only. */
function cacheDir() {
  const inCheckout = join(root, '.cache/cli');
  try {
    mkdirSync(inCheckout, { recursive: true });
    accessSync(inCheckout, constants.W_OK);
    return inCheckout;
  } catch {
    const dir = join(tmpdir(), `recurrent-cli-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
}

async function fromSource() {
  const { build } = await import('esbuild');
  // One build for the CLI and the worker script its threads run.
  const result = await build({
    entryPoints: { cli: source, worker: join(root, 'src/node/kernel-worker.ts') },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    write: false,
    outdir: join(root, '.cache/cli'),
    sourcemap: 'inline',
    packages: 'external',
    logLevel: 'error',
  });
  const [code, worker] = ['cli', 'worker'].map((name) => result.outputFiles.find((f) => f.path.endsWith(`${name}.js`)).contents);
  const dir = cacheDir();
  const hash = createHash('sha256').update(code).update(worker).digest('hex').slice(0, 16);
  const file = join(dir, `recurrent-${hash}.mjs`);
  writeOnce(join(dir, `kernel-worker-${hash}.mjs`), worker);
  process.env.RECURRENT_KERNEL_WORKER ??= join(dir, `kernel-worker-${hash}.mjs`);
  if (!existsSync(file)) {
    writeOnce(file, code);
    for (const old of readdirSync(dir)) {
      const path = join(dir, old);
      if (!old.includes(hash) && Date.now() - statSync(path, { throwIfNoEntry: false })?.mtimeMs > HOUR) rmSync(path, { force: true });
    }
  }
  return import(pathToFileURL(file).href);
}

async function load() {
  if (existsSync(source) && existsSync(join(root, 'node_modules/esbuild'))) return fromSource();
  if (existsSync(built)) return import(pathToFileURL(built).href);
  if (existsSync(source)) throw new Error(`this checkout (${root}) has no node_modules/esbuild to run the CLI from src/; run npm ci there`);
  throw new Error(
    `this installed copy of recurrent (${root}) has no build: ${built} is missing, so it was packed without building. ` +
      'Install a published release, or pack it again from a checkout with `npm pack`, whose prepack script builds dist/ first',
  );
}

if (process.argv[2] === '--version' || process.argv[2] === '-v') {
  const { readFileSync } = await import('node:fs');
  process.stdout.write(`recurrent ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`);
  process.exit(0);
}
if (process.env.RECURRENT_DEBUG) process.setSourceMapsEnabled(true);
// Output piped into a program that stops reading (| head): end quietly, as other tools do.
process.stdout.on('error', (error) => process.exit(error.code === 'EPIPE' ? 0 : 1));
let cli;
try {
  ({ cli } = await load());
} catch (error) {
  process.stderr.write(`recurrent: cannot start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
  process.exit(1);
}
process.exitCode = await cli(process.argv.slice(2));
