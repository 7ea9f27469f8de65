/**
 * What `npm pack` puts in the tarball: the build (dist/), the package.json and README (and
 * bin/ and LICENSE when present), the learning path (docs/) and the README's pictures
 * (examples/output/*.svg), nothing else: no sources, tests, benchmarks or fixtures. Every
 * file the package.json points at must be in it, and every file the README links to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, run } from './helpers.js';

interface PackFile {
  path: string;
  size: number;
}

let files: PackFile[] = [];
let packed = { size: 0, unpackedSize: 0 };

beforeAll(async () => {
  await ensureBuilt();
  const out = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { timeoutMs: 60_000 });
  const [info] = JSON.parse(out.stdout) as [{ files: PackFile[]; size: number; unpackedSize: number }];
  files = info.files;
  packed = { size: info.size, unpackedSize: info.unpackedSize };
  console.log(`npm pack: ${files.length} files, ${(packed.size / 1024).toFixed(0)} kB packed, ${(packed.unpackedSize / 1024).toFixed(0)} kB unpacked`);
});

describe('npm pack', () => {
  it('contains only dist/ (and package.json, README, LICENSE, bin/, docs/, the README\'s pictures)', () => {
    const allowed = /^(dist\/|bin\/|docs\/[\w-]+\.md$|examples\/output\/[\w-]+\.svg$|package\.json$|README(\.md)?$|LICENSE(\.md|\.txt)?$)/i;
    expect(files.map((f) => f.path).filter((p) => !allowed.test(p))).toEqual([]);
  });

  it('has no sources, tests, benchmarks, fixtures or build leftovers', () => {
    const forbidden = /(^|\/)(src|test|tests|bench|fixtures|scripts|node_modules|\.cache|quick)\/|^examples\/(?!output\/)|\.test\.|(?<!\.d)\.c?ts$|\.tsbuildinfo$|\.tgz$/;
    expect(files.map((f) => f.path).filter((p) => forbidden.test(p))).toEqual([]);
  });

  it("holds every file the README links to or shows, so its links and pictures work from the package", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const targets = [...readme.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t));
    expect(targets.length).toBeGreaterThan(5);
    const paths = new Set(files.map((f) => f.path));
    expect(targets.filter((t) => !paths.has(t.replace(/^\.\//, '')))).toEqual([]);
  });

  it('contains every file that package.json points at', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    const targets = new Set<string>();
    const collect = (value: unknown): void => {
      if (typeof value === 'string') targets.add(value.replace(/^\.\//, ''));
      else if (value && typeof value === 'object') Object.values(value).forEach(collect);
    };
    collect([pkg.main, pkg.module, pkg.types, pkg.exports]);
    if (pkg.bin) collect(pkg.bin);
    const paths = new Set(files.map((f) => f.path));
    expect([...targets].filter((t) => !paths.has(t))).toEqual([]);
  });

  it('ships the five bundles, each with its source map, and both flavours of types', () => {
    const paths = new Set(files.map((f) => f.path));
    for (const f of ['dist/index.js', 'dist/node.js', 'dist/index.cjs', 'dist/node.cjs', 'dist/recurrent.global.js']) {
      expect(paths.has(f), f).toBe(true);
      if (f !== 'dist/node.js') expect(paths.has(`${f}.map`), `${f}.map`).toBe(true); // node.js is a one-line forwarder
    }
    for (const f of ['dist/index.d.ts', 'dist/index.d.cts', 'dist/node.d.ts', 'dist/node.d.cts']) expect(paths.has(f), f).toBe(true);
  });
});
