/**
 * The guard that keeps `npm test` from changing the git tree (git-clean.ts, vitest's global
 * setup), on a scratch repository; and the places the README's commands write to are ignored.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { defaultOutDir } from '../../examples/output-dir.js';
import { treeChanges, treeState } from './git-clean.js';

const ROOT = join(import.meta.dirname, '..', '..');

it('sees a rewritten tracked file and a new unignored file, and not an ignored one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'git-clean-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  writeFileSync(join(dir, '.gitignore'), 'out/\n');
  writeFileSync(join(dir, 'chart.svg'), '<svg/>');
  git('add', '.');
  git('commit', '-qm', 'init');
  const before = treeState(dir)!;
  execFileSync('mkdir', ['-p', join(dir, 'out')]);
  writeFileSync(join(dir, 'out', 'chart.svg'), 'ignored');
  expect(treeChanges(before, treeState(dir)!)).toBe('');
  writeFileSync(join(dir, 'chart.svg'), '<svg>changed</svg>');
  expect(treeChanges(before, treeState(dir)!)).toContain('chart.svg');
  // A file already modified before the run and modified again is a change too.
  const dirty = treeState(dir)!;
  writeFileSync(join(dir, 'chart.svg'), '<svg>again</svg>');
  expect(treeChanges(dirty, treeState(dir)!)).toContain('chart.svg');
  writeFileSync(join(dir, 'new.txt'), 'x');
  expect(treeChanges(dirty, treeState(dir)!)).toContain('?? new.txt');
});

it('sends quick example runs and screenshots to ignored folders, full runs to the committed charts', () => {
  const ignored = (path: string) => {
    try {
      execFileSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: ROOT, stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  expect(ignored(join(defaultOutDir(true), 'sine.svg'))).toBe(true);
  expect(ignored(join(defaultOutDir(false), 'sine.svg'))).toBe(false);
  expect(ignored(join(ROOT, 'test', 'plot', '__screenshots__', 'line-chart.png'))).toBe(true);
  expect(ignored(join(ROOT, 'test', 'runtimes', '__screenshots__', 'live-page.png'))).toBe(true);
});
