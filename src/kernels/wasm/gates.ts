/**
 * The fused gate passes of the LSTM, GRU and RNN cells in WebAssembly SIMD, forward and
 * backward: the same equations as the scalar kernels (src/kernels/js/lstm.ts, gru.ts, rnn.ts),
 * four hidden units per instruction.
 *
 * Activations are computed in float32 from exp, never as ½ + ½·tanh(x/2) (whose relative
 * error explodes for x ≪ 0):
 *   e^x, x ≤ 0    Cephes expf: n = round(x log2 e), r = x − n ln 2 (in two parts),
 *                 e^r by a degree-6 polynomial, times 2^n built from exponent bits in two
 *                 halves so results down to the smallest subnormal are right
 *   sigmoid(x)    with e = e^−|x|:  1 / (1 + e) for x ≥ 0,  e / (1 + e) for x < 0
 *   tanh(x)       |x| < 0.625: x + x³ P(x²) (Cephes tanhf);  else sign(x) (1 − e) / (1 + e),
 *                 e = e^−2|x|
 * NaN goes in, NaN comes out (PyTorch's behaviour), including through relu.
 *
 * Memory layout, per step (all arguments are byte addresses; G = gates × H):
 *   xw      (B, G)   x W_ihᵀ + b_ih on entry; the gate activations on exit (in place)
 *   hw      (B, G)   h W_hhᵀ + b_hh
 *   hIn/hOut (B, H)  the state before and after the step (distinct slots, so nothing is copied)
 *   out      row b at out + b·outStride: the layer output for this step and direction
 * Rows whose sequence has ended (lengths[b] ≤ t) carry their state over, and their gates and
 * gate gradients are zero. Each backward pass first adds the output gradient of the step to dh.
 * The last vector of a row may run past H: its extra lanes read neighbouring floats (or the
 * heap's slack) and are never stored.
 */
import { Code, type FunctionDef } from './assembler.js';
import { kernelCode, kernelDef, type KernelName, type ParamName } from './abi.js';

const I32 = 'i32' as const;

/** Inline vector math on v128 locals; the temporaries are allocated once per function. */
class VectorMath {
  private readonly t: number[];

  constructor(private readonly code: Code) {
    this.t = [0, 1, 2, 3, 4, 5].map(() => code.local('v128'));
  }

  /** out = e^x for x ≤ 0 (x is clamped at −104, below which e^x rounds to 0). */
  expNeg(x: number, out: number): void {
    const c = this.code;
    const [v, n, r, scale] = this.t;
    c.get(x).f32x4(-104).op('f32x4.max').set(v);
    c.get(v).f32x4(Math.LOG2E).op('f32x4.mul').op('f32x4.nearest').set(n);
    c.get(v).get(n).f32x4(0.693359375).op('f32x4.mul').op('f32x4.sub').get(n).f32x4(-2.12194440e-4).op('f32x4.mul').op('f32x4.sub').set(r);
    // e^r = 1 + r + r² (P5 + r (P4 + r (P3 + r (P2 + r (P1 + r P0)))))
    c.get(r).f32x4(1.9875691500e-4).op('f32x4.mul').f32x4(1.3981999507e-3).op('f32x4.add');
    for (const p of [8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]) {
      c.get(r).op('f32x4.mul').f32x4(p).op('f32x4.add');
    }
    c.get(r).get(r).op('f32x4.mul').op('f32x4.mul').get(r).op('f32x4.add').f32x4(1).op('f32x4.add').set(out);
    // 2^n = 2^n1 · 2^n2 with n1 = n >> 1, n2 = n − n1 (each ≥ −75, so a normal float).
    c.get(n).op('i32x4.trunc_sat_f32x4_s').set(n);
    c.get(n).i32(1).op('i32x4.shr_s').set(scale);
    c.get(n).get(scale).op('i32x4.sub').set(n);
    for (const part of [scale, n]) {
      c.get(out).get(part).i32x4(127).op('i32x4.add').i32(23).op('i32x4.shl').op('f32x4.mul').set(out);
    }
  }

  /** out = 1 / (1 + e^−x), from e = e^−|x|. */
  sigmoid(x: number, out: number): void {
    const c = this.code;
    const e = this.t[4];
    c.get(x).op('f32x4.abs').op('f32x4.neg').set(e);
    this.expNeg(e, e);
    c.f32x4(1).get(e).get(x).f32x4(0).op('f32x4.ge').op('v128.bitselect');
    c.get(e).f32x4(1).op('f32x4.add').op('f32x4.div').set(out);
  }

