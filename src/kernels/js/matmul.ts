/**
 * Matrix products over flat row-major Float32Arrays, in the three layouts backward needs, so
 * no transpose is ever copied:
 *
 *   NN:  C(m,n) (+)= A(m,k)   · B(k,n)        forward:        y  = x · W
 *   NT:  C(m,n) (+)= A(m,k)   · B(n,k)^T      forward/dX:     y  = x · W^T,  dX = dY · W
 *   TN:  C(m,n) (+)= A(k,m)^T · B(k,n)        weight grads:   dW = dY^T · X
 *
 * Every matrix is given as (array, offset) so a kernel can work on a block of a larger
 * buffer without a view. `accumulate` adds into C instead of overwriting it.
 * Plain loops over typed arrays and integers: no objects, no allocation.
 *
 * Float32 range. The WebAssembly kernels and PyTorch sum in float32, where a partial sum past
 * about 3.4e38 overflows; the fast kernel below sums in float64, where it does not, so near
 * that limit the two could differ in sign or by Infinity. Every partial sum is at most
 * k · max|A| · max|B| (+ max|C| when accumulating), so a product whose bound stays under 2^127
 * cannot leave the float32 range and takes the fast kernel (its result differs from float32
 * summation by rounding alone); any other (huge values, Infinity, NaN) takes the triple loop
 * that rounds every product and partial sum to float32 (`matmulReference`). The bound costs
 * one pass over A (and C), against the product's m·k·n multiply-adds; max|B| of a whole array
 * given as B of NN or NT (a weight, or a tensor's data: written only with a version bump, see
 * ../storage.ts) is kept per storage version, so a batch-1 step does not rescan W.
 */

import { storageVersion } from '../storage.js';

const f32 = Math.fround;

/**
 * The one blocked kernel behind the three layouts, with A and B given by strides:
 *   C[i][j] (+)= sum_p A(i,p) B(p,j),   A(i,p) = a[aOff + i*ai + p*ap],  B(p,j) = b[bOff + p*bp + j*bj]
 * C is cut into 4x4 blocks; each block's 16 sums stay in registers for the whole p loop, so
 * every step loads 4 values of A and 4 of B for 16 multiply-adds. Rows left over (m not a
 * multiple of 4, and so every row of a matrix-vector product) take 1x8 blocks; columns left
 * over take plain dot products.
 */
