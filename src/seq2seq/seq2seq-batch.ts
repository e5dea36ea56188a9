/**
 * Batches for sequence-to-sequence training: a padded source block with its lengths, and the
 * target twice, shifted for teacher forcing:
 *
 *   targetIn  = BOS y1 y2 … yn        (what the decoder reads)
 *   targetOut = y1  y2 … yn EOS       (what it must predict; PAD after, ignored by the loss)
 * @module
 */
import { ConfigError } from '../errors.js';
import { allocInt32 } from '../kernel/alloc.js';
import { describe } from '../shapes.js';
import type { IndexTensor } from '../tensor.js';
import type { TrainDataset } from '../train/trainer-types.js';

/**
 * One training pair of token-id sequences (without BOS / EOS).
 * @category Seq2Seq
 */
export interface Seq2SeqPair {
  /** Source ids, at least one. */
  readonly source: ArrayLike<number>;
  /** Target ids (may be empty: the model then learns to emit EOS at once). */
  readonly target: ArrayLike<number>;
}

/**
 * A padded, time-major seq2seq batch.
 * @category Seq2Seq
 */
export interface Seq2SeqBatch {
  /** `[S, B]` source ids, PAD (0) after each length. */
  readonly source: IndexTensor;
  /** `[B]` source lengths, each in [1, S]. */
  readonly sourceLengths: Int32Array;
  /** `[T, B]` decoder inputs: BOS, then the target; PAD after. */
  readonly targetIn: IndexTensor;
  /** `[T, B]` decoder targets: the target, then EOS; PAD after. */
  readonly targetOut: IndexTensor;
}

const BOS = 1;
const EOS = 2;

/**
 * Pads a list of pairs into one batch (PAD = 0, BOS = 1, EOS = 2, the `Vocab` ids).
 * @param pairs - B ≥ 1 pairs; every source non-empty.
 * @returns `{ source [S, B], sourceLengths [B], targetIn [T, B], targetOut [T, B] }` with S the
 *   longest source and T the longest target + 1.
 * @throws ConfigError on an empty list, an empty source or a non-integer id.
 * @example
 * ```ts
 * const batch = makeSeq2SeqBatch([{ source: [5, 6, 7], target: [9, 8] }, { source: [4], target: [] }]);
 * // source [S=3, B=2], sourceLengths [3, 1]
 * // targetIn  [T=3, B=2]: column 0 = BOS 9 8,   column 1 = BOS PAD PAD
 * // targetOut [T=3, B=2]: column 0 = 9 8 EOS,   column 1 = EOS PAD PAD
 * ```
 * @category Seq2Seq
 */
export function makeSeq2SeqBatch(pairs: readonly Seq2SeqPair[]): Seq2SeqBatch {
  const where = 'makeSeq2SeqBatch';
  if (!Array.isArray(pairs) || pairs.length === 0) throw new ConfigError(`${where}: pairs must be a non-empty array of { source, target }, got ${describe(pairs)}.`);
  const B = pairs.length;
  let S = 0;
  let T = 0;
  for (let b = 0; b < B; b++) {
    const pair = pairs[b] as Seq2SeqPair;
    if (typeof pair !== 'object' || pair === null || typeof pair.source?.length !== 'number' || typeof pair.target?.length !== 'number') {
      throw new ConfigError(`${where}: pairs[${b}] must be { source, target } with id arrays, got ${describe(pair)}.`);
    }
    if (pair.source.length < 1) throw new ConfigError(`${where}: pairs[${b}].source is empty; every source needs at least one token.`);
    S = Math.max(S, pair.source.length);
    T = Math.max(T, pair.target.length + 1);
  }
  const src = allocInt32(S * B); // zero-filled: positions past each length are PAD (0)
  const lengths = allocInt32(B);
  const tin = allocInt32(T * B);
  const tout = allocInt32(T * B);
  const id = (v: unknown, what: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2147483647) throw new ConfigError(`${where}: ${what} must be a non-negative integer id, got ${describe(v)}.`);
    return v;
  };
  for (let b = 0; b < B; b++) {
    const { source, target } = pairs[b] as Seq2SeqPair;
    lengths[b] = source.length;
    for (let s = 0; s < source.length; s++) src[s * B + b] = id(source[s], `pairs[${b}].source[${s}]`);
    tin[b] = BOS;
    for (let t = 0; t < target.length; t++) {
      const y = id(target[t], `pairs[${b}].target[${t}]`);
      tin[(t + 1) * B + b] = y;
      tout[t * B + b] = y;
    }
    tout[target.length * B + b] = EOS;
  }
  return {
    source: { shape: [S, B], data: src },
    sourceLengths: lengths,
    targetIn: { shape: [T, B], data: tin },
    targetOut: { shape: [T, B], data: tout },
  };
}

/**
 * A training set of seq2seq pairs, with the source length of each pair for length bucketing.
 * @category Seq2Seq
 */
export interface Seq2SeqDataset extends TrainDataset<Seq2SeqBatch> {
  /**
   * The length used to bucket pair `index` (its source length).
   * @param index - the pair.
   * @returns its length.
   */
  lengthOf(index: number): number;
}

/**
 * A {@link TrainDataset} over pairs, with `lengthOf` for the Trainer's length bucketing.
 * @param pairs - the training pairs (kept by reference).
 * @returns `{ length, batch(indices), lengthOf(i) }`.
 * @example
 * ```ts
 * const data = seq2seqDataset(pairs);
 * const trainer = new Trainer({ model, optimizer, step: model.stepFunction(), lengthOf: data.lengthOf });
 * await trainer.fit(data, { epochs: 10 });
 * ```
 * @category Seq2Seq
 */
export function seq2seqDataset(pairs: readonly Seq2SeqPair[]): Seq2SeqDataset {
  if (!Array.isArray(pairs)) throw new ConfigError(`seq2seqDataset: pairs must be an array of { source, target }, got ${describe(pairs)}.`);
  return {
    length: pairs.length,
    batch: (indices: readonly number[]): Seq2SeqBatch => makeSeq2SeqBatch(indices.map((i) => pairs[i] as Seq2SeqPair)),
    // Sort key: source length first, then target length, so both S and T stay tight.
    lengthOf: (i: number): number => {
      const p = pairs[i] as Seq2SeqPair;
      return p.source.length * 64 + p.target.length;
    },
  };
}
