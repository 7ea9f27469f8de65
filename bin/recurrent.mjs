#!/usr/bin/env node
// The `recurrent` command. The package has no build step at install time, so this file finds
// the CLI one of two ways:
//  - in a source checkout (src/node/cli/main.ts is here and esbuild, a devDependency, is
//    installed) it bundles the TypeScript with esbuild into .cache/cli/, named by a hash of
//    the bundle (about 0.1 s; always the current source; written atomically, so parallel runs
//    never race), and imports it;
//  - otherwise (the published package, which ships dist/ only) it imports the built
//    dist/node/cli.js.
// RECURRENT_DEBUG=1 adds stack traces to error messages, mapped to the TypeScript source.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const source = join(root, 'src/node/cli/main.ts');
const built = join(root, 'dist/node/cli.js');
const HOUR = 3600_000;

async function fromSource() {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [source],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    write: false,
    sourcemap: 'inline',
    packages: 'external',
    logLevel: 'error',
  });
  const code = result.outputFiles[0].contents;
  const dir = join(root, '.cache/cli');
  const name = `recurrent-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`;
  const file = join(dir, name);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file);
    for (const old of readdirSync(dir)) {
      const path = join(dir, old);
      if (old !== name && Date.now() - statSync(path, { throwIfNoEntry: false })?.mtimeMs > HOUR) rmSync(path, { force: true });
    }
  }
  return import(pathToFileURL(file).href);
}

async function load() {
  if (existsSync(source) && existsSync(join(root, 'node_modules/esbuild'))) return fromSource();
  if (existsSync(built)) return import(pathToFileURL(built).href);
  throw new Error(`found neither ${built} nor the TypeScript source with esbuild installed; run npm run build, or npm install`);
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
