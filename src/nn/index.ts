/** The `nn` namespace: modules, layers and initialisers, as torch.nn. */
export { Module, type LoadStateDictOptions, type LoadStateDictResult, type StateDict } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { Dropout, ReLU, Sequential, Sigmoid, Tanh, type DropoutOptions, type TensorModule } from './layers.js';
export * as init from './init.js';
export { RNN, LSTM, GRU, type RNNOptions, type LSTMForwardOptions, type LSTMOutput, type RecurrentOutput } from '../rnn/layers.js';
export { RecurrentBase, type RecurrentOptions, type RecurrentForwardOptions } from '../rnn/rnn-base.js';
export { RNNCell, LSTMCell, GRUCell, CellBase, type CellOptions, type RNNCellOptions } from '../rnn/cells.js';
