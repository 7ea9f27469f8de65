/**
 * From a fresh clone to a user's project, as a newcomer goes:
 * - the clone: the repository's tracked files as they stand (what `git clone` gives, with this
 *   working tree's edits), so no dist/; its node_modules is this checkout's (a link: what
 *   `npm ci` would install, without installing it again);
 * - `npm pack` there, with its scripts (prepack builds dist/), never `--ignore-scripts`;
 * - a project made by `npm init -y` (CommonJS, as npm makes it) installs the tarball, imports
 *   it as ESM and requires it as CommonJS, runs the `recurrent` command, and runs the README's
 *   `fit` snippet saved as a `.ts` file under tsx;
 * - an installed copy without its build (the tarball without dist/, as packing with
 *   --ignore-scripts would make it) makes the
 *   command say what happened and what to do, not to run a build in the user's folder.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, run } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'recurrent-fresh-clone-'));
const clone = join(work, 'clone');
const app = join(work, 'app');
let packed = '';

/** Copies the files git tracks (as they are in the working tree) into `to`. */
async function copyTrackedFiles(to: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '-z'], { cwd: ROOT });
  for (const file of stdout.split('\0').filter(Boolean)) {
    const from = join(ROOT, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(from, join(to, file));
  }
}

/** The README's `fit` snippet, as a user copies it. */
function fitSnippet(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Training with fit'));
  return section.match(/```ts\n([\s\S]*?)```/)![1]!;
}

const TEXT = 'the cat sat on the mat. the dog sat on the log. '.repeat(40);

beforeAll(async () => {
  await copyTrackedFiles(clone);
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
  mkdirSync(app);
  const pack = await run('npm', ['pack', '--pack-destination', app], { cwd: clone, timeoutMs: 240_000 });
  packed = readdirSync(app).find((f) => f.endsWith('.tgz'))!;
  console.log(`npm pack from a fresh clone (building dist/ first): ${(pack.ms / 1000).toFixed(1)} s, ${packed}`);
  await run('npm', ['init', '-y'], { cwd: app });
  await run('npm', ['install', `./${packed}`, '--offline', '--no-audit', '--no-fund'], { cwd: app, timeoutMs: 120_000 });
}, 400_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a fresh clone, packed and installed in a new project', () => {
  it('the clone had no dist/, the tarball has the build', async () => {
    expect(existsSync(join(clone, 'dist', 'index.js'))).toBe(true); // built by prepack
    const { stdout } = await run('tar', ['-tzf', join(app, packed)]);
    const files = stdout.split('\n');
    for (const f of ['dist/index.js', 'dist/index.cjs', 'dist/node.js', 'dist/node.cjs', 'dist/node/cli.js', 'dist/index.d.ts']) expect(files, f).toContain(`package/${f}`);
    // The project is what `npm init -y` makes: CommonJS.
    expect(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).type ?? 'commonjs').toBe('commonjs');
  });

  it('imports as ESM and requires as CommonJS, with one Tensor class for the core and recurrent/node', async () => {
    const body = `const t = tensor([1, 2, 3]).mul(2).sum();
saveFile(file, { t });
console.log(JSON.stringify({ sum: t.item(), same: loadFile(file).t instanceof Tensor }));`;
    writeFileSync(join(app, 'esm.mjs'), `import { Tensor, tensor } from 'recurrent';\nimport { loadFile, saveFile } from 'recurrent/node';\nconst file = 'esm.safetensors';\n${body}\n`);
    writeFileSync(join(app, 'cjs.js'), `const { Tensor, tensor } = require('recurrent');\nconst { loadFile, saveFile } = require('recurrent/node');\nconst file = 'cjs.safetensors';\n${body}\n`);
    for (const file of ['esm.mjs', 'cjs.js']) {
      const { stdout } = await run(process.execPath, [file], { cwd: app });
      expect(JSON.parse(stdout), file).toEqual({ sum: 12, same: true });
    }
  });

  it('runs the recurrent command: train, then sample from its checkpoint', async () => {
    writeFileSync(join(app, 'text.txt'), TEXT);
    const recurrent = join(app, 'node_modules', '.bin', 'recurrent');
    const trained = await run(recurrent, ['train', '--data', 'text.txt', '--hidden', '8', '--embed', '4', '--seq', '8', '--batch', '2', '--steps', '4', '--every', '2', '--out', 'run'], { cwd: app });
    expect(trained.stdout).toMatch(/^done, step 4: loss /m);
    const sampled = await run(recurrent, ['sample', '--checkpoint', 'run/checkpoint.safetensors', '--length', '20'], { cwd: app });
    expect(Array.from(sampled.stdout.trimEnd()).length).toBe(1 + 20); // the prompt (the text's first character), then 20
  });

  it("runs the README's fit snippet saved as fit.ts under tsx, and learns what it says", async () => {
    writeFileSync(join(app, 'fit.ts'), fitSnippet());
    const { stdout } = await run(join(BIN, 'tsx'), ['fit.ts'], { cwd: app, timeoutMs: 120_000 });
    expect(stdout).toContain('Model: "Regressor"');
    const valMae = Number(stdout.trim().split('\n').at(-1));
    expect(valMae).toBeGreaterThan(0);
    expect(valMae).toBeLessThan(0.5); // the snippet's "well below 0.5"
  });

  it('an installed copy without its build says so, and what to do', async () => {
    const bare = join(work, 'bare');
    mkdirSync(bare);
    // The same package with its dist/ removed: what `npm pack --ignore-scripts` gives from a clone.
    await run('tar', ['-xzf', join(app, packed), '-C', bare]);
    rmSync(join(bare, 'package', 'dist'), { recursive: true });
    expect(statSync(join(bare, 'package', 'bin', 'recurrent.mjs')).isFile()).toBe(true);
    const failure = await run(process.execPath, [join(bare, 'package', 'bin', 'recurrent.mjs'), 'train', '--help'], { cwd: bare }).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/exit 1/);
    expect(failure).toMatch(/recurrent: cannot start: this installed copy of recurrent \(.*\) has no build: .*dist\/node\/cli\.js is missing, so it was packed without building\. Install a published release, or pack it again from a checkout with `npm pack`/);
    expect(failure).not.toMatch(/npm run build/);
  });
});
