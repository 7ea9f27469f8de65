/**
 * The package as a user gets it: `npm pack`, then `npm install <tarball>` into a fresh project
 * in the system's temporary folder (offline: the package has no dependencies), then
 * - an ESM consumer (`import { nn, ... } from 'recurrent'`, `import { saveFile } from
 *   'recurrent/node'`) and a CommonJS consumer (`require('recurrent')`, `require('recurrent/node')`)
 *   each train a tiny LSTM, save its weights with the Node entry and load them back;
 * - TypeScript consumers (.ts as ESM, .cts as CommonJS) type-check against the installed
 *   package with node16 resolution, and the .ts one again with bundler resolution;
 * - the command in bin/ (when the package ships one) starts from the installed copy, where
 *   there is no src/ and it must use the build;
 * - what a user reads from the installed build is readable: class names in `summary()`,
 *   `console.log(tensor)` and error names, and an uncaught error prints a short source line,
 *   not a minified bundle.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, expectLossFalls, installPacked, ROOT, run } from './helpers.js';

let dir = '';

/** The training loop both consumers run: LSTM(2, 8) -> Linear(8, 1) regression, 15 Adam steps. */
const TRAIN = `
const lstm = new nn.LSTM({ inputSize: 2, hiddenSize: 8, batchFirst: true, seed: 1 });
const head = new nn.Linear({ inFeatures: 8, outFeatures: 1, seed: 2 });
const params = [...lstm.parameters(), ...head.parameters()];
const optimizer = new optim.Adam(params, { lr: 0.03 });
const x = randn([8, 5, 2], { generator: new Generator(3) });
const y = x.sum(1).narrow(1, 0, 1);
const losses = [];
for (let step = 0; step < 15; step++) {
  const loss = F.mseLoss(head.forward(lstm.forward(x).h.select(0, 0)), y);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  losses.push(loss.item());
}
// Weights made with the core, saved and loaded with the Node entry: one Tensor class for both.
saveFile(file, lstm.stateDict());
const back = loadFile(file);
const copy = new nn.LSTM({ inputSize: 2, hiddenSize: 8, batchFirst: true, seed: 9 });
copy.loadStateDict(back);
const same = Object.keys(back).every((k) => copy.stateDict()[k].data.every((v, i) => v === lstm.stateDict()[k].data[i]));
console.log(JSON.stringify({ losses, names: Object.keys(back).sort(), same, sameTensorClass: back[Object.keys(back)[0]] instanceof Tensor }));
`;

// The ONNX entry traces ops of the core it is installed with: a MatMul in the graph shows that
// both entries share one autograd module (two copies would leave the exporter blind).
const ONNX = `
const onnx = exportOnnx(head, randn([2, 8]));
if (!String.fromCharCode(...onnx.subarray(0, 400)).includes('MatMul')) throw new Error('onnx: the Linear head was not traced');
`;

const ESM = `import { F, Generator, defineFunction, gradcheck, nn, optim, randn, Tensor, tensor } from 'recurrent';
import { loadFile, saveFile } from 'recurrent/node';
import { lineChart } from 'recurrent/plot';
import { exportOnnx } from 'recurrent/onnx';
const file = new URL('./esm.safetensors', import.meta.url).pathname;
if (tensor([1, 2]).shape[0] !== 2) throw new Error('tensor');
// A custom op with its own backward, from the package alone.
const square = defineFunction({
  name: 'square',
  forward(ctx, x) { ctx.saveForBackward(x); return x.mul(x); },
  backward(ctx, grad) { return [grad.mul(ctx.savedTensors[0]).mul(2)]; },
});
if (!gradcheck((x) => square.apply(x), [randn([4])]).ok) throw new Error('defineFunction');
if (!lineChart({ series: [{ name: 'loss', y: [3, 2, 1] }] }).startsWith('<svg')) throw new Error('plot');
${TRAIN}
${ONNX}`;

const CJS = `'use strict';
const { F, Generator, nn, optim, randn, Tensor } = require('recurrent');
const { loadFile, saveFile } = require('recurrent/node');
if (!require('recurrent/plot').heatmap({ values: [[1, -1]] }).startsWith('<svg')) throw new Error('plot');
const file = require('node:path').join(__dirname, 'cjs.safetensors');
const { exportOnnx } = require('recurrent/onnx');
${TRAIN}
${ONNX}`;

