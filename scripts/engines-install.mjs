// Installs the engines the tests run the library under into test/runtimes/node_modules, from
// that folder's own package.json and lockfile, once (again only when the lockfile is newer).
// They are large, so the root `npm ci` (the demo, the unit tests) leaves them out, and this
// says what it downloads before it does.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../test/runtimes/', import.meta.url));
const installed = join(dir, 'node_modules', '.package-lock.json');
if (existsSync(installed) && statSync(installed).mtimeMs > statSync(join(dir, 'package-lock.json')).mtimeMs) process.exit(0);

console.log(
  'Installing the test engines into test/runtimes/node_modules (about 1.7 GB, once): Node 20, 22, 24 and 26, ' +
    'Bun, Deno, workerd, ONNX Runtime for Node and the web, React Native\'s Hermes and Babel preset. ' +
    'The tests run the library under each of them; the root `npm ci` leaves them out.',
);
// onnxruntime-node's install script would download GPU files; its CPU binary ships in the package.
// test/runtimes/package.json's allowScripts denies the script; the variable also tells the script
// itself to skip, for an npm that runs install scripts by default.
const npm = spawnSync('npm', ['--prefix', dir, 'ci', '--no-audit', '--no-fund'], {
  stdio: 'inherit',
  env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
});
process.exit(npm.status ?? 1);
