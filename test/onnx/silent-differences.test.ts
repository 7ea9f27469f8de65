/**
 * ONNX exports that would silently differ from the library, run in the real ONNX Runtime:
 *  - one Tensor given twice in `example` (one zeros tensor for h0 and c0) binds two inputs;
 *  - max / min over entries holding NaN give NaN, and a mean over an empty dim NaN, as here;
 *  - values read from the inputs outside the ops (an item() as a narrow start, clamp bounds,
 *    indices, a branch or a loop count computed from data) are refused, naming what differs;
 *  - names: a seeded fuzz of hostile input, output and graph names, each either read back
 *    exactly by ONNX Runtime or refused (NUL, lone surrogates) with a RecurrentError.
 */
import { expect, it } from 'vitest';
import { nn, randn, RecurrentError, Tensor, zeros } from '../../src/index.js';
import { exportOnnx } from '../../src/onnx/index.js';
import { engineSuite, ort, ortSkipReason, type OrtTensor } from '../engines.js';
import { expectRejected } from '../helpers.js';
import { LAYER } from '../tolerances.js';
import { Fn } from './fn-model.js';

/** Runs an exported model in ONNX Runtime on float inputs, by the session's input order. */
async function runOrt(bytes: Uint8Array, inputs: Tensor[]): Promise<Record<string, OrtTensor>> {
  const session = await ort!.InferenceSession.create(bytes);
  return session.run(Object.fromEntries(session.inputNames.map((name, i) => [name, new ort!.Tensor('float32', inputs[i].data, inputs[i].shape)])));
}

/** The same shape, NaN at the same places, and the other entries within LAYER's tolerance. */
function expectSameValues(actual: OrtTensor, expected: Tensor, what: string): void {
  expect(actual.dims, what).toEqual(expected.shape);
  const a = actual.data as Float32Array;
  expected.data.forEach((e, i) => {
    if (Number.isNaN(e) || !Number.isFinite(e)) expect(a[i], `${what}[${i}]`).toBe(e);
    else expect(Math.abs(a[i] - e), `${what}[${i}]: ${a[i]} vs ${e}`).toBeLessThanOrEqual(LAYER.atol + LAYER.rtol * Math.abs(e));
  });
}

