/**
 * An ONNX graph under construction (nodes, initializers, inputs, outputs) and its encoding
 * as an ONNX ModelProto, with the field numbers of onnx/onnx.proto:
 *
 *   ModelProto      ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8,
 *                   metadata_props 14 -> StringStringEntryProto key 1, value 2
 *   GraphProto      node 1, name 2, initializer 5, input 11, output 12
 *   NodeProto       input 1, output 2, name 3, op_type 4, attribute 5
 *   AttributeProto  name 1, i 3, s 4, ints 8, strings 9, type 20
 *   TensorProto     dims 1, data_type 2, name 8, raw_data 9 (little-endian)
 *   ValueInfoProto  name 1, type 2 -> TypeProto tensor_type 1 -> elem_type 1, shape 2 ->
 *                   TensorShapeProto dim 1 -> dim_value 1 | dim_param 2
 */
import { Message } from './protobuf.js';

/** ONNX's opset this exporter writes (and the IR version that goes with it). */
export const OPSET = 17;
const IR_VERSION = 8;

/** TensorProto.DataType values used here. */
export const FLOAT = 1;
export const INT64 = 7;
export const BOOL = 9;

/** An attribute value: a number is an INT, a number array INTS, a string STRING, a string array STRINGS. */
export type AttrValue = number | string | readonly number[] | readonly string[];

/** A tensor stored in the file (a weight or a constant). */
interface Initializer {
  name: string;
  dims: readonly number[];
  type: number;
  raw: Uint8Array;
}

/** A graph input or output: its element type and dims (a string names a dynamic dim). */
export interface ValueInfo {
  name: string;
  type: number;
  dims: readonly (number | string)[];
}

interface Node {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attrs: Record<string, AttrValue>;
}

