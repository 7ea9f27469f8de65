/**
 * One recurrent layer (all its directions) on the WASM backend: the computation of
 * fused-layer.ts, with the time loop's products and gate passes as SIMD kernels over one heap.
 *
 * Legend: T = steps, B = batch, I = input size, H = hidden size, D = directions,
 * G = gates * H. Heap blocks of one call (all freed before the call returns):
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
import { gemmRows, parallelWork, splitRange } from '../kernels/products.js';
import { parallelism, runJobs } from '../kernels/threads.js';
import type { WasmKernels } from '../kernels/wasm/module.js';
import { packedTransposed } from '../kernels/wasm/packs.js';
import type { Tensor } from '../tensor/tensor.js';
import { recordLayer, type CellKind, type DirectionWeights, type LayerResult } from './layer-op.js';
import type { WorkspacePool } from './workspace.js';

/** The loop functions' cell codes. */
const KIND: Record<CellKind, number> = { lstm: 0, gru: 1, rnnTanh: 2, rnnRelu: 3 };

/**
 * Runs one time-loop call per range of batch rows, each range on its own thread when threads
 * are ready and the loop (T·B·H·G multiply-adds in its products) is worth splitting.
 */
function runLoops(w: WasmKernels, fn: 'forwardLoop' | 'backwardLoop', work: number, B: number, args: (b0: number, b1: number) => number[]): void {
  const parts = work >= parallelWork.minimum ? Math.min(parallelism(), B) : 1;
  runJobs(w.exports as unknown as Record<string, Function>, splitRange(B, parts, 1).map(([b0, b1]) => [{ fn, args: args(b0, b1) }]));
}

/** Copies a heap block of n floats into a JS array at `offset`. */
function copyOut(w: WasmKernels, at: number, n: number, to: Float32Array, offset = 0): void {
  to.set(w.heap.f32.subarray(at >> 2, (at >> 2) + n), offset);
}

/** Copies n floats of a JS array (from `offset`) into the heap at `at`. */
function copyIn(w: WasmKernels, from: Float32Array, offset: number, n: number, at: number): void {
  w.heap.f32.set(from.subarray(offset, offset + n), at >> 2);
}

