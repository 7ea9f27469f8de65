// Runs a TypeScript entry (an example, a benchmark) on Node: bundles it with esbuild into
// .cache/ and imports the result, passing the remaining arguments through. import.meta.url
// keeps naming the source file, so an example finds its data files beside it. The kernel
// worker of recurrent/node's threads is bundled too and named in RECURRENT_KERNEL_WORKER.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.mjs FILE.ts [args...]');
  process.exit(2);
}
const outdir = resolve('.cache/run');
mkdirSync(outdir, { recursive: true });
const outfile = resolve(outdir, basename(entry).replace(/\.ts$/, '.mjs'));
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'inline',
  packages: 'external',
  define: { 'import.meta.url': JSON.stringify(pathToFileURL(resolve(entry)).href) },
  logLevel: 'warning',
});
const worker = resolve(outdir, 'kernel-worker.mjs');
await build({ entryPoints: ['src/node/kernel-worker.ts'], outfile: worker, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
process.env.RECURRENT_KERNEL_WORKER ??= worker;
process.argv = [process.argv[0], outfile, ...rest];
await import(pathToFileURL(outfile).href);
