/**
 * The real engines some tests run against: ONNX Runtime (onnxruntime-node, from the engines
 * package test/runtimes, which `npm test` installs: 288 MB that the root `npm ci` leaves out),
 * PyTorch and the ONNX reference library (Debian's python3-torch and python3-onnx under
 * /usr/bin/python3, which .ci/run installs).
 * Where an engine is missing, its suites are reported as skipped with the reason; under CI
 * (CI set) a missing engine fails instead, so CI never passes without running them.
 */
import { describe, it } from 'vitest';
import { requireFromEngines } from './engine-packages.js';
import { PYTHON, pythonImports } from './setup/python-probe.js';

export { PYTHON };

/** onnxruntime-node's API, as far as the tests use it. */
export interface Ort {
  InferenceSession: { create(model: Uint8Array): Promise<OrtSession> };
  Tensor: new (type: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: readonly number[]) => OrtTensor;
}
/** A loaded ONNX model. */
export interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  /** Each input's name, element type and dims (a string names a dynamic dim). */
  inputMetadata: readonly OrtValueMetadata[];
  outputMetadata: readonly OrtValueMetadata[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
/** What ONNX Runtime reads of a graph input or output. */
export interface OrtValueMetadata {
  name: string;
  type?: string;
  shape?: readonly (number | string)[];
}
/** An ONNX Runtime tensor. */
export interface OrtTensor {
  dims: readonly number[];
  data: Float32Array | BigInt64Array;
}

function loadOrt(): { ort: Ort | null; missing: string | null } {
  try {
    return { ort: requireFromEngines('onnxruntime-node') as Ort, missing: null };
  } catch (e) {
    return { ort: null, missing: `onnxruntime-node does not load (${(e as Error).message.split('\n')[0]}); run npm run test:engines-install` };
  }
}

const loaded = loadOrt();
/** ONNX Runtime, or null when it does not load here. */
export const ort = loaded.ort;

/** Why PyTorch cannot run here, or null when it can. */
export const torchSkipReason = pythonImports('torch') ? null : `PyTorch is not importable by ${PYTHON} (apt-get install python3-torch)`;

/**
 * Why the ONNX reference library (Debian's python3-onnx) cannot run here, or null when it can:
 * it reads what ONNX Runtime's JavaScript API does not show, such as a model's metadata_props.
 */
export const onnxPythonSkipReason = pythonImports('onnx') ? null : `the onnx package is not importable by ${PYTHON} (apt-get install python3-onnx)`;

/**
 * A describe block that needs an engine: skipped with `reason` in its name when the engine is
 * missing (reason non-null), and failing in CI and in a mutation run instead (a skipped suite
 * there would count its code as not covered, or its mutants as surviving).
 */
export function engineSuite(name: string, reason: string | null, body: () => void): void {
  if (reason !== null && (process.env.CI || process.env.MUTATION_RUN)) {
    describe(name, () => it('has its engine in CI', () => {
      throw new Error(`CI and mutation runs must run this suite, but ${reason}`);
    }));
  } else if (reason !== null) {
    describe.skip(`${name} (skipped: ${reason})`, body);
  } else {
    describe(name, body);
  }
}

/** Why ONNX Runtime cannot run here, or null when it can. */
export const ortSkipReason = loaded.missing;