  /** out = tanh(x). */
  tanh(x: number, out: number): void {
    const c = this.code;
    const [small, e] = [this.t[4], this.t[5]];
    // |x| < 0.625: x + x · z · P(z), z = x²
    c.get(x).get(x).op('f32x4.mul').set(e);
    c.get(e).f32x4(-5.70498872745e-3).op('f32x4.mul').f32x4(2.06390887954e-2).op('f32x4.add');
    for (const p of [-5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1]) c.get(e).op('f32x4.mul').f32x4(p).op('f32x4.add');
    c.get(e).op('f32x4.mul').get(x).op('f32x4.mul').get(x).op('f32x4.add').set(small);
    // else sign(x) (1 − e) / (1 + e), e = e^−2|x|
    c.get(x).op('f32x4.abs').f32x4(-2).op('f32x4.mul').set(e);
    this.expNeg(e, e);
    c.f32x4(1).get(e).op('f32x4.sub').f32x4(1).get(e).op('f32x4.add').op('f32x4.div');
    // Stryker disable next-line UnaryOperator: +0x80000000 is written as the same 32 bits (setInt32 wraps it), the sign bit
    c.get(x).i32x4(-0x80000000).op('v128.and').op('v128.or');
    c.set(e);
    c.get(small).get(e).get(x).op('f32x4.abs').f32x4(0.625).op('f32x4.lt').op('v128.bitselect').set(out);
  }
}

/** Emits a store of a v128 local at an address (pushed by `address`) plus a byte offset. */
type Store = (address: () => void, value: number) => void;

/** The gate kernels' names. */
type GateName = 'lstmForward' | 'lstmBackward' | 'gruForward' | 'gruBackward' | 'rnnForward' | 'rnnBackward';

/** The shared skeleton of a gate kernel: its ABI parameters by name, a row loop and a column loop. */
class GateKernel<F extends GateName> {
  readonly code: Code;
  readonly p: Record<ParamName<F> | 'B' | 'H' | 't' | 'lengths', number>;
  readonly math: VectorMath;
  /** Byte offset of the current four columns in a row of H floats. */
  readonly jo: number;
  private readonly rem: number;
  private readonly j: number;
  readonly b: number;

  constructor(readonly name: F) {
    ({ code: this.code, p: this.p } = kernelCode<KernelName>(name) as { code: Code; p: GateKernel<F>['p'] });
    this.math = new VectorMath(this.code);
    this.b = this.code.local(I32);
    this.j = this.code.local(I32);
    this.jo = this.code.local(I32);
    this.rem = this.code.local(I32);
  }

  /** A new i32 local holding H · floats · 4 (a row of `floats`·H floats, in bytes). */
  bytesOfRow(floats: number): number {
    const c = this.code;
    const local = c.local(I32);
    c.get(this.p.H).i32(4 * floats).op('i32.mul').set(local);
    return local;
  }

  /** Sets each local to base + b · rowBytes: the addresses of row b (a parameter, a local for the size). */
  pointers(rows: readonly (readonly [number, number, number])[]): void {
    for (const [local, base, rowBytes] of rows) {
      this.code.get(base).get(this.b).get(rowBytes).op('i32.mul').op('i32.add').set(local);
    }
  }

  /** into = a + b at the current columns (of gate block `extra`, a byte offset local, or none): xw + hw, dh + dOut. */
  preActivation(xw: number, hw: number, extra: number | undefined, into: number): void {
    this.at(xw, extra)();
    this.code.load('v128');
    this.at(hw, extra)();
    this.code.load('v128').op('f32x4.add').set(into);
  }

  /** Pushes row + extra + jo (extra: a local holding a byte offset, or none). */
  at(row: number, extra?: number): () => void {
    return () => {
      this.code.get(row).get(this.jo).op('i32.add');
      if (extra !== undefined) this.code.get(extra).op('i32.add');
    };
  }

  /** Loads the four floats at row + extra + jo into a new or given v128 local. */
  load(row: number, extra: number | undefined, into: number): void {
    this.at(row, extra)();
    this.code.load('v128').set(into);
  }

