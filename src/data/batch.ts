/**
 * Batching: padding id sequences into one time-major block, seeded shuffling, fixed-size index
 * batches and length bucketing.
 *
 * Everything random takes an {@link Rng}: the same seed gives the same batches, on every engine.
 * Batching helpers work on indices (`number[][]`), so they serve any dataset layout; pass each
 * batch's sequences to {@link padSequences}.
 * @module
 */
import { ConfigError } from '../errors.js';
import { allocInt32 } from '../kernel/alloc.js';
import type { Rng } from '../kernel/rng.js';
import { checkKnownKeys, checkNonNegativeInt, checkPositiveInt, describe } from '../shapes.js';

/**
 * Options of {@link padSequences}.
 * @category Data
 */
export interface PadSequencesOptions {
  /** The id written into padded positions, usually `Vocab.PAD` (0). */
  readonly padId: number;
  /**
   * Longest allowed sequence. A longer sequence is an error unless `truncate` is true.
   * @defaultValue Infinity
   */
  readonly maxLength?: number;
  /**
   * Cut sequences longer than `maxLength` to their first `maxLength` ids (their `lengths` entry
   * becomes `maxLength`). Off by default: data is never dropped silently.
   * @defaultValue false
   */
  readonly truncate?: boolean;
  /**
   * Lay `ids` out as `[T, B]` (time-major, the library default). With false: `[B, T]`.
   * @defaultValue true
   */
  readonly timeMajor?: boolean;
}

/**
 * A padded batch of id sequences (see {@link padSequences}).
 * @category Data
 */
export interface PaddedBatch {
  /** `[T, B]` row-major when time-major (id of sequence b at step t is `ids[t * B + b]`), else `[B, T]`. */
  readonly ids: Int32Array;
  /** `[B]` length of each sequence (after truncation); steps `t >= lengths[b]` hold `padId`. */
  readonly lengths: Int32Array;
  /** Steps: the longest length in the batch. */
  readonly T: number;
  /** Batch size: the number of sequences. */
  readonly B: number;
}

/**
 * Options of {@link batches}.
 * @category Data
 */
export interface BatchesOptions {
  /**
   * Shuffle the indices before cutting batches; needs `rng`.
   * @defaultValue false
   */
  readonly shuffle?: boolean;
  /** Generator for the shuffle (required when `shuffle` is true). */
  readonly rng?: Rng;
  /**
   * Drop the last batch when it has fewer than `batchSize` indices.
   * @defaultValue false
   */
  readonly dropLast?: boolean;
}

/**
 * Options of {@link bucketByLength}.
 * @category Data
 */
export interface BucketByLengthOptions {
  /**
   * Pool size, in batches. Indices are shuffled, cut into pools of `poolBatches * batchSize`, and
   * each pool is sorted by length before it is cut into batches. Larger pools give tighter
   * lengths (less padding); smaller pools give more varied batches from epoch to epoch.
   * `Infinity` sorts the whole dataset (ties broken at random).
   * @defaultValue 50
   */
  readonly poolBatches?: number;
  /**
   * Drop the one batch with fewer than `batchSize` indices, if there is one.
   * @defaultValue false
   */
  readonly dropLast?: boolean;
}

const PAD_KEYS: readonly string[] = ['padId', 'maxLength', 'truncate', 'timeMajor'];
const BATCHES_KEYS: readonly string[] = ['shuffle', 'rng', 'dropLast'];
const BUCKET_KEYS: readonly string[] = ['poolBatches', 'dropLast'];
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Pads id sequences of different lengths into one `[T, B]` block (time-major, as the sequence
 * layers expect) plus their lengths. `T` is the longest length (after truncation).
 * @param seqs - B sequences of integer ids (arrays or typed arrays); empty sequences are allowed.
 * @param options - `padId` (required), `maxLength`, `truncate`, `timeMajor`.
 * @returns `{ ids [T, B] (or [B, T]), lengths [B], T, B }` in fresh buffers.
 * @throws ConfigError when a sequence is longer than `maxLength` without `truncate: true`, when an
 *   id or `padId` is not an int32 integer, or on an unknown option.
 * @example
 * ```ts
 * const { ids, lengths, T, B } = padSequences([[5, 6, 7], [8]], { padId: Vocab.PAD });
 * // T = 3, B = 2, ids = [5, 8,  6, 0,  7, 0] ([T, B] row-major), lengths = [3, 1]
 * ```
 * @category Data
 */
