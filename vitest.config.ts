import { defineConfig } from 'vitest/config';

/**
 * Every test runs on the WebAssembly backend (the default where it can run); the numerical
 * ones (fixtures, gradient checks, properties, training) run again on the scalar JS kernels
 * and on the WebAssembly backend with two threads, all held to the same tolerances.
 */
const NUMERICAL = [
  'test/autograd/**/*.test.ts',
  'test/kernels/**/*.test.ts',
  'test/nn/**/*.test.ts',
  'test/optim/**/*.test.ts',
  'test/rnn/**/*.test.ts',
  'test/tensor/**/*.test.ts',
  'test/train/**/*.test.ts',
  'test/reliability/determinism.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The kernel worker bundled for Node's threads; the run fails when a test changed the git
    // working tree (test/global/git-clean.ts).
    globalSetup: ['test/setup/kernel-worker.ts', 'test/setup/python-probe.ts', 'test/global/git-clean.ts'],
    pool: 'threads',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'wasm', include: ['test/**/*.test.ts'], setupFiles: ['test/setup/backend-wasm.ts'] } },
      { extends: true, test: { name: 'js', include: NUMERICAL, setupFiles: ['test/setup/backend-js.ts'] } },
      // Fixtures, gradient checks and layer properties; not the training comfort and tensor
      // algebra tests, which never reach a parallel path.
      { extends: true, test: { name: 'threads', include: NUMERICAL.filter((p) => !/train|tensor/.test(p)), setupFiles: ['test/setup/threads.ts'] } },
    ],
  },
});