function gemm(
  m: number, k: number, n: number,
  a: Float32Array, aOff: number, ai: number, ap: number,
  b: Float32Array, bOff: number, bp: number, bj: number,
  c: Float32Array, cOff: number,
  accumulate: boolean,
): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    for (let j = 0; j < n4; j += 4) {
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      let pa = aOff + i * ai;
      let pb = bOff + j * bj;
      for (let p = 0; p < k; p++, pa += ap, pb += bp) {
        const y0 = b[pb], y1 = b[pb + bj], y2 = b[pb + 2 * bj], y3 = b[pb + 3 * bj];
        let x = a[pa];
        s00 += x * y0; s01 += x * y1; s02 += x * y2; s03 += x * y3;
        x = a[pa + ai];
        s10 += x * y0; s11 += x * y1; s12 += x * y2; s13 += x * y3;
        x = a[pa + 2 * ai];
        s20 += x * y0; s21 += x * y1; s22 += x * y2; s23 += x * y3;
        x = a[pa + 3 * ai];
        s30 += x * y0; s31 += x * y1; s32 += x * y2; s33 += x * y3;
      }
      let o = cOff + i * n + j;
      if (accumulate) {
        c[o] += s00; c[o + 1] += s01; c[o + 2] += s02; c[o + 3] += s03; o += n;
        c[o] += s10; c[o + 1] += s11; c[o + 2] += s12; c[o + 3] += s13; o += n;
        c[o] += s20; c[o + 1] += s21; c[o + 2] += s22; c[o + 3] += s23; o += n;
        c[o] += s30; c[o + 1] += s31; c[o + 2] += s32; c[o + 3] += s33;
      } else {
        c[o] = s00; c[o + 1] = s01; c[o + 2] = s02; c[o + 3] = s03; o += n;
        c[o] = s10; c[o + 1] = s11; c[o + 2] = s12; c[o + 3] = s13; o += n;
        c[o] = s20; c[o + 1] = s21; c[o + 2] = s22; c[o + 3] = s23; o += n;
        c[o] = s30; c[o + 1] = s31; c[o + 2] = s32; c[o + 3] = s33;
      }
    }
  }
  // The last n % 4 columns of the blocked rows: plain dot products.
  for (let i = 0; i < m4; i++) {
    for (let j = n4; j < n; j++) dot(k, a, aOff + i * ai, ap, b, bOff + j * bj, bp, c, cOff + i * n + j, accumulate);
  }
  // The last m % 4 rows (every row when m < 4, as in a batch of one): 1x8 blocks, then dots.
  const n8 = n - (n % 8);
  for (let i = m4; i < m; i++) {
    for (let j = 0; j < n8; j += 8) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      let pa = aOff + i * ai;
      let pb = bOff + j * bj;
      for (let p = 0; p < k; p++, pa += ap, pb += bp) {
        const x = a[pa];
        s0 += x * b[pb]; s1 += x * b[pb + bj]; s2 += x * b[pb + 2 * bj]; s3 += x * b[pb + 3 * bj];
        s4 += x * b[pb + 4 * bj]; s5 += x * b[pb + 5 * bj]; s6 += x * b[pb + 6 * bj]; s7 += x * b[pb + 7 * bj];
      }
      const o = cOff + i * n + j;
      if (accumulate) {
        c[o] += s0; c[o + 1] += s1; c[o + 2] += s2; c[o + 3] += s3;
        c[o + 4] += s4; c[o + 5] += s5; c[o + 6] += s6; c[o + 7] += s7;
      } else {
        c[o] = s0; c[o + 1] = s1; c[o + 2] = s2; c[o + 3] = s3;
        c[o + 4] = s4; c[o + 5] = s5; c[o + 6] = s6; c[o + 7] = s7;
      }
    }
    for (let j = n8; j < n; j++) dot(k, a, aOff + i * ai, ap, b, bOff + j * bj, bp, c, cOff + i * n + j, accumulate);
  }
}

/** c[o] (+)= sum_p a[pa + p*ap] * b[pb + p*bp]: one entry of C. */
function dot(k: number, a: Float32Array, pa: number, ap: number, b: Float32Array, pb: number, bp: number, c: Float32Array, o: number, accumulate: boolean): void {
  let s = 0;
  for (let p = 0; p < k; p++, pa += ap, pb += bp) s += a[pa] * b[pb];
  c[o] = accumulate ? c[o] + s : s;
}

/** The largest |value| of a (rows, cols) block at `off` with strides `rs`, `cs`; NaN if one is NaN. */
function maxAbs(x: Float32Array, off: number, rows: number, cols: number, rs: number, cs: number): number {
  let max = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0, o = off + i * rs; j < cols; j++, o += cs) {
      const v = Math.abs(x[o]);
      // Stryker disable next-line EqualityOperator: v === max sets max to the value it has
      if (!(v <= max)) max = v; // NaN is kept
    }
  }
  return max;
}

const wholeMax = new WeakMap<Float32Array, { version: number; max: number }>();

/** max|x| over all of x, kept until x's storage version moves. */
function maxAbsKept(x: Float32Array): number {
  const version = storageVersion(x);
  const kept = wholeMax.get(x);
  // Stryker disable next-line ConditionalExpression: false never reuses a kept max, which gives the same max, only slower (a stale one is caught by js-matmul.test.ts)
  if (kept !== undefined && kept.version === version) return kept.max;
  const max = maxAbs(x, 0, 1, x.length, 0, 1);
  // Stryker disable next-line ObjectLiteral: an empty record matches no version, so the max is recomputed: the same max, only slower
  wholeMax.set(x, { version, max });
  return max;
}

/**
 * True when no float32 partial sum of the product can leave the float32 range (see the file
 * header); `keepB`: B is tensor data whose max may be kept (NN and NT).
 */
