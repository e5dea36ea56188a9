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
export { allocFloat32, allocInt32, allocationCount } from './kernel/alloc.js';
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
export {
  initZeros,
  initConstant,
  initUniform,
  initNormal,
  glorotUniform,
  glorotNormal,
  kaimingUniform,
  kaimingNormal,
  pytorchRnnUniform,
} from './kernel/init.js';
export { orthogonal } from './kernel/orthogonal.js';

// Layers
export type { Parameter, StateDict, RandomState, Module, ParamSpec } from './layers/param-store.js';
export {
  ParamStore,
  StoreModule,
  stateDictOf,
  loadStateDictInto,
  prefixed,
  prefixedGenerators,
  randomStateOf,
  loadRandomStateInto,
  zeroGrad,
} from './layers/param-store.js';

// Cells
export type { CellKind, CellCore, CellWeights } from './cells/cell-core.js';
export type { InitScheme } from './cells/init-scheme.js';
export type { Nonlinearity } from './cells/rnn-core.js';
export type { CellOptions, HiddenState, LstmState, CellGradients } from './cells/cell-base.js';
export { CellBase, CellCache } from './cells/cell-base.js';
export type { RNNCellOptions } from './cells/rnn-cell.js';
export { RNNCell } from './cells/rnn-cell.js';
export type { LSTMCellOptions } from './cells/lstm-cell.js';
export { LSTMCell } from './cells/lstm-cell.js';
export type { GRUCellOptions } from './cells/gru-cell.js';
export { GRUCell } from './cells/gru-cell.js';

// Sequence
export type { RecurrentOptions, SequenceForwardOptions } from './sequence/options.js';
export type { RecurrentOutput, LstmOutput } from './sequence/recurrent.js';
export { RecurrentBase } from './sequence/recurrent.js';
export type { RNNOptions, LSTMOptions, GRUOptions } from './sequence/layers.js';
export { RNN, LSTM, GRU } from './sequence/layers.js';
export { RecurrentStream } from './sequence/stream.js';

// Training: gradient checks, the Trainer, progress, training checkpoints
export type { GradCheckTarget, GradCheckOptions, GradCheckResult } from './train/grad-check.js';
export { gradCheck } from './train/grad-check.js';
export type {
  TrainDataset,
  StepOutput,
  StepContext,
  StepFn,
  TrainerOptions,
  EarlyStopping,
  Metrics,
  EpochRecord,
  TrainerCallbacks,
  FitOptions,
  FitResult,
  TrainerState,
  TrainingSnapshot,
  TrainerEvent,
} from './train/trainer-types.js';
export { Trainer } from './train/trainer.js';
export type { ProgressInfo, ProgressSink } from './train/progress-bar.js';
export { ProgressBar, formatProgress } from './train/progress-bar.js';
export { snapshotToBytes, snapshotFromBytes, saveTrainingCheckpoint, loadTrainingCheckpoint } from './train/training-checkpoint.js';
export { VERSION } from './version.js';

// Data: vocabularies, tokenizers, batching
export type { VocabSpecials, VocabBuildOptions, VocabEncodeOptions, VocabDecodeOptions, VocabJSON } from './data/vocab.js';
export { Vocab } from './data/vocab.js';
export type { WordTokenizeOptions } from './data/tokenize.js';
export { charTokenize, wordTokenize } from './data/tokenize.js';
export type { PadSequencesOptions, PaddedBatch, BatchesOptions, BucketByLengthOptions } from './data/batch.js';
export { padSequences, shuffled, batches, bucketByLength } from './data/batch.js';

// Training: optimizers, clipping, schedules
export type { OptimizerKind, HyperValue, OptimizerState } from './train/optim/optimizer.js';
export { Optimizer } from './train/optim/optimizer.js';
export type { SGDOptions } from './train/optim/sgd.js';
export { SGD } from './train/optim/sgd.js';
export type { AdamOptions } from './train/optim/adam.js';
export { Adam } from './train/optim/adam.js';
export { AdamW } from './train/optim/adamw.js';
export type { RMSpropOptions } from './train/optim/rmsprop.js';
export { RMSprop } from './train/optim/rmsprop.js';
export type { AdagradOptions } from './train/optim/adagrad.js';
export { Adagrad } from './train/optim/adagrad.js';
export { clipGradNorm, clipGradValue, gradNorm } from './train/clip.js';
export type {
  ScheduleKind,
  ScheduleState,
  StepLROptions,
  ExponentialLROptions,
  CosineWithWarmupOptions,
} from './train/schedules.js';
export { LrSchedule, EpochSchedule, StepLR, ExponentialLR, CosineWithWarmup } from './train/schedules.js';
export type { ReduceLROnPlateauOptions } from './train/reduce-lr-on-plateau.js';
export { ReduceLROnPlateau } from './train/reduce-lr-on-plateau.js';

