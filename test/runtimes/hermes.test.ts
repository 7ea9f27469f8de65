/**
 * React Native's engine: Hermes has no WebAssembly and reaches code only through React
 * Native's Babel preset. test/runtimes/hermes-app.js (on the ESM build) is bundled as Metro
 * would (esbuild joins the modules, then @react-native/babel-preset transforms the bundle) and
 * run by the Hermes VM of hermes-engine-cli (Hermes 0.12, which has no class syntax: the
 * preset's 'default' profile lowers classes; its 'hermes-stable' profile keeps them for Hermes
 * V1). There it trains an LSTM on the JS kernels with the losses Node's JS kernels give, saves
 * and reloads safetensors to the same outputs, and setBackend('wasm') says why it cannot.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { requireFromEngines } from '../engine-packages.js';
import { expectClose } from '../helpers.js';
import { FAST_VS_REFERENCE } from '../tolerances.js';
import { engineBinary, ensureBuilt, expectLossFalls, ROOT, run } from './helpers.js';

interface AppOutput {
  wasm: { recurrentError: boolean; message: string } | null;
  losses: number[];
  bytes: number;
  differentBefore: boolean;
  saved: number[];
  reloaded: number[];
}

const dir = mkdtempSync(join(tmpdir(), 'recurrent-hermes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const app = join(dir, 'app.js');

beforeAll(async () => {
  await ensureBuilt();
  const bundle = await build({ entryPoints: [join(ROOT, 'test', 'runtimes', 'hermes-app.js')], bundle: true, format: 'iife', platform: 'neutral', write: false, logLevel: 'warning' });
  const babel = requireFromEngines('@babel/core') as { transformAsync(code: string, options: object): Promise<{ code: string }> };
  const preset = [requireFromEngines.resolve('@react-native/babel-preset'), { unstable_transformProfile: 'default', dev: false, enableBabelRuntime: false }];
  const out = await babel.transformAsync(bundle.outputFiles[0]!.text, { presets: [preset], babelrc: false, configFile: false, sourceType: 'script' });
  writeFileSync(app, out.code);
}, 180_000);

it('has no class static block in dist/, which the preset cannot lower (Metro without package exports resolves main: dist/index.cjs)', () => {
  const files = readdirSync(join(ROOT, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => /\.c?js$/.test(f));
  expect(files.length).toBeGreaterThan(10);
  expect(files.filter((f) => /\bstatic\s*\{/.test(readFileSync(join(ROOT, 'dist', f), 'utf8')))).toEqual([]);
});

const runApp = async (command: string): Promise<AppOutput> => JSON.parse((await run(command, [app], { timeoutMs: 60_000 })).stdout.trim()) as AppOutput;

it("trains an LSTM on the JS kernels in Hermes, with Node's losses; safetensors round-trips; no wasm backend, and it says why", async () => {
  const [hermes, node] = [await runApp(engineBinary('hermes')), await runApp(process.execPath)];
  expect(hermes.wasm).toEqual({ recurrentError: true, message: "setBackend: the 'wasm' backend cannot run here: this engine has no WebAssembly" });
  expect(node.wasm).toBeNull();
  expectLossFalls(hermes.losses, 'hermes');
  expectClose(hermes.losses, node.losses, FAST_VS_REFERENCE, 'Hermes losses against Node, both on the JS kernels');
  expect(hermes.bytes).toBe(node.bytes);
  expect(hermes.differentBefore).toBe(true);
  expect(hermes.reloaded).toEqual(hermes.saved);
  expectClose(hermes.saved, node.saved, FAST_VS_REFERENCE, 'Hermes LSTM outputs against Node');
});
