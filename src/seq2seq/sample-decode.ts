/**
 * Ancestral sampling: every step draws the next token from the model's distribution, sharpened
 * or flattened by a temperature τ and optionally cut to the k most likely tokens:
 *
 *   p(k) ∝ exp(z_k / τ)   over k ∈ top-k(z) \ {PAD, BOS}
 *
 * Draws come from a seeded generator, one uniform per live row per step in row order, so the
 * same seed gives the same samples.
 * @module
 */
import { ConfigError } from '../errors.js';
import { createRng, type Rng } from '../kernel/rng.js';
import { checkNonNegativeInt, checkNumber, describe } from '../shapes.js';
import type { IndexTensor } from '../tensor.js';
import { FIRST_OUTPUT, setupDecode, type DecodeOptions, type Hypothesis } from './decode-options.js';
import { decodeLeftToRight } from './greedy-decode.js';
import type { Seq2Seq } from './seq2seq.js';

/**
 * Options of {@link sampleDecode}.
 * @category Seq2Seq
 */
export interface SampleDecodeOptions extends DecodeOptions {
  /**
   * τ > 0: below 1 sharpens the distribution (towards greedy), above 1 flattens it.
   * @defaultValue 1
   */
  temperature?: number;
  /**
   * Sample only among the k most likely tokens (ties: lower id first); 0 keeps all.
   * @defaultValue 0
   */
  topK?: number;
  /** The generator of the draws (advanced). */
  rng?: Rng;
  /**
   * Seed of a fresh generator when `rng` is not given (passing both is an error).
   * @defaultValue 0
   */
  seed?: number;
}

/**
 * Samples one output sequence per source.
 * @param model - the trained model.
 * @param source - `[S, B]` source ids.
 * @param opts - `temperature`, `topK`, `rng` or `seed`, and the {@link DecodeOptions}.
 * @returns one {@link Hypothesis} per source column; `logProb` is under the model itself
 *   (τ = 1, no top-k cut), `score` equals it.
 * @throws ConfigError on an invalid option (temperature ≤ 0, negative topK, maxLength < 1);
 *   ShapeError on a source / lengths mismatch.
 * @example
 * ```ts
 * const hyps = sampleDecode(model, source, { temperature: 0.8, topK: 5, seed: 42 });
 * ```
 * @category Seq2Seq
 */
export function sampleDecode(model: Seq2Seq, source: IndexTensor, opts: SampleDecodeOptions = {}): Hypothesis[] {
  const where = 'sampleDecode';
  if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object, got ${describe(opts)}.`);
  const tau = checkNumber(where, 'temperature', opts.temperature ?? 1, 0);
  if (tau === 0) throw new ConfigError(`${where}: temperature must be > 0, got 0. For the most likely tokens use greedyDecode.`);
  const topK = checkNonNegativeInt(where, 'topK', opts.topK ?? 0);
  if (opts.rng !== undefined && opts.seed !== undefined) throw new ConfigError(`${where}: pass either seed or rng, not both.`);
  if (opts.rng !== undefined && (typeof opts.rng !== 'object' || typeof opts.rng.uniform !== 'function')) {
    throw new ConfigError(`${where}: rng must be an Rng (createRng(seed)), got ${describe(opts.rng)}.`);
  }
  const rng = opts.rng ?? createRng(opts.seed ?? 0);
  const setup = setupDecode(where, model, source, opts, ['temperature', 'topK', 'rng', 'seed'], 1);
  const V = setup.V;
  const n = topK === 0 ? V - FIRST_OUTPUT : Math.min(topK, V - FIRST_OUTPUT);
  const ids = new Int32Array(n); // [n] candidate ids, best first when cut to top-k
  const vals = new Float64Array(n); // [n] their logits, then their weights
  return decodeLeftToRight(setup, (logits, r, Vr) => {
    const o = r * Vr;
    let count = 0;
    if (n === Vr - FIRST_OUTPUT) {
      for (let k = FIRST_OUTPUT; k < Vr; k++) {
        ids[count] = k;
        vals[count++] = logits[o + k] as number;
      }
    } else {
      // Keep the n largest, sorted by value desc then id asc (insertion into a short list).
      for (let k = FIRST_OUTPUT; k < Vr; k++) {
        const z = logits[o + k] as number;
        if (count === n && !(z > (vals[n - 1] as number))) continue;
        let i = count < n ? count++ : n - 1;
        while (i > 0 && z > (vals[i - 1] as number)) {
          vals[i] = vals[i - 1] as number;
          ids[i] = ids[i - 1] as number;
          i--;
        }
        vals[i] = z;
        ids[i] = k;
      }
    }
    let max = -Infinity;
    for (let i = 0; i < count; i++) if ((vals[i] as number) > max) max = vals[i] as number;
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const w = Math.exp(((vals[i] as number) - max) / tau);
      vals[i] = w;
      sum += w;
    }
    let u = rng.uniform() * sum;
    for (let i = 0; i < count - 1; i++) {
      u -= vals[i] as number;
      if (u < 0) return ids[i] as number;
    }
    return ids[count - 1] as number;
  });
}