  /**
   * for b in 0..B: setup() (row pointers), then active() or, when lengths[b] ≤ t, ended().
   */
  rows(setup: () => void, active: () => void, ended: () => void): void {
    const c = this.code;
    c.i32(0).set(this.b);
    c.forLoop(this.b, this.p.B, { const: 1 }, () => {
      setup();
      c.get(this.p.lengths).get(this.b).i32(2).op('i32.shl').op('i32.add').load('i32').get(this.p.t).op('i32.le_s');
      c.if(ended, active);
    });
  }

  /** body(store) over the columns of a row, four at a time; the last vector stores only its valid lanes. */
  columns(body: (store: Store) => void): void {
    const c = this.code;
    const end = c.local(I32);
    c.get(this.p.H).i32(-4).op('i32.and').set(end);
    c.i32(0).set(this.j);
    c.forLoop(this.j, end, { const: 4 }, () => {
      c.get(this.j).i32(2).op('i32.shl').set(this.jo);
      body((address, value) => {
        address();
        c.get(value).store('v128');
      });
    });
    c.get(this.j).get(this.p.H).op('i32.lt_s').if(() => {
      c.get(this.j).i32(2).op('i32.shl').set(this.jo);
      c.get(this.p.H).get(this.j).op('i32.sub').set(this.rem);
      body((address, value) => {
        // Stryker disable next-line EqualityOperator: a lane 3 store would be guarded by rem > 3, never true in a tail (rem is 1 to 3)
        for (let lane = 0; lane < 3; lane++) {
          const store = (): void => {
            address();
            c.get(value).lane(lane).store('f32', 4 * lane);
          };
          // Stryker disable next-line ConditionalExpression: lane 0 guarded by rem > 0 stores all the same: a tail has at least one column
          if (lane === 0) store();
          else c.get(this.rem).i32(lane).op('i32.gt_s').if(store);
        }
      });
    });
  }

  /** Sets `bytes` bytes at the address in local `at` to zero. */
  zero(at: number, bytes: number): void {
    this.code.get(at).i32(0).get(bytes).memoryFill();
  }

  /** Copies `bytes` bytes from local `from` to local `to`. */
  copy(to: number, from: number, bytes: number): void {
    this.code.get(to).get(from).get(bytes).memoryCopy();
  }

  /** A new v128 local. */
  v(): number {
    return this.code.local('v128');
  }

  finish(): FunctionDef {
    return kernelDef(this.name, this.code);
  }
}

/** Pushes a - b onto the stack. */
function sub(c: Code, a: () => void, b: () => void): void {
  a();
  b();
  c.op('f32x4.sub');
}

/**
 * LSTM forward, gates i, f, g, o:
 *   i = s(xw_i + hw_i)  f = s(xw_f + hw_f)  g = tanh(xw_g + hw_g)  o = s(xw_o + hw_o)
 *   c' = f c + i g      h' = o tanh(c')
 */
function lstmForward(): FunctionDef {
  const k = new GateKernel('lstmForward');
  const { code: c, p, math } = k;
  const gateRow = k.bytesOfRow(4), stateRow = k.bytesOfRow(1);
  const H2 = c.local(I32), H3 = c.local(I32);
  c.get(stateRow).i32(1).op('i32.shl').set(H2);
  c.get(H2).get(stateRow).op('i32.add').set(H3);
  const xw = c.local(I32), hw = c.local(I32), hIn = c.local(I32), cIn = c.local(I32), hOut = c.local(I32), cOut = c.local(I32), tc = c.local(I32), out = c.local(I32);
  const [vi, vf, vg, vo, vc, vt, x] = [k.v(), k.v(), k.v(), k.v(), k.v(), k.v(), k.v()];
  const pre = (extra: number | undefined): void => k.preActivation(xw, hw, extra, x);
  k.rows(() => k.pointers([
    [xw, p.xw, gateRow], [hw, p.hw, gateRow], [hIn, p.hIn, stateRow], [cIn, p.cIn, stateRow], [hOut, p.hOut, stateRow],
    [cOut, p.cOut, stateRow], [tc, p.tanhC, stateRow], [out, p.out, p.outStride],
  ]), () => k.columns((store) => {
    pre(undefined); math.sigmoid(x, vi);
    pre(stateRow); math.sigmoid(x, vf);
    pre(H2); math.tanh(x, vg);
    pre(H3); math.sigmoid(x, vo);
    k.at(cIn)();
    c.load('v128').get(vf).op('f32x4.mul').get(vi).get(vg).op('f32x4.mul').op('f32x4.add').set(vc);
    math.tanh(vc, vt);
    store(k.at(xw), vi);
    store(k.at(xw, stateRow), vf);
    store(k.at(xw, H2), vg);
    store(k.at(xw, H3), vo);
    store(k.at(cOut), vc);
    store(k.at(tc), vt);
    c.get(vo).get(vt).op('f32x4.mul').set(x);
    store(k.at(hOut), x);
    store(k.at(out), x);
  }), () => {
    k.zero(xw, gateRow);
    k.zero(tc, stateRow);
    k.copy(hOut, hIn, stateRow);
    k.copy(cOut, cIn, stateRow);
  });
  return k.finish();
}

