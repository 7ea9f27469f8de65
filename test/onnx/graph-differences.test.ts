/**
 * exportOnnx traces the forward three times (on the example, on its values shifted, on new
 * values) and refuses a model whose graph depends on the values; the message says what
 * differs and where the forward wrote it, so the user can find the line:
 *  - a node (another op, another attribute, a node more), with the module and the caller;
 *  - a stored tensor (a clamp bound, reshape sizes), with the node that reads it;
 *  - a constant computed from the values outside the ops (or another number of them);
 *  - a forward that fails on other values.
 * Each example input starts with 1 (so shifted it starts with 2, and the new values with -1.25).
 */
import { expect, it } from 'vitest';
import { nn, Tensor } from '../../src/index.js';
import { exportOnnx } from '../../src/onnx/index.js';
import { expectRejected } from '../helpers.js';
import { Fn } from './fn-model.js';

const X = () => new Tensor(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]);
/** The message of exportOnnx's refusal of `body` (code 'state'). */
const refusal = (body: (m: Fn, x: Tensor) => unknown, x = X()) => expectRejected(() => exportOnnx(new Fn(body), x), 'exportOnnx', 'state').message;
const HERE = 'graph-differences\\.test\\.ts:\\d+:\\d+\\)?';
const graphTail = '; a value read from the inputs outside the traced ops \\(\\.data, item\\(\\), an index, an op argument or a branch computed from them\\) would be frozen into the graph$';

it('names a node that differs, with its module and caller, and both sides', () => {
  const message = refusal((m, x) => (x.data[0]! > 0 ? m.lin.forward(x).relu() : m.lin.forward(x).tanh()));
  // Nodes 0-2 are the Linear's Transpose, MatMul and Add.
  expect(message).toMatch(new RegExp(`^exportOnnx: the forward builds another graph for other input values: node 3 \\(written in the model \\(Fn\\), at .*${HERE}\\) is Relu\\(Add\\) -> Relu for the example, but Tanh\\(Add\\) -> Tanh for other values${graphTail}`));
});

it('shows the attributes of a node whose attributes differ', () => {
  const message = refusal((m, x) => m.lin.forward(x).softmax(x.data[0]! > 0 ? 1 : 0));
  expect(message).toMatch(/node 3 \(written in the model \(Fn\), at .*\) is Softmax\(Add\) -> Softmax \{"axis":1\} for the example, but Softmax\(Add\) -> Softmax \{"axis":0\} for other values/);
});

it('names an output the other trace does not have, written for the outputs', () => {
  const message = refusal((m, x) => {
    const y = m.lin.forward(x);
    const z = y.neg();
    return x.data[0]! > 0 ? { y, z } : { y };
  });
  // Transpose, MatMul, Add, Neg, then the outputs' Identity nodes.
  expect(message).toMatch(/: node 5 \(written for the outputs\) is Identity\(Neg\) -> z for the example, but no node for other values;/);
});

it('names the output node right after the ops, and an output node that is the first node', () => {
  const after = refusal((m, x) => ({ [x.data[0]! > 0 ? 'a' : 'b']: m.lin.forward(x) }));
  expect(after).toMatch(/: node 3 \(written for the outputs\) is Identity\(Add\) -> a for the example, but Identity\(Add\) -> b for other values;/);
  const first = refusal((_m, x) => ({ [x.data[0]! > 0 ? 'a' : 'b']: x }));
  expect(first).toMatch(/: node 0 \(written for the outputs\) is Identity\(input\) -> a for the example, but Identity\(input\) -> b for other values;/);
});

it('lists the inputs and outputs of a node that differs', () => {
  expect(refusal((m, x) => (x.data[0]! > 0 ? m.lin.forward(x).add(x) : m.lin.forward(x).sub(x)))).toMatch(/: node 3 \(.*\) is Add\(Add, input\) -> Add_1 for the example, but Sub\(Add, input\) -> Sub for other values;/);
  class Layer extends nn.Module {
    lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 2, seed: 1 });
    forward(x: Tensor): Tensor {
      const h0 = x.narrow(2, 0, 2);
      return this.lstm.forward(x, x.data[0]! > 0 ? {} : { h0 }).output;
    }
  }
  const message = expectRejected(() => exportOnnx(new Layer(), new Tensor(Float32Array.of(1, 2, 3, 4, 5, 6), [1, 2, 3])), 'exportOnnx', 'state').message;
  expect(message).toMatch(/ is LSTM\(input, W_l0, R_l0, B_l0, , , \) -> Y, Y_h, Y_c \{"hidden_size":2,"direction":"forward"\} for the example, but /);
});

