/**
 * Left-to-right generation shared by the language model and the one-to-many model.
 * @module
 */
import { ConfigError } from '../errors.js';
import { describe } from '../shapes.js';
import { createRng, type Rng } from '../kernel/rng.js';
import type { Linear } from '../layers/linear.js';
import type { IndexTensor, Tensor } from '../tensor.js';
import type { Backbone } from './backbone.js';
import { checkSampling, TokenSampler, type SamplingOptions } from './sampling.js';

/**
 * Options of `generate`.
 * @category Models
 */
export interface GenerateOptions extends SamplingOptions {
  /** Ids fed before generating (e.g. `[BOS]`, or a start of text). At least one id. */
  prompt: readonly number[];
  /** Maximum number of generated tokens. */
  maxLength: number;
  /** Generation stops when this id is produced (it is not returned). */
  stopToken?: number;
  /** An id never produced (e.g. PAD). */
  excludeToken?: number;
  /**
   * Seed of the sampler (ignored when `rng` is given).
   * @defaultValue 0
   */
  seed?: number;
  /** The sampler's generator. */
  rng?: Rng;
  /**
   * Ids forced at given output positions (acrostics: the first character of each line).
   * Position i is the i-th generated token; positions are integers in [0, maxLength) and ids in
   * [0, V). Generation does not stop before the last forced position: until then the stop token
   * is never sampled, so every forced id is in the output.
   */
  forced?: ReadonlyMap<number, number>;
}

/** @internal Turns ids `[T, 1]` into recurrent-layer input `[T, 1, F]`. */
export type StepInput = (ids: IndexTensor) => Tensor;

/** @internal */
export function generateTokens(
  where: string,
  backbone: Backbone,
  head: Linear,
  V: number,
  h0: Tensor | null,
  c0: Tensor | null,
  opts: GenerateOptions,
  stepInput?: StepInput,
): number[] {
  if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object.`);
  const sampling = checkSampling(where, opts);
  if (!Array.isArray(opts.prompt) || opts.prompt.length < 1) throw new ConfigError(`${where}: prompt must hold at least one token id.`);
  for (const id of opts.prompt) {
    if (!Number.isInteger(id) || id < 0 || id >= V) throw new ConfigError(`${where}: prompt id ${String(id)} is outside [0, V=${V}).`);
  }
  if (!Number.isInteger(opts.maxLength) || opts.maxLength < 1) throw new ConfigError(`${where}: maxLength must be a positive integer, got ${String(opts.maxLength)}.`);
  if (opts.seed !== undefined && opts.rng !== undefined) throw new ConfigError(`${where}: pass either seed or rng, not both.`);
  const rng = opts.rng ?? createRng(opts.seed ?? 0);
  const lastForced = checkForced(where, opts.forced, opts.maxLength, V);
  const embed: StepInput = stepInput ?? ((ids) => backbone.embed(where, ids, undefined));
  const sampler = new TokenSampler(V);
  const rnn = backbone.rnn;
  let h = h0;
  let c = c0;
  const run = (ids: readonly number[]): Float32Array => {
    const x = embed({ shape: [ids.length, 1], data: Int32Array.from(ids) });
    const r = rnn.forward(x, { ...(h ? { h0: h } : {}), ...(c ? { c0: c } : {}) });
    h = r.hN;
    c = r.cN ?? null;
    const T = ids.length;
    const H = r.output.shape[2] as number;
    const last: Tensor = { shape: [1, H], data: r.output.data.subarray((T - 1) * H, T * H) };
    return head.forward(last).data;
  };
  let logits = run(opts.prompt);
  const out: number[] = [];
  for (let i = 0; i < opts.maxLength; i++) {
    const forced = opts.forced?.get(i);
    const noStop = i < lastForced ? (opts.stopToken ?? -1) : -1;
    const id = forced ?? sampler.pick(logits, 0, sampling, rng, opts.excludeToken ?? -1, noStop);
    if (forced === undefined && id === opts.stopToken) break;
    out.push(id);
    if (i + 1 < opts.maxLength) logits = run([id]);
  }
  return out;
}

/** Validates `forced` and returns its last position (−1 when there is none). */
function checkForced(where: string, forced: unknown, maxLength: number, V: number): number {
  if (forced === undefined) return -1;
  if (!(forced instanceof Map)) throw new ConfigError(`${where}: forced must be a Map from output position to token id, got ${describe(forced)}.`);
  let last = -1;
  for (const [pos, id] of forced as Map<unknown, unknown>) {
    if (typeof pos !== 'number' || !Number.isInteger(pos) || pos < 0 || pos >= maxLength) {
      throw new ConfigError(`${where}: forced position ${describe(pos)} is outside [0, maxLength=${maxLength}).`);
    }
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= V) {
      throw new ConfigError(`${where}: forced id ${describe(id)} at position ${pos} is outside [0, V=${V}).`);
    }
    if (pos > last) last = pos;
  }
  return last;
}
