/**
 * The options and result types of {@link Seq2Seq}: construction, forward/loss, the Trainer step
 * function, and `translate`.
 * @module
 */
import type { Vocab } from '../data/vocab.js';
import type { Tape } from '../layers/tape.js';
import type { BridgeMode } from './bridge.js';
import type { Hypothesis } from './decode-options.js';
import type { DecoderForwardOptions, DecoderOptions } from './decoder.js';
import type { EncoderOptions } from './encoder.js';

/**
 * Encoder options inside {@link Seq2SeqOptions} (the vocabulary size and seed come from the model).
 * @category Seq2Seq
 */
export type Seq2SeqEncoderOptions = Omit<EncoderOptions, 'vocabSize' | 'seed' | 'rng'>;

/**
 * Decoder options inside {@link Seq2SeqOptions} (vocabulary size, memory size and seed come from
 * the model).
 * @category Seq2Seq
 */
export type Seq2SeqDecoderOptions = Omit<DecoderOptions, 'vocabSize' | 'memorySize' | 'seed' | 'rng'>;

/**
 * The JSON-serializable part of a model's options, stored in its checkpoint.
 * @category Seq2Seq
 */
export interface Seq2SeqConfig {
  /** Encoder options. */
  readonly encoder: Seq2SeqEncoderOptions;
  /** Decoder options. */
  readonly decoder: Seq2SeqDecoderOptions;
  /** Bridge mode. */
  readonly bridge: BridgeMode;
  /** Initialisation seed. */
  readonly seed: number;
}

/**
 * Options of {@link Seq2Seq}.
 * @category Seq2Seq
 */
export interface Seq2SeqOptions {
  /** Source vocabulary (sets the encoder's V). */
  sourceVocab: Vocab;
  /** Target vocabulary (sets the decoder's V; its EOS ends outputs). */
  targetVocab: Vocab;
  /** Encoder: embeddingDim, hiddenSize, cell, numLayers, bidirectional, dropout, init. */
  encoder: Seq2SeqEncoderOptions;
  /** Decoder: embeddingDim, hiddenSize, cell, numLayers, attention, attentionSize, inputFeeding, init. */
  decoder: Seq2SeqDecoderOptions;
  /**
   * How encoder final states initialise the decoder.
   * @defaultValue 'concat-linear'
   */
  bridge?: BridgeMode;
  /**
   * Initialisation seed (one generator feeds encoder, bridge and decoder, in that order).
   * @defaultValue 0
   */
  seed?: number;
}

/**
 * Per-call options of {@link Seq2Seq.forward} and {@link Seq2Seq.loss}.
 * @category Seq2Seq
 */
export interface Seq2SeqForwardOptions extends Omit<DecoderForwardOptions, 'tape'> {
  /** Record the backward pass here (training). */
  tape?: Tape;
  /**
   * Encoder dropout on.
   * @defaultValue true when a tape is given
   */
  training?: boolean;
  /**
   * Label smoothing ε of the loss (see `crossEntropy`).
   * @defaultValue 0
   */
  labelSmoothing?: number;
}

/**
 * Options of {@link Seq2Seq.stepFunction}.
 * @category Seq2Seq
 */
export interface Seq2SeqStepOptions {
  /**
   * Teacher-forcing ratio while training (scheduled sampling below 1); evaluation always uses 1.
   * A function of the epoch gives a schedule (e.g. `(e) => Math.max(0.7, 1 - 0.05 * e)`).
   * @defaultValue 1
   */
  teacherForcing?: number | ((epoch: number) => number);
  /**
   * Seed of the scheduled-sampling coins.
   * @defaultValue 0
   */
  seed?: number;
  /**
   * Label smoothing ε while training.
   * @defaultValue 0
   */
  labelSmoothing?: number;
}

/**
 * Options of {@link Seq2Seq.translate}.
 * @category Seq2Seq
 */
export interface TranslateOptions {
  /**
   * K: 1 decodes greedily, more runs {@link beamSearch}.
   * @defaultValue 1
   */
  beamWidth?: number;
  /**
   * α of the beam-search length penalty.
   * @defaultValue 0
   */
  lengthPenalty?: number;
  /**
   * Most output tokens, EOS included.
   * @defaultValue 2·S + 10
   */
  maxLength?: number;
  /**
   * Return attention weights in each hypothesis.
   * @defaultValue false
   */
  returnAttention?: boolean;
  /**
   * Sources decoded together.
   * @defaultValue 64
   */
  batchSize?: number;
}

/**
 * One result of {@link Seq2Seq.translate}.
 * @category Seq2Seq
 */
export interface Translation {
  /** The output tokens (EOS excluded). */
  readonly tokens: string[];
  /** The underlying hypothesis: ids, log-probability, score, attention. */
  readonly hypothesis: Hypothesis;
}
