/**
 * `Encoder`: the source half of a sequence-to-sequence model. Token ids go through an
 * {@link Embedding}, then a stacked, optionally bidirectional RNN / LSTM / GRU that respects each
 * source's length:
 *
 *   x = E[src]          `[S, B, E]`
 *   memory, hN, cN = RNN(x, lengths)   memory `[S, B, D·H]` (0 at padded steps), hN/cN `[L·D, B, H]`
 *
 * The memory is what attention reads; the final states are what the bridge hands to the decoder.
 * @module
 */
import type { CellKind } from '../cells/cell-core.js';
import type { InitScheme } from '../cells/init-scheme.js';
import { ConfigError, ShapeError } from '../errors.js';
import { allocInt32 } from '../kernel/alloc.js';
import { createRng, type Rng } from '../kernel/rng.js';
import { Embedding } from '../layers/embedding.js';
import { prefixed, prefixedGenerators, type Module, type Parameter } from '../layers/param-store.js';
import type { Tape } from '../layers/tape.js';
import { GRU, LSTM, RNN } from '../sequence/layers.js';
import type { RecurrentBase, RecurrentOutput } from '../sequence/recurrent.js';
import { checkKnownKeys, checkNumber, checkPositiveInt, describe, fmtShape } from '../shapes.js';
import { checkIndexTensor, type IndexTensor, type Tensor } from '../tensor.js';

/**
 * Options of {@link Encoder}.
 * @category Seq2Seq
 */
export interface EncoderOptions {
  /** V: source vocabulary size. */
  vocabSize: number;
  /** E: embedding size. */
  embeddingDim: number;
  /** H: hidden units per direction. */
  hiddenSize: number;
  /**
   * The recurrent cell.
   * @defaultValue 'lstm'
   */
  cell?: CellKind;
  /**
   * L: stacked layers.
   * @defaultValue 1
   */
  numLayers?: number;
  /**
   * Read the source in both directions (D = 2); the memory is then `[S, B, 2H]`.
   * @defaultValue false
   */
  bidirectional?: boolean;
  /**
   * Dropout between stacked layers (training only).
   * @defaultValue 0
   */
  dropout?: number;
  /**
   * The padding id: its embedding is zero and never trained.
   * @defaultValue 0 (`Vocab.PAD`)
   */
  paddingIdx?: number;
  /**
   * Recurrent weight initialisation.
   * @defaultValue 'keras'
   */
  init?: InitScheme;
  /**
   * Seed for initialisation and dropout (ignored when `rng` is given; passing both is an error).
   * @defaultValue 0
   */
  seed?: number;
  /** A generator for initialisation and dropout. */
  rng?: Rng;
}

/**
 * Per-call options of {@link Encoder.forward}.
 * @category Seq2Seq
 */
export interface EncoderForwardOptions {
  /** `[B]` source lengths, each in [1, S]; omitted means every source fills all S steps. */
  lengths?: ArrayLike<number>;
  /** Record the backward pass here (training). */
  tape?: Tape;
  /**
   * Apply inter-layer dropout.
   * @defaultValue true when a tape is given
   */
  training?: boolean;
}

/**
 * What {@link Encoder.forward} returns.
 * @category Seq2Seq
 */
export interface EncoderOutput {
  /** `[S, B, D·H]` top-layer outputs; rows at padded steps are 0. */
  readonly memory: Tensor;
  /** `[B]` valid source steps of each column. */
  readonly lengths: Int32Array;
  /** `[S, B]` 1 at valid steps, 0 at padding (the attention mask). */
  readonly mask: Uint8Array;
  /** `[L·D, B, H]` final hidden state of every layer and direction (PyTorch order). */
  readonly hN: Tensor;
  /** `[L·D, B, H]` final cell state (LSTM), else null. */
  readonly cN: Tensor | null;
}

const ENCODER_KEYS: readonly string[] = [
  'vocabSize', 'embeddingDim', 'hiddenSize', 'cell', 'numLayers', 'bidirectional', 'dropout', 'paddingIdx', 'init', 'seed', 'rng',
];

/** @internal Validates a cell kind option. */
export function checkCellKind(where: string, v: unknown): CellKind {
  if (v !== 'lstm' && v !== 'gru' && v !== 'rnn') {
    throw new ConfigError(`${where}: cell must be 'lstm', 'gru' or 'rnn', got ${describe(v)}.`);
  }
  return v;
}

/** @internal Builds the recurrent layer of a kind. */
export function makeRecurrent(
  kind: CellKind,
  o: { inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean; dropout: number; init: InitScheme; rng: Rng },
): RecurrentBase<RecurrentOutput & { cN?: Tensor }> {
  if (kind === 'lstm') return new LSTM(o);
  if (kind === 'gru') return new GRU(o);
  return new RNN(o);
}

/**
 * Embedding + recurrent stack over a padded source batch.
 * @example
 * ```ts
 * const enc = new Encoder({ vocabSize: src.size, embeddingDim: 32, hiddenSize: 64, bidirectional: true, seed: 1 });
 * const { memory, hN, cN } = enc.forward(ids, { lengths }); // ids [S, B] → memory [S, B, 128], hN [2, B, 64]
 * ```
 * @category Seq2Seq
 */
export class Encoder implements Module {
  /** V: source vocabulary size. */
  readonly vocabSize: number;
  /** E: embedding size. */
  readonly embeddingDim: number;
  /** H: hidden units per direction. */
  readonly hiddenSize: number;
  /** L: stacked layers. */
  readonly numLayers: number;
  /** D = 2 when bidirectional, else 1. */
  readonly numDirections: number;
  /** The recurrent cell. */
  readonly cell: CellKind;
  /** The source embedding (`embedding.weight [V, E]`). */
  readonly embedding: Embedding;
  /** The recurrent stack (PyTorch names `rnn.weight_ih_l0`, ...). */
  readonly rnn: RecurrentBase<RecurrentOutput & { cN?: Tensor }>;

