/**
 * What the ONNX reference library (python3-onnx) reads of an exported file, field by field:
 * the model's header (IR version, producer, opset), the graph's name, metadata_props in order,
 * each node's name, op, inputs, outputs and typed attributes, and each stored tensor's name,
 * type and dims; `onnx.checker.check_model` with full shape inference accepts the file. ONNX
 * Runtime (the other tests) runs a file; this reads what it does not show.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { nn, randint, randn, type Tensor } from '../../src/index.js';
import { exportOnnx, type ExportOnnxOptions } from '../../src/onnx/index.js';
import { engineSuite, onnxPythonSkipReason, PYTHON } from '../engines.js';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-onnx-proto-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The reference library's reading of a model file, as JSON. */
const READ = `
import json, sys, onnx
from onnx import helper
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
attr = lambda a: [helper.get_attribute_value(a) if a.type != onnx.AttributeProto.STRINGS else [s.decode() for s in a.strings], a.type]
print(json.dumps({
  "ir_version": m.ir_version, "producer": [m.producer_name, m.producer_version],
  "opsets": [[o.domain, o.version] for o in m.opset_import],
  "metadata": [[p.key, p.value] for p in m.metadata_props],
  "graph": m.graph.name, "inputs": [i.name for i in m.graph.input],
  "nodes": [{"name": n.name, "op": n.op_type, "inputs": list(n.input), "outputs": list(n.output),
             "attrs": {a.name: attr(a) for a in n.attribute}} for n in m.graph.node],
  "tensors": {t.name: [t.data_type, list(t.dims), len(t.raw_data)] for t in m.graph.initializer},
}, default=lambda b: b.decode()))
`;

interface Read {
  ir_version: number;
  producer: [string, string];
  opsets: [string, number][];
  metadata: [string, string][];
  graph: string;
  inputs: string[];
  nodes: { name: string; op: string; inputs: string[]; outputs: string[]; attrs: Record<string, [unknown, number]> }[];
  tensors: Record<string, [number, number[], number]>;
}

function read(model: nn.Module & { forward(...xs: Tensor[]): unknown }, example: Tensor[], options?: ExportOnnxOptions): Read {
  const path = join(dir, 'model.onnx');
  writeFileSync(path, exportOnnx(model, example, options));
  const r = spawnSync(PYTHON, ['-c', READ, path], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`python exited ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Read;
}

/** An embedding, a two-layer tanh RNN, a head, and a softmax over the last dim (exported as axis 2). */
class Tagger extends nn.Module {
  readonly embed = new nn.Embedding({ numEmbeddings: 7, embeddingDim: 4, seed: 1 });
  readonly rnn = new nn.RNN({ inputSize: 4, hiddenSize: 3, numLayers: 2, seed: 2 });
  readonly head = new nn.Linear({ inFeatures: 3, outFeatures: 5, seed: 3 });
  forward(ids: Tensor): Tensor {
    return this.head.forward(this.rnn.forward(this.embed.forward(ids)).output).clamp(-2, 2).softmax(-1);
  }
}

// ONNX's AttributeProto.AttributeType values.
const INT = 2;
const STRING = 3;
const INTS = 7;
const STRINGS = 8;

engineSuite('an exported file as the ONNX reference library reads it', onnxPythonSkipReason, () => {
  it('has the documented header, the graph name, and the metadata in the order given', () => {
    const metadata = { vocab: JSON.stringify(['a', 'é', '😀']), version: '2', empty: '' };
    const got = read(new Tagger(), [randint(0, 7, [6, 2])], { metadata, graphName: 'tagger v1' });
    expect({ ir: got.ir_version, producer: got.producer, opsets: got.opsets }).toEqual({ ir: 8, producer: ['recurrent', '0.1.0'], opsets: [['', 17]] });
    expect({ graph: got.graph, inputs: got.inputs }).toEqual({ graph: 'tagger v1', inputs: ['input'] });
    expect(got.metadata).toEqual(Object.entries(metadata));
    expect(read(new Tagger(), [randint(0, 7, [6, 2])]).graph).toBe('Tagger');
    // An anonymous class has no name to give.
    const Anonymous = (() => class extends nn.Module {
      lin = new nn.Linear({ inFeatures: 3, outFeatures: 2, seed: 1 });
      forward(a: Tensor, b: Tensor): Tensor {
        return this.lin.forward(a.add(b));
      }
    })();
    const two = read(new Anonymous(), [randn([2, 3]), randn([2, 3])]);
    expect({ graph: two.graph, inputs: two.inputs }).toEqual({ graph: 'model', inputs: ['input0', 'input1'] });
  });

  it('names each node after its first output, types every attribute, and stores the weights by their state-dict names', () => {
    const model = new Tagger();
    const got = read(model, [randint(0, 7, [6, 2])]);
    const names = got.nodes.map((n) => n.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of got.nodes) expect(n.name).toBe(n.outputs[0]);
    // A name taken again gets _1, _2, ...: the Linear's Transpose and one per RNN layer.
    expect(got.nodes.filter((n) => n.op === 'Transpose').map((n) => n.name)).toEqual(['Transpose', 'Transpose_1', 'Transpose_2']);

    const rnn = got.nodes.filter((n) => n.op === 'RNN');
    expect(rnn.map((n) => n.attrs)).toEqual([0, 1].map(() => ({ hidden_size: [3, INT], direction: ['forward', STRING], activations: [['Tanh'], STRINGS] })));
    // X, W, R, B, no sequence lengths, no initial state; then Y and Y_h.
    expect(rnn.map((n) => [n.inputs.length, n.inputs[4], n.inputs[5], n.outputs.length])).toEqual([[6, '', '', 2], [6, '', '', 2]]);
    expect(got.nodes.find((n) => n.op === 'Softmax')!.attrs).toEqual({ axis: [2, INT] });
    expect(got.nodes.filter((n) => n.op === 'Transpose').map((n) => n.attrs.perm)).toContainEqual([[1, 0], INTS]);
    expect(got.nodes.find((n) => n.op === 'Gather')!.attrs).toEqual({ axis: [0, INT] });
    // Clip(x, min, max): both bounds are stored scalars.
    const clip = got.nodes.find((n) => n.op === 'Clip')!;
    expect(clip.inputs.slice(1).map((name) => got.tensors[name])).toEqual([[1, [], 4], [1, [], 4]]);

    const FLOAT = 1;
    for (const [name, p] of [['embed.weight', model.embed.weight], ['head.weight', model.head.weight], ['head.bias', model.head.bias!]] as const) {
      expect(got.tensors[name], name).toEqual([FLOAT, p.shape, 4 * p.data.length]);
    }
    // Per layer W (D, G*H, I), R (D, G*H, H), B (D, 2*G*H), as documented in src/onnx/layers.ts.
    expect([got.tensors.W_l0, got.tensors.R_l0, got.tensors.B_l0, got.tensors.W_l1]).toEqual([
      [FLOAT, [1, 3, 4], 48],
      [FLOAT, [1, 3, 3], 36],
      [FLOAT, [1, 6], 24],
      [FLOAT, [1, 3, 3], 36],
    ]);
    const INT64 = 7;
    const reshapes = got.nodes.filter((n) => n.op === 'Reshape').map((n) => got.tensors[n.inputs[1]]);
    expect(reshapes).toContainEqual([INT64, [3], 24]);
  });
});
