// `npm run build`: bundles the library with esbuild and emits its types with tsc, into dist/.
//
//   dist/index.js, dist/**/*.js      ESM, one file per source module, so that a
//                                    consumer's bundler keeps only what it uses (see below)
//   dist/node.js                     ESM entry of `recurrent/node` (forwards to dist/node/)
//   dist/onnx/index.js, dist/onnx.cjs  `recurrent/onnx`, the ONNX exporter (not in the core)
//   dist/browser/index.js            ESM entry of `recurrent/browser` (ESM only: its Web Workers
//                                    find dist/browser/kernel-worker.js through import.meta.url)
//   dist/index.cjs, dist/node.cjs    CommonJS entries; both require dist/core-<hash>.cjs, the
//                                    one bundled chunk that holds the whole core
//   dist/recurrent.global.js         one self-contained IIFE that sets the global `recurrent`
//                                    (a <script> tag, importScripts in a worker, QuickJS)
//   dist/**/*.d.ts, dist/**/*.d.cts  types for `import` and for `require`
//
// ESM and CommonJS are not minified: a user's stack traces, `console.log(tensor)`, error
// class names and `summary()` read as in src/ (a consumer's bundler minifies for the web
// anyway). Only recurrent.global.js, loaded as is by a script tag, is minified, with names
// kept. Every script targets ES2022 and has a source map (sources included) that leads back
// to src/.
//
// Why ESM is not one bundled file: esbuild turns `export * as nn` into a namespace object
// filled by a call (`__export(nn, { GRU: () => ..., ... })`), and a consumer's bundler must
// keep that call and everything it names. Measured: a consumer importing only `numel` from a
// bundled index.js kept all of it (27.1 kB gzipped); from per-module files with
// `"sideEffects": false` it keeps only the modules it reaches.
//
// Why CommonJS shares one chunk instead of two self-contained files: `recurrent/node`
// re-exports the core and its own files reach into core modules, so two bundles would each
// carry their own `Tensor` class, and `saveFile(path, model.stateDict())` with a model made
// from `recurrent` would fail the `instanceof Tensor` checks. esbuild splits only ESM, so the
// CommonJS files are converted from a split ESM build made in .cache/ (esbuild reads its
// source maps, so the CommonJS maps also reach src/).
//
// The new dist/ is assembled in .cache/build/dist-next and then renamed into place, so a
// server or a test reading dist/ during a rebuild never sees it half written.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const work = '.cache/build';
const split = `${work}/esm-split`;
const next = `${work}/dist-next`;
const old = `${work}/dist-old`;
for (const dir of [split, next, old]) rmSync(dir, { recursive: true, force: true });
mkdirSync(next, { recursive: true });

const entries = { index: 'src/index.ts', node: 'src/node/index.ts', plot: 'src/plot/index.ts', onnx: 'src/onnx/index.ts' };
// No class static blocks (ES2022), which keepNames would emit: React Native's Babel preset
// cannot lower them for Hermes (test/runtimes/hermes.test.ts); esbuild names classes after them.
const common = { minify: false, sourcemap: true, sourcesContent: true, target: 'es2022', supported: { 'class-static-blocks': false }, platform: 'neutral', logLevel: 'warning' };
// Outputs are computed for dist/ (so source map paths are right there) and kept in memory.
const final = { ...common, write: false };
const outputs = [];
const keep = (result) => outputs.push(...result.outputFiles);

// 1. A split ESM bundle (two entries, one shared chunk) in .cache/: the source of the
//    CommonJS files, and, through its metafile, the list of modules the entries reach.
const bundled = await build({
  ...common,
  keepNames: true, // bundling renames self-referencing classes (`class _Tensor`); keep `Tensor`
  bundle: true,
  entryPoints: entries,
  outdir: split,
  format: 'esm',
  splitting: true,
  chunkNames: 'core-[hash]',
  external: ['node:*'],
  metafile: true,
});
const modules = Object.keys(bundled.metafile.inputs).filter((f) => f.startsWith('src/'));
// recurrent/browser is ESM only, so it is not an entry above (that build also makes the
// CommonJS files); its modules join the ESM list.
const browserEntry = await build({ ...common, bundle: true, entryPoints: ['src/browser/index.ts'], outdir: `${work}/browser`, format: 'esm', write: false, metafile: true });
for (const f of Object.keys(browserEntry.metafile.inputs)) if (f.startsWith('src/') && !modules.includes(f)) modules.push(f);