function withinFloat32(
  m: number, k: number, n: number,
  a: Float32Array, aOff: number, ai: number, ap: number,
  b: Float32Array, bOff: number, bp: number, bj: number,
  c: Float32Array, cOff: number, accumulate: boolean, keepB: boolean,
): boolean {
  // Stryker disable next-line ArithmeticOperator,ConditionalExpression,EqualityOperator: k / n equals b.length only where k * n does (n = 1, or an empty b), and the two branches give the same max; so does scanning a B that could be kept (false, bOff !== 0), only slower; and bOff === 0 matters only for a block at bOff > 0 as long as b, which would run past its end (js-matmul.test.ts checks that the B of TN and a B shorter than its array are scanned)
  const maxB = keepB && bOff === 0 && k * n === b.length ? maxAbsKept(b) : maxAbs(b, bOff, k, n, bp, bj);
  const bound = k * maxAbs(a, aOff, m, k, ai, ap) * maxB + (accumulate ? maxAbs(c, cOff, m, n, n, 1) : 0);
  // Stryker disable next-line EqualityOperator: at exactly 2^127 either path is right: no partial sum can overflow, and the two differ by rounding alone
  return bound < 2 ** 127;
}

/** C(m,n) (+)= A(m,k) · B(k,n). */
export function matmulNN(
  m: number, k: number, n: number,
  a: Float32Array, aOff: number,
  b: Float32Array, bOff: number,
  c: Float32Array, cOff: number,
  accumulate: boolean,
): void {
  // Stryker disable next-line BooleanLiteral: a B not kept is scanned on every product: the same max, only slower
  if (withinFloat32(m, k, n, a, aOff, k, 1, b, bOff, n, 1, c, cOff, accumulate, true)) gemm(m, k, n, a, aOff, k, 1, b, bOff, n, 1, c, cOff, accumulate);
  else matmulReference(m, k, n, a, aOff, false, b, bOff, false, c, cOff, accumulate);
}

/** C(m,n) (+)= A(m,k) · B(n,k)^T. */
export function matmulNT(
  m: number, k: number, n: number,
  a: Float32Array, aOff: number,
  b: Float32Array, bOff: number,
  c: Float32Array, cOff: number,
  accumulate: boolean,
): void {
  // Stryker disable next-line BooleanLiteral: a B not kept is scanned on every product: the same max, only slower
  if (withinFloat32(m, k, n, a, aOff, k, 1, b, bOff, 1, k, c, cOff, accumulate, true)) gemm(m, k, n, a, aOff, k, 1, b, bOff, 1, k, c, cOff, accumulate);
  else matmulReference(m, k, n, a, aOff, false, b, bOff, true, c, cOff, accumulate);
}

/** C(m,n) (+)= A(k,m)^T · B(k,n). */
export function matmulTN(
  m: number, k: number, n: number,
  a: Float32Array, aOff: number,
  b: Float32Array, bOff: number,
  c: Float32Array, cOff: number,
  accumulate: boolean,
): void {
  if (withinFloat32(m, k, n, a, aOff, 1, m, b, bOff, n, 1, c, cOff, accumulate, false)) gemm(m, k, n, a, aOff, 1, m, b, bOff, n, 1, c, cOff, accumulate);
  else matmulReference(m, k, n, a, aOff, true, b, bOff, false, c, cOff, accumulate);
}

/**
 * The naive triple loop, C(m,n) (+)= op(A) · op(B) with op a transpose when the flag says
 * so, every product and partial sum rounded to float32: the test oracle for the fast kernel
 * above, and the path of the products that may leave the float32 range.
 */
export function matmulReference(
  m: number, k: number, n: number,
  a: Float32Array, aOff: number, transA: boolean,
  b: Float32Array, bOff: number, transB: boolean,
  c: Float32Array, cOff: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        s = f32(s + f32(a[aOff + (transA ? p * m + i : i * k + p)] * b[bOff + (transB ? j * k + p : p * n + j)]));
      }
      c[cOff + i * n + j] = accumulate ? c[cOff + i * n + j] + s : s;
    }
  }
}
