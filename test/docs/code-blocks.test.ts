/**
 * The documentation cannot drift from the code:
 *  - every TypeScript block in README.md and docs/*.md runs as written (bundled with
 *    `recurrent` resolved to this checkout's source) and imports only from the package's
 *    entries, node: modules or onnxruntime-node (the engine a page deploys to), so a reader
 *    can save it as a file in their own project and run it;
 *  - every link to a file exists, every `#L<n>` anchor is inside the file, and when the link
 *    text names a symbol in backticks, that line contains it.
 */
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { requireFromEngines } from '../engine-packages.js';

const root = resolve(__dirname, '../..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const work = mkdtempSync(join(tmpdir(), 'recurrent-docs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

for (const page of pages) {
  const text = readFileSync(join(root, page), 'utf8');
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  const links = [...text.matchAll(/\[([^\]]+)\]\(([^)#\s]+)(?:#L(\d+))?\)/g)].filter(([, , target]) => !/^[a-z]+:/.test(target));

  describe(page, () => {
    blocks.forEach((code, i) => {
      const title = code.split('\n').find((l) => l.startsWith('//')) ?? code.split('\n')[0];
      it(`code block ${i + 1} imports only from the package, so a user can save it as try.ts: ${title}`, () => {
        const sources = [...code.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
        expect(sources.filter((s) => !/^(recurrent(\/node|\/plot|\/onnx|\/browser)?|node:[\w/]+|onnxruntime-node)$/.test(s!))).toEqual([]);
      });
      it(`code block ${i + 1} runs: ${title}`, async () => {
        const outfile = join(work, `${page.replace(/\W/g, '_')}_${i}.mjs`);
        await build({
          stdin: { contents: code, loader: 'ts', resolveDir: dirname(join(root, page)) },
          bundle: true,
          format: 'esm',
          platform: 'node',
          outfile,
          alias: {
            'recurrent/node': join(root, 'src/node/index.ts'),
            'recurrent/onnx': join(root, 'src/onnx/index.ts'),
            'recurrent/plot': join(root, 'src/plot/index.ts'),
            'recurrent/browser': join(root, 'src/browser/index.ts'),
            recurrent: join(root, 'src/index.ts'),
          },
          // Packages the pages use beside recurrent (onnxruntime-node, a native addon) load from the engines package.
          plugins: [{ name: 'engine-packages', setup: (b) => b.onResolve({ filter: /^onnxruntime-node$/ }, () => ({ path: requireFromEngines.resolve('onnxruntime-node'), external: true })) }],
          logLevel: 'silent',
        });
        const log = vi.spyOn(console, 'log').mockImplementation(() => {});
        try {
          await import(pathToFileURL(outfile).href);
        } finally {
          log.mockRestore();
        }
      });
    });

    if (links.length > 0) {
      it('links point at existing files, lines and symbols', () => {
        for (const [, label, target, line] of links) {
          const file = resolve(dirname(join(root, page)), target);
          expect(existsSync(file), `${page}: ${target} does not exist`).toBe(true);
          if (line === undefined) continue;
          const lines = readFileSync(file, 'utf8').split('\n');
          const n = Number(line);
          expect(n, `${page}: ${target}#L${line} is past the end`).toBeLessThanOrEqual(lines.length);
          const symbol = label.match(/^`([\w.]+)`$/)?.[1];
          if (symbol) expect(lines[n - 1], `${page}: ${target}#L${line} should show ${symbol}`).toContain(symbol);
        }
      });
    }
  });
}