// 2. ESM, one file per reachable module, in the layout of src/ (and of the .d.ts files).
//    verbatimModuleSyntax is turned off here: under it, an `import { Tensor }` used only as a
//    type survives as a bare `import '../tensor/tensor.js'`, which a consumer's bundler warns
//    about (the module is marked side-effect free). Without it, such imports are dropped.
keep(
  await build({
    ...final,
    bundle: false,
    entryPoints: modules,
    outbase: 'src',
    outdir: 'dist',
    format: 'esm',
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: false } },
  }),
);

// 3. CommonJS, converted file by file from the split build: `./core-X.js` becomes
//    require('./core-X.cjs'), so the two CommonJS entries share one core.
keep(
  await build({
    ...final,
    keepNames: true,
    bundle: true,
    entryPoints: Object.keys(bundled.metafile.outputs).filter((f) => f.endsWith('.js')),
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    // src/node/threads.ts finds its worker script through __dirname here, import.meta.url in ESM.
    logOverride: { 'empty-import-meta': 'silent' },
    plugins: [
      {
        name: 'sibling-cjs',
        setup(b) {
          b.onResolve({ filter: /^\.\/.*\.js$/ }, (args) =>
            args.kind === 'entry-point' ? undefined : { path: args.path.replace(/\.js$/, '.cjs'), external: true },
          );
          b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, external: true }));
        },
      },
    ],
  }),
);

// 3b. The worker thread of recurrent/node's kernel pool, a script of its own (a Worker loads a
//     file): dist/node/kernel-worker.js, found beside dist/node/threads.js and dist/node.cjs.
keep(await build({ ...final, bundle: true, entryPoints: ['src/node/kernel-worker.ts'], outfile: 'dist/node/kernel-worker.js', format: 'esm', platform: 'node' }));

// 3c. The module worker of recurrent/browser's kernel pool: dist/browser/kernel-worker.js,
//     found beside dist/browser/threads.js.
keep(await build({ ...final, bundle: true, entryPoints: ['src/browser/kernel-worker.ts'], outfile: 'dist/browser/kernel-worker.js', format: 'esm', platform: 'browser' }));

// 4. The global bundle: the core only, in one file, as `var recurrent = ...`.
keep(await build({ ...final, minify: true, keepNames: true, bundle: true, entryPoints: [entries.index], outfile: 'dist/recurrent.global.js', format: 'iife', globalName: 'recurrent' }));

const distRoot = resolve('dist');
for (const file of outputs) {
  const target = join(next, relative(distRoot, file.path));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.contents);
}
writeFileSync(`${next}/node.js`, "export*from'./node/index.js';\n");
// bin/recurrent.mjs (the `recurrent` command) imports dist/node/cli.js in an installed copy.
if (modules.includes('src/node/cli/main.ts')) writeFileSync(`${next}/node/cli.js`, "export*from'./cli/main.js';\n");

// 5. Types. tsc writes **/*.d.ts (ESM flavoured, as the package is "type": "module"); a copy
//    as .d.cts with `.cjs` specifiers gives `require` consumers CommonJS types that
//    TypeScript's node16 resolution accepts.
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', next], { stdio: 'inherit' });
writeFileSync(`${next}/node.d.ts`, "export * from './node/index.js';\n");
const specifier = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.js(['"])/g;
function writeCtsTypes(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) writeCtsTypes(path);
    else if (entry.name.endsWith('.d.ts')) writeFileSync(path.replace(/\.d\.ts$/, '.d.cts'), readFileSync(path, 'utf8').replace(specifier, '$1$2.cjs$3'));
  }
}
writeCtsTypes(next);

// 6. Swap the new dist/ in.
if (existsSync('dist')) renameSync('dist', old);
renameSync(next, 'dist');
rmSync(old, { recursive: true, force: true });
console.log(`built dist/: ESM (${modules.length} modules), CommonJS, recurrent.global.js, .d.ts/.d.cts types`);
