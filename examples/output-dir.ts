/**
 * Where an example writes its charts: examples/output/ for a full run (the pictures the README
 * shows, kept in git), examples/output/quick/ for a `--quick` run (ignored by git, so the
 * README's commands and the tests leave the committed pictures alone).
 */
import { fileURLToPath } from 'node:url';

/** The default output folder of an example run. */
export function defaultOutDir(quick: boolean): string {
  return fileURLToPath(new URL(quick ? './output/quick/' : './output/', import.meta.url));
}
