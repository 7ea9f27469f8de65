/**
 * recurrent: a zero-dependency Float32Array tensor with reverse-mode autograd, and RNN, LSTM
 * and GRU layers trained by backpropagation through time. This file only re-exports.
 */
export { RecurrentError, type ErrorCode } from './tensor/errors.js';
export { Tensor, type BackwardOptions, type GradFn, type NestedArray } from './tensor/tensor.js';
export { Generator, defaultGenerator, manualSeed, type GeneratorState } from './tensor/random.js';
export { arange, eye, full, ones, onesLike, rand, randint, randn, tensor, zeros, zerosLike, type CreateOptions, type RandomOptions } from './tensor/create.js';
export { broadcastShapes, numel } from './tensor/shape.js';
export * from './autograd/ops.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './autograd/gradcheck.js';
export { defineFunction, type CustomFunction, type FunctionContext, type FunctionDefinition } from './autograd/function.js';
export { linear } from './autograd/linear.js';
export { dropout } from './autograd/dropout.js';
export { getBackend, setBackend, type BackendName } from './autograd/backend.js';
export { getNumThreads, setNumThreads } from './autograd/threads.js';
export * as nn from './nn/index.js';
export * as safetensors from './io/safetensors.js';
export * as F from './nn/functional/index.js';
export * as optim from './optim/index.js';
export * from './train/index.js';