// IO: safetensors checkpoints
export type { DecodedSafetensors } from './io/safetensors.js';
export { encodeSafetensors, decodeSafetensors } from './io/safetensors.js';
export type { SaveCheckpointOptions, Checkpoint, LoadStateDictFromFileOptions } from './io/checkpoint.js';
export {
  CHECKPOINT_OPTIMIZER_PREFIX,
  checkpointToBytes,
  checkpointFromBytes,
  saveCheckpoint,
  loadCheckpoint,
  loadStateDictFromFile,
} from './io/checkpoint.js';

// Layers, losses, pooling
export type { IndexTensor } from './tensor.js';
export { indexTensor } from './tensor.js';
export { Tape } from './layers/tape.js';
export type { LinearOptions, LinearInit } from './layers/linear.js';
export { Linear } from './layers/linear.js';
export type { EmbeddingOptions } from './layers/embedding.js';
export { Embedding } from './layers/embedding.js';
export type { DropoutOptions, DropoutForwardOptions } from './layers/dropout.js';
export { Dropout } from './layers/dropout.js';
export type { LossReduction, LossResult, CrossEntropyOptions, MseLossOptions, BceWithLogitsOptions } from './train/losses.js';
export { crossEntropy, mseLoss, bceWithLogits } from './train/losses.js';
export { lastStep, meanPool, maxPool, lastStepBidirectional } from './sequence/pooling.js';

// Models: the RNN structures (many-to-one, N-to-N, one-to-many) and generation
export type { BackboneOptions, SequenceInput } from './models/backbone.js';
export { Backbone } from './models/backbone.js';
export type { SamplingOptions } from './models/sampling.js';
export { TokenSampler } from './models/sampling.js';
export type { GenerateOptions } from './models/generate.js';
export type { Pooling, ManyToOneOptions, ModelForwardOptions } from './models/many-to-one.js';
export { ManyToOne } from './models/many-to-one.js';
export type { ManyToManyOptions, ManyToManyOutput, ManyToManyForwardOptions } from './models/many-to-many.js';
export { ManyToMany } from './models/many-to-many.js';
export type { Conditioning, OneToManyOptions } from './models/one-to-many.js';
export { OneToMany } from './models/one-to-many.js';

// Seq2seq
export type { AttentionKind, AttentionScore, AttentionOptions } from './seq2seq/attention.js';
export { Attention } from './seq2seq/attention.js';
export type { EncoderOptions, EncoderForwardOptions, EncoderOutput } from './seq2seq/encoder.js';
export { Encoder } from './seq2seq/encoder.js';
export type { BridgeMode, BridgeOptions, DecoderInitialState } from './seq2seq/bridge.js';
export { Bridge } from './seq2seq/bridge.js';
export type { DecoderOptions, DecoderMemory, DecoderForwardOptions, DecoderOutput } from './seq2seq/decoder.js';
export { Decoder } from './seq2seq/decoder.js';
export { DecoderState } from './seq2seq/decoder-state.js';
export type { DecodeOptions, Hypothesis } from './seq2seq/decode-options.js';
export type { GreedyDecodeOptions } from './seq2seq/greedy-decode.js';
export { greedyDecode } from './seq2seq/greedy-decode.js';
export type { SampleDecodeOptions } from './seq2seq/sample-decode.js';
export { sampleDecode } from './seq2seq/sample-decode.js';
export type { BeamSearchOptions } from './seq2seq/beam-search.js';
export { beamSearch } from './seq2seq/beam-search.js';
export type { Seq2SeqPair, Seq2SeqBatch, Seq2SeqDataset } from './seq2seq/seq2seq-batch.js';
export { makeSeq2SeqBatch, seq2seqDataset } from './seq2seq/seq2seq-batch.js';
export type {
  Seq2SeqOptions,
  Seq2SeqEncoderOptions,
  Seq2SeqDecoderOptions,
  Seq2SeqConfig,
  Seq2SeqForwardOptions,
  Seq2SeqStepOptions,
  TranslateOptions,
  Translation,
} from './seq2seq/seq2seq-options.js';
export { Seq2Seq } from './seq2seq/seq2seq.js';
