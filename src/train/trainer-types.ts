/**
 * The Trainer's types: the dataset and step-function contract, options, callbacks, results,
 * events and the resumable state (split from trainer.ts, which holds the loop).
 * @module
 */
import type { Module, RandomState, StateDict } from '../layers/param-store.js';
import type { Tape } from '../layers/tape.js';
import type { Optimizer, OptimizerState } from './optim/optimizer.js';
import type { ProgressInfo } from './progress-bar.js';
import type { LrSchedule, ScheduleState } from './schedules.js';

/**
 * A dataset the Trainer can batch: `length` examples, and a function that builds one batch from
 * example indices (padding, lengths, targets: whatever the step function needs).
 * @category Training
 */
export interface TrainDataset<TBatch> {
  /** Number of examples. */
  readonly length: number;
  /** Builds a batch from example indices (in the given order). */
  batch(indices: readonly number[]): TBatch;
}

/**
 * What a step function reports for one batch.
 * @category Training
 */
export interface StepOutput {
  /** Mean loss over the batch's `count` loss terms. */
  readonly loss: number;
  /** Loss terms (tokens, or examples for many-to-one). */
  readonly count: number;
  /** Correct predictions among `count`, when accuracy makes sense. */
  readonly correct?: number;
  /** Sequences in the batch (for throughput); defaults to the number of indices. */
  readonly sequences?: number;
}

/**
 * Passed to the step function.
 * @category Training
 */
export interface StepContext {
  /** Record the forward pass here (training), or null (evaluation: no caches, no backward). */
  readonly tape: Tape | null;
  /** True while training (dropout on). */
  readonly training: boolean;
  /** Survives across the batches of one epoch (truncated BPTT keeps its carried state here). */
  readonly carry: Map<string, unknown>;
  /** Current epoch (0-based). */
  readonly epoch: number;
  /** Batch index within the epoch. */
  readonly batch: number;
}

/**
 * Runs the model's forward pass and loss on one batch, recording on `ctx.tape` when training.
 * The loss function must seed the gradient of its input on the tape (as {@link crossEntropy}
 * does when given the tape).
 * @category Training
 */
export type StepFn<TBatch> = (batch: TBatch, ctx: StepContext) => StepOutput;

/**
 * Options of {@link Trainer}.
 * @category Training
 */
export interface TrainerOptions<TBatch> {
  /** The model whose parameters are trained. */
  model: Module;
  /** The optimizer, built over `model`. */
  optimizer: Optimizer;
  /** Forward + loss for one batch. */
  step: StepFn<TBatch>;
  /**
   * Examples per batch.
   * @defaultValue 32
   */
  batchSize?: number;
  /**
   * Clip gradients to this global L2 norm before each update; null disables clipping. Plain
   * RNNs explode, so clipping is on by default.
   * @defaultValue 5
   */
  clipNorm?: number | null;
  /** A learning-rate schedule over the same optimizer. */
  schedule?: LrSchedule;
  /**
   * When the schedule steps: after every batch or after every epoch (ReduceLROnPlateau always
   * steps per epoch, on the validation loss when there is a validation set, else the train loss).
   * @defaultValue 'epoch'
   */
  scheduleEvery?: 'batch' | 'epoch';
  /**
   * Seed of the per-epoch shuffles.
   * @defaultValue 0
   */
  seed?: number;
  /**
   * Shuffle the training examples every epoch.
   * @defaultValue true
   */
  shuffle?: boolean;
  /**
   * Group examples of similar length into batches (pass each example's length), which cuts
   * padding work; batches are then shuffled.
   */
  lengthOf?: (index: number) => number;
}

/**
 * Early stopping.
 * @category Training
 */
export interface EarlyStopping {
  /** Epochs without improvement before stopping. */
  readonly patience: number;
  /**
   * The validation metric watched.
   * @defaultValue 'loss'
   */
  readonly monitor?: 'loss' | 'accuracy';
  /**
   * Smallest change that counts as an improvement.
   * @defaultValue 0
   */
  readonly minDelta?: number;
  /**
   * Restore the best epoch's weights at the end.
   * @defaultValue true
   */
  readonly restoreBest?: boolean;
}

/**
 * Metrics of one pass over a dataset.
 * @category Training
 */
