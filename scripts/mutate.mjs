// `npm run mutate [-- FILE...]`: Stryker over the files of stryker.config.mjs, or over the
// named files only (MUTATE="a.ts,b.ts" does the same), at low priority (nice 10): a full run
// takes most of an hour on two cores.
import { spawnSync } from 'node:child_process';

const files = process.argv.slice(2);
const env = files.length > 0 ? { ...process.env, MUTATE: files.join(',') } : process.env;
const r = spawnSync('nice', ['-n', '10', 'npx', '--no-install', 'stryker', 'run', 'stryker.config.mjs'], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
