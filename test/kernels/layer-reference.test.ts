/**
 * The active backend's recurrent layer (the JS kernels in the js project, WASM in the wasm one)
 * against a float64 reference written here from PyTorch's cell equations: LSTM, GRU (the reset
 * gate applied after the recurrent product, as PyTorch), RNN tanh and relu. Outputs and final
 * states are compared with the reference forward, every gradient with central differences of
 * it. The other layer tests compare WASM with the JS kernels, so a slip in the JS kernels
 * themselves needs this independent reference. Cases: packed sequences (steps past a
 * sequence's end), both directions, no bias, a batch of 1, H not a multiple of 4, and a
 * workspace taken again from its pool after a run whose every row was active, so that stale
 * gate gradients of that run would show in the ended rows.
 */
import { describe, expect, it } from 'vitest';
import { Generator } from '../../src/index.js';
import { backend } from '../../src/kernels/backend.js';
import type { CellKind, RecurrentLayerCall } from '../../src/kernels/recurrent.js';
import { WorkspacePool } from '../../src/kernels/workspace.js';
import { expectClose } from '../helpers.js';
import { LAYER } from '../tolerances.js';

const GATES: Record<CellKind, number> = { lstm: 4, gru: 3, rnnTanh: 1, rnnRelu: 1 };
const KINDS = ['lstm', 'gru', 'rnnTanh', 'rnnRelu'] as const;

interface Shape {
  kind: CellKind;
  T: number;
  B: number;
  I: number;
  H: number;
  D: number;
  bias: boolean;
}

/**
 * The inputs of a layer call as float64 arrays, in the order backward returns their gradients:
 * x, h0, c0 (LSTM), then per direction W_ih, W_hh, b_ih, b_hh (the biases if any).
 */
function inputsOf(s: Shape, seed: number): Float64Array[] {
  const g = new Generator(seed);
  // float32 values, so that the backend and the reference start from the same numbers
  const values = (n: number) => Float64Array.from(Float32Array.from({ length: n }, () => 2 * g.random() - 1));
  const G = GATES[s.kind] * s.H;
  const list = [values(s.T * s.B * s.I), values(s.D * s.B * s.H)];
  if (s.kind === 'lstm') list.push(values(s.D * s.B * s.H));
  for (let d = 0; d < s.D; d++) {
    list.push(values(G * s.I), values(G * s.H));
    if (s.bias) list.push(values(G), values(G));
  }
  return list;
}

