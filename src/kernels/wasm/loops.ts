/**
 * The recurrent time loops in WebAssembly: one call runs every step of one direction for a
 * range of batch rows [b0, b1), so the whole loop stays in WASM and two threads can each take
 * a range with no barrier between steps (rows of a batch never interact).
 *
 * Forward, per step t (t = T-1 … 0 when reverse):
 *   hw = b_hh + h_t W_hhᵀ   (gemm over the rows, W_hh packed, the bias starting the sums)
 *   gate pass (lstmForward / gruForward / rnnForward) on the rows
 * Backward, per step in the opposite order:
 *   gate backward pass on the rows (adds the output gradient to dh first)
 *   dh += dHW_t W_hh   (gemm, W_hh read in place as a row-major (G, H) matrix)
 * Layouts and state slots are those of recurrent-layer.ts; `kind` is 0 LSTM, 1 GRU,
 * 2 RNN tanh, 3 RNN relu. Every address is in bytes.
 */
import type { Code, FunctionDef } from './assembler.js';
import { callKernel, kernelCode, kernelDef } from './abi.js';

const I32 = 'i32' as const;

/** Emits stateRow = 4H (bytes of a state row) and gateRow = stateRow × (4, 3, 1 for LSTM, GRU, RNN). */
function rowSizes(c: Code, kind: number, H: number, stateRow: number, gateRow: number): void {
  c.get(H).i32(4).op('i32.mul').set(stateRow);
  c.get(stateRow).set(gateRow);
  c.get(kind).op('i32.eqz').if(() => c.get(stateRow).i32(4).op('i32.mul').set(gateRow));
  c.get(kind).i32(1).op('i32.eq').if(() => c.get(stateRow).i32(3).op('i32.mul').set(gateRow));
}

/** Emits local = base + (t*B + b0) * rowBytes, the address of row b0 at step t. */
function rowAt(c: Code, local: number, base: number, t: number, B: number, b0: number, rowBytes: number): void {
  c.get(base).get(t).get(B).op('i32.mul').get(b0).op('i32.add').get(rowBytes).op('i32.mul').op('i32.add').set(local);
}

/** forwardLoop: hw = b_hh + h W_hhᵀ, then the gate pass, for every step (parameters in abi.ts). */
export function forwardLoopFunction(): FunctionDef {
  const { code: c, p } = kernelCode('forwardLoop');
  const s = c.local(I32), t = c.local(I32), rows = c.local(I32), r = c.local(I32), hwRows = c.local(I32);
  const hIn = c.local(I32), hOut = c.local(I32), cIn = c.local(I32), cOut = c.local(I32), xw = c.local(I32), o = c.local(I32), st = c.local(I32), lens = c.local(I32);
  const gateRow = c.local(I32), stateRow = c.local(I32), slotBytes = c.local(I32);
  rowSizes(c, p.kind, p.H, stateRow, gateRow);
  c.get(p.b1).get(p.b0).op('i32.sub').set(rows);
  c.get(p.B).get(stateRow).op('i32.mul').set(slotBytes);
  c.get(p.hw).get(p.b0).get(gateRow).op('i32.mul').op('i32.add').set(hwRows);
  c.get(p.lengths).get(p.b0).i32(2).op('i32.shl').op('i32.add').set(lens);
  c.i32(0).set(s);
  c.forLoop(s, p.T, { const: 1 }, () => {
    // t and the state slots: forward reads slot t, writes t+1; reverse reads t+1, writes t.
    c.get(p.reverse).if(() => {
      c.get(p.T).i32(1).op('i32.sub').get(s).op('i32.sub').set(t);
      c.get(t).i32(1).op('i32.add').get(slotBytes).op('i32.mul').set(hIn);
      c.get(t).get(slotBytes).op('i32.mul').set(hOut);
    }, () => {
      c.get(s).set(t);
      c.get(t).get(slotBytes).op('i32.mul').set(hIn);
      c.get(t).i32(1).op('i32.add').get(slotBytes).op('i32.mul').set(hOut);
    });
    c.get(p.b0).get(stateRow).op('i32.mul').set(r);
    c.get(p.cells).get(hIn).op('i32.add').get(r).op('i32.add').set(cIn);
    c.get(p.cells).get(hOut).op('i32.add').get(r).op('i32.add').set(cOut);
    c.get(p.states).get(hIn).op('i32.add').get(r).op('i32.add').set(hIn);
    c.get(p.states).get(hOut).op('i32.add').get(r).op('i32.add').set(hOut);
    // hw = b_hh + h W_hhᵀ: (rows, H) · (H, G), W_hh packed in panels of H rows of 8
    callKernel(c, 'gemm', {
      m: rows, k: p.H, n: () => c.get(gateRow).i32(2).op('i32.shr_u'),
      a: hIn, ai: stateRow, ap: () => c.i32(4),
      b: p.whh, bp: () => c.i32(32), bpanel: () => c.get(p.H).i32(32).op('i32.mul'),
      c: hwRows, ldc: gateRow, accumulate: () => c.i32(0), bias: p.biasHh,
    });
    rowAt(c, xw, p.gates, t, p.B, p.b0, gateRow);
    rowAt(c, st, p.tanhC, t, p.B, p.b0, stateRow);
    rowAt(c, o, p.out, t, p.B, p.b0, p.outStride);
    const common = { B: rows, H: p.H, t, lengths: lens, xw, hw: hwRows, hIn, hOut, out: o, outStride: p.outStride };
    c.get(p.kind).op('i32.eqz').if(() => {
      callKernel(c, 'lstmForward', { ...common, cIn, cOut, tanhC: st });
    }, () => {
      c.get(p.kind).i32(1).op('i32.eq').if(() => {
        rowAt(c, st, p.hwn, t, p.B, p.b0, stateRow);
        callKernel(c, 'gruForward', { ...common, hwn: st });
      }, () => {
        callKernel(c, 'rnnForward', { ...common, relu: () => c.get(p.kind).i32(3).op('i32.eq') });
      });
    });
  });
  return kernelDef('forwardLoop', c);
}

