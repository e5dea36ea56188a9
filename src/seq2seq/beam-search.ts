/**
 * Beam search, batched over sources. Each source keeps a beam of at most K open hypotheses.
 * At step t every open hypothesis is extended by every token except PAD and BOS, and the K best
 * extensions by cumulative log-probability are kept (all extensions at one step have the same
 * length, so this is also the best by normalised score). A kept extension that is EOS, or any
 * kept extension at step `maxLength − 1`, becomes a finished hypothesis and leaves the beam,
 * which then shrinks; the search for a source ends when its beam is empty.
 *
 * Finished hypotheses are ranked by the GNMT length-normalised score (Wu et al. 2016)
 *
 *   score(Y) = log p(Y | X) / lp(|Y|),   lp(n) = ((5 + n) / 6)^α,   |Y| counting EOS,
 *
 * so α = 0 ranks by raw log-probability and larger α favours longer outputs.
 *
 * Ties are broken deterministically: among equal scores the extension of the better-ranked
 * hypothesis wins, then the lower token id; among finished hypotheses with equal scores, the one
 * that finished first. Width 1 is therefore exactly greedy decoding, and a beam wide enough to
 * keep every extension is an exhaustive search.
 * @module
 */
import { ConfigError } from '../errors.js';
import { allocFloat32, allocInt32 } from '../kernel/alloc.js';
import { checkNumber, checkPositiveInt, describe } from '../shapes.js';
import type { IndexTensor } from '../tensor.js';
import { EOS, FIRST_OUTPUT, logSumExpRow, setupDecode, type DecodeOptions, type Hypothesis } from './decode-options.js';
import type { Seq2Seq } from './seq2seq.js';

/**
 * Options of {@link beamSearch}.
 * @category Seq2Seq
 */
export interface BeamSearchOptions extends DecodeOptions {
  /**
   * K: open hypotheses kept per source.
   * @defaultValue 4
   */
  beamWidth?: number;
  /**
   * α ≥ 0 of the length penalty lp(n) = ((5 + n) / 6)^α.
   * @defaultValue 0
   */
  lengthPenalty?: number;
  /**
   * Hypotheses returned per source (at most K), best first.
   * @defaultValue 1
   */
  nBest?: number;
}

/** A hypothesis that left the beam, before its tokens are read back. @internal */
interface Ended {
  readonly t: number; // step it ended at
  readonly row: number; // its parent row at that step
  readonly token: number; // last token (EOS when finished)
  readonly logProb: number;
  readonly score: number;
}

/**
 * Decodes every source with beam search.
 * @param model - the trained model.
 * @param source - `[S, B]` source ids.
 * @param opts - `beamWidth`, `lengthPenalty`, `nBest` and the {@link DecodeOptions}.
 * @returns per source column, up to `nBest` hypotheses sorted by `score` (best first).
 * @throws ConfigError on an invalid option (beamWidth < 1, maxLength < 1, nBest > beamWidth,
 *   negative lengthPenalty); ShapeError on a source / lengths mismatch.
 * @example
 * ```ts
 * const [[best]] = beamSearch(model, source, { beamWidth: 5, lengthPenalty: 0.6, returnAttention: true });
 * model.targetVocab.decode(best.tokens);
 * ```
 * @category Seq2Seq
 */