/** Runs one layer on the WASM backend; arguments as {@link recurrentLayer}. */
export function recurrentLayerWasm(
  w: WasmKernels,
  kind: CellKind,
  x: Tensor,
  h0: Tensor,
  c0: Tensor | null,
  directions: readonly DirectionWeights[],
  lengths: Int32Array,
  pools: readonly WorkspacePool[],
  saveForBackward: boolean,
): LayerResult {
  const [T, B, I] = x.shape;
  const D = directions.length;
  const H = h0.shape[2];
  const G = (kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1) * H;
  const isLstm = kind === 'lstm';
  const { heap, exports: e } = w;
  const stateFloats = B * H;
  const outSize = T * B * D * H;
  const stateSize = D * B * H;
  const packed = new Float32Array(outSize + stateSize * (isLstm ? 2 : 1));

  const X = heap.alloc(T * B * I * 4);
  const lens = heap.alloc(B * 4);
  const out = heap.alloc(outSize * 4);
  const hw = heap.alloc(B * G * 4);
  const biases = heap.alloc(2 * G * 4); // b_ih, b_hh (zeros for a layer without biases)
  const gates = heap.alloc(T * B * G * 4);
  const states = heap.alloc((T + 1) * stateFloats * 4);
  const cells = isLstm ? heap.alloc((T + 1) * stateFloats * 4) : 0;
  const tanhC = isLstm ? heap.alloc(T * stateFloats * 4) : 0;
  const hwn = kind === 'gru' ? heap.alloc(T * stateFloats * 4) : 0;
  copyIn(w, x.data, 0, T * B * I, X);
  heap.i32.set(lengths, lens >> 2);
  heap.f32.fill(0, out >> 2, (out >> 2) + outSize);

  const workspaces = saveForBackward ? pools.map((pool) => pool.acquire(T, B)) : [];
  for (let d = 0; d < D; d++) {
    const { weightIh, weightHh, biasIh, biasHh } = directions[d];
    const wih = packedTransposed(w, weightIh, weightIh.version, weightIh.data, G, I);
    const whh = packedTransposed(w, weightHh, weightHh.version, weightHh.data, G, H);
    // XW = x W_ihᵀ + b_ih for all steps at once.
    heap.f32.fill(0, biases >> 2, (biases >> 2) + 2 * G);
    if (biasIh) copyIn(w, biasIh.data, 0, G, biases);
    if (biasHh) copyIn(w, biasHh.data, 0, G, biases + G * 4);
    gemmRows(w, T * B, I, G, X, I * 4, 4, wih, 32, I * 32, gates, G * 4, 0, biases);
    const first = d === 0 ? 0 : T;
    copyIn(w, h0.data, d * stateFloats, stateFloats, states + first * stateFloats * 4);
    if (isLstm) copyIn(w, c0!.data, d * stateFloats, stateFloats, cells + first * stateFloats * 4);
    runLoops(w, 'forwardLoop', T * B * H * G, B, (b0, b1) => [KIND[kind], T, B, H, d, b0, b1, lens, gates, hw, biases + G * 4, whh, states, cells, tanhC, hwn, out + d * H * 4, D * H * 4]);
    const last = (d === 0 ? T : 0) * stateFloats * 4;
    copyOut(w, states + last, stateFloats, packed, outSize + d * stateFloats);
    if (isLstm) copyOut(w, cells + last, stateFloats, packed, outSize + stateSize + d * stateFloats);
    if (saveForBackward) {
      const ws = workspaces[d];
      const entering = (d === 0 ? 0 : 1) * stateFloats * 4;
      copyOut(w, gates, T * B * G, ws.gates);
      copyOut(w, states + entering, T * stateFloats, ws.hPrev);
      if (isLstm) {
        copyOut(w, cells + entering, T * stateFloats, ws.cPrev);
        copyOut(w, tanhC, T * stateFloats, ws.tanhC);
      }
      if (kind === 'gru') copyOut(w, hwn, T * stateFloats, ws.hwn);
    }
  }
  copyOut(w, out, outSize, packed);
  for (const block of [X, lens, out, hw, biases, gates, states, cells, tanhC, hwn]) if (block !== 0) heap.free(block);

  const weights = directions.flatMap((dw) => [dw.weightIh, dw.weightHh, dw.biasIh, dw.biasHh]);
  const inputs = [x, h0, ...(isLstm ? [c0!] : []), ...weights.filter((t): t is Tensor => t !== null)];
  return recordLayer(kind, packed, [T, B, D, H], inputs, backwardLayer, () => workspaces.forEach((ws, d) => pools[d].release(T, B, ws)));

  function backwardLayer(g: Float32Array): (Float32Array | null)[] {
    const gx = x.requiresGrad ? new Float32Array(x.data.length) : null;
    const gh0 = new Float32Array(stateSize);
    const gc0 = isLstm ? new Float32Array(stateSize) : null;
    const weightGrads: (Float32Array | null)[] = [];
    const maxIn = Math.max(I, H);
    const Xb = heap.alloc(T * B * I * 4);
    const lensb = heap.alloc(B * 4);
    const gOut = heap.alloc(outSize * 4);
    const gatesb = heap.alloc(T * B * G * 4);
    const hPrev = heap.alloc(T * stateFloats * 4);
    const cPrev = isLstm ? heap.alloc(T * stateFloats * 4) : 0;
    const tanhCb = isLstm ? heap.alloc(T * stateFloats * 4) : 0;
    const hwnb = kind === 'gru' ? heap.alloc(T * stateFloats * 4) : 0;
    const dh = heap.alloc(stateFloats * 4);
    const dc = isLstm ? heap.alloc(stateFloats * 4) : 0;
    const dXW = heap.alloc(T * B * G * 4);
    const dHW = kind === 'gru' ? heap.alloc(T * B * G * 4) : dXW;
    const transposed = heap.alloc(T * B * G * 4);
    const raw = heap.alloc(G * maxIn * 4);
    const gW = heap.alloc(G * maxIn * 4);
    const gx4 = gx ? heap.alloc(T * B * I * 4) : 0;
    copyIn(w, x.data, 0, T * B * I, Xb);
    heap.i32.set(lengths, lensb >> 2);
    copyIn(w, g, 0, outSize, gOut);
    if (gx4) heap.f32.fill(0, gx4 >> 2, (gx4 >> 2) + T * B * I);

    for (let d = 0; d < D; d++) {
      const { weightIh, weightHh, biasIh, biasHh } = directions[d];
      const ws = workspaces[d];
      copyIn(w, ws.gates, 0, T * B * G, gatesb);
      copyIn(w, ws.hPrev, 0, T * stateFloats, hPrev);
      if (isLstm) {
        copyIn(w, ws.cPrev, 0, T * stateFloats, cPrev);
        copyIn(w, ws.tanhC, 0, T * stateFloats, tanhCb);
        copyIn(w, g, outSize + stateSize + d * stateFloats, stateFloats, dc);
      }
      if (kind === 'gru') copyIn(w, ws.hwn, 0, T * stateFloats, hwnb);
      copyIn(w, g, outSize + d * stateFloats, stateFloats, dh);
      copyIn(w, weightHh.data, 0, G * H, raw);
      runLoops(w, 'backwardLoop', T * B * H * G, B, (b0, b1) => [KIND[kind], T, B, H, d, b0, b1, lensb, gatesb, hPrev, cPrev, tanhCb, hwnb, gOut + d * H * 4, D * H * 4, dh, dc, dXW, dHW, raw]);
      copyOut(w, dh, stateFloats, gh0, d * stateFloats);
      if (gc0) copyOut(w, dc, stateFloats, gc0, d * stateFloats);
      // dW_ih = dXWᵀ x,  dW_hh = dHWᵀ h_prev over all T*B rows; biases are column sums.
      // (as products of the transposed gate gradients, see the transpose kernel)
      e.transpose(T * B, G, dXW, transposed);
      const gWih = new Float32Array(G * I);
      gemmRows(w, G, T * B, I, transposed, T * B * 4, 4, Xb, I * 4, 32, gW, I * 4, 0);
      copyOut(w, gW, G * I, gWih);
      if (dHW !== dXW) e.transpose(T * B, G, dHW, transposed);
      const gWhh = new Float32Array(G * H);
      gemmRows(w, G, T * B, H, transposed, T * B * 4, 4, hPrev, H * 4, 32, gW, H * 4, 0);
      copyOut(w, gW, G * H, gWhh);
      weightGrads.push(gWih, gWhh);
      const columnSums = (grads: number): Float32Array => {
        heap.f32.fill(0, gW >> 2, (gW >> 2) + G);
        e.columnSums(T * B, G, grads, gW);
        const gb = new Float32Array(G);
        copyOut(w, gW, G, gb);
        return gb;
      };
      const gbIh = biasIh === null ? null : columnSums(dXW);
      if (gbIh) weightGrads.push(gbIh);
      // db_hh sums dHW, which is dXW itself but for the GRU: then the sums are already there.
      if (biasHh) weightGrads.push(gbIh && dHW === dXW ? gbIh.slice() : columnSums(dHW));
      if (gx4) {
        // dx += dXW W_ih
        copyIn(w, weightIh.data, 0, G * I, raw);
        gemmRows(w, T * B, G, I, dXW, G * 4, 4, raw, I * 4, 32, gx4, I * 4, 1);
      }
    }
    if (gx && gx4) copyOut(w, gx4, T * B * I, gx);
    for (const block of new Set([Xb, lensb, gOut, gatesb, hPrev, cPrev, tanhCb, hwnb, dh, dc, dXW, dHW, transposed, raw, gW, gx4])) {
      if (block !== 0) heap.free(block);
    }
    return [gx, gh0, ...(gc0 ? [gc0] : []), ...weightGrads];
  }
}
