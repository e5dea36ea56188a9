/**
 * Greedy decoding: at every step each source takes its most likely next token (PAD and BOS
 * excluded; ties go to the lowest id) until EOS or `maxLength`. Sources are decoded together;
 * finished rows are dropped from the batch as they end.
 * @module
 */
import { allocInt32 } from '../kernel/alloc.js';
import type { IndexTensor } from '../tensor.js';
import { argmaxRow } from './decoder-step.js';
import { AttentionRecorder, EOS, FIRST_OUTPUT, logSumExpRow, setupDecode, type DecodeOptions, type DecodeSetup, type Hypothesis } from './decode-options.js';
import type { Seq2Seq } from './seq2seq.js';

/**
 * Options of {@link greedyDecode}.
 * @category Seq2Seq
 */
export type GreedyDecodeOptions = DecodeOptions;

/**
 * Decodes every source greedily.
 * @param model - the trained model.
 * @param source - `[S, B]` source ids (PAD after each length).
 * @param opts - `lengths`, `maxLength`, `returnAttention`.
 * @returns one {@link Hypothesis} per source column, in order (`score` equals `logProb`).
 * @throws ShapeError on a source / lengths mismatch; ConfigError on an invalid option
 *   (e.g. maxLength < 1).
 * @example
 * ```ts
 * const [best] = greedyDecode(model, indexTensor([[5], [6], [7]]), { returnAttention: true });
 * model.targetVocab.decode(best.tokens);
 * ```
 * @category Seq2Seq
 */
export function greedyDecode(model: Seq2Seq, source: IndexTensor, opts: GreedyDecodeOptions = {}): Hypothesis[] {
  const setup = setupDecode('greedyDecode', model, source, opts, [], 1);
  return decodeLeftToRight(setup, (logits, r, V) => argmaxRow(logits, r, V, FIRST_OUTPUT));
}

/**
 * The loop shared by greedy decoding and sampling: `pick` chooses row r's next token.
 * @internal
 */
export function decodeLeftToRight(setup: DecodeSetup, pick: (logits: Float32Array, r: number, V: number) => number): Hypothesis[] {
  const { state, B, S, V, maxLength, lengths } = setup;
  const tokens: number[][] = Array.from({ length: B }, () => []);
  const logProb = new Float64Array(B); // [B]
  const finished = new Uint8Array(B);
  const rec = setup.attention ? new AttentionRecorder(B, maxLength, S) : null;
  const inputs = allocInt32(B).fill(1); // BOS
  const parents = allocInt32(B);
  for (let t = 0; t < maxLength && state.rows > 0; t++) {
    state.advance(inputs);
    const logits = state.logits, src = state.rowSource;
    let kept = 0;
    for (let r = 0; r < state.rows; r++) {
      const b = src[r] as number;
      const k = pick(logits, r, V);
      logProb[b] += (logits[r * V + k] as number) - logSumExpRow(logits, r, V);
      if (rec) rec.record(state.weights, r, b, t);
      if (k === EOS) {
        finished[b] = 1;
        continue;
      }
      (tokens[b] as number[]).push(k);
      parents[kept] = r;
      inputs[kept] = k;
      kept++;
    }
    state.select(parents, kept);
  }
  const out: Hypothesis[] = [];
  for (let b = 0; b < B; b++) {
    const toks = tokens[b] as number[];
    const lp = logProb[b] as number;
    out.push({ tokens: toks, logProb: lp, score: lp, finished: finished[b] === 1, attention: rec ? rec.take(b, toks.length, lengths[b] as number) : null });
  }
  return out;
}
