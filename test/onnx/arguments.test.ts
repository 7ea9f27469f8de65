/**
 * exportOnnx refuses what it cannot export faithfully, before writing anything: each bad
 * argument (the model, the example, the names, the metadata), each value forward may return
 * that is not a Tensor, and each recurrent-layer call with no ONNX form gets a RecurrentError
 * naming exportOnnx and what was wrong. What it accepts is read back by ONNX Runtime elsewhere
 * (onnx-runtime.test.ts, metadata.test.ts, model-proto.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { nn, randn, Tensor } from '../../src/index.js';
import { exportOnnx, type ExportOnnxOptions } from '../../src/onnx/index.js';
import { expectRejected } from '../helpers.js';
import { Fn } from './fn-model.js';

const linear = () => new Fn((m, x) => m.lin.forward(x));
const refused = (fn: () => unknown, message: RegExp, code = 'argument') => expect(expectRejected(fn, 'exportOnnx', code).message).toMatch(message);
const options = (o: unknown) => o as ExportOnnxOptions;

describe('exportOnnx refuses bad arguments', () => {
  it('a model that is not a Module with a forward', () => {
    refused(() => exportOnnx({ forward: () => randn([1]) } as never, randn([2, 3])), /^exportOnnx: model must be a Module with a forward method, got /);
    const noForward = new nn.Module() as never;
    refused(() => exportOnnx(noForward, randn([2, 3])), /^exportOnnx: model must be a Module with a forward method, got /);
  });

  it('an example that is not a Tensor or a non-empty array of them', () => {
    const message = /^exportOnnx: example must be a Tensor or a non-empty array of Tensors \(the arguments of forward\)$/;
    refused(() => exportOnnx(linear(), []), message);
    refused(() => exportOnnx(linear(), [randn([2, 3]), [1, 2, 3] as never]), message);
    refused(() => exportOnnx(linear(), { data: new Float32Array(3), shape: [3] } as never), message);
  });

  it('unknown options and options of the wrong kind', () => {
    refused(() => exportOnnx(linear(), randn([2, 3]), options({ names: ['x'] })), /^exportOnnx: .*names/);
    refused(() => exportOnnx(linear(), randn([2, 3]), options({ outputName: 3 })), /^exportOnnx: options\.outputName must be /);
    refused(() => exportOnnx(linear(), randn([2, 3]), options({ inputNames: 'x' })), /^exportOnnx: options\.inputNames must be /);
  });

  it('inputNames of another count, or repeated', () => {
    const two = new Fn((m, a, b) => m.lin.forward(a.add(b)));
    const x = [randn([2, 3]), randn([2, 3])];
    refused(() => exportOnnx(two, x, { inputNames: ['a'] }), /^exportOnnx: inputNames must hold 2 distinct names, got \["a"\]$/);
    refused(() => exportOnnx(two, x, { inputNames: ['a', 'b', 'c'] }), /^exportOnnx: inputNames must hold 2 distinct names, got /);
    refused(() => exportOnnx(two, x, { inputNames: ['a', 'a'] }), /^exportOnnx: inputNames must hold 2 distinct names, got \["a","a"\]$/);
    expect(exportOnnx(two, x, { inputNames: ['a', 'b'] }).length).toBeGreaterThan(0);
  });

  it('names ONNX Runtime would not read back as given: empty, with NUL, with a lone surrogate', () => {
    const why = 'must be a non-empty string without NUL or lone surrogates \\(ONNX stores names as UTF-8 and ONNX Runtime ends them at NUL\\), got ';
    for (const bad of ['', 'a\0b', 'x\ud800', '\ud800x', 'x\udc00', '\udc00']) {
      refused(() => exportOnnx(linear(), randn([2, 3]), { inputNames: [bad] }), new RegExp(`^exportOnnx: an input name ${why}`));
      refused(() => exportOnnx(linear(), randn([2, 3]), { outputName: bad }), new RegExp(`^exportOnnx: outputName ${why}`));
      refused(() => exportOnnx(linear(), randn([2, 3]), { graphName: bad }), new RegExp(`^exportOnnx: graphName ${why}`));
      refused(() => exportOnnx(new Fn((m, x) => ({ [bad]: m.lin.forward(x) })), randn([2, 3])), new RegExp(`^exportOnnx: an output name ${why}`));
    }
    refused(() => exportOnnx(linear(), randn([2, 3]), { inputNames: [3 as never] }), new RegExp(`^exportOnnx: an input name ${why}3$`));
    // A surrogate pair is one character, and a name may hold it.
    expect(exportOnnx(linear(), randn([2, 3]), { inputNames: ['x😀'], outputName: '😀', graphName: '\ud83d\ude00' }).length).toBeGreaterThan(0);
  });

  it('metadata that is not an object of strings', () => {
    for (const metadata of [['a'], 'vocab', 3, { vocab: 3 }, { a: 'x', b: null }]) {
      refused(() => exportOnnx(linear(), randn([2, 3]), options({ metadata })), /^exportOnnx: metadata must be an object of strings, got /);
    }
  });

  it('an output name that is already an input or a parameter', () => {
    refused(() => exportOnnx(linear(), randn([2, 3]), { inputNames: ['y'], outputName: 'y' }), /^exportOnnx: output name "y" is already a name in the graph \(an input or a parameter\)$/);
    refused(() => exportOnnx(new Fn((m, x) => ({ 'lin.weight': m.lin.forward(x) })), randn([2, 3])), /^exportOnnx: output name "lin\.weight" is already a name in the graph/);
  });
});

describe('exportOnnx refuses what forward returns unless it is Tensors', () => {
  it('a value that is not a Tensor, naming where it is', () => {
    refused(() => exportOnnx(new Fn(() => 3), randn([2, 3])), /^exportOnnx: forward must return a Tensor or an object of Tensors; it is 3$/);
    refused(() => exportOnnx(new Fn((m, x) => ({ y: m.lin.forward(x), n: 2 })), randn([2, 3])), /; n is 2$/);
    refused(() => exportOnnx(new Fn((m, x) => ({ y: m.lin.forward(x), more: { s: null } })), randn([2, 3])), /; more\.s is null$/);
    refused(() => exportOnnx(new Fn((m, x) => ({ y: m.lin.forward(x), s: 'text' })), randn([2, 3])), /; s is "text"$/);
  });

  it('no Tensor at all', () => {
    refused(() => exportOnnx(new Fn(() => ({})), randn([2, 3])), /^exportOnnx: forward returned no Tensor$/);
    refused(() => exportOnnx(new Fn(() => ({ a: undefined, b: {} })), randn([2, 3])), /^exportOnnx: forward returned no Tensor$/);
  });

  it('leaves out entries that are undefined', () => {
    expect(exportOnnx(new Fn((m, x) => ({ y: m.lin.forward(x), h: undefined })), randn([2, 3])).length).toBeGreaterThan(0);
  });
});

describe('exportOnnx refuses recurrent-layer calls with no ONNX form', () => {
  class Call extends nn.Module {
    readonly gru = new nn.GRU({ inputSize: 3, hiddenSize: 2, seed: 1 });
    constructor(readonly body: (gru: nn.GRU, x: Tensor) => Tensor) {
      super();
    }
    forward(x: Tensor): Tensor {
      return this.body(this.gru, x);
    }
  }

  it('an unbatched (2-D) input', () => {
    const err = expectRejected(() => exportOnnx(new Call((gru, x) => gru.forward(x).output), randn([4, 3])), 'exportOnnx', 'shape');
    expect(err.message).toMatch(/^exportOnnx: GRU input must be batched \(3-D\) to export, got \[4,3\] \(called in gru \(GRU\), at .*arguments\.test\.ts:\d+:\d+\)?\)$/);
  });

  it('lengths', () => {
    const err = expectRejected(() => exportOnnx(new Call((gru, x) => gru.forward(x, { lengths: [3, 2] }).output), randn([3, 2, 3])), 'exportOnnx', 'state');
    expect(err.message).toMatch(/^exportOnnx: GRU lengths cannot be exported \(they would fix the batch size\); export without lengths \(called in gru \(GRU\), at /);
  });
});

it('leaves a forward of the instance itself as it was, after an export and after a refusal', () => {
  class Holder extends nn.Module {
    lin = new nn.Linear({ inFeatures: 3, outFeatures: 3, seed: 1 });
  }
  const model = new Holder() as Holder & { forward(x: Tensor): Tensor };
  const own = function (this: Holder, x: Tensor): Tensor {
    return this.lin.forward(x);
  };
  model.forward = own;
  expect(exportOnnx(model, randn([2, 3])).length).toBeGreaterThan(0);
  expect(Object.getOwnPropertyDescriptor(model, 'forward')).toEqual({ value: own, writable: true, enumerable: true, configurable: true });
  model.forward = function (this: Holder, x: Tensor): Tensor {
    return this.lin.forward(x).gather(1, new Tensor(Float32Array.of(0, 1), [2, 1]));
  };
  const failing = model.forward;
  expectRejected(() => exportOnnx(model, randn([2, 3])), 'exportOnnx', 'state');
  expect(Object.getOwnPropertyDescriptor(model, 'forward')!.value).toBe(failing);
  expect(Object.prototype.hasOwnProperty.call(model.lin, 'forward')).toBe(false);
});
