/**
 * Every numerical tolerance the tests use, in one place.
 *
 * A value passes when |actual - expected| <= atol + rtol * |expected|. PyTorch's fixtures are
 * float64 results; this library computes in float32 (unit roundoff 6e-8), so the error grows
 * with the depth of the computation: one cell step stays near 1e-6, a 60-step sequence and
 * its BPTT gradients accumulate more, and a multi-step training trajectory compounds it.
 */
export interface Tolerance {
  atol: number;
  rtol: number;
}

/** One op or one recurrent cell step against PyTorch. */
export const CELL: Tolerance = { atol: 1e-4, rtol: 1e-4 };
/** Whole recurrent layers (up to ~10 steps, 2 layers, both directions) and their gradients. */
export const LAYER: Tolerance = { atol: 2e-4, rtol: 2e-4 };
/** 60-step sequences: BPTT sums 60 float32 contributions per weight gradient. */
export const LONG_SEQUENCE: Tolerance = { atol: 1e-3, rtol: 1e-3 };
/** Losses, clipping and single optimizer steps against PyTorch. */
export const LOSS: Tolerance = { atol: 1e-5, rtol: 1e-4 };
/** Optimizer steps against PyTorch (parameters after the update). */
export const OPTIMIZER: Tolerance = { atol: 1e-6, rtol: 1e-5 };
/** The multi-step char-LSTM training trajectory (losses and gradient norms). */
export const TRAJECTORY: Tolerance = { atol: 1e-3, rtol: 1e-3 };
/** Fast fused path against the reference cells built from primitive ops (both float32). */
export const FAST_VS_REFERENCE: Tolerance = { atol: 1e-5, rtol: 1e-4 };
/** Central-difference gradient checks of float32 ops (gradcheck's atol and rtol). */
export const GRADCHECK: Tolerance = { atol: 1e-2, rtol: 1e-2 };
/** Algebraic identities evaluated in float32 (associativity, round trips through math). */
export const ALGEBRA: Tolerance = { atol: 1e-4, rtol: 1e-4 };
/**
 * The differential fuzzer, WASM against JS: float32 sums of up to 513 products, through a few
 * layers and optimizer steps; measured relative to each array's largest magnitude (atol) and
 * to the value (rtol). A stale pack or a wrong offset is off by far more.
 */
export const FUZZ: Tolerance = { atol: 2e-4, rtol: 2e-4 };