  /**
   * @param opts - see {@link EncoderOptions}.
   * @throws ConfigError on a missing, unknown or invalid option.
   */
  constructor(opts: EncoderOptions) {
    const where = 'Encoder';
    if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object.`);
    checkKnownKeys(where, opts, ENCODER_KEYS);
    const V = checkPositiveInt(where, 'vocabSize', opts.vocabSize);
    const E = checkPositiveInt(where, 'embeddingDim', opts.embeddingDim);
    const H = checkPositiveInt(where, 'hiddenSize', opts.hiddenSize);
    const L = checkPositiveInt(where, 'numLayers', opts.numLayers ?? 1);
    const cell = checkCellKind(where, opts.cell ?? 'lstm');
    const bidirectional = opts.bidirectional ?? false;
    if (typeof bidirectional !== 'boolean') throw new ConfigError(`${where}: bidirectional must be a boolean, got ${describe(bidirectional)}.`);
    const dropout = checkNumber(where, 'dropout', opts.dropout ?? 0, 0, 0.999999);
    if (opts.rng !== undefined && opts.seed !== undefined) throw new ConfigError(`${where}: pass either seed or rng, not both.`);
    const rng = opts.rng ?? createRng(opts.seed ?? 0);
    this.vocabSize = V;
    this.embeddingDim = E;
    this.hiddenSize = H;
    this.numLayers = L;
    this.numDirections = bidirectional ? 2 : 1;
    this.cell = cell;
    this.embedding = new Embedding({ numEmbeddings: V, embeddingDim: E, paddingIdx: opts.paddingIdx ?? 0, rng });
    this.rnn = makeRecurrent(cell, { inputSize: E, hiddenSize: H, numLayers: L, bidirectional, dropout, init: opts.init ?? 'keras', rng });
  }

  /** D·H: features per memory row. */
  get outputSize(): number {
    return this.numDirections * this.hiddenSize;
  }

  /**
   * Encodes a padded source batch.
   * @param source - `[S, B]` token ids in [0, V); entries at or past a column's length are ignored
   *   (any valid id, usually PAD).
   * @param opts - `lengths`, `tape`, `training`.
   * @returns `{ memory [S, B, D·H], lengths [B], mask [S, B], hN, cN }`.
   * @throws ShapeError when `source` is not `[S, B]` with S, B ≥ 1, an id is out of range, or a
   *   length is not in [1, S].
   */
  forward(source: IndexTensor, opts: EncoderForwardOptions = {}): EncoderOutput {
    const where = 'Encoder.forward';
    checkKnownKeys(where, opts, ['lengths', 'tape', 'training']);
    const src = checkIndexTensor(where, 'source', source);
    if (src.shape.length !== 2 || (src.shape[0] as number) < 1 || (src.shape[1] as number) < 1) {
      throw new ShapeError(
        `${where}: source expected token ids [S, B] with S, B ≥ 1, got ${fmtShape(src.shape)}.` +
          (src.shape.length === 1 ? ' Add the batch axis: one source is [S, 1].' : ''),
      );
    }
    const S = src.shape[0] as number, B = src.shape[1] as number, V = this.vocabSize;
    const lengths = allocInt32(B);
    if (opts.lengths === undefined) lengths.fill(S);
    else {
      const l = opts.lengths;
      if (typeof l !== 'object' || l === null || l.length !== B) {
        throw new ShapeError(`${where}: lengths must hold one length per source column (B=${B}), got ${describe(l)}.`);
      }
      for (let b = 0; b < B; b++) {
        const n = l[b] as number;
        if (!Number.isInteger(n) || n < 1 || n > S) {
          throw new ShapeError(`${where}: lengths[${b}] = ${String(n)} is out of range, expected an integer in [1, S=${S}] (source ${fmtShape(src.shape, ['S', 'B'])}).`);
        }
        lengths[b] = n;
      }
    }
    const mask = new Uint8Array(S * B); // [S, B]
    for (let s = 0; s < S; s++) {
      for (let b = 0; b < B; b++) {
        const id = src.data[s * B + b] as number;
        if (s < (lengths[b] as number)) mask[s * B + b] = 1;
        if (id < 0 || id >= V) {
          throw new ShapeError(
            `${where}: source[${s}, ${b}] = ${id} is out of range, expected a token id in [0, V=${V}). Was the source encoded with a different vocabulary?`,
          );
        }
      }
    }
    const tape = opts.tape;
    const x = this.embedding.forward(src, tape);
    const r = this.rnn.forward(x, {
      lengths,
      ...(tape ? { tape } : {}),
      ...(opts.training !== undefined ? { training: opts.training } : {}),
    });
    return { memory: r.output, lengths, mask, hN: r.hN, cN: r.cN ?? null };
  }

  /**
   * The parameters: `embedding.weight`, then `rnn.*` with PyTorch names.
   * @returns views into the flat buffers.
   */
  parameters(): Parameter[] {
    return [...prefixed('embedding.', this.embedding), ...prefixed('rnn.', this.rnn)];
  }

  /**
   * The generators training draws from: `rnn.rng` (the dropout masks) when the stack has
   * dropout between layers, else none.
   * @returns the live generators by name.
   */
  generators(): Record<string, Rng> {
    return prefixedGenerators('rnn.', this.rnn);
  }
}
