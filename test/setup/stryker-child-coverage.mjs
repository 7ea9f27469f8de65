// Loaded (node --import, through NODE_OPTIONS) into every process a test starts during the
// dry run of a mutation run: on exit it writes the mutants the instrumented code reached in
// this process, as Stryker counts them, to a file that test/setup/stryker-children.ts reads.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

process.on('exit', () => {
  const dir = process.env.STRYKER_CHILD_COVERAGE;
  const coverage = globalThis[process.env.STRYKER_NAMESPACE ?? '']?.mutantCoverage;
  if (coverage === undefined || dir === undefined) return;
  const counts = { ...coverage.static };
  for (const test of Object.values(coverage.perTest)) for (const [id, hits] of Object.entries(test)) counts[id] = (counts[id] ?? 0) + hits;
  writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify(counts));
});
