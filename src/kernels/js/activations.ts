/**
 * Scalar activations used inside the fused gate kernels.
 *
 *   sigmoid(x) = 1 / (1 + e^-x), evaluated so that e^x never overflows
 *   tanh(x)    = Math.tanh(x), exact to double precision, then rounded to float32 on store
 */

/** The logistic function, stable for every finite x. */
export function sigmoid(x: number): number {
  // Stryker disable next-line EqualityOperator: at x = 0 both forms give 1/2, so > is >= (x < 0, which overflows e^-x, fails js-kernels.test.ts)
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
