/**
 * One recurrent layer (all its directions) on the WASM backend: the computation of
 * src/rnn/fused-layer.ts, with the time loop's products and gate passes as SIMD kernels over
 * one heap (loops.ts drives every step of a direction inside WebAssembly).
 *
 * Legend: T = steps, B = batch, I = input size, H = hidden size, D = directions,
 * G = gates × H. Heap blocks of the forward call (all freed before it returns):
 *   X       (T, B, I)       the input
 *   out     (T, B, D*H)     the layer output, written by the gate passes
 *   gates   (T, B, G)       x W_ihᵀ + b_ih, then the gate activations        } per direction
 *   states  (T+1, B, H)     h before the first step, then after every step   }
 *   cells   (T+1, B, H)     the same for the LSTM's c                        }
 * Forward reads states slot t and writes slot t+1; the reverse direction starts in slot T and
 * walks down (reads t+1, writes t). Either way the T states that entered the steps lie in
 * consecutive slots in time order, so dW_hh is still one product over all T*B rows.
 *
 * What backward needs (gates, entering states, tanh(c), GRU's hw_n) is copied once per call
 * into the direction's pooled Workspace, a plain JS buffer: a graph that is dropped without
 * backward then costs the garbage collector nothing special, and the heap stays flat.
 */
import type { RecurrentLayerCall, RecurrentLayerRun } from '../recurrent.js';
import { gateCount } from '../recurrent.js';
import { kernelCall, parallelism, parallelWork, runJobs, splitRange } from '../threads.js';
import type { KernelArgs } from './abi.js';
import type { WasmKernels } from './module.js';
import { packedTransposed } from './packs.js';
import { gemmRows } from './products.js';

/** The loop kernels' cell codes. */
const KIND = { lstm: 0, gru: 1, rnnTanh: 2, rnnRelu: 3 } as const;

/**
 * Runs one time-loop call per range of batch rows, each range on its own thread when threads
 * are ready and the loop (T·B·H·G multiply-adds in its products) is worth splitting.
 */
function runLoops<F extends 'forwardLoop' | 'backwardLoop'>(w: WasmKernels, fn: F, work: number, B: number, args: (b0: number, b1: number) => KernelArgs<F>): void {
  const parts = work >= parallelWork.minimum ? Math.min(parallelism(), B) : 1;
  runJobs(w.exports, splitRange(B, parts, 1).map(([b0, b1]) => [kernelCall(fn, args(b0, b1))]));
}