export interface Metrics {
  /** Mean loss per loss term. */
  readonly loss: number;
  /** exp(loss), meaningful for cross-entropy over tokens. */
  readonly perplexity: number;
  /** loss / ln 2: bits per token (or per character). */
  readonly bitsPerToken: number;
  /** Fraction correct, when the step function reports `correct`. */
  readonly accuracy: number | null;
  /** Loss terms seen. */
  readonly count: number;
}

/**
 * One epoch's record in {@link FitResult.history}.
 * @category Training
 */
export interface EpochRecord {
  /** Epoch (0-based). */
  readonly epoch: number;
  /** Training metrics (averaged over the epoch's batches as they were trained). */
  readonly train: Metrics;
  /** Validation metrics, when a validation set was given. */
  readonly validation: Metrics | null;
  /** Learning rate at the end of the epoch. */
  readonly lr: number;
  /** Wall-clock seconds of the epoch. */
  readonly seconds: number;
}

/**
 * Callbacks around epochs and batches.
 * @category Training
 */
export interface TrainerCallbacks {
  /** Before an epoch. */
  onEpochStart?(epoch: number): void;
  /** After an epoch (and its validation). */
  onEpochEnd?(record: EpochRecord): void;
  /** Before a batch. */
  onBatchStart?(epoch: number, batch: number): void;
  /** After a batch's update. */
  onBatchEnd?(info: ProgressInfo): void;
}

/**
 * Options of {@link Trainer.fit}.
 * @category Training
 */
export interface FitOptions<TBatch> {
  /** Train until this many epochs have completed (counting resumed ones). */
  epochs: number;
  /** Stop after this many optimizer steps in total (counting resumed ones). */
  maxSteps?: number;
  /** Evaluated after each epoch. */
  validation?: TrainDataset<TBatch>;
  /** Stop when the validation metric stops improving (needs `validation`). */
  earlyStopping?: EarlyStopping;
  /** Aborts between batches; `fit` then resolves with `aborted: true`. */
  signal?: AbortSignal;
  /** Epoch and batch callbacks. */
  callbacks?: TrainerCallbacks;
  /** Called after every batch with throughput and ETA (e.g. `bar.update`). */
  onProgress?: (info: ProgressInfo) => void;
}

/**
 * What {@link Trainer.fit} resolves to.
 * @category Training
 */
export interface FitResult {
  /** One record per completed epoch in this call. */
  readonly history: readonly EpochRecord[];
  /** Total optimizer steps (including resumed ones). */
  readonly steps: number;
  /** The best validation epoch under early stopping, else null. */
  readonly bestEpoch: number | null;
  /** True when early stopping ended training. */
  readonly stoppedEarly: boolean;
  /** True when the AbortSignal fired. */
  readonly aborted: boolean;
}

/**
 * What {@link Trainer.run} yields: a report after every batch and a record after every epoch.
 * @category Training
 */
export type TrainerEvent = { readonly type: 'batch'; readonly info: ProgressInfo } | { readonly type: 'epoch'; readonly record: EpochRecord };

/**
 * The Trainer's own resumable state (the model and optimizer states are saved beside it).
 * @category Training
 */
export interface TrainerState {
  /** Optimizer steps taken. */
  readonly step: number;
  /** Current epoch. */
  readonly epoch: number;
  /** Next batch index within the epoch. */
  readonly batchInEpoch: number;
  /** The shuffle seed. */
  readonly seed: number;
}

/**
 * A full training snapshot: model tensors, optimizer state, schedule, trainer counters and the
 * states of the model's random generators (dropout masks, sampling coins).
 * Save it with {@link saveTrainingCheckpoint}; restore with {@link Trainer.loadSnapshot}.
 * @category Training
 */
export interface TrainingSnapshot {
  /** Model tensors (copies). */
  readonly model: StateDict;
  /** Optimizer state. */
  readonly optimizer: OptimizerState;
  /** Schedule state, or null. */
  readonly schedule: ScheduleState | null;
  /** Trainer counters. */
  readonly trainer: TrainerState;
  /**
   * States of the generators the model lists in `generators` (see {@link randomStateOf});
   * null when not recorded (checkpoints written before rnnkit saved them): nothing is restored then.
   */
  readonly random: RandomState | null;
}
