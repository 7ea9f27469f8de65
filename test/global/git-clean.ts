/**
 * Vitest global setup: the test run must not change the git working tree. Tests write to the
 * system's temporary folder or to ignored folders (dist/, .cache/, runs/, screenshots), so
 * `git status` after `npm test` is what it was before. The teardown compares the two and
 * fails the run, naming the paths, when a test wrote a tracked file or left an unignored one.
 * Outside a git checkout (a source tarball) there is nothing to compare.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `git status` of the tree plus a digest of the changes to tracked files, or null without git. */
export function treeState(root = ROOT): { status: string; diff: string } | null {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    git('rev-parse', '--is-inside-work-tree');
  } catch {
    return null;
  }
  return { status: git('status', '--porcelain=v1', '--untracked-files=all'), diff: createHash('sha256').update(git('diff', '--binary', 'HEAD')).digest('hex') };
}

/** What changed between two states, as text for the failure message ('' when nothing did). */
export function treeChanges(before: { status: string; diff: string }, after: { status: string; diff: string }): string {
  const old = new Set(before.status.split('\n'));
  const added = after.status.split('\n').filter((line) => line !== '' && !old.has(line));
  if (added.length > 0) return added.join('\n');
  return before.diff === after.diff ? '' : after.status;
}

export default function setup(): () => void {
  const before = treeState();
  return () => {
    if (before === null) return;
    const after = treeState();
    const changes = after === null ? '' : treeChanges(before, after);
    if (changes !== '') {
      // Vitest reports an error thrown here but still exits 0: set the exit code too.
      process.exitCode = 1;
      throw new Error(`the test run changed the git working tree (tests must write to ignored folders or the temporary folder):\n${changes}`);
    }
  };
}
