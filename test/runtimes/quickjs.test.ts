/**
 * QuickJS (compiled to WebAssembly by quickjs-emscripten): an interpreter with no JIT and no
 * host API at all (no console, no TextEncoder, no performance). The global bundle must load
 * and train there, and give Node's numbers.
 *
 * QuickJS lacks TextEncoder/TextDecoder, which src/io/safetensors.ts and src/io/header.ts use
 * for the header; the safetensors check below installs a small strict UTF-8 codec in the
 * context first (the GRU forward and training step need none).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getQuickJS, shouldInterruptAfterDeadline, type QuickJSContext, type QuickJSRuntime } from 'quickjs-emscripten';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../helpers.js';
import { FAST_VS_REFERENCE } from '../tolerances.js';
import { ensureBuilt, ROOT, runWorkload } from './helpers.js';

interface TrainStep {
  loss: number;
  lossAfter: number;
  gradNorms: number[];
  weightIh: number[];
}

let runtime: QuickJSRuntime;
let vm: QuickJSContext;

/** Evaluates code in the QuickJS context and returns its (JSON-able) value. */
function evaluate<T>(code: string, filename = 'eval.js'): T {
  const handle = vm.unwrapResult(vm.evalCode(code, filename));
  try {
    return vm.dump(handle) as T;
  } finally {
    handle.dispose();
  }
}

let loadMs = 0;

beforeAll(async () => {
  await ensureBuilt();
  const QuickJS = await getQuickJS();
  runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(512 * 1024 * 1024);
  runtime.setMaxStackSize(4 * 1024 * 1024);
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + 90_000)); // no run may hang the suite
  vm = runtime.newContext();
  const started = performance.now();
  evaluate(readFileSync(join(ROOT, 'dist', 'recurrent.global.js'), 'utf8'), 'recurrent.global.js');
  evaluate(readFileSync(join(ROOT, 'test', 'runtimes', 'workloads.js'), 'utf8'), 'workloads.js');
  loadMs = performance.now() - started;
});

afterAll(() => {
  vm?.dispose();
  runtime?.dispose();
});

describe('QuickJS (no JIT, no host API)', () => {
  it('loads the global bundle as `recurrent` in a bare context', () => {
    expect(evaluate<string>('typeof recurrent.nn.GRU + " " + typeof TextDecoder + " " + typeof console')).toBe('function undefined undefined');
    console.log(`QuickJS: global bundle parsed and run in ${loadMs.toFixed(0)} ms`);
  });

  it("runs the scalar JS kernels, and setBackend('wasm') says why it cannot", () => {
    const got = evaluate<string>(`(() => {
      const before = recurrent.getBackend();
      let error = 'no error';
      try { recurrent.setBackend('wasm'); } catch (e) { error = e.name + ': ' + e.message; }
      return before + ' | ' + error + ' | ' + recurrent.getBackend();
    })()`);
    expect(got).toBe("js | RecurrentError: setBackend: the 'wasm' backend cannot run here: this engine has no WebAssembly | js");
  });

  it("runs a GRU forward and one Adam training step, and gets Node's numbers", async () => {
    const started = performance.now();
    const got = JSON.parse(evaluate<string>('JSON.stringify(recurrentWorkloads.gruTrainStep(recurrent))')) as TrainStep;
    const quickMs = performance.now() - started;
    const node = await runWorkload<TrainStep>('node', 'gruTrainStep');
    console.log(`QuickJS GRU train step: ${quickMs.toFixed(0)} ms (Node ${node.ms.toFixed(1)} ms); loss ${got.loss} -> ${got.lossAfter}`);
    expect(Number.isFinite(got.loss) && Number.isFinite(got.lossAfter)).toBe(true);
    expect(got.lossAfter).toBeLessThan(got.loss);
    // Same float32 program on two engines: only the last bits of Math.exp/tanh may differ.
    expectClose([got.loss, got.lossAfter], [node.result.loss, node.result.lossAfter], FAST_VS_REFERENCE, 'loss');
    expectClose(got.gradNorms, node.result.gradNorms, FAST_VS_REFERENCE, 'gradient norms');
    expectClose(got.weightIh, node.result.weightIh, FAST_VS_REFERENCE, 'weights after the step');
  });

  it('trains the LSTM workload with falling losses equal to Node\u2019s', async () => {
    const got = JSON.parse(evaluate<string>('JSON.stringify(recurrentWorkloads.trainLstm(recurrent, 8))')) as number[];
    const node = await runWorkload<number[]>('node', 'trainLstm', 8);
    expectClose(got, node.result, FAST_VS_REFERENCE, 'LSTM losses');
    expect(got[7]).toBeLessThan(got[0]!);
  });

  it('round-trips safetensors with no TextEncoder/TextDecoder in the runtime (the core brings its own UTF-8)', () => {
    expect(evaluate<string>('typeof TextEncoder + " " + typeof TextDecoder')).toBe('undefined undefined');
    const got = JSON.parse(evaluate<string>('JSON.stringify(recurrentWorkloads.safetensorsRoundTrip(recurrent))')) as { same: boolean; names: string[] };
    expect(got.same).toBe(true);
    expect(got.names).toEqual(['bias_hh_l0', 'bias_ih_l0', 'weight_hh_l0', 'weight_ih_l0']);
  });
});
