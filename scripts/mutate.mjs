// `npm run mutate [-- [--stryker-flag VALUE]... FILE...]`: Stryker over the files of
// stryker.config.mjs, or over the named files only (MUTATE="a.ts,b.ts" does the same), at low
// priority (nice 10). Flags go to `stryker run` as they are (`--concurrency 1`). Stryker lives
// in tools/mutate (installed there from its lockfile on first use, so the root `npm ci` stays
// small); its vitest runner uses the root's vitest. A first run of everything takes 65 minutes
// on two cores, later ones rerun only what changed (docs/mutation-testing.md): mutate the
// files you touched.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const tools = fileURLToPath(new URL('../tools/mutate/', import.meta.url));
if (!existsSync(`${tools}node_modules/.package-lock.json`)) {
  console.log('Installing Stryker into tools/mutate (about 63 MB, once).');
  const npm = spawnSync('npm', ['--prefix', tools, 'ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (npm.status !== 0) process.exit(npm.status ?? 1);
}
const args = process.argv.slice(2);
const flags = [];
const files = [];
// A file or glob to mutate ends in .ts (src/io/utf8.ts, 'src/io/**/*.ts'); any other word is a flag or the value of the flag before it.
const isFile = (arg) => arg.endsWith('.ts');
for (const arg of args) {
  if (arg.startsWith('--') || !isFile(arg)) flags.push(arg);
  else files.push(arg);
}
const env = { ...process.env, ...(files.length > 0 ? { MUTATE: files.join(',') } : {}) };
// Whether Python imports torch and onnx, asked here once instead of by every test runner
// Stryker starts (and restarts after each timeout); test/setup/python-probe.ts reads the answers.
for (const module of ['torch', 'onnx']) {
  env[`RECURRENT_TEST_PYTHON_${module.toUpperCase()}`] ??= spawnSync('/usr/bin/python3', ['-c', `import ${module}`]).status === 0 ? 'yes' : 'no';
}
// Node 24 LTS, from the test runtimes (npm run test:engines-install), where it is installed:
// the same run takes 15% less time than on Node 20 (1 min 41 s against 1 min 59 s for
// src/kernels/wasm/recurrent-layer.ts), and the mutation runs also need the engines installed.
const node24 = fileURLToPath(new URL('../test/runtimes/node_modules/node-24/bin/node', import.meta.url));
const node = existsSync(node24) ? node24 : process.execPath;
console.log(`Stryker on Node ${spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()} (${node}).`);
const stryker = `${tools}node_modules/@stryker-mutator/core/bin/stryker.js`;
const r = spawnSync('nice', ['-n', '10', node, stryker, 'run', 'stryker.config.mjs', ...flags], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