it('names a stored tensor that differs, with the node that reads it, and its values', () => {
  const bound = refusal((_m, x) => x.clamp(x.data[0]! > 0 ? 0.5 : -0.5));
  expect(bound).toMatch(new RegExp(`^exportOnnx: the forward builds another graph for other input values: read by node 0 \\(written in the model \\(Fn\\), at .*${HERE}\\), the tensor clip of shape \\[\\] holding \\[0\\.5\\] for the example, but the tensor clip of shape \\[\\] holding \\[-0\\.5\\] for other values${graphTail}`));
  const sizes = refusal((m, x) => m.lin.forward(x).reshape(x.data[0]! > 0 ? [6] : [3, 2]));
  expect(sizes).toMatch(/: read by node 3 \(written in the model \(Fn\), at .*\), the tensor shape of shape \[1\] holding \[-1\] for the example, but the tensor shape of shape \[2\] holding \[3, 2\] for other values;/);
  // A tensor that holds the other's values and more (squeezed axes).
  const axes = refusal((_m, x) => x.reshape(x.data[0]! > 0 ? [2, 3, 1] : [2, 3]), new Tensor(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 1, 3, 1]));
  expect(axes).toMatch(/: read by node 0 \(.*\), the tensor axes of shape \[1\] holding \[1\] for the example, but the tensor axes of shape \[2\] holding \[1, 3\] for other values;/);
  // Eight values are shown, then "...".
  const x9 = new Tensor(Float32Array.from({ length: 32 }, (_, i) => i + 1), [2, 1, 2, 1, 2, 1, 2, 1, 2]);
  const long = refusal((_m, x) => x.reshape(x.data[0]! > 0 ? [1, 2, 1, 2, 1, 2, 1, 2, 2] : [2, 2, 2, 2, 2, 1, 1, 1, 1]), x9);
  expect(long).toMatch(/the tensor shape of shape \[9\] holding \[1, 2, 1, 2, 1, 2, 1, 2, \.\.\.\] for the example, but the tensor shape of shape \[9\] holding \[0, 2, 2, 2, 2, 1, 1, 1, \.\.\.\] for other values/);
});

it('names a constant computed from the values outside the ops, even when only some of its entries change', () => {
  const constant = /^exportOnnx: a tensor of shape \[2,3\] depends on the input values but was computed outside the traced ops \(argmax, item\(\), \.data\?\), used in the model \(Fn\), at .*graph-differences\.test\.ts:\d+:\d+\)?; the graph would hold the example's values$/;
  expect(refusal((m, x) => m.lin.forward(x).add(new Tensor(x.data.map((v, i) => (i === 0 ? v : 1)), [2, 3])))).toMatch(constant);
  // A constant whose size follows the values (all ones, so the entries both have agree).
  const sized = refusal((m, x) => m.lin.forward(x).sum().add(new Tensor(new Float32Array(x.data[0]! > 0 ? 2 : 3).fill(1), [x.data[0]! > 0 ? 2 : 3])));
  expect(sized).toMatch(/^exportOnnx: a tensor of shape \[2\] depends on the input values/);
  // Returned as it is, it is named after the forward.
  const returned = refusal((m, x) => ({ y: m.lin.forward(x), copy: new Tensor(Float32Array.from(x.data), [2, 3]) }));
  expect(returned).toMatch(/used as an output of the forward, at .*graph-differences\.test\.ts:\d+:\d+\)?; the graph would hold/);
});

it('names another number of constants', () => {
  const message = refusal((m, x) => (x.data[0]! > 0 ? m.lin.forward(x).add(new Tensor(Float32Array.of(1, 2, 3), [3])) : m.lin.forward(x)));
  expect(message).toBe("exportOnnx: the forward computes other things for other input values (1 constants, then 0); a traced graph cannot follow control flow on values");
});

it('says when the forward fails on other values', () => {
  const message = refusal((m, x) => {
    if (x.data[0]! < 0) throw new Error('negative start');
    return m.lin.forward(x);
  });
  expect(message).toBe("exportOnnx: the forward fails on other input values than the example's (negative start), so it depends on them outside the traced ops; the graph would hold the example's values");
});

it('names an op with no ONNX form and its caller, a call without a function name too', () => {
  const message = expectRejected(() => exportOnnx(new Fn((_m, x) => [1].map(() => x.gather(1, new Tensor(Float32Array.of(0, 1), [2, 1])))[0]), X()), 'exportOnnx', 'state').message;
  expect(message).toMatch(/^exportOnnx: op gather cannot be exported to ONNX \(called in the model \(Fn\), at \/\S*graph-differences\.test\.ts:\d+:\d+\)$/);
});

it('refuses a tensor that shares storage with a traced value', () => {
  expect(refusal((m, x) => m.lin.forward(x).detach().mul(2))).toMatch(
    /^exportOnnx: a tensor of shape \[2,3\] shares storage with a traced value but was not made by an op \(detach\(\), or new Tensor\(x\.data, \.\.\.\)\?\), called in the model \(Fn\), at .*; its values would be frozen into the graph$/,
  );
});