export function beamSearch(model: Seq2Seq, source: IndexTensor, opts: BeamSearchOptions = {}): Hypothesis[][] {
  const where = 'beamSearch';
  if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object, got ${describe(opts)}.`);
  const K = checkPositiveInt(where, 'beamWidth', opts.beamWidth ?? 4);
  const alpha = checkNumber(where, 'lengthPenalty', opts.lengthPenalty ?? 0, 0);
  const nBest = checkPositiveInt(where, 'nBest', opts.nBest ?? 1);
  if (nBest > K) throw new ConfigError(`${where}: nBest = ${nBest} exceeds beamWidth = ${K}; a beam never finishes more than K hypotheses.`);
  const setup = setupDecode(where, model, source, opts, ['beamWidth', 'lengthPenalty', 'nBest'], K);
  const { state, B, S, V, maxLength, lengths } = setup;
  const cap = B * K;
  const lp = (n: number): number => (alpha === 0 ? 1 : Math.pow((5 + n) / 6, alpha));
  const histTok = allocInt32(maxLength * cap); // [maxLength, cap] token chosen for new row i at step t
  const histPar = allocInt32(maxLength * cap); // [maxLength, cap] its parent row
  const histAttn = setup.attention ? allocFloat32(maxLength * cap * S) : null; // [maxLength, cap, S]
  const cum = new Float64Array(cap); // [cap] cumulative log p of each open row
  const nextCum = new Float64Array(cap);
  const lse = new Float64Array(cap);
  const inputs = allocInt32(cap).fill(1); // BOS
  const parents = allocInt32(cap);
  const selScore = new Float64Array(K), selRow = allocInt32(K), selTok = allocInt32(K);
  const ended: Ended[][] = Array.from({ length: B }, () => []);

  for (let t = 0; t < maxLength && state.rows > 0; t++) {
    state.advance(inputs);
    const R = state.rows, logits = state.logits, src = state.rowSource;
    if (histAttn) {
      const w = state.weights, o = t * cap * S;
      for (let i = 0; i < R * S; i++) histAttn[o + i] = w[i] as number;
    }
    for (let r = 0; r < R; r++) lse[r] = logSumExpRow(logits, r, V);
    const last = t === maxLength - 1;
    let kept = 0;
    // Rows of one source are contiguous and ordered by rank (select keeps them so).
    for (let r0 = 0; r0 < R; ) {
      const b = src[r0] as number;
      let r1 = r0;
      while (r1 < R && src[r1] === b) r1++;
      let n = 0;
      for (let q = r0; q < r1; q++) {
        const base = cum[q] as number, o = q * V, z = lse[q] as number;
        for (let k = FIRST_OUTPUT; k < V; k++) {
          const s = base + ((logits[o + k] as number) - z);
          if (n === K && !(s > (selScore[K - 1] as number))) continue;
          // Insert after every entry with score ≥ s: equal scores keep (row, token) order.
          let i = n < K ? n++ : K - 1;
          while (i > 0 && s > (selScore[i - 1] as number)) {
            selScore[i] = selScore[i - 1] as number;
            selRow[i] = selRow[i - 1] as number;
            selTok[i] = selTok[i - 1] as number;
            i--;
          }
          selScore[i] = s;
          selRow[i] = q;
          selTok[i] = k;
        }
      }
      for (let i = 0; i < n; i++) {
        const q = selRow[i] as number, k = selTok[i] as number, s = selScore[i] as number;
        if (k === EOS || last) {
          (ended[b] as Ended[]).push({ t, row: q, token: k, logProb: s, score: s / lp(t + 1) });
          continue;
        }
        parents[kept] = q;
        inputs[kept] = k;
        nextCum[kept] = s;
        histTok[t * cap + kept] = k;
        histPar[t * cap + kept] = q;
        kept++;
      }
      r0 = r1;
    }
    state.select(parents, kept);
    for (let i = 0; i < kept; i++) cum[i] = nextCum[i] as number;
  }

  const out: Hypothesis[][] = [];
  for (let b = 0; b < B; b++) {
    const list = (ended[b] as Ended[]).slice().sort((x, y) => y.score - x.score); // stable: earlier first on ties
    const len = lengths[b] as number;
    out.push(list.slice(0, nBest).map((e) => readBack(e, histTok, histPar, histAttn, cap, S, len)));
  }
  return out;
}

/** Follows the back-pointers of an ended hypothesis. @internal */
function readBack(e: Ended, histTok: Int32Array, histPar: Int32Array, histAttn: Float32Array | null, cap: number, S: number, len: number): Hypothesis {
  const finished = e.token === EOS;
  const steps = e.t + 1;
  const rowAt = allocInt32(steps); // the row each position was produced from
  const toks: number[] = new Array<number>(steps);
  rowAt[e.t] = e.row;
  toks[e.t] = e.token;
  for (let t = e.t - 1; t >= 0; t--) {
    const next = rowAt[t + 1] as number;
    toks[t] = histTok[t * cap + next] as number;
    rowAt[t] = histPar[t * cap + next] as number;
  }
  const n = finished ? steps - 1 : steps;
  let attention: Float32Array | null = null;
  if (histAttn) {
    attention = allocFloat32(n * len);
    for (let t = 0; t < n; t++) {
      const src = (t * cap + (rowAt[t] as number)) * S;
      for (let s = 0; s < len; s++) attention[t * len + s] = histAttn[src + s] as number;
    }
  }
  return { tokens: toks.slice(0, n), logProb: e.logProb, score: e.score, finished, attention };
}
