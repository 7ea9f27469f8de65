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
 * Every product and every partial sum is rounded to float32 (f32 = Math.fround), as the
 * WebAssembly kernels and PyTorch's float32 products compute them: in float64 a partial sum
 * past the float32 range would not overflow, so near that limit the scalar result could differ
 * from theirs in sign or by Infinity.
 */

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
        s00 = f32(s00 + f32(x * y0)); s01 = f32(s01 + f32(x * y1)); s02 = f32(s02 + f32(x * y2)); s03 = f32(s03 + f32(x * y3));
        x = a[pa + ai];
        s10 = f32(s10 + f32(x * y0)); s11 = f32(s11 + f32(x * y1)); s12 = f32(s12 + f32(x * y2)); s13 = f32(s13 + f32(x * y3));
        x = a[pa + 2 * ai];
        s20 = f32(s20 + f32(x * y0)); s21 = f32(s21 + f32(x * y1)); s22 = f32(s22 + f32(x * y2)); s23 = f32(s23 + f32(x * y3));
        x = a[pa + 3 * ai];
        s30 = f32(s30 + f32(x * y0)); s31 = f32(s31 + f32(x * y1)); s32 = f32(s32 + f32(x * y2)); s33 = f32(s33 + f32(x * y3));
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
        s0 = f32(s0 + f32(x * b[pb])); s1 = f32(s1 + f32(x * b[pb + bj])); s2 = f32(s2 + f32(x * b[pb + 2 * bj])); s3 = f32(s3 + f32(x * b[pb + 3 * bj]));
        s4 = f32(s4 + f32(x * b[pb + 4 * bj])); s5 = f32(s5 + f32(x * b[pb + 5 * bj])); s6 = f32(s6 + f32(x * b[pb + 6 * bj])); s7 = f32(s7 + f32(x * b[pb + 7 * bj]));
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
  for (let p = 0; p < k; p++, pa += ap, pb += bp) s = f32(s + f32(a[pa] * b[pb]));
  c[o] = accumulate ? c[o] + s : s;
}

/** C(m,n) (+)= A(m,k) · B(k,n). */
export function matmulNN(
  m: number, k: number, n: number,
  a: Float32Array, aOff: number,
  b: Float32Array, bOff: number,
  c: Float32Array, cOff: number,
  accumulate: boolean,
): void {
  gemm(m, k, n, a, aOff, k, 1, b, bOff, n, 1, c, cOff, accumulate);
}

/** C(m,n) (+)= A(m,k) · B(n,k)^T. */
export function matmulNT(
  m: number, k: number, n: number,
  a: Float32Array, aOff: number,
  b: Float32Array, bOff: number,
  c: Float32Array, cOff: number,
  accumulate: boolean,
): void {
  gemm(m, k, n, a, aOff, k, 1, b, bOff, 1, k, c, cOff, accumulate);
}

/** C(m,n) (+)= A(k,m)^T · B(k,n). */
export function matmulTN(
  m: number, k: number, n: number,
  a: Float32Array, aOff: number,
  b: Float32Array, bOff: number,
  c: Float32Array, cOff: number,
  accumulate: boolean,
): void {
  gemm(m, k, n, a, aOff, 1, m, b, bOff, n, 1, c, cOff, accumulate);
}

/**
 * The naive triple loop, C(m,n) (+)= op(A) · op(B) with op a transpose when the flag says
 * so: the test oracle for the fast kernels above.
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
