/**
 * Every TypeScript block in README.md runs as written: each is bundled with `recurrent`
 * resolved to this checkout's source, then imported. A block that throws fails the test.
 */
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const root = resolve(__dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const dir = mkdtempSync(join(tmpdir(), 'recurrent-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README examples run as written', () => {
  it('has examples', () => expect(blocks.length).toBeGreaterThan(0));
  blocks.forEach((code, i) => {
    const title = code.split('\n').find((l) => l.startsWith('//')) ?? code.split('\n')[0];
    it(`block ${i + 1}: ${title}`, async () => {
      const outfile = join(dir, `block${i}.mjs`);
      await build({
        stdin: { contents: code, loader: 'ts', resolveDir: root },
        bundle: true,
        format: 'esm',
        platform: 'node',
        outfile,
        alias: { 'recurrent/node': join(root, 'src/node/index.ts'), recurrent: join(root, 'src/index.ts') },
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
});
