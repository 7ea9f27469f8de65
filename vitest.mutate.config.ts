import { defineConfig } from 'vitest/config';

/**
 * The test set of a mutation run (`npm run mutate`, stryker.config.mjs): the tests that reach
 * the mutated code, on the WebAssembly backend (the kernels' tests on the scalar JS kernels
 * too, the safetensors tests only there). Stryker runs it in its sandbox copy of the checkout (.stryker-tmp/), where the git-clean
 * check of vitest.config.ts has nothing to guard: a mutated copy is not the working tree.
 * The threads project is left out: per-test coverage does not see what runs in a kernel
 * worker thread.
 */
const WASM = [
  'test/onnx/**/*.test.ts',
  'test/kernels/**/*.test.ts',
  'test/fuzz/**/*.test.ts',
  'test/train/checkpoint.test.ts',
  'test/train/checkpoint-refusals.test.ts',
  'test/train/checkpoint-hostile.test.ts',
  'test/train/checkpoint-restorable.test.ts',
  'test/train/restore-outputs.test.ts',
  'test/train/callbacks.test.ts',
  'test/train/callbacks-refusals.test.ts',
  'test/train/fit.test.ts',
  'test/cli/run-checkpoint.test.ts',
  'test/cli/export-refusals.test.ts',
  'test/cli/export-hyperparameters.test.ts',
  'test/cli/generated-code.test.ts',
  'test/cli/hostile-runs.test.ts',
];
// The safetensors tests never reach a kernel: they run on the JS backend, which saves each
// mutant's run the seconds of building the WebAssembly module.
const JS = ['test/kernels/**/*.test.ts', 'test/io/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    // Stryker starts a fresh worker for each mutant's run, so the test files of one run may
    // share it: the library loads once per run instead of once per file (heap.ts: 3.5 -> 2.1 min).
    isolate: false,
    hookTimeout: 120_000,
    globalSetup: ['test/setup/kernel-worker.ts', 'test/setup/python-probe.ts'],
    // Instrumented code is many times slower, and every mutant a test reaches pays for it: in
    // its run when it survives, and in its timeout (1.5 times the reaching tests' time) when it
    // hangs. So in a mutation run, tests that measure the cost of huge inputs skip themselves,
    // the safetensors fuzzer runs 500 files instead of 10,000, the heap test 100 training steps
    // instead of 1,000, the long-sequence layer test 60 steps instead of 300, and the
    // differential fuzzer (it reaches nearly every kernel) 30 programs instead of 100.
    // (FUZZ_RUNS, the long-soak switch, stays unset.) A failing property stops without
    // shrinking (mutation-fast-check.ts).
    env: { MUTATION_RUN: '1', RECURRENT_FUZZ_RUNS: '30' },
    projects: [
      { extends: true, test: { name: 'wasm', include: WASM, setupFiles: ['test/setup/backend-wasm.ts', 'test/setup/stryker-children.ts', 'test/setup/mutation-fast-check.ts'] } },
      { extends: true, test: { name: 'js', include: JS, setupFiles: ['test/setup/backend-js.ts', 'test/setup/stryker-children.ts', 'test/setup/mutation-fast-check.ts'] } },
    ],
  },
});
