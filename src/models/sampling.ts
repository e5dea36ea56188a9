/**
 * Choosing the next token from logits: greedy, temperature and top-k sampling, seeded.
 * @module
 */
import { ConfigError } from '../errors.js';
import { allocFloat32 } from '../kernel/alloc.js';
import type { Rng } from '../kernel/rng.js';

/**
 * How to pick tokens when generating.
 * @category Models
 */
export interface SamplingOptions {
  /**
   * `0` picks the most likely token (greedy); above 0 samples from softmax(logits / temperature).
   * @defaultValue 1
   */
  temperature?: number;
  /**
   * Sample only among the k most likely tokens; 0 disables the cut.
   * @defaultValue 0
   */
  topK?: number;
}

/** @internal */
export function checkSampling(where: string, o: SamplingOptions): { temperature: number; topK: number } {
  const temperature = o.temperature ?? 1;
  const topK = o.topK ?? 0;
  if (typeof temperature !== 'number' || !(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new ConfigError(`${where}: temperature must be a finite number ≥ 0, got ${String(temperature)}.`);
  }
  if (!Number.isInteger(topK) || topK < 0) throw new ConfigError(`${where}: topK must be a non-negative integer, got ${String(topK)}.`);
  return { temperature, topK };
}

/**
 * Picks tokens from logit rows, reusing its scratch buffers (no allocation per token).
 * @example
 * ```ts
 * const sampler = new TokenSampler(V);
 * const id = sampler.pick(logits, row * V, { temperature: 0.8, topK: 20 }, rng);
 * ```
 * @category Models
 */
export class TokenSampler {
  private readonly probs: Float32Array;
  private readonly order: Int32Array;

  /** @param vocabSize - V, the row length. */
  constructor(readonly vocabSize: number) {
    this.probs = allocFloat32(vocabSize);
    this.order = new Int32Array(vocabSize);
  }

  /**
   * Picks one token from `logits[offset .. offset + V)`.
   * @param logits - logits buffer.
   * @param offset - start of the row.
   * @param opts - temperature and top-k.
   * @param rng - the generator (used only when temperature > 0).
   * @param exclude - a token id never to pick (e.g. PAD), or −1.
   * @param exclude2 - a second id never to pick, or −1 (default).
   * @returns the chosen id (ties: the lowest id).
   */
  pick(logits: Float32Array, offset: number, opts: { temperature: number; topK: number }, rng: Rng, exclude: number = -1, exclude2: number = -1): number {
    const V = this.vocabSize;
    if (opts.temperature === 0) {
      let best = -1;
      let bestV = -Infinity;
      for (let j = 0; j < V; j++) {
        if (j === exclude || j === exclude2) continue;
        const v = logits[offset + j] as number;
        if (v > bestV || best < 0) {
          bestV = v;
          best = j;
        }
      }
      return best;
    }
    const inv = 1 / opts.temperature;
    let max = -Infinity;
    for (let j = 0; j < V; j++) if (j !== exclude && j !== exclude2 && (logits[offset + j] as number) > max) max = logits[offset + j] as number;
    const p = this.probs;
    for (let j = 0; j < V; j++) p[j] = j === exclude || j === exclude2 ? 0 : Math.exp(((logits[offset + j] as number) - max) * inv);
    if (opts.topK > 0 && opts.topK < V) {
      // Keep the k largest: find the k-th largest by partial selection on an index array.
      const ord = this.order;
      for (let j = 0; j < V; j++) ord[j] = j;
      const k = opts.topK;
      for (let a = 0; a < k; a++) {
        let m = a;
        for (let b = a + 1; b < V; b++) if ((p[ord[b] as number] as number) > (p[ord[m] as number] as number)) m = b;
        const t = ord[a] as number;
        ord[a] = ord[m] as number;
        ord[m] = t;
      }
      for (let a = k; a < V; a++) p[ord[a] as number] = 0;
    }
    let sum = 0;
    for (let j = 0; j < V; j++) sum += p[j] as number;
    let u = rng.uniform() * sum;
    for (let j = 0; j < V; j++) {
      u -= p[j] as number;
      if (u < 0 && (p[j] as number) > 0) return j;
    }
    for (let j = V - 1; j >= 0; j--) if ((p[j] as number) > 0) return j;
    return 0;
  }
}
