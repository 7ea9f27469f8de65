/**
 * vitest globalSetup: Node's workers cannot run the TypeScript sources, so this bundles
 * src/node/kernel-worker.ts into .cache/ and names it in RECURRENT_KERNEL_WORKER, the
 * internal override that src/node/threads.ts reads.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export default async function setup(): Promise<void> {
  const outfile = fileURLToPath(new URL('../../.cache/kernel-worker/kernel-worker.mjs', import.meta.url));
  await build({ entryPoints: [fileURLToPath(new URL('../../src/node/kernel-worker.ts', import.meta.url))], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node18', logLevel: 'warning' });
  process.env['RECURRENT_KERNEL_WORKER'] = outfile;
}