export function padSequences(seqs: readonly ArrayLike<number>[], options: PadSequencesOptions): PaddedBatch {
  const where = 'padSequences';
  if (!Array.isArray(seqs)) throw new ConfigError(`${where}: seqs must be an array of id sequences, got ${describe(seqs)}.`);
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(`${where}: options must be an object with at least padId, got ${describe(options)}.`);
  }
  checkKnownKeys(where, options, PAD_KEYS);
  const padId: unknown = options.padId;
  if (!isInt32(padId)) {
    throw new ConfigError(`${where}: padId must be an int32 integer (usually Vocab.PAD = 0), got ${describe(padId)}.`);
  }
  const maxLength = options.maxLength === undefined ? Infinity : options.maxLength;
  if (maxLength !== Infinity) checkNonNegativeInt(where, 'maxLength', maxLength);
  const truncate = checkBool(where, 'truncate', options.truncate, false);
  const timeMajor = checkBool(where, 'timeMajor', options.timeMajor, true);

  const B = seqs.length;
  const lengths = allocInt32(B); // [B]
  let T = 0;
  for (let b = 0; b < B; b++) {
    const seq: unknown = seqs[b];
    const n = typeof seq === 'object' && seq !== null ? (seq as ArrayLike<number>).length : undefined;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      throw new ConfigError(`${where}: seqs[${b}] must be an array of ids, got ${describe(seq)}.`);
    }
    if (n > maxLength && !truncate) {
      throw new ConfigError(
        `${where}: seqs[${b}] has length ${n}, longer than maxLength = ${maxLength}. ` +
          'Pass truncate: true to keep only the first maxLength ids, or raise maxLength.',
      );
    }
    const len = Math.min(n, maxLength);
    lengths[b] = len;
    if (len > T) T = len;
  }

  const ids = allocInt32(T * B); // [T, B] or [B, T]
  if (padId !== 0) ids.fill(padId);
  // Step stride and sequence stride of the chosen layout.
  const tStride = timeMajor ? B : 1;
  const bStride = timeMajor ? 1 : T;
  for (let b = 0; b < B; b++) {
    const seq = seqs[b] as ArrayLike<number>;
    const len = lengths[b] as number;
    for (let t = 0; t < len; t++) {
      const id = seq[t];
      if (!isInt32(id)) {
        throw new ConfigError(`${where}: seqs[${b}][${t}] must be an int32 integer id, got ${describe(id)}.`);
      }
      ids[t * tStride + b * bStride] = id;
    }
  }
  return { ids, lengths, T, B };
}

/**
 * A seeded random permutation of `0 … n-1` (Fisher-Yates driven by `rng`).
 * @param n - how many indices.
 * @param rng - the generator; it advances by about n draws.
 * @returns a fresh array holding each of `0 … n-1` exactly once.
 * @throws ConfigError when `n` is not a non-negative integer or `rng` is not an Rng.
 * @example
 * ```ts
 * shuffled(5, createRng(1)); // e.g. [3, 0, 4, 1, 2]; the same for the same seed
 * ```
 * @category Data
 */
export function shuffled(n: number, rng: Rng): number[] {
  checkNonNegativeInt('shuffled', 'n', n);
  checkRng('shuffled', rng);
  return rng.shuffle(range(n));
}

/**
 * Cuts `0 … n-1` into batches of `batchSize` indices, optionally shuffled first. Every index
 * appears exactly once, except those of a short last batch dropped by `dropLast`.
 * @param n - dataset size.
 * @param batchSize - indices per batch (the last batch may be smaller).
 * @param options - `shuffle` (needs `rng`), `rng`, `dropLast`.
 * @returns the batches, as arrays of indices.
 * @throws ConfigError on a bad `n` or `batchSize`, `shuffle: true` without an `rng`, or an
 *   unknown option.
 * @example
 * ```ts
 * const rng = createRng(7);
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   for (const batch of batches(data.length, 32, { shuffle: true, rng })) {
 *     const { ids, lengths } = padSequences(batch.map((i) => data[i]), { padId: 0 });
 *   }
 * }
 * ```
 * @category Data
 */
