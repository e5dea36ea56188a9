/**
 * Options of the recurrent layers (PyTorch vocabulary), resolved and validated once.
 * @module
 */
import type { InitScheme } from '../cells/init-scheme.js';
import { checkInitScheme } from '../cells/init-scheme.js';
import { ConfigError } from '../errors.js';
import { createRng, type Rng } from '../kernel/rng.js';
import type { Tape } from '../layers/tape.js';
import { checkKnownKeys, checkNumber, checkPositiveInt } from '../shapes.js';
import type { Tensor } from '../tensor.js';

/**
 * Options shared by {@link RNN}, {@link LSTM} and {@link GRU}.
 * @category Sequence
 */
export interface RecurrentOptions {
  /** I: features per time step. */
  inputSize: number;
  /** H: hidden units per direction. */
  hiddenSize: number;
  /**
   * L: stacked layers.
   * @defaultValue 1
   */
  numLayers?: number;
  /**
   * Whether the cells have biases.
   * @defaultValue true
   */
  bias?: boolean;
  /**
   * Input and output are `[B, T, F]` instead of time-major `[T, B, F]`.
   * @defaultValue false
   */
  batchFirst?: boolean;
  /**
   * Dropout probability on the outputs of every layer except the last (training only).
   * @defaultValue 0
   */
  dropout?: number;
  /**
   * Run a second, reverse-time direction per layer (D = 2) and concatenate.
   * @defaultValue false
   */
  bidirectional?: boolean;
  /**
   * Weight initialisation scheme (see {@link InitScheme}).
   * @defaultValue 'keras'
   */
  init?: InitScheme;
  /**
   * Seed for initialisation and dropout (ignored when `rng` is given).
   * @defaultValue 0
   */
  seed?: number;
  /** A generator for initialisation and dropout (advanced by both). */
  rng?: Rng;
}

/**
 * Per-call options of `forward`.
 * @category Sequence
 */
export interface SequenceForwardOptions {
  /** `[L·D, B, H]` initial hidden state; zeros when omitted. */
  h0?: Tensor;
  /** `[L·D, B, H]` initial cell state (LSTM only); zeros when omitted. */
  c0?: Tensor;
  /** Per-sequence lengths (B integers in [1, T]); steps at or past a length are padding. */
  lengths?: ArrayLike<number>;
  /** Record the backward pass on this tape (training). */
  tape?: Tape;
  /**
   * Apply inter-layer dropout.
   * @defaultValue true when a tape is given, else false
   */
  training?: boolean;
}

/** @internal */
export interface ResolvedRecurrentOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  dropout: number;
  bidirectional: boolean;
  init: InitScheme;
  rng: Rng;
}

const KEYS = ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'init', 'seed', 'rng'];

/** @internal */
export function resolveRecurrentOptions(where: string, opts: RecurrentOptions, extra: readonly string[]): ResolvedRecurrentOptions {
  if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object.`);
  checkKnownKeys(where, opts, [...KEYS, ...extra]);
  const bool = (name: string, v: unknown, d: boolean): boolean => {
    if (v === undefined) return d;
    if (typeof v !== 'boolean') throw new ConfigError(`${where}: ${name} must be a boolean, got ${typeof v}.`);
    return v;
  };
  if (opts.rng !== undefined && opts.seed !== undefined) throw new ConfigError(`${where}: pass either seed or rng, not both.`);
  return {
    inputSize: checkPositiveInt(where, 'inputSize', opts.inputSize),
    hiddenSize: checkPositiveInt(where, 'hiddenSize', opts.hiddenSize),
    numLayers: checkPositiveInt(where, 'numLayers', opts.numLayers ?? 1),
    bias: bool('bias', opts.bias, true),
    batchFirst: bool('batchFirst', opts.batchFirst, false),
    dropout: checkNumber(where, 'dropout', opts.dropout ?? 0, 0, 0.999999),
    bidirectional: bool('bidirectional', opts.bidirectional, false),
    init: checkInitScheme(where, opts.init ?? 'keras'),
    rng: opts.rng ?? createRng(opts.seed ?? 0),
  };
}