/**
 * LSTM backward (dh, dc: gradients reaching h', c'; dh first takes the output gradient):
 *   dc_tot = dc + dh o (1 − tanh(c')²)
 *   d pre_i = dc_tot g i (1 − i)   d pre_f = dc_tot c f (1 − f)   d pre_g = dc_tot i (1 − g²)
 *   d pre_o = dh tanh(c') o (1 − o)   dc ← dc_tot f   dh ← 0 (the W_hh part is added by a product)
 */
function lstmBackward(): FunctionDef {
  const k = new GateKernel('lstmBackward');
  const { code: c, p } = k;
  const gateRow = k.bytesOfRow(4), stateRow = k.bytesOfRow(1);
  const H2 = c.local(I32), H3 = c.local(I32);
  c.get(stateRow).i32(1).op('i32.shl').set(H2);
  c.get(H2).get(stateRow).op('i32.add').set(H3);
  const gates = c.local(I32), cIn = c.local(I32), tc = c.local(I32), gOut = c.local(I32), dh = c.local(I32), dc = c.local(I32), dG = c.local(I32);
  const [vi, vf, vg, vo, vt, vdh, vdc, x] = [k.v(), k.v(), k.v(), k.v(), k.v(), k.v(), k.v(), k.v()];
  const one = (): void => { c.f32x4(1); };
  k.rows(() => k.pointers([
    [gates, p.gates, gateRow], [dG, p.dGates, gateRow], [cIn, p.cIn, stateRow], [tc, p.tanhC, stateRow],
    [dh, p.dh, stateRow], [dc, p.dc, stateRow], [gOut, p.gOut, p.gOutStride],
  ]), () => k.columns((store) => {
    k.load(gates, undefined, vi);
    k.load(gates, stateRow, vf);
    k.load(gates, H2, vg);
    k.load(gates, H3, vo);
    k.load(tc, undefined, vt);
    k.preActivation(dh, gOut, undefined, vdh);
    // dc_tot = dc + dh o (1 − tc²)
    k.at(dc)();
    c.load('v128').get(vdh).get(vo).op('f32x4.mul');
    sub(c, one, () => c.get(vt).get(vt).op('f32x4.mul'));
    c.op('f32x4.mul').op('f32x4.add').set(vdc);
    c.get(vdc).get(vg).op('f32x4.mul').get(vi).op('f32x4.mul');
    sub(c, one, () => c.get(vi));
    c.op('f32x4.mul').set(x);
    store(k.at(dG), x);
    k.at(cIn)();
    c.load('v128').get(vdc).op('f32x4.mul').get(vf).op('f32x4.mul');
    sub(c, one, () => c.get(vf));
    c.op('f32x4.mul').set(x);
    store(k.at(dG, stateRow), x);
    c.get(vdc).get(vi).op('f32x4.mul');
    sub(c, one, () => c.get(vg).get(vg).op('f32x4.mul'));
    c.op('f32x4.mul').set(x);
    store(k.at(dG, H2), x);
    c.get(vdh).get(vt).op('f32x4.mul').get(vo).op('f32x4.mul');
    sub(c, one, () => c.get(vo));
    c.op('f32x4.mul').set(x);
    store(k.at(dG, H3), x);
    c.get(vdc).get(vf).op('f32x4.mul').set(x);
    store(k.at(dc), x);
    c.f32x4(0).set(x);
    store(k.at(dh), x);
  }), () => {
    k.zero(dG, gateRow);
  });
  return k.finish();
}

