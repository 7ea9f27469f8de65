/**
 * Connectionist temporal classification loss, as torch.nn.functional.ctc_loss, computed in
 * log space (float64) with its own exact backward.
 *
 * Shapes: T = input steps, N = batch, C = classes (blank included), L = one target's length.
 * The target l_1..l_L is extended with blanks b to l' = (b, l_1, b, l_2, ..., b, l_L, b) of
 * length S = 2L + 1. With y_t(c) = logProbs[t, n, c] and lse = log-sum-exp:
 *
 *   alpha_0(0) = y_0(b),   alpha_0(1) = y_0(l'_1)
 *   alpha_t(s) = y_t(l'_s) + lse(alpha_{t-1}(s), alpha_{t-1}(s-1), alpha_{t-1}(s-2))
 *                (the s-2 term only when l'_s != b and l'_s != l'_{s-2}: skip a blank between
 *                 two different labels)
 *   loss       = -lse(alpha_{T-1}(S-1), alpha_{T-1}(S-2))
 *   beta_t(s)  = the same recursion run backwards from t = T-1, so that
 *                alpha_t(s) + beta_t(s) - y_t(l'_s) is the log-probability of every
 *                alignment passing through l'_s at step t
 *   dloss/dy_t(c) = -exp( lse_{s: l'_s = c}(alpha_t(s) + beta_t(s)) - y_t(c) + loss )
 *
 * That is the derivative with logProbs as free inputs. PyTorch's kernel returns exp(y_t(c))
 * plus it; the backward of the logSoftmax that normally precedes the loss subtracts
 * softmax * (sum of the gradient), which cancels that term exactly, so through logSoftmax
 * both give the same gradient. Steps past a sequence's input length get gradient 0.
 *
 * 'mean' divides each sequence's loss by max(L, 1), then averages over the batch. A target no
 * alignment can produce (too few steps) has loss Infinity and, as in PyTorch, NaN gradient;
 * with zeroInfinity its loss and its gradient are 0.
 */
import { checkOptions } from '../../tensor/check.js';
import { RecurrentError, fmt } from '../../tensor/errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { record } from '../../autograd/graph.js';
import { readIndices, type IndexInput } from './indices.js';
import { checkReduction, lossGrad, reduceLoss, type Reduction } from './reduction.js';

/** Options of {@link ctcLoss}. */
export interface CtcLossOptions {
  /** The blank class (default 0). */
  blank?: number;
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
  /** Replace infinite losses (impossible alignments) and their gradients by 0 (default false). */
  zeroInfinity?: boolean;
}

/** log(e^a + e^b), exact when either is -Infinity. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** N non-negative integer lengths, given as a scalar, an array or a 1-D tensor. */
function readLengths(op: string, arg: string, input: IndexInput, N: number, logShape: readonly number[]): Int32Array {
  const { values, shape } = readIndices(op, arg, input);
  if (shape.length > 1 || values.length !== N) {
    throw new RecurrentError(op, `${arg} must hold one length per sequence (${N} for logProbs ${fmt(logShape)}), got shape ${fmt(shape)}`, 'shape');
  }
  const out = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    if (values[n] < 0) throw new RecurrentError(op, `${arg}[${n}] is ${values[n]}; lengths must be >= 0`);
    out[n] = values[n];
  }
  return out;
}

/**
 * CTC loss of `logProbs` (T, N, C) (or (T, C) for one sequence; log-probabilities, e.g. a
 * logSoftmax over the last dim) against `targets`, either padded (N, S) or all targets
 * concatenated in 1-D (length sum(targetLengths)). Output: a scalar, or (N) for 'none'.
 */