/** backwardLoop: the gate backward pass, then dh += dHW_t W_hh, for every step in reverse order (parameters in abi.ts). */
export function backwardLoopFunction(): FunctionDef {
  const { code: c, p } = kernelCode('backwardLoop');
  const s = c.local(I32), t = c.local(I32), rows = c.local(I32), lens = c.local(I32);
  const gt = c.local(I32), dx = c.local(I32), dhw = c.local(I32), st = c.local(I32), st2 = c.local(I32), go = c.local(I32), dh = c.local(I32), dc = c.local(I32);
  const gateRow = c.local(I32), stateRow = c.local(I32);
  rowSizes(c, p.kind, p.H, stateRow, gateRow);
  c.get(p.b1).get(p.b0).op('i32.sub').set(rows);
  c.get(p.lengths).get(p.b0).i32(2).op('i32.shl').op('i32.add').set(lens);
  c.get(p.dh).get(p.b0).get(stateRow).op('i32.mul').op('i32.add').set(dh);
  c.get(p.dc).get(p.b0).get(stateRow).op('i32.mul').op('i32.add').set(dc);
  c.get(p.T).set(s);
  c.block(() => c.loop(() => {
    c.get(s).i32(0).op('i32.le_s').brIf(1);
    c.get(s).i32(1).op('i32.sub').set(s);
    // t = reverse ? T-1-s : s
    c.get(s).set(t);
    c.get(p.reverse).if(() => c.get(p.T).i32(1).op('i32.sub').get(s).op('i32.sub').set(t));
    rowAt(c, gt, p.gates, t, p.B, p.b0, gateRow);
    rowAt(c, dx, p.dXW, t, p.B, p.b0, gateRow);
    rowAt(c, dhw, p.dHW, t, p.B, p.b0, gateRow);
    rowAt(c, go, p.gOut, t, p.B, p.b0, p.gOutStride);
    const common = { B: rows, H: p.H, t, lengths: lens, gates: gt, gOut: go, gOutStride: p.gOutStride, dh };
    c.get(p.kind).op('i32.eqz').if(() => {
      rowAt(c, st, p.cPrev, t, p.B, p.b0, stateRow);
      rowAt(c, st2, p.tanhC, t, p.B, p.b0, stateRow);
      callKernel(c, 'lstmBackward', { ...common, cIn: st, tanhC: st2, dc, dGates: dx });
    }, () => {
      c.get(p.kind).i32(1).op('i32.eq').if(() => {
        rowAt(c, st, p.hPrev, t, p.B, p.b0, stateRow);
        rowAt(c, st2, p.hwn, t, p.B, p.b0, stateRow);
        callKernel(c, 'gruBackward', { ...common, hIn: st, hwn: st2, dXW: dx, dHW: dhw });
      }, () => {
        callKernel(c, 'rnnBackward', { ...common, relu: () => c.get(p.kind).i32(3).op('i32.eq'), dGates: dx });
      });
    });
    // dh += dHW_t W_hh: (rows, G) · (G, H), W_hh read in place as row-major (G, H)
    callKernel(c, 'gemm', {
      m: rows, k: () => c.get(gateRow).i32(2).op('i32.shr_u'), n: p.H,
      a: dhw, ai: gateRow, ap: () => c.i32(4),
      b: p.whh, bp: stateRow, bpanel: () => c.i32(32),
      c: dh, ldc: stateRow, accumulate: () => c.i32(1), bias: () => c.i32(0),
    });
    c.br(0);
  }));
  return kernelDef('backwardLoop', c);
}
