// `npm run mutate [-- [--stryker-flag VALUE]... FILE...]`: Stryker over the files of
// stryker.config.mjs, or over the named files only (MUTATE="a.ts,b.ts" does the same), at low
// priority (nice 10). Flags go to `stryker run` as they are (`--concurrency 1`). Stryker lives
// in tools/mutate (installed there from its lockfile on first use, so the root `npm ci` stays
// small); its vitest runner uses the root's vitest. A first run of everything takes over an
// hour on two cores, later ones rerun only what changed (docs/mutation-testing.md): mutate
// the files you touched.
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
for (let i = 0; i < args.length; i++) {
  if (args[i].startsWith('--')) flags.push(args[i], ...(args[i].includes('=') || i + 1 === args.length ? [] : [args[++i]]));
  else files.push(args[i]);
}
const env = files.length > 0 ? { ...process.env, MUTATE: files.join(',') } : process.env;
const r = spawnSync('nice', ['-n', '10', `${tools}node_modules/.bin/stryker`, 'run', 'stryker.config.mjs', ...flags], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