/**
 * GRU forward, gates r, z, n:
 *   r = s(xw_r + hw_r)   z = s(xw_z + hw_z)   n = tanh(xw_n + r hw_n)   h' = (1 − z) n + z h
 */
function gruForward(): FunctionDef {
  const k = new GateKernel('gruForward');
  const { code: c, p, math } = k;
  const gateRow = k.bytesOfRow(3), stateRow = k.bytesOfRow(1);
  const H2 = c.local(I32);
  c.get(stateRow).i32(1).op('i32.shl').set(H2);
  const xw = c.local(I32), hw = c.local(I32), hIn = c.local(I32), hOut = c.local(I32), hwn = c.local(I32), out = c.local(I32);
  const [vr, vz, vn, vhn, x] = [k.v(), k.v(), k.v(), k.v(), k.v()];
  const pre = (extra: number | undefined): void => k.preActivation(xw, hw, extra, x);
  k.rows(() => k.pointers([
    [xw, p.xw, gateRow], [hw, p.hw, gateRow], [hIn, p.hIn, stateRow], [hOut, p.hOut, stateRow], [hwn, p.hwn, stateRow],
    [out, p.out, p.outStride],
  ]), () => k.columns((store) => {
    pre(undefined); math.sigmoid(x, vr);
    pre(stateRow); math.sigmoid(x, vz);
    k.load(hw, H2, vhn);
    k.at(xw, H2)();
    c.load('v128').get(vr).get(vhn).op('f32x4.mul').op('f32x4.add').set(x);
    math.tanh(x, vn);
    store(k.at(xw), vr);
    store(k.at(xw, stateRow), vz);
    store(k.at(xw, H2), vn);
    store(k.at(hwn), vhn);
    // h' = (1 − z) n + z h
    c.f32x4(1).get(vz).op('f32x4.sub').get(vn).op('f32x4.mul').get(vz);
    k.at(hIn)();
    c.load('v128').op('f32x4.mul').op('f32x4.add').set(x);
    store(k.at(hOut), x);
    store(k.at(out), x);
  }), () => {
    k.zero(xw, gateRow);
    k.zero(hwn, stateRow);
    k.copy(hOut, hIn, stateRow);
  });
  return k.finish();
}

/**
 * GRU backward (dh first takes the output gradient):
 *   d pre_n = dh (1 − z)(1 − n²)     d xw_n = d pre_n,  d hw_n = d pre_n r
 *   d pre_r = d pre_n hw_n r (1 − r)  d pre_z = dh (h − n) z (1 − z)     dh ← dh z
 */
function gruBackward(): FunctionDef {
  const k = new GateKernel('gruBackward');
  const { code: c, p } = k;
  const gateRow = k.bytesOfRow(3), stateRow = k.bytesOfRow(1);
  const H2 = c.local(I32);
  c.get(stateRow).i32(1).op('i32.shl').set(H2);
  const gates = c.local(I32), hIn = c.local(I32), hwn = c.local(I32), gOut = c.local(I32), dh = c.local(I32), dX = c.local(I32), dH = c.local(I32);
  const [vr, vz, vn, vdh, dn, x] = [k.v(), k.v(), k.v(), k.v(), k.v(), k.v()];
  k.rows(() => k.pointers([
    [gates, p.gates, gateRow], [dX, p.dXW, gateRow], [dH, p.dHW, gateRow], [hIn, p.hIn, stateRow], [hwn, p.hwn, stateRow],
    [dh, p.dh, stateRow], [gOut, p.gOut, p.gOutStride],
  ]), () => k.columns((store) => {
    k.load(gates, undefined, vr);
    k.load(gates, stateRow, vz);
    k.load(gates, H2, vn);
    k.preActivation(dh, gOut, undefined, vdh);
    // d pre_n = dh (1 − z)(1 − n²)
    c.get(vdh).f32x4(1).get(vz).op('f32x4.sub').op('f32x4.mul').f32x4(1).get(vn).get(vn).op('f32x4.mul').op('f32x4.sub').op('f32x4.mul').set(dn);
    // d pre_r = d pre_n hw_n r (1 − r)
    c.get(dn);
    k.at(hwn)();
    c.load('v128').op('f32x4.mul').get(vr).op('f32x4.mul').f32x4(1).get(vr).op('f32x4.sub').op('f32x4.mul').set(x);
    store(k.at(dX), x);
    store(k.at(dH), x);
    // d pre_z = dh (h − n) z (1 − z)
    c.get(vdh);
    k.at(hIn)();
    c.load('v128').get(vn).op('f32x4.sub').op('f32x4.mul').get(vz).op('f32x4.mul').f32x4(1).get(vz).op('f32x4.sub').op('f32x4.mul').set(x);
    store(k.at(dX, stateRow), x);
    store(k.at(dH, stateRow), x);
    store(k.at(dX, H2), dn);
    c.get(dn).get(vr).op('f32x4.mul').set(x);
    store(k.at(dH, H2), x);
    c.get(vdh).get(vz).op('f32x4.mul').set(x);
    store(k.at(dh), x);
  }), () => {
    k.zero(dX, gateRow);
    k.zero(dH, gateRow);
  });
  return k.finish();
}

