/**
 * The other engines' binaries (bun, deno, workerd: about 350 MB) are not devDependencies of
 * the root package, so `npm ci && npm run demo` does not download them; test/runtimes pins
 * them in its own package.json and lockfile, which `npm test` installs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { engineBinary, ROOT } from './helpers.js';

const ENGINES = ['bun', 'deno', 'workerd'] as const;
const json = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as { devDependencies?: Record<string, string>; packages: Record<string, { version?: string; devDependencies?: Record<string, string> }> };

it('keeps the engines out of the root package and its lockfile', () => {
  const root = json('package.json');
  const lock = json('package-lock.json');
  for (const name of ENGINES) expect(root.devDependencies?.[name], name).toBeUndefined();
  const heavy = Object.keys(lock.packages).filter((k) => /node_modules\/(bun|deno|workerd|@oven\/|@deno\/|@cloudflare\/workerd)/.test(k));
  expect(heavy).toEqual([]);
});

it('pins each engine to one exact version in test/runtimes, installed where the tests look', () => {
  const pkg = json('test/runtimes/package.json');
  const lock = json('test/runtimes/package-lock.json');
  for (const name of ENGINES) {
    const version = pkg.devDependencies?.[name];
    expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
    expect(lock.packages[`node_modules/${name}`]?.version, name).toBe(version);
    expect(engineBinary(name)).toContain(join('test', 'runtimes', 'node_modules'));
  }
});