/** Collects nodes and tensors; names are made unique with {@link GraphBuilder.fresh}. */
export class GraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly used = new Set<string>();
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];

  /** A name not used yet, based on `base`. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node with fresh output names (one per entry of `outputs`) and returns them. */
  node(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, outputs: readonly string[] = [op]): string[] {
    const names = outputs.map((o) => this.fresh(o));
    this.nodes.push({ op, inputs, outputs: names, attrs });
    return names;
  }

  /** Adds a node with one output and returns its name. */
  op(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}): string {
    return this.node(op, inputs, attrs)[0];
  }

  /** Adds a float32 tensor named `name` (made unique) and returns the name. */
  floats(name: string, dims: readonly number[], values: ArrayLike<number>): string {
    const raw = new Uint8Array(values.length * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
    return this.add(name, dims, FLOAT, raw);
  }

  /** Adds an int64 tensor (1-D unless `dims` says otherwise) and returns its name. */
  int64s(name: string, values: ArrayLike<number>, dims: readonly number[] = [values.length]): string {
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) view.setBigInt64(i * 8, BigInt(values[i]), true);
    return this.add(name, dims, INT64, raw);
  }

  private add(name: string, dims: readonly number[], type: number, raw: Uint8Array): string {
    const unique = this.fresh(name);
    this.initializers.push({ name: unique, dims, type, raw });
    return unique;
  }

  /** The number of nodes so far (the next node's index). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /**
   * The first place where this graph and `other` differ: a node (op, inputs, outputs,
   * attributes), else the values of a stored tensor, with both sides described and the node's
   * index or the tensor's name; null when they are the same. Nothing else can differ when the
   * nodes are the same: they fix the graph inputs and outputs (names, types, ranks), and the
   * stored tensors, each made for the node that reads it (names, types, count).
   */
  difference(other: GraphBuilder): ({ node: number } | { tensor: string }) & { mine: string; theirs: string } | null {
    const node = (n: Node | undefined) => (n === undefined ? 'no node' : `${n.op}(${n.inputs.join(', ')}) -> ${n.outputs.join(', ')}${Object.keys(n.attrs).length > 0 ? ` ${JSON.stringify(n.attrs)}` : ''}`);
    // Stryker disable next-line EqualityOperator: one index more compares 'no node' with 'no node'
    for (let i = 0; i < Math.max(this.nodes.length, other.nodes.length); i++) {
      const [a, b] = [node(this.nodes[i]), node(other.nodes[i])];
      if (a !== b) return { node: i, mine: a, theirs: b };
    }
    const tensor = (t: Initializer) => {
      const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
      const count = t.raw.length / (t.type === INT64 ? 8 : 4);
      const n = Math.min(8, count);
      // Stryker disable next-line ArithmeticOperator: a float tensor that can differ is a scalar (a clamp bound): larger ones are constants, compared before
      const values = Array.from({ length: n }, (_, i) => (t.type === INT64 ? String(view.getBigInt64(i * 8, true)) : String(view.getFloat32(i * 4, true))));
      // Stryker disable next-line StringLiteral: a stored tensor that can differ is a scalar or 1-D, whose dims need no separator
      return `the tensor ${t.name} of shape [${t.dims.join(',')}] holding [${values.join(', ')}${n < count ? ', ...' : ''}]`;
    };
    for (let i = 0; i < this.initializers.length; i++) {
      const [a, b] = [this.initializers[i]!, other.initializers[i]!];
      if (!sameBytes(a.raw, b.raw)) return { tensor: a.name, mine: tensor(a), theirs: tensor(b) };
    }
    return null;
  }

  /** The index of the first node that reads the stored tensor `name` (each has one). */
  firstReader(name: string): number {
    return this.nodes.findIndex((n) => n.inputs.includes(name));
  }

  /** The ModelProto bytes, with `metadata` as its metadata_props. */
  encode(graphName: string, producerVersion: string, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
    const graph = new Message();
    for (const n of this.nodes) graph.message(1, encodeNode(n));
    graph.string(2, graphName);
    for (const t of this.initializers) {
      const m = new Message();
      for (const d of t.dims) m.int(1, d);
      m.int(2, t.type).string(8, t.name).bytes(9, t.raw);
      graph.message(5, m);
    }
    for (const v of this.inputs) graph.message(11, encodeValueInfo(v));
    for (const v of this.outputs) graph.message(12, encodeValueInfo(v));
    const model = new Message()
      .int(1, IR_VERSION)
      .string(2, 'recurrent')
      .string(3, producerVersion)
      .message(7, graph)
      .message(8, new Message().string(1, '').int(2, OPSET));
    for (const [key, value] of Object.entries(metadata)) model.message(14, new Message().string(1, key).string(2, value));
    return model.finish();
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function encodeNode(n: Node): Message {
  const m = new Message();
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  m.string(3, n.outputs[0]).string(4, n.op);
  for (const [name, value] of Object.entries(n.attrs)) m.message(5, encodeAttribute(name, value));
  return m;
}

// AttributeProto.AttributeType: INT 2, STRING 3, INTS 7, STRINGS 8.
function encodeAttribute(name: string, value: AttrValue): Message {
  const m = new Message().string(1, name);
  if (typeof value === 'number') return m.int(3, value).int(20, 2);
  if (typeof value === 'string') return m.string(4, value).int(20, 3);
  // An empty list is written as INTS.
  if (typeof value[0] === 'string') {
    for (const s of value as readonly string[]) m.string(9, s);
    return m.int(20, 8);
  }
  for (const i of value as readonly number[]) m.int(8, i);
  return m.int(20, 7);
}

function encodeValueInfo(v: ValueInfo): Message {
  const shape = new Message();
  for (const d of v.dims) shape.message(1, typeof d === 'number' ? new Message().int(1, d) : new Message().string(2, d));
  const tensorType = new Message().int(1, v.type).message(2, shape);
  return new Message().string(1, v.name).message(2, new Message().message(1, tensorType));
}
