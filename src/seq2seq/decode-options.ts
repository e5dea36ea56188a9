/**
 * What greedy decoding, sampling and beam search share: their common options, the
 * {@link Hypothesis} they return, and the setup (validation, encoding, decoder state).
 * @module
 */
import { ConfigError, ShapeError } from '../errors.js';
import { allocFloat32 } from '../kernel/alloc.js';
import { checkKnownKeys, checkPositiveInt, describe, fmtShape } from '../shapes.js';
import { checkIndexTensor, type IndexTensor } from '../tensor.js';
import type { DecoderState } from './decoder-state.js';
import type { Seq2Seq } from './seq2seq.js';

/**
 * Options every decoding function takes.
 * @category Seq2Seq
 */
export interface DecodeOptions {
  /** `[B]` source lengths, each in [1, S]; omitted means every source fills all S steps. */
  lengths?: ArrayLike<number>;
  /**
   * Most tokens generated per source, EOS included; a hypothesis still open then stops with
   * `finished: false`.
   * @defaultValue 2·S + 10
   */
  maxLength?: number;
  /**
   * Return each hypothesis's attention weights (models with attention).
   * @defaultValue false
   */
  returnAttention?: boolean;
}

/**
 * One decoded output sequence.
 * @category Seq2Seq
 */
export interface Hypothesis {
  /** Generated target ids, EOS excluded. */
  readonly tokens: number[];
  /** Σ log p(token) under the model (temperature 1), EOS included when finished. */
  readonly logProb: number;
  /** The ranking score: `logProb / lp(|Y|)` for beam search, `logProb` otherwise. */
  readonly score: number;
  /** True when the hypothesis ended with EOS; false when it hit `maxLength`. */
  readonly finished: boolean;
  /**
   * `[tokens.length, length_b]` attention weights row by row (row i: where token i looked in
   * the source's valid steps), or null when not requested or without attention.
   */
  readonly attention: Float32Array | null;
}

/** @internal */
export const EOS = 2;
/** @internal First id a decoder may emit: PAD (0) and BOS (1) never are. */
export const FIRST_OUTPUT = 2;

/** @internal Everything a decoding loop needs. */
export interface DecodeSetup {
  readonly state: DecoderState;
  readonly B: number;
  readonly S: number;
  readonly V: number;
  readonly lengths: Int32Array;
  readonly maxLength: number;
  readonly attention: boolean;
}

/** @internal Validates the shared options, encodes the sources, and creates the decoder state. */
export function setupDecode(
  where: string,
  model: Seq2Seq,
  source: IndexTensor,
  opts: DecodeOptions,
  extraKeys: readonly string[],
  rowsPerSource: number,
): DecodeSetup {
  if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object, got ${describe(opts)}.`);
  checkKnownKeys(where, opts, ['lengths', 'maxLength', 'returnAttention', ...extraKeys]);
  if (typeof model !== 'object' || model === null || typeof model.encode !== 'function') {
    throw new ConfigError(`${where}: model must be a Seq2Seq, got ${describe(model)}.`);
  }
  const givenMax = opts.maxLength === undefined ? null : checkPositiveInt(where, 'maxLength', opts.maxLength);
  const attention = opts.returnAttention ?? false;
  if (typeof attention !== 'boolean') throw new ConfigError(`${where}: returnAttention must be a boolean, got ${describe(attention)}.`);
  const src = checkIndexTensor(where, 'source', source);
  if (src.shape.length !== 2 || (src.shape[0] as number) < 1 || (src.shape[1] as number) < 1) {
    throw new ShapeError(
      `${where}: source expected token ids [S, B] with S, B ≥ 1, got ${fmtShape(src.shape)}.` + (src.shape.length === 1 ? ' One source is [S, 1].' : ''),
    );
  }
  const V = model.encoder.vocabSize;
  for (let i = 0; i < src.data.length; i++) {
    const id = src.data[i] as number;
    if (id < 0 || id >= V) {
      const B = src.shape[1] as number;
      throw new ShapeError(`${where}: source[${Math.floor(i / B)}, ${i % B}] = ${id} is out of range, expected a source id in [0, V=${V}). Was it encoded with the model's sourceVocab?`);
    }
  }
  if (opts.lengths !== undefined) resolveLengthsFor(where, opts.lengths, src.shape[0] as number, src.shape[1] as number);
  const { encoder, init } = model.encode(src, opts.lengths === undefined ? {} : { lengths: opts.lengths });
  const S = encoder.memory.shape[0] as number, B = encoder.memory.shape[1] as number;
  const maxLength = givenMax ?? 2 * S + 10;
  const state = model.decoder.createState(encoder, init, B * rowsPerSource);
  return { state, B, S, V: model.decoder.vocabSize, lengths: encoder.lengths, maxLength, attention: attention && model.decoder.attention !== null };
}

/** Checks lengths with this function's name in the message. @internal */
function resolveLengthsFor(where: string, lengths: ArrayLike<number>, S: number, B: number): void {
  if (typeof lengths !== 'object' || lengths === null || lengths.length !== B) {
    throw new ShapeError(`${where}: lengths must hold one length per source column (B=${B}), got ${describe(lengths)}.`);
  }
  for (let b = 0; b < B; b++) {
    const n = lengths[b] as number;
    if (!Number.isInteger(n) || n < 1 || n > S) throw new ShapeError(`${where}: lengths[${b}] = ${String(n)} is out of range, expected an integer in [1, S=${S}].`);
  }
}

/**
 * log Σ_k exp(logits[r, k]) over the whole row, in float64.
 * @internal
 */
export function logSumExpRow(logits: Float32Array, r: number, V: number): number {
  const o = r * V;
  let max = -Infinity;
  for (let k = 0; k < V; k++) if ((logits[o + k] as number) > max) max = logits[o + k] as number;
  let sum = 0;
  for (let k = 0; k < V; k++) sum += Math.exp((logits[o + k] as number) - max);
  return max + Math.log(sum);
}

/**
 * Per-source attention rows for left-to-right decoders (greedy, sampling): `[B, maxLength, S]`.
 * @internal
 */
export class AttentionRecorder {
  private readonly data: Float32Array;
  constructor(
    B: number,
    private readonly maxLength: number,
    private readonly S: number,
  ) {
    this.data = allocFloat32(B * maxLength * S);
  }

  /** Stores row r of the state's weights as step t of source b. */
  record(weights: Float32Array, r: number, b: number, t: number): void {
    const S = this.S, dst = (b * this.maxLength + t) * S, src = r * S;
    for (let s = 0; s < S; s++) this.data[dst + s] = weights[src + s] as number;
  }

  /** `[n, len]` rows 0..n−1 of source b, valid steps only. */
  take(b: number, n: number, len: number): Float32Array {
    const out = allocFloat32(n * len);
    for (let t = 0; t < n; t++) {
      const src = (b * this.maxLength + t) * this.S;
      for (let s = 0; s < len; s++) out[t * len + s] = this.data[src + s] as number;
    }
    return out;
  }
}