export function ctcLoss(logProbs: Tensor, targets: IndexInput, inputLengths: IndexInput, targetLengths: IndexInput, options: CtcLossOptions = {}): Tensor {
  const op = 'ctcLoss';
  options = checkOptions(op, options, 'options', { blank: 'integer', reduction: 'string', zeroInfinity: 'boolean' });
  const reduction = checkReduction(op, options.reduction);
  if (!(logProbs instanceof Tensor)) throw new RecurrentError(op, 'logProbs must be a Tensor');
  const shape = logProbs.shape;
  if (shape.length !== 2 && shape.length !== 3) throw new RecurrentError(op, `logProbs must have shape (T,N,C) or (T,C), got ${fmt(shape)}`, 'shape');
  const batched = shape.length === 3;
  const T = shape[0];
  const N = batched ? shape[1] : 1;
  const C = batched ? shape[2] : shape[1];
  const blank = options.blank ?? 0;
  if (!Number.isSafeInteger(blank) || blank < 0 || blank >= C) throw new RecurrentError(op, `blank must be an integer in [0, ${C}) for logProbs ${fmt(shape)}, got ${blank}`);
  const zeroInfinity = options.zeroInfinity ?? false;
  if (typeof zeroInfinity !== 'boolean') throw new RecurrentError(op, `zeroInfinity must be a boolean, got ${zeroInfinity}`);

  const inLen = readLengths(op, 'inputLengths', inputLengths, N, shape);
  for (let n = 0; n < N; n++) {
    if (inLen[n] > T) throw new RecurrentError(op, `inputLengths[${n}] is ${inLen[n]}, more than the ${T} steps of logProbs ${fmt(shape)}`);
  }
  const tgLen = readLengths(op, 'targetLengths', targetLengths, N, shape);
  const { values: tg, shape: tgShape } = readIndices(op, 'targets', targets);
  const offsets = new Int32Array(N);
  if (batched && tgShape.length === 2) {
    const S = tgShape[1];
    if (tgShape[0] !== N) throw new RecurrentError(op, `padded targets ${fmt(tgShape)} must have ${N} rows for logProbs ${fmt(shape)}`, 'shape');
    for (let n = 0; n < N; n++) {
      if (tgLen[n] > S) throw new RecurrentError(op, `targetLengths[${n}] is ${tgLen[n]}, longer than the padded targets ${fmt(tgShape)}`, 'shape');
      offsets[n] = n * S;
    }
  } else if (tgShape.length === 1 && batched) {
    let total = 0;
    for (let n = 0; n < N; n++) {
      offsets[n] = total;
      total += tgLen[n];
    }
    if (total !== tgShape[0]) throw new RecurrentError(op, `concatenated targets ${fmt(tgShape)} must have sum(targetLengths) = ${total} entries`, 'shape');
  } else if (tgShape.length === 1) {
    if (tgLen[0] > tgShape[0]) throw new RecurrentError(op, `targetLengths is ${tgLen[0]}, longer than targets ${fmt(tgShape)}`, 'shape');
  } else {
    throw new RecurrentError(op, `targets must be padded (N,S) or concatenated 1-D (1-D for logProbs (T,C)), got ${fmt(tgShape)} for logProbs ${fmt(shape)}`, 'shape');
  }
  // The extended targets l' = (b, l_1, b, ..., l_L, b), checking every label.
  const ext: Int32Array[] = [];
  for (let n = 0; n < N; n++) {
    const e = new Int32Array(2 * tgLen[n] + 1).fill(blank);
    for (let k = 0; k < tgLen[n]; k++) {
      const v = tg[offsets[n] + k];
      if (v < 0 || v >= C || v === blank) {
        throw new RecurrentError(op, `target ${v} of sequence ${n} (position ${k}) must be a class in [0, ${C}) other than the blank ${blank}`);
      }
      e[2 * k + 1] = v;
    }
    ext.push(e);
  }

  const y = logProbs.data; // y_t(c) of sequence n at y[(t*N + n)*C + c]
  const alphas: Float64Array[] = [];
  const nll = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const e = ext[n];
    const S = e.length;
    const Tn = inLen[n];
    const a = new Float64Array(Tn * S).fill(-Infinity); // alpha_t(s) at a[t*S + s]
    alphas.push(a);
    if (Tn === 0) {
      nll[n] = S === 1 ? 0 : Infinity;
      continue;
    }
    a[0] = y[n * C + blank];
    if (S > 1) a[1] = y[n * C + e[1]];
    for (let t = 1; t < Tn; t++) {
      const prev = (t - 1) * S;
      const yt = (t * N + n) * C;
      for (let s = 0; s < S; s++) {
        let v = a[prev + s];
        if (s >= 1) v = logAddExp(v, a[prev + s - 1]);
        if (s >= 2 && e[s] !== blank && e[s] !== e[s - 2]) v = logAddExp(v, a[prev + s - 2]);
        a[t * S + s] = v + y[yt + e[s]];
      }
    }
    const last = (Tn - 1) * S;
    nll[n] = -(S > 1 ? logAddExp(a[last + S - 1], a[last + S - 2]) : a[last]);
  }

  const perSequence = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const v = zeroInfinity && nll[n] === Infinity ? 0 : nll[n];
    perSequence[n] = reduction === 'mean' ? v / Math.max(tgLen[n], 1) : v;
  }
  const out = reduceLoss(perSequence, batched ? [N] : [], reduction, N);

  return record(op, out.data, out.shape, [logProbs], (g) => {
    const gl = lossGrad(g, N, reduction, N);
    const gy = new Float32Array(y.length);
    const lcab = new Float64Array(C); // lse over s with l'_s = c of alpha_t(s) + beta_t(s)
    for (let n = 0; n < N; n++) {
      const e = ext[n];
      const S = e.length;
      const Tn = inLen[n];
      const a = alphas[n];
      const loss = nll[n];
      if (Tn === 0 || (loss === Infinity && zeroInfinity)) continue;
      if (loss === Infinity) {
        for (let t = 0; t < Tn; t++) gy.fill(NaN, (t * N + n) * C, (t * N + n + 1) * C);
        continue;
      }
      const scale = reduction === 'mean' ? gl[n] / Math.max(tgLen[n], 1) : gl[n];
      const b = new Float64Array(Tn * S).fill(-Infinity); // beta_t(s) at b[t*S + s]
      const lastY = ((Tn - 1) * N + n) * C;
      b[(Tn - 1) * S + S - 1] = y[lastY + blank];
      if (S > 1) b[(Tn - 1) * S + S - 2] = y[lastY + e[S - 2]];
      for (let t = Tn - 2; t >= 0; t--) {
        const next = (t + 1) * S;
        const yt = (t * N + n) * C;
        for (let s = 0; s < S; s++) {
          let v = b[next + s];
          if (s + 1 < S) v = logAddExp(v, b[next + s + 1]);
          if (s + 2 < S && e[s + 2] !== blank && e[s + 2] !== e[s]) v = logAddExp(v, b[next + s + 2]);
          b[t * S + s] = v + y[yt + e[s]];
        }
      }
      for (let t = 0; t < Tn; t++) {
        lcab.fill(-Infinity);
        for (let s = 0; s < S; s++) lcab[e[s]] = logAddExp(lcab[e[s]], a[t * S + s] + b[t * S + s]);
        const yt = (t * N + n) * C;
        for (let c = 0; c < C; c++) {
          if (lcab[c] !== -Infinity) gy[yt + c] = -scale * Math.exp(lcab[c] - y[yt + c] + loss);
        }
      }
    }
    return [gy];
  });
}
