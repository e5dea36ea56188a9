/**
 * rnnkit: recurrent neural networks for TypeScript with zero runtime dependencies.
 *
 * Shapes use one letter table everywhere: T steps, S source steps, B batch, I input features,
 * E embedding, H hidden, G gate rows (4H LSTM, 3H GRU, H RNN), V vocabulary, D directions,
 * L layers. Sequences are time-major `[T, B, F]` unless `batchFirst` is set.
 *
 * Nothing runs at import time; every export is listed explicitly.
 * @module
 */

// Errors
export type { RnnErrorCode } from './errors.js';
export { RnnError, ShapeError, ConfigError, StateError, FormatError, NumericError, isRnnError } from './errors.js';

// Tensor
export type { Tensor, NestedNumbers } from './tensor.js';
export { tensor, zerosTensor, toNested, shapeSize } from './tensor.js';

// Kernel
export { allocFloat32, allocInt32 } from './kernel/alloc.js';
export { gemm, gemmNaive } from './kernel/gemm.js';
export { add, sub, mul, scale, axpy, addBiasRows, fill, copy } from './kernel/elementwise.js';
export { addColumnSums, dot, sumSquares, l2Norm, maxAbs, firstNonFinite, allFinite } from './kernel/reduce.js';
export {
  sigmoid,
  sigmoidScalar,
  sigmoidBackward,
  tanh,
  tanhBackward,
  relu,
  reluBackward,
  hardSigmoid,
  hardSigmoidBackward,
  softmaxRows,
  logSoftmaxRows,
} from './kernel/activations.js';
export type { Rng, RngState } from './kernel/rng.js';
export { createRng } from './kernel/rng.js';

// Layers
export type { Parameter, StateDict, Module, ParamSpec } from './layers/param-store.js';
export { ParamStore, stateDictOf, loadStateDictInto, prefixed, zeroGrad } from './layers/param-store.js';
