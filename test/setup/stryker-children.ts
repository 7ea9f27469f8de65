/**
 * Setup file of mutation runs (vitest.mutate.config.ts): carries Stryker's mutant switching
 * into the processes a test starts (the CLI as a process), so that code which only runs there
 * (src/node/cli/torch-export.ts) is mutated and covered like the rest. In a mutant run the
 * active mutant goes to child processes through the variable the instrumented code reads;
 * in the dry run each child loads stryker-child-coverage.mjs, which writes the mutants it
 * reached to a file on exit, and the hooks here count them for the test that started it (or,
 * when a beforeAll started it, for every test of the file, as Stryker does for in-process code).
 * Outside Stryker (no mode provided) it does nothing.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, inject } from 'vitest';

type Counts = Record<string, number>;
interface Namespace {
  activeMutant?: string;
  currentTestId?: string;
  mutantCoverage?: { static: Counts; perTest: Record<string, Counts> };
}

const mode = (inject as (key: string) => unknown)('mode');
const name = (inject as (key: string) => unknown)('globalNamespace');
const ACTIVE = '__STRYKER_ACTIVE_MUTANT__';

if (mode === 'mutant') {
  process.env[ACTIVE] = String((inject as (key: string) => unknown)('activeMutant'));
} else if (mode === 'dry-run' && typeof name === 'string') {
  delete process.env[ACTIVE];
  const dir = mkdtempSync(join(tmpdir(), 'stryker-children-'));
  const preload = fileURLToPath(new URL('./stryker-child-coverage.mjs', import.meta.url));
  process.env['STRYKER_CHILD_COVERAGE'] = dir;
  process.env['STRYKER_NAMESPACE'] = name;
  process.env['NODE_OPTIONS'] = `${process.env['NODE_OPTIONS'] ?? ''} --import=${preload}`.trim();
  const ns = (): Namespace => ((globalThis as Record<string, unknown>)[name] ??= {}) as Namespace;
  /** Adds the counts the finished children wrote to `into` and deletes their files. */
  const collect = (into: (coverage: NonNullable<Namespace['mutantCoverage']>) => Counts): void => {
    for (const file of readdirSync(dir)) {
      const counts = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Counts;
      rmSync(join(dir, file));
      const coverage = (ns().mutantCoverage ??= { static: {}, perTest: {} });
      const target = into(coverage);
      // A mutant in code that ran here when its module loaded is static for the child too: a
      // child loads every module anew, but the tests that start children are not the ones that
      // check what module-load code sets up, so credited to them it would run only them (and
      // survive) instead of being ignored like every other static mutant.
      for (const [id, hits] of Object.entries(counts)) {
        const to = id in coverage.static ? coverage.static : target;
        to[id] = (to[id] ?? 0) + hits;
      }
    }
  };
  const forTest = (coverage: NonNullable<Namespace['mutantCoverage']>): Counts => {
    const id = ns().currentTestId;
    return id === undefined ? coverage.static : (coverage.perTest[id] ??= {});
  };
  beforeEach(() => collect((coverage) => coverage.static));
  afterEach(() => collect(forTest));
  afterAll(() => {
    collect((coverage) => coverage.static);
    rmSync(dir, { recursive: true, force: true });
  });
}
