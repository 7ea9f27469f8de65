/**
 * The core's shipped code uses no eval, no Function constructor and no host API of Node:
 * pages with a strict Content Security Policy, edge workers and embedded engines run it as is.
 *
 * Minified code can name a local variable `fs`, and strings and property names (`x.process`,
 * `m.eval()`) are not references, so a text search would be wrong both ways. Instead esbuild
 * parses each file with `define` entries that replace only *free* references to the names
 * below (and `globalThis.<name>`) with a marker; the markers left in its output are the real
 * references. A `typeof X` test is a guard, not a use: a file that tests `typeof X` may also
 * use X (as in `typeof performance < "u" ? performance.now() : Date.now()`). Through
 * `globalThis`, an optional access is a guard too: `globalThis.performance?.now?.()` is
 * undefined where there is no `performance`, while a bare `performance?.now()` throws a
 * ReferenceError there (optional chaining does not guard an undeclared name).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { transform } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from './helpers.js';

/** Never allowed, guarded or not. */
const NEVER = ['eval', 'Function'];
/** Host APIs the core must not touch unless it tests for them first. */
const HOST = ['process', 'Buffer', 'require', 'fs', 'performance', 'global', '__dirname', '__filename', 'setImmediate', 'Deno', 'Bun'];

interface Finding {
  file: string;
  name: string;
  context: string;
}

/** The core's files: the global bundle, the CommonJS core chunk, and every ESM module but dist/node/. */
function coreFiles(): string[] {
  const dist = join(ROOT, 'dist');
  const out: string[] = [join(dist, 'recurrent.global.js')];
  for (const f of readdirSync(dist)) if (/^core-.*\.cjs$/.test(f)) out.push(join(dist, f));
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (path !== join(dist, 'node')) walk(path);
      } else if (entry.name.endsWith('.js') && path !== join(dist, 'node.js') && path !== join(dist, 'recurrent.global.js')) out.push(path);
    }
  };
  walk(dist);
  return out;
}

async function scan(file: string): Promise<Finding[]> {
  // CommonJS chunks link to their sibling chunks with require('./core-<hash>.cjs'): the
  // bundler's own module linkage (as import is for ESM), not a use of Node's require.
  const source = readFileSync(file, 'utf8').replace(/\brequire\((["'])\.\/core-[\w-]+\.cjs\1\)/g, '{}');
  return scanCode(source, relative(ROOT, file));
}

async function scanCode(source: string, name: string): Promise<Finding[]> {
  const define: Record<string, string> = {};
  for (const name of [...NEVER, ...HOST]) {
    define[name] = `__FORBIDDEN_${name}__`;
    define[`globalThis.${name}`] = `__GLOBAL_${name}__`;
  }
  const { code } = await transform(source, { define, loader: 'js', treeShaking: false, minify: false, logLevel: 'silent' });
  const findings: Finding[] = [];
  for (const match of code.matchAll(/(typeof\s+)?__(FORBIDDEN|GLOBAL)_(\w+?)__(\?\.)?/g)) {
    const [, typeofGuard, kind, id] = match as unknown as [string, string | undefined, string, string, string | undefined];
    const optional = match[4] !== undefined;
    const fileGuards = code.includes(`typeof __FORBIDDEN_${id}__`) || code.includes(`typeof __GLOBAL_${id}__`);
    const guarded = HOST.includes(id) && (typeofGuard !== undefined || fileGuards || (kind === 'GLOBAL' && optional));
    if (!guarded) findings.push({ file: name, name: id, context: code.slice(Math.max(0, match.index - 60), match.index + 60).replace(/\s+/g, ' ') });
  }
  // Modules: the core imports only its own files (relative paths), never node: or a package.
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g)) {
    if (!m[1]!.startsWith('./') && !m[1]!.startsWith('../')) findings.push({ file: name, name: `import ${m[1]}`, context: m[0] });
  }
  return findings;
}

let files: string[] = [];
let findings: Finding[] = [];

beforeAll(async () => {
  await ensureBuilt();
  files = coreFiles();
  findings = (await Promise.all(files.map(scan))).flat();
});

describe('scan of the core bundles', () => {
  it('covers the global bundle, the CommonJS core and the ESM modules', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(files.some((f) => f.endsWith('dist/index.js'))).toBe(true);
  });

  it('finds no eval and no Function constructor', () => {
    expect(findings.filter((f) => NEVER.includes(f.name))).toEqual([]);
  });

  it('finds no unguarded Node or host API (process, Buffer, require, fs, performance, ...)', () => {
    expect(findings.filter((f) => !NEVER.includes(f.name))).toEqual([]);
  });

  it('detects what it looks for (the scanner itself)', async () => {
    const probe =
      'class M{eval(){}} function f(fs){return fs} new M().eval(); const s="process.env"; ' +
      'eval("1"); new Function("x"); Buffer.from([]); globalThis.process; require("x"); import("node:fs");' +
      'typeof performance<"u"&&performance.now(); globalThis.setImmediate?.(f); Buffer?.from; globalThis.fs.readFileSync;';
    const found = (await scanCode(probe, 'probe.js')).map((f) => f.name).sort();
    expect(found).toEqual(['Buffer', 'Buffer', 'Function', 'eval', 'fs', 'import node:fs', 'process', 'require'].sort());
  });
});