/** The backend call for these inputs. */
function callOf(s: Shape, inputs: Float64Array[], lengths: number[], pools = Array.from({ length: s.D }, () => new WorkspacePool(s.H, s.kind))): RecurrentLayerCall {
  const f = inputs.map((a) => Float32Array.from(a));
  const lstm = s.kind === 'lstm';
  const perDirection = s.bias ? 4 : 2;
  const first = lstm ? 3 : 2;
  return {
    kind: s.kind, T: s.T, B: s.B, I: s.I, H: s.H,
    x: f[0]!, h0: f[1]!, c0: lstm ? f[2]! : null,
    directions: Array.from({ length: s.D }, (_, d) => {
      const [weightIh, weightHh, biasIh, biasHh] = f.slice(first + d * perDirection, first + (d + 1) * perDirection);
      return { weightIh: weightIh!, weightHh: weightHh!, biasIh: biasIh ?? null, biasHh: biasHh ?? null };
    }),
    lengths: Int32Array.from(lengths),
    pools,
  };
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * The packed result [output (T, B, D*H) | h_n (D, B, H) | c_n (LSTM)] in float64, step by
 * step. A sequence takes part in steps t < lengths[b]: its output is zero after, its final
 * state is the one after its last step, and the reverse direction starts at its last step.
 */
function reference(s: Shape, inputs: Float64Array[], lengths: number[]): Float64Array {
  const { kind, T, B, I, H, D, bias } = s;
  const lstm = kind === 'lstm';
  const G = GATES[kind] * H;
  const [x, h0] = inputs as [Float64Array, Float64Array];
  const c0 = lstm ? inputs[2]! : null;
  const outSize = T * B * D * H;
  const packed = new Float64Array(outSize + D * B * H * (lstm ? 2 : 1));
  for (let d = 0; d < D; d++) {
    const at = (lstm ? 3 : 2) + d * (bias ? 4 : 2);
    const [wih, whh] = [inputs[at]!, inputs[at + 1]!];
    const [bih, bhh] = bias ? [inputs[at + 2]!, inputs[at + 3]!] : [new Float64Array(G), new Float64Array(G)];
    for (let b = 0; b < B; b++) {
      let h = Array.from(h0.subarray((d * B + b) * H, (d * B + b + 1) * H));
      let c = c0 ? Array.from(c0.subarray((d * B + b) * H, (d * B + b + 1) * H)) : [];
      for (let s = 0; s < T; s++) {
        const t = d === 1 ? T - 1 - s : s;
        if (t >= lengths[b]!) continue;
        const xw = Array.from({ length: G }, (_, r) => bih[r]! + Array.from({ length: I }, (_, k) => wih[r * I + k]! * x[(t * B + b) * I + k]!).reduce((p, q) => p + q, 0));
        const hw = Array.from({ length: G }, (_, r) => bhh[r]! + h.reduce((p, hk, k) => p + whh[r * H + k]! * hk, 0));
        const pre = (gate: number, j: number) => xw[gate * H + j]! + hw[gate * H + j]!;
        if (lstm) {
          const cNew = c.map((cj, j) => sigmoid(pre(1, j)) * cj + sigmoid(pre(0, j)) * Math.tanh(pre(2, j)));
          h = cNew.map((cj, j) => sigmoid(pre(3, j)) * Math.tanh(cj));
          c = cNew;
        } else if (kind === 'gru') {
          h = h.map((hj, j) => {
            const r = sigmoid(pre(0, j));
            const z = sigmoid(pre(1, j));
            const n = Math.tanh(xw[2 * H + j]! + r * hw[2 * H + j]!);
            return (1 - z) * n + z * hj;
          });
        } else {
          h = h.map((_, j) => (kind === 'rnnRelu' ? Math.max(0, pre(0, j)) : Math.tanh(pre(0, j))));
        }
        h.forEach((v, j) => (packed[((t * B + b) * D + d) * H + j] = v));
      }
      h.forEach((v, j) => (packed[outSize + (d * B + b) * H + j] = v));
      c.forEach((v, j) => (packed[outSize + D * B * H + (d * B + b) * H + j] = v));
    }
  }
  return packed;
}

/** d(Σ g·packed)/d(each input), by central differences of the reference. */
function numericalGradients(s: Shape, inputs: Float64Array[], lengths: number[], g: Float32Array): Float64Array[] {
  const loss = () => reference(s, inputs, lengths).reduce((sum, v, i) => sum + v * g[i]!, 0);
  const eps = 1e-6;
  return inputs.map((a) =>
    Float64Array.from(a, (v, i) => {
      a[i] = v + eps;
      const up = loss();
      a[i] = v - eps;
      const down = loss();
      a[i] = v;
      return (up - down) / (2 * eps);
    }),
  );
}

/** Runs the backend forward and backward and checks both against the reference. */
function expectMatchesReference(s: Shape, inputs: Float64Array[], lengths: number[], pools?: WorkspacePool[]): void {
  const what = `${s.kind} T${s.T} B${s.B} I${s.I} H${s.H} D${s.D}${s.bias ? '' : ' no bias'} lengths ${lengths}`;
  const run = backend().recurrentLayer(callOf(s, inputs, lengths, pools), true);
  const want = reference(s, inputs, lengths);
  expectClose(run.packed, want, LAYER, `${what}: packed outputs`);
  const g = Float32Array.from(want, (_, i) => Math.cos(3 * i + 1));
  const got = run.backward(g, true);
  run.release();
  const numerical = numericalGradients(s, inputs, lengths, g);
  expect(got.length, what).toBe(numerical.length);
  got.forEach((a, i) => expectClose(a!, numerical[i]!, LAYER, `${what}: gradient ${i}`));
}

describe('a recurrent layer against a float64 reference', () => {
  for (const kind of KINDS) {
    it(`${kind}: two directions over packed sequences, with bias`, () => {
      const s: Shape = { kind, T: 4, B: 3, I: 3, H: 5, D: 2, bias: true };
      expectMatchesReference(s, inputsOf(s, 11), [2, 4, 1]);
    });

    it(`${kind}: one direction, a batch of 1, no bias`, () => {
      const s: Shape = { kind, T: 3, B: 1, I: 2, H: 3, D: 1, bias: false };
      expectMatchesReference(s, inputsOf(s, 12), [3]);
    });

    it(`${kind}: a workspace reused after a run whose every row was active`, () => {
      const s: Shape = { kind, T: 3, B: 3, I: 2, H: 3, D: 2, bias: true };
      const pools = [new WorkspacePool(s.H, kind), new WorkspacePool(s.H, kind)];
      // The first run writes gate gradients into every row of the pooled workspaces...
      expectMatchesReference(s, inputsOf(s, 13), [3, 3, 3], pools);
      // ...which the second takes again: its ended rows (the first and the last) must contribute nothing.
      expectMatchesReference(s, inputsOf(s, 14), [1, 3, 2], pools);
    });
  }

  it('relu keeps a NaN input NaN, as PyTorch (and only in its own sequence)', () => {
    const s: Shape = { kind: 'rnnRelu', T: 2, B: 2, I: 2, H: 3, D: 1, bias: true };
    const inputs = inputsOf(s, 15);
    inputs[0]![0] = NaN; // x at step 0 of sequence 0
    const { packed } = backend().recurrentLayer(callOf(s, inputs, [2, 2]), false);
    const H = s.H;
    for (const t of [0, 1]) {
      expect(Array.from(packed.subarray((t * 2 + 0) * H, (t * 2 + 1) * H)).every(Number.isNaN), `step ${t}, sequence 0`).toBe(true);
      expect(Array.from(packed.subarray((t * 2 + 1) * H, (t * 2 + 2) * H)).some(Number.isNaN), `step ${t}, sequence 1`).toBe(false);
    }
  });
});