/** RNN forward: h' = act(xw + hw), act = relu (NaN stays NaN) or tanh. */
function rnnForward(): FunctionDef {
  const k = new GateKernel('rnnForward');
  const { code: c, p, math } = k;
  const row = k.bytesOfRow(1);
  const xw = c.local(I32), hw = c.local(I32), hIn = c.local(I32), hOut = c.local(I32), out = c.local(I32);
  const [x, y] = [k.v(), k.v()];
  k.rows(() => k.pointers([[xw, p.xw, row], [hw, p.hw, row], [hIn, p.hIn, row], [hOut, p.hOut, row], [out, p.out, p.outStride]]), () => k.columns((store) => {
    k.preActivation(xw, hw, undefined, x);
    c.get(p.relu).if(() => {
      // x ≤ 0 ? 0 : x, so NaN (for which x ≤ 0 is false) passes through
      c.f32x4(0).get(x).get(x).f32x4(0).op('f32x4.le').op('v128.bitselect').set(y);
    }, () => math.tanh(x, y));
    store(k.at(xw), y);
    store(k.at(hOut), y);
    store(k.at(out), y);
  }), () => {
    k.zero(xw, row);
    k.copy(hOut, hIn, row);
  });
  return k.finish();
}

/** RNN backward (dh first takes the output gradient): d pre = dh act'(.), relu' = [h' > 0], tanh' = 1 − h'². */
function rnnBackward(): FunctionDef {
  const k = new GateKernel('rnnBackward');
  const { code: c, p } = k;
  const row = k.bytesOfRow(1);
  const gates = c.local(I32), gOut = c.local(I32), dh = c.local(I32), dG = c.local(I32);
  const [y, d, x] = [k.v(), k.v(), k.v()];
  k.rows(() => k.pointers([[gates, p.gates, row], [dh, p.dh, row], [dG, p.dGates, row], [gOut, p.gOut, p.gOutStride]]), () => k.columns((store) => {
    k.load(gates, undefined, y);
    c.get(p.relu).if(() => {
      c.f32x4(1).get(y).f32x4(0).op('f32x4.gt').op('v128.and').set(d);
    }, () => {
      c.f32x4(1).get(y).get(y).op('f32x4.mul').op('f32x4.sub').set(d);
    });
    k.preActivation(dh, gOut, undefined, x);
    c.get(x).get(d).op('f32x4.mul').set(x);
    store(k.at(dG), x);
    c.f32x4(0).set(x);
    store(k.at(dh), x);
  }), () => {
    k.zero(dG, row);
  });
  return k.finish();
}

/** Every gate kernel, forward and backward, for the module. */
export function gateFunctions(): FunctionDef[] {
  return [lstmForward(), lstmBackward(), gruForward(), gruBackward(), rnnForward(), rnnBackward()];
}

/** A probe of the activations alone, for tests: out[i] = act(x[i]) over n floats (n a multiple of 4). */
export function activationFunction(kind: 'sigmoid' | 'tanh', name: string): FunctionDef {
  const code = new Code(3);
  const math = new VectorMath(code);
  const [n, src, dst] = [0, 1, 2];
  const i = code.local(I32), x = code.local('v128'), y = code.local('v128');
  code.i32(0).set(i);
  code.forLoop(i, n, { const: 4 }, () => {
    code.get(src).get(i).i32(2).op('i32.shl').op('i32.add').load('v128').set(x);
    math[kind](x, y);
    code.get(dst).get(i).i32(2).op('i32.shl').op('i32.add').get(y).store('v128');
  });
  return { name, params: [I32, I32, I32], results: [], code };
}