const TS_ESM = `import { F, Generator, nn, optim, randn, tensor, type Tensor } from 'recurrent';
import { loadFile, saveFile } from 'recurrent/node';

const lstm = new nn.LSTM({ inputSize: 2, hiddenSize: 8, batchFirst: true, seed: 1 });
const x: Tensor = randn([4, 5, 2], { generator: new Generator(1) });
const { output, h, c } = lstm.forward(x);
const loss: Tensor = F.mseLoss(h, tensor([0]).expand(1, 4, 8));
const optimizer = new optim.Adam(lstm.parameters(), { lr: 1e-2 });
optimizer.step();
saveFile('w.safetensors', lstm.stateDict());
const weights: Record<string, Tensor> = loadFile('w.safetensors');
// @ts-expect-error hiddenSize must be a number
new nn.GRU({ inputSize: 1, hiddenSize: '8' });
export const shapes: readonly (readonly number[])[] = [output.shape, c.shape, loss.shape, weights['weight_ih_l0']!.shape];
`;

const TS_CJS = `import recurrent = require('recurrent');
import node = require('recurrent/node');

const gru = new recurrent.nn.GRU({ inputSize: 2, hiddenSize: 3 });
const x: recurrent.Tensor = recurrent.zeros([1, 4, 2]);
node.saveFile('g.safetensors', gru.stateDict());
// @ts-expect-error forward needs a Tensor
gru.forward([1, 2]);
export = gru.forward(x).output.shape;
`;

/** What a user prints from the installed package: class names must survive the build. */
const NAMES = `
const { inspect } = require('node:util');
const { nn, summary, tensor, zeros, RecurrentError } = require('recurrent');
class Model extends nn.Module {
  gru = new nn.GRU({ inputSize: 2, hiddenSize: 4, batchFirst: true });
  head = new nn.Linear({ inFeatures: 4, outFeatures: 1 });
  forward(x) { return this.head.forward(this.gru.forward(x).h.select(0, 0)); }
}
let error;
try { zeros([2, 3]).matmul(zeros([4, 5])); } catch (e) { error = e; }
console.log(JSON.stringify({
  summary: summary(new Model(), { inputShape: [1, 3, 2] }).text,
  inspected: inspect(tensor([1, 2])),
  errorName: error.name,
  errorInspected: inspect(error).split('\\n')[0],
  isRecurrentError: error instanceof RecurrentError,
}));
`;

/** An error nobody catches, from inside the library, as a user's first mistake would be. */
const UNCAUGHT = (lang: 'esm' | 'cjs') =>
  lang === 'esm'
    ? `import { zeros } from 'recurrent';\nzeros([2, 3]).matmul(zeros([4, 5]));\n`
    : `const { zeros } = require('recurrent');\nzeros([2, 3]).matmul(zeros([4, 5]));\n`;

function tsconfig(module: string, moduleResolution: string, files: string[]): string {
  // No @types/node and no DOM: the package's types must stand on ES2022 alone.
  return JSON.stringify({
    compilerOptions: { module, moduleResolution, target: 'es2022', lib: ['es2022'], types: [], strict: true, noEmit: true, skipLibCheck: false },
    files,
  });
}