export function batches(n: number, batchSize: number, options: BatchesOptions = {}): number[][] {
  const where = 'batches';
  checkNonNegativeInt(where, 'n', n);
  checkPositiveInt(where, 'batchSize', batchSize);
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(`${where}: options must be an object, got ${describe(options)}.`);
  }
  checkKnownKeys(where, options, BATCHES_KEYS);
  const shuffle = checkBool(where, 'shuffle', options.shuffle, false);
  const dropLast = checkBool(where, 'dropLast', options.dropLast, false);
  if (options.rng !== undefined) checkRng(where, options.rng);
  let order: number[];
  if (shuffle) {
    if (options.rng === undefined) {
      throw new ConfigError(`${where}: shuffle: true needs an rng, e.g. { shuffle: true, rng: createRng(seed) }.`);
    }
    order = options.rng.shuffle(range(n));
  } else {
    order = range(n);
  }
  return chunk(order, batchSize, dropLast);
}

/**
 * Groups examples of similar length into batches, so little of each padded batch is padding,
 * while keeping epochs random: shuffle all indices, sort each pool of `poolBatches` batches by
 * length (stable, so equal lengths stay in shuffled order), cut into batches, shuffle the batch
 * order. Every index appears exactly once (unless `dropLast` drops the one short batch).
 * @param lengths - `[N]` the length of example i at position i (non-negative integers).
 * @param batchSize - indices per batch.
 * @param rng - the generator (call again with the same generator for the next epoch).
 * @param options - `poolBatches` (default 50), `dropLast` (default false).
 * @returns the batches, as arrays of indices into `lengths`.
 * @throws ConfigError on a bad length, `batchSize`, `poolBatches` or `rng`, or an unknown option.
 * @example
 * ```ts
 * const rng = createRng(3);
 * const lengths = data.map((seq) => seq.length);
 * for (const batch of bucketByLength(lengths, 32, rng)) {
 *   const { ids, lengths: lens, T } = padSequences(batch.map((i) => data[i]), { padId: 0 });
 * }
 * ```
 * @category Data
 */
export function bucketByLength(
  lengths: ArrayLike<number>,
  batchSize: number,
  rng: Rng,
  options: BucketByLengthOptions = {},
): number[][] {
  const where = 'bucketByLength';
  if (typeof lengths !== 'object' || lengths === null || typeof lengths.length !== 'number') {
    throw new ConfigError(`${where}: lengths must be an array of sequence lengths, got ${describe(lengths)}.`);
  }
  checkPositiveInt(where, 'batchSize', batchSize);
  checkRng(where, rng);
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(`${where}: options must be an object, got ${describe(options)}.`);
  }
  checkKnownKeys(where, options, BUCKET_KEYS);
  const poolBatches = options.poolBatches === undefined ? 50 : options.poolBatches;
  if (poolBatches !== Infinity) checkPositiveInt(where, 'poolBatches', poolBatches);
  const dropLast = checkBool(where, 'dropLast', options.dropLast, false);
  const N = lengths.length;
  for (let i = 0; i < N; i++) {
    const len = lengths[i];
    if (typeof len !== 'number' || !Number.isInteger(len) || len < 0) {
      throw new ConfigError(`${where}: lengths[${i}] must be a non-negative integer, got ${describe(len)}.`);
    }
  }

  const order = rng.shuffle(range(N));
  // Pools are whole multiples of batchSize, so only the very last batch can be short.
  const poolSize = Math.min(N, poolBatches * batchSize);
  for (let start = 0; start < N; start += poolSize) {
    const pool = order.slice(start, start + poolSize);
    pool.sort((a, b) => (lengths[a] as number) - (lengths[b] as number)); // stable since ES2019
    for (let k = 0; k < pool.length; k++) order[start + k] = pool[k] as number;
  }
  const out = chunk(order, batchSize, dropLast);
  return rng.shuffle(out);
}

/** `[0, 1, …, n-1]`. @internal */
function range(n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** Consecutive slices of `size`; the short tail is dropped when `dropLast`. @internal */
function chunk(items: readonly number[], size: number, dropLast: boolean): number[][] {
  const out: number[][] = [];
  for (let start = 0; start < items.length; start += size) {
    if (dropLast && start + size > items.length) break;
    out.push(items.slice(start, start + size));
  }
  return out;
}

/** @internal */
function isInt32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;
}

/** @internal */
function checkBool(where: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(`${where}: ${name} must be a boolean, got ${describe(value)}.`);
  return value;
}

/** @internal */
function checkRng(where: string, rng: unknown): void {
  if (typeof rng !== 'object' || rng === null || typeof (rng as Rng).shuffle !== 'function') {
    throw new ConfigError(`${where}: rng must be an Rng from createRng(seed), got ${describe(rng)}.`);
  }
}
