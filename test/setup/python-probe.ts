/**
 * Whether Debian's Python (/usr/bin/python3) imports a module (torch, onnx), asked once per
 * test run: importing torch takes a second of a core, which every test file (and, in a
 * mutation run, every mutant's run) reading test/engines.ts would otherwise pay again. As a
 * vitest globalSetup it asks before the workers start and leaves each answer in the
 * environment, which the workers inherit; outside one, the first question asks Python.
 */
import { spawnSync } from 'node:child_process';

/** The Python with PyTorch and ONNX the tests run. */
export const PYTHON = '/usr/bin/python3';

/** Whether {@link PYTHON} imports `module` (the answer is kept in RECURRENT_TEST_PYTHON_<MODULE>). */
export function pythonImports(module: string): boolean {
  const key = `RECURRENT_TEST_PYTHON_${module.toUpperCase()}`;
  const known = process.env[key];
  if (known === 'yes' || known === 'no') return known === 'yes';
  const imports = spawnSync(PYTHON, ['-c', `import ${module}`], { timeout: 60_000 }).status === 0;
  process.env[key] = imports ? 'yes' : 'no';
  return imports;
}

export default function setup(): void {
  pythonImports('torch');
  pythonImports('onnx');
}