beforeAll(async () => {
  const installed = await installPacked('consumer');
  dir = installed.dir;
  console.log(`packed and installed into ${dir} in ${installed.installMs.toFixed(0)} ms`);
  writeFileSync(join(dir, 'esm.mjs'), ESM);
  writeFileSync(join(dir, 'cjs.cjs'), CJS);
  writeFileSync(join(dir, 'names.cjs'), NAMES);
  writeFileSync(join(dir, 'uncaught.mjs'), UNCAUGHT('esm'));
  writeFileSync(join(dir, 'uncaught.cjs'), UNCAUGHT('cjs'));
  writeFileSync(join(dir, 'consumer.ts'), TS_ESM);
  writeFileSync(join(dir, 'consumer.cts'), TS_CJS);
  writeFileSync(join(dir, 'tsconfig.node16.json'), tsconfig('node16', 'node16', ['consumer.ts', 'consumer.cts']));
  writeFileSync(join(dir, 'tsconfig.bundler.json'), tsconfig('esnext', 'bundler', ['consumer.ts']));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface ConsumerOutput {
  losses: number[];
  names: string[];
  same: boolean;
  sameTensorClass: boolean;
}

describe('node consumers of the installed tarball', () => {
  it.each([
    ['ESM (import)', 'esm.mjs'],
    ['CommonJS (require)', 'cjs.cjs'],
  ])('%s trains a tiny LSTM and saves it with recurrent/node', async (_, file) => {
    const out = await run(process.execPath, [file], { cwd: dir, timeoutMs: 60_000 });
    const got = JSON.parse(out.stdout.trim()) as ConsumerOutput;
    console.log(`${file}: losses ${got.losses.map((l) => l.toFixed(3)).join(' ')}`);
    expectLossFalls(got.losses, file);
    expect(got.names).toEqual(['bias_hh_l0', 'bias_ih_l0', 'weight_hh_l0', 'weight_ih_l0']);
    expect(got.same).toBe(true);
    expect(got.sameTensorClass).toBe(true);
  });

  it('keeps class names readable: summary(), console.log(tensor), error names', async () => {
    const out = await run(process.execPath, ['names.cjs'], { cwd: dir, timeoutMs: 60_000 });
    const got = JSON.parse(out.stdout.trim()) as { summary: string; inspected: string; errorName: string; errorInspected: string; isRecurrentError: boolean };
    console.log(got.summary);
    expect(got.summary).toContain('Model: "Model"');
    expect(got.summary).toMatch(/gru \(GRU\)/);
    expect(got.summary).toMatch(/head \(Linear\)/);
    expect(got.inspected).toBe('tensor([1., 2.])');
    expect(got.errorName).toBe('RecurrentError');
    expect(got.errorInspected).toMatch(/^RecurrentError: matmul: /);
    expect(got.isRecurrentError).toBe(true);
  });

  it.each(['uncaught.mjs', 'uncaught.cjs'])('%s: an uncaught error prints a short report that names the op', async (file) => {
    const failure = await run(process.execPath, [file], { cwd: dir, timeoutMs: 60_000 }).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/RecurrentError: matmul: inner sizes differ/);
    const longest = Math.max(...failure.split('\n').map((line) => line.length));
    expect(longest, `longest line of the uncaught error's output:\n${failure.slice(0, 2000)}`).toBeLessThan(300);
    expect(failure.length).toBeLessThan(4000);
  });

  it('type-checks TypeScript consumers (ESM .ts and CommonJS .cts) with node16 resolution', async () => {
    await run(join(BIN, 'tsc'), ['-p', join(dir, 'tsconfig.node16.json')], { cwd: dir, timeoutMs: 60_000 });
  });

  it('type-checks the ESM consumer with bundler resolution', async () => {
    await run(join(BIN, 'tsc'), ['-p', join(dir, 'tsconfig.bundler.json')], { cwd: dir, timeoutMs: 60_000 });
  });

  it.runIf(existsSync(join(ROOT, 'bin')))('runs the command in bin/ from the installed copy (no src/, so from dist/)', async () => {
    const installed = join(dir, 'node_modules', 'recurrent');
    expect(existsSync(join(installed, 'src'))).toBe(false);
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
    const declared = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
    const scripts = declared.length > 0 ? declared : readdirSync(join(installed, 'bin')).map((f) => `bin/${f}`);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const out = await run(process.execPath, [join(installed, script), '--help'], { cwd: dir, timeoutMs: 60_000 });
      expect(out.stdout, script).toMatch(/usage/i);
    }
  });

  it('rejects a wrong use, so the checks above are real', async () => {
    writeFileSync(join(dir, 'wrong.ts'), `import { nn } from 'recurrent';\nnew nn.LSTM({ inputSize: 'two', hiddenSize: 8 });\n`);
    writeFileSync(join(dir, 'tsconfig.wrong.json'), tsconfig('node16', 'node16', ['wrong.ts']));
    await expect(run(join(BIN, 'tsc'), ['-p', join(dir, 'tsconfig.wrong.json')], { cwd: dir, timeoutMs: 60_000 })).rejects.toThrow(/TS2322/);
  });
});
