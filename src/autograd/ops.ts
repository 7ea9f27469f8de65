/**
 * Every differentiable op, gathered for the Tensor methods and the public surface.
 * Each op's forward and backward live together in the file it is re-exported from.
 */
export { backward, detectAnomaly, isGradEnabled, noGrad } from './graph.js';
export { abs, clamp, clone, exp, log, neg, relu, sigmoid, sqrt, tanh } from './unary.js';
export { add, div, maskedFill, mul, pow, sub, where } from './binary.js';
export { argmax, logSoftmax, logsumexp, max, mean, min, softmax, sum } from './reduce.js';
export { matmul } from './matmul.js';
export { cat, chunk, expand, narrow, permute, reshape, select, slice, split, squeeze, stack, transpose, unsqueeze } from './shape-ops.js';
export { gather, indexSelect } from './indexing.js';