engineSuite('ONNX exports that must not differ, in ONNX Runtime', ortSkipReason, () => {
  it('one Tensor given twice in example (h0 and c0) binds two graph inputs', async () => {
    class WithState extends nn.Module {
      lstm = new nn.LSTM({ inputSize: 4, hiddenSize: 3, batchFirst: true, seed: 2 });
      forward(x: Tensor, h0: Tensor, c0: Tensor) {
        return this.lstm.forward(x, { h0, c0 });
      }
    }
    const model = new WithState();
    const state = zeros([1, 2, 3]);
    const bytes = exportOnnx(model, [randn([2, 5, 4]), state, state]);
    const inputs = [randn([2, 5, 4]), randn([1, 2, 3]), randn([1, 2, 3])];
    const out = await runOrt(bytes, inputs);
    const expected = model.forward(inputs[0], inputs[1], inputs[2]);
    expectSameValues(out.output, expected.output, 'output');
    expectSameValues(out.h, expected.h, 'h');
    expectSameValues(out.c, expected.c, 'c');
  });

  it('max and min over entries holding NaN give NaN; a mean over an empty dim gives NaN', async () => {
    const reductions = new Fn((_, x) => ({ max: x.max(1), min: x.min(1, true), maxAll: x.max(), sum: x.sum(0) }), 4);
    const nan = new Tensor(Float32Array.from([1, NaN, 3, 2, 5, 4, NaN, 0, 1, 7, 8, NaN]), [3, 4]);
    const out = await runOrt(exportOnnx(reductions, randn([3, 4])), [nan]);
    const expected = reductions.forward(nan) as Record<string, Tensor>;
    for (const name of ['max', 'min', 'maxAll', 'sum']) expectSameValues(out[name], expected[name], name);

    const means = new Fn((_, x) => ({ rows: x.mean(0), all: x.mean(), last: x.mean(1, true) }), 4);
    const bytes = exportOnnx(means, randn([3, 4]));
    for (const x of [new Tensor(new Float32Array(0), [0, 4]), randn([2, 4])]) {
      const got = await runOrt(bytes, [x]);
      const want = means.forward(x) as Record<string, Tensor>;
      for (const name of ['rows', 'all', 'last']) expectSameValues(got[name], want[name], `${name} of [${x.shape}]`);
    }
  });

  it('names: hostile input, output and graph names are read back exactly, or refused (seeded fuzz)', async () => {
    const seed = Number(process.env.CODEGEN_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
    let state = seed >>> 0;
    const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const pieces = ['"', "'", '\\', '\n', '\r', '\u2028', '\u2029', '\u0085', '\u000b', '\u000c', '\u001c', '\u001e', '\u0001', '\u0000', '\ud800', '\udfff', '\ud83d\ude00', '\ufeff', 'é', ' ', 'a', '.', ':', '/', '_dim0', 'x'.repeat(300)];
    const name = () => Array.from({ length: 1 + Math.floor(next() * 4) }, () => pieces[Math.floor(next() * pieces.length)]).join('');
    const writable = (s: string) => !s.includes('\0') && !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
    for (let round = 0; round < Number(process.env.CODEGEN_FUZZ_CASES ?? (process.env.FUZZ_RUNS ? 500 : 8)); round++) {
      const inputNames = [...new Set([name(), name()])];
      const keys = [...new Set([name(), name()])].filter((k) => !k.includes('.') && !inputNames.includes(k));
      const graphName = name();
      const model = new Fn((m, ...xs) => Object.fromEntries(keys.map((k, i) => [k, m.lin.forward(xs[i % xs.length]!).relu()])), 4);
      const example = inputNames.map(() => randn([2, 4]));
      const all = [...inputNames, ...keys, graphName];
      const label = `seed ${seed}, round ${round}: ${JSON.stringify(all)}`;
      if (keys.length === 0) continue;
      if (!all.every(writable)) {
        expect(() => exportOnnx(model, example, { inputNames, graphName }), label).toThrow(RecurrentError);
        continue;
      }
      const session = await ort!.InferenceSession.create(exportOnnx(model, example, { inputNames, graphName }));
      expect([...session.inputNames], label).toEqual(inputNames);
      expect([...session.outputNames].sort(), label).toEqual([...keys].sort());
    }
    // The two names that became one before: two lone surrogates, and two names cut at NUL.
    for (const pair of [['\ud800', '\ud801'], ['a\0b', 'a\0c']]) {
      expectRejected(() => exportOnnx(new Fn((m, x, y) => m.lin.forward(x).add(y), 4), [randn([2, 4]), randn([2, 4])], { inputNames: pair }), 'exportOnnx');
    }
  });
});

it('refuses values read from the inputs outside the ops, naming what differs', () => {
  // The example: entries 0 and 1 of differing sign, so a shift by one place changes what is read.
  const x = new Tensor(Float32Array.from([0.7, -1.2, 0.4, 2.1, -0.3, 1.5, -0.9, 0.2]), [2, 4]);
  const cases: [string, (m: Fn, x: Tensor) => Tensor, RegExp][] = [
    ['a narrow start from item()', (m, x) => m.lin.forward(x).narrow(1, x.data[0] > 0 ? 0 : 1, 2), /read by node \d+ \(written in the model \(Fn\), at .*silent-differences\.test\.ts.*\), the tensor starts of shape \[1\] holding \[0\] for the example, but the tensor starts of shape \[1\] holding \[1\] for other values/],
    ['clamp bounds from the data', (m, x) => m.lin.forward(x).clamp(x.max().item() - 2, Infinity), /another graph for other input values: read by node \d+ \(written .*silent-differences\.test\.ts.*\), the tensor clip/],
    ['indices from the data', (m, x) => m.lin.forward(x).indexSelect(1, Array.from(x.argmax(1).data)), /another graph for other input values/],
    ['a branch on the data', (m, x) => (x.data[0] > 0 ? m.lin.forward(x).relu() : m.lin.forward(x).neg()), /another graph for other input values: node \d+ .* is Relu\(.*\) .* for the example, but Neg\(/],
    ['a loop count from the data', (m, x) => {
      let y = m.lin.forward(x);
      for (let i = 0; i < Math.round(x.sum().item()); i++) y = y.tanh();
      return y;
    }, /another graph for other input values/],
    ['a branch on the sum', (m, x) => (x.sum().item() > 0 ? m.lin.forward(x) : m.lin.forward(x).abs()), /another graph for other input values/],
    ['a check on the data', (m, x) => {
      if (x.data[1] > 0) throw new Error('positive');
      return m.lin.forward(x);
    }, /the forward fails on other input values than the example's \(positive\)/],
  ];
  for (const [what, body, message] of cases) {
    const err = expectRejected(() => exportOnnx(new Fn(body, 4), x), 'exportOnnx', 'state');
    expect(err.message, what).toMatch(message);
  }
});
