// Mutation testing (`npm run mutate`; how to run it and treat survivors: docs/mutation-testing.md).
// Stryker copies the checkout to .stryker-tmp/, instruments the files below there, runs the
// tests of vitest.mutate.config.ts once to learn which tests reach which mutant (per-test
// coverage), then runs only those tests against each mutant. `npm run mutate -- FILE...` (or
// MUTATE="FILE,...") mutates only the named files and runs only their tests (TESTS below).

/** The files `npm run mutate` mutates, and the tests that cover each. */
const TESTS = {
  'src/kernels/**/*.ts': ['test/kernels/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
  'src/io/**/*.ts': ['test/io/**/*.test.ts'],
  // test/onnx reaches the exporter in-process (the CLI's --onnx, in test/cli/export.test.ts, trains three models first).
  'src/onnx/**/*.ts': ['test/onnx/**/*.test.ts'],
  'src/train/checkpoint.ts': ['test/train/checkpoint.test.ts', 'test/train/checkpoint-refusals.test.ts', 'test/train/checkpoint-hostile.test.ts', 'test/train/checkpoint-restorable.test.ts', 'test/train/restore-outputs.test.ts', 'test/train/callbacks.test.ts'],
  'src/train/callbacks.ts': ['test/train/callbacks.test.ts', 'test/train/callbacks-refusals.test.ts', 'test/train/restore-outputs.test.ts', 'test/train/fit.test.ts'],
  // test/cli/export.test.ts runs the exported files in ONNX Runtime and PyTorch, after training three models as
  // processes (instrumented: tens of seconds per mutant): these read the same files in-process or from one small run.
  'src/node/cli/run-checkpoint.ts': ['test/cli/run-checkpoint.test.ts', 'test/cli/export-refusals.test.ts', 'test/cli/hostile-runs.test.ts'],
  'src/node/cli/torch-export.ts': ['test/cli/run-checkpoint.test.ts', 'test/cli/generated-code.test.ts', 'test/cli/export-hyperparameters.test.ts'],
};

const named = process.env.MUTATE?.split(',').filter((f) => f !== '') ?? [];
const mutate = named.length > 0 ? named : Object.keys(TESTS);
/** The tests of a file or glob: those of the TESTS entry it falls under (a folder glob covers its files). */
const testsOf = (file) => Object.entries(TESTS).find(([glob]) => file === glob || file.startsWith(glob.replace(/\*\*\/\*\.ts$/, '')))?.[1];
const tests = mutate.map(testsOf);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  mutate,
  // A file outside TESTS runs the whole test set of vitest.mutate.config.ts.
  ...(tests.every((t) => t !== undefined) ? { testFiles: [...new Set(tests.flat())] } : {}),
  // Not copied to the sandbox: outputs and caches a run does not need.
  ignorePatterns: ['dist', '.cache', 'runs', 'reports', 'test/runtimes/node_modules', 'bench/peers/node_modules', 'tools/mutate/node_modules', 'examples/output'],
  coverageAnalysis: 'perTest',
  // A mutant in code that runs only when a module loads (a table, a constant) needs every test
  // run again in a fresh process; those are left out, and listed as ignored in the report.
  ignoreStatic: true,
  concurrency: 2,
  // A mutant whose tests run past 1.5 times their time in the dry run, plus 2 s, plus the dry
  // run's overhead (the time it spent outside tests: 7.7 s for everything) counts as a timeout:
  // a loop the slip made endless. Those cost more than half of a cold run's time, and the
  // dry run's times are already generous (it also counts which test reaches which mutant).
  timeoutFactor: 1.5,
  timeoutMS: 2000,
  dryRunTimeoutMinutes: 30,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // Stryker rewrites tsconfig.json's outside paths with the TypeScript compiler API, which
  // TypeScript 7 (native) does not have; tsconfig.json names nothing outside the checkout, so
  // a file name that does not exist turns the rewrite off.
  tsconfigFile: 'no-tsconfig-rewrite.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