/** Runs one layer forward on the WASM backend; keeps what backward needs when `save`. */
export function recurrentLayerWasm(w: WasmKernels, call: RecurrentLayerCall, save: boolean): RecurrentLayerRun {
  const { kind, T, B, I, H, x, h0, c0, directions, lengths, pools } = call;
  const D = directions.length;
  const G = gateCount(kind) * H;
  const isLstm = kind === 'lstm';
  const { heap } = w;
  const stateFloats = B * H;
  const outSize = T * B * D * H;
  const stateSize = D * B * H;
  const packed = new Float32Array(outSize + stateSize * (isLstm ? 2 : 1));
  /** Copies n floats of the heap at `at` into `to` at `offset`. */
  const copyOut = (at: number, n: number, to: Float32Array, offset = 0): void => to.set(heap.f32.subarray(at >>> 2, (at >>> 2) + n), offset);
  /** Copies n floats of `from` (from `offset`) into the heap at `at`. */
  const copyIn = (from: Float32Array, offset: number, n: number, at: number): void => heap.f32.set(from.subarray(offset, offset + n), at >>> 2);

  const workspaces = save ? pools.map((pool) => pool.acquire(T, B)) : [];
  const sizes = [
    T * B * I, B, outSize, B * G, 2 * G, T * B * G, (T + 1) * stateFloats, isLstm ? (T + 1) * stateFloats : 0, isLstm ? T * stateFloats : 0,
    // Stryker disable next-line ConditionalExpression: an hw_n block for the other cells, which never touch it, changes nothing but the heap's peak in the call
    kind === 'gru' ? T * stateFloats : 0,
  ];
  /** Packs of weights used for the first time, freed when the call ends (packs.ts). */
  const callBlocks: number[] = [];
  try {
    heap.withBlocks(sizes.map((n) => n * 4), ([X, lens, out, hw, biases, gates, states, cells, tanhC, hwn]) => {
      copyIn(x, 0, T * B * I, X!);
      heap.i32.set(lengths, lens! >>> 2);
      heap.f32.fill(0, out! >>> 2, (out! >>> 2) + outSize);
      for (let d = 0; d < D; d++) {
        const { weightIh, weightHh, biasIh, biasHh } = directions[d]!;
        const wih = packedTransposed(w, weightIh, G, I, callBlocks);
        const whh = packedTransposed(w, weightHh, G, H, callBlocks);
        // XW = x W_ihᵀ + b_ih for all steps at once (b_ih, b_hh: zeros for a layer without biases)
        heap.f32.fill(0, biases! >>> 2, (biases! >>> 2) + 2 * G);
        if (biasIh) copyIn(biasIh, 0, G, biases!);
        if (biasHh) copyIn(biasHh, 0, G, biases! + G * 4);
        gemmRows(w, { m: T * B, k: I, n: G, a: X!, ai: I * 4, ap: 4, b: wih, bp: 32, bpanel: I * 32, c: gates!, ldc: G * 4, accumulate: 0, bias: biases! });
        const first = d === 0 ? 0 : T;
        copyIn(h0, d * stateFloats, stateFloats, states! + first * stateFloats * 4);
        if (isLstm) copyIn(c0!, d * stateFloats, stateFloats, cells! + first * stateFloats * 4);
        runLoops(w, 'forwardLoop', T * B * H * G, B, (b0, b1) => ({
          kind: KIND[kind], T, B, H, reverse: d, b0, b1, lengths: lens!, gates: gates!, hw: hw!, biasHh: biases! + G * 4, whh,
          states: states!, cells: cells!, tanhC: tanhC!, hwn: hwn!, out: out! + d * H * 4, outStride: D * H * 4,
        }));
        const last = (d === 0 ? T : 0) * stateFloats * 4;
        copyOut(states! + last, stateFloats, packed, outSize + d * stateFloats);
        if (isLstm) copyOut(cells! + last, stateFloats, packed, outSize + stateSize + d * stateFloats);
        if (save) {
          const ws = workspaces[d]!;
          const entering = (d === 0 ? 0 : 1) * stateFloats * 4;
          copyOut(gates!, T * B * G, ws.gates);
          copyOut(states! + entering, T * stateFloats, ws.hPrev);
          if (isLstm) {
            copyOut(cells! + entering, T * stateFloats, ws.cPrev);
            copyOut(tanhC!, T * stateFloats, ws.tanhC);
          }
          if (kind === 'gru') copyOut(hwn!, T * stateFloats, ws.hwn);
        }
      }
      copyOut(out!, outSize, packed);
    });
  } catch (e) {
    release();
    throw e;
  } finally {
    for (const at of callBlocks) heap.free(at);
  }
  return { packed, backward, release };

  function release(): void {
    workspaces.forEach((ws, d) => pools[d]!.release(T, B, ws));
  }

  function backward(g: Float32Array, needX: boolean): (Float32Array | null)[] {
    const gx = needX ? new Float32Array(x.length) : null;
    const gh0 = new Float32Array(stateSize);
    const gc0 = isLstm ? new Float32Array(stateSize) : null;
    const weightGrads: Float32Array[] = [];
    const maxIn = Math.max(I, H);
    const sizes = [
      T * B * I, B, outSize, T * B * G, T * stateFloats, isLstm ? T * stateFloats : 0, isLstm ? T * stateFloats : 0,
      // Stryker disable next-line ConditionalExpression: as in the forward call
      kind === 'gru' ? T * stateFloats : 0,
      stateFloats, isLstm ? stateFloats : 0, T * B * G,
      // Stryker disable next-line ConditionalExpression: a dHW block of their own for the other cells, which use dXW's, changes nothing but the heap's peak
      kind === 'gru' ? T * B * G : 0,
      T * B * G, G * maxIn, G * maxIn, needX ? T * B * I : 0,
    ];
    heap.withBlocks(sizes.map((n) => n * 4), ([X, lens, gOut, gates, hPrev, cPrev, tanhC, hwn, dh, dc, dXW, dHWOwn, transposed, raw, gW, gx4]) => {
      // The LSTM's and RNN's W_hh sees the same pre-activation gradients as W_ih: one block.
      const dHW = kind === 'gru' ? dHWOwn! : dXW!;
      copyIn(x, 0, T * B * I, X!);
      heap.i32.set(lengths, lens! >>> 2);
      copyIn(g, 0, outSize, gOut!);
      if (gx) heap.f32.fill(0, gx4! >>> 2, (gx4! >>> 2) + T * B * I);
      /** The column sums of a (T*B, G) block of gate gradients: a bias's gradient. */
      const columnSums = (grads: number): Float32Array => {
        heap.f32.fill(0, gW! >>> 2, (gW! >>> 2) + G);
        w.exports.columnSums(T * B, G, grads, gW!);
        const gb = new Float32Array(G);
        copyOut(gW!, G, gb);
        return gb;
      };
      for (let d = 0; d < D; d++) {
        const { weightIh, weightHh, biasIh, biasHh } = directions[d]!;
        const ws = workspaces[d]!;
        copyIn(ws.gates, 0, T * B * G, gates!);
        copyIn(ws.hPrev, 0, T * stateFloats, hPrev!);
        // (Without the test, other cells would copy nothing: their ws.cPrev and ws.tanhC are empty, g has no c part.)
        if (isLstm) {
          copyIn(ws.cPrev, 0, T * stateFloats, cPrev!);
          copyIn(ws.tanhC, 0, T * stateFloats, tanhC!);
          copyIn(g, outSize + stateSize + d * stateFloats, stateFloats, dc!);
        }
        // Stryker disable next-line ConditionalExpression: ws.hwn is empty but for the GRU, so the copy would copy nothing
        if (kind === 'gru') copyIn(ws.hwn, 0, T * stateFloats, hwn!);
        copyIn(g, outSize + d * stateFloats, stateFloats, dh!);
        copyIn(weightHh, 0, G * H, raw!);
        runLoops(w, 'backwardLoop', T * B * H * G, B, (b0, b1) => ({
          kind: KIND[kind], T, B, H, reverse: d, b0, b1, lengths: lens!, gates: gates!, hPrev: hPrev!, cPrev: cPrev!, tanhC: tanhC!, hwn: hwn!,
          gOut: gOut! + d * H * 4, gOutStride: D * H * 4, dh: dh!, dc: dc!, dXW: dXW!, dHW, whh: raw!,
        }));
        copyOut(dh!, stateFloats, gh0, d * stateFloats);
        if (gc0) copyOut(dc!, stateFloats, gc0, d * stateFloats);
        // dW_ih = dXWᵀ x,  dW_hh = dHWᵀ h_prev over all T*B rows, as products of the transposed
        // gate gradients (see the transpose kernel); the biases' gradients are column sums.
        w.exports.transpose(T * B, G, dXW!, transposed!);
        const gWih = new Float32Array(G * I);
        gemmRows(w, { m: G, k: T * B, n: I, a: transposed!, ai: T * B * 4, ap: 4, b: X!, bp: I * 4, bpanel: 32, c: gW!, ldc: I * 4, accumulate: 0, bias: 0 });
        copyOut(gW!, G * I, gWih);
        // Stryker disable next-line ConditionalExpression: transposing dXW again gives the same transposed block, only later
        if (dHW !== dXW) w.exports.transpose(T * B, G, dHW, transposed!);
        const gWhh = new Float32Array(G * H);
        gemmRows(w, { m: G, k: T * B, n: H, a: transposed!, ai: T * B * 4, ap: 4, b: hPrev!, bp: H * 4, bpanel: 32, c: gW!, ldc: H * 4, accumulate: 0, bias: 0 });
        copyOut(gW!, G * H, gWhh);
        weightGrads.push(gWih, gWhh);
        const gbIh = biasIh === null ? null : columnSums(dXW!);
        if (gbIh) weightGrads.push(gbIh);
        // db_hh sums dHW, which is dXW itself but for the GRU: then the sums are already there.
        if (biasHh) {
          // Stryker disable next-line ConditionalExpression: summing dHW = dXW again gives the same sums, only later
          weightGrads.push(gbIh && dHW === dXW ? gbIh.slice() : columnSums(dHW));
        }
        if (gx) {
          // dx += dXW W_ih
          copyIn(weightIh, 0, G * I, raw!);
          gemmRows(w, { m: T * B, k: G, n: I, a: dXW!, ai: G * 4, ap: 4, b: raw!, bp: I * 4, bpanel: 32, c: gx4!, ldc: I * 4, accumulate: 1, bias: 0 });
        }
      }
      if (gx) copyOut(gx4!, T * B * I, gx);
    });
    return [gx, gh0, ...(gc0 ? [gc0] : []), ...weightGrads];
  }
}
