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
 */

/** C(m,n) (+)= A(m,k) · B(k,n). */
export function matmulNN(
  m: number, k: number, n: number,
  a: Float32Array, aOff: number,
  b: Float32Array, bOff: number,
  c: Float32Array, cOff: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < m; i++) {
    const ci = cOff + i * n;
    if (!accumulate) c.fill(0, ci, ci + n);
    const ai = aOff + i * k;
    let p = 0;
    // Four rows of B per pass: each C row element is loaded and stored once per four products.
    for (; p + 3 < k; p += 4) {
      const a0 = a[ai + p], a1 = a[ai + p + 1], a2 = a[ai + p + 2], a3 = a[ai + p + 3];
      const b0 = bOff + p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
      for (let j = 0; j < n; j++) {
        c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
      }
    }
    for (; p < k; p++) {
      const ap = a[ai + p];
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) c[ci + j] += ap * b[bp + j];
    }
  }
}

/** C(m,n) (+)= A(m,k) · B(n,k)^T: every entry is a dot product of a row of A and a row of B. */
export function matmulNT(
  m: number, k: number, n: number,
  a: Float32Array, aOff: number,
  b: Float32Array, bOff: number,
  c: Float32Array, cOff: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < m; i++) {
    const ai = aOff + i * k;
    const ci = cOff + i * n;
    let j = 0;
    // Four rows of B at once: each element of A's row is loaded once for four dot products.
    for (; j + 3 < n; j += 4) {
      const b0 = bOff + j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const av = a[ai + p];
        s0 += av * b[b0 + p];
        s1 += av * b[b1 + p];
        s2 += av * b[b2 + p];
        s3 += av * b[b3 + p];
      }
      if (accumulate) {
        c[ci + j] += s0; c[ci + j + 1] += s1; c[ci + j + 2] += s2; c[ci + j + 3] += s3;
      } else {
        c[ci + j] = s0; c[ci + j + 1] = s1; c[ci + j + 2] = s2; c[ci + j + 3] = s3;
      }
    }
    for (; j < n; j++) {
      const bj = bOff + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
      c[ci + j] = accumulate ? c[ci + j] + s : s;
    }
  }
}

/** C(m,n) (+)= A(k,m)^T · B(k,n). */
export function matmulTN(
  m: number, k: number, n: number,
  a: Float32Array, aOff: number,
  b: Float32Array, bOff: number,
  c: Float32Array, cOff: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < m; i++) {
    const ci = cOff + i * n;
    if (!accumulate) c.fill(0, ci, ci + n);
    let p = 0;
    for (; p + 3 < k; p += 4) {
      const a0 = a[aOff + p * m + i], a1 = a[aOff + (p + 1) * m + i];
      const a2 = a[aOff + (p + 2) * m + i], a3 = a[aOff + (p + 3) * m + i];
      const b0 = bOff + p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
      for (let j = 0; j < n; j++) {
        c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
      }
    }
    for (; p < k; p++) {
      const ap = a[aOff + p * m + i];
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) c[ci + j] += ap * b[bp + j];
    }
  }
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
        s += a[aOff + (transA ? p * m + i : i * k + p)] * b[bOff + (transB ? j * k + p : p * n + j)];
      }
      c[cOff + i * n + j] = accumulate ? c[cOff + i * n + j] + s : s;
    }
  }
}
