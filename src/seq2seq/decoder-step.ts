/**
 * One decoder step for R rows, shared by training (every step's buffers kept for backward) and
 * inference (ping-pong buffers), so both paths compute the same numbers.
 *
 *   x0 = [E[y] ; h̃_prev]                  `[R, E (+H)]`   (h̃_prev with input feeding)
 *   h_l, c_l = cell_l(x_l, h_l', c_l')     x_0 = x0, x_l = h_{l−1}
 *   context, a = attention(h_{L−1}, memory)
 *   h̃ = tanh(W_c [context ; h_{L−1}] + b_c)   W_c = `combine.weight [H, M + H]`   (Luong)
 *   logits = W_o h̃ + b_o                   W_o = `out.weight [V, H]`
 * Without attention h̃ is h_{L−1}.
 * @internal
 * @module
 */
import type { CellCore } from '../cells/cell-core.js';
import { addBiasRows } from '../kernel/elementwise.js';
import { gemm } from '../kernel/gemm.js';
import type { Attention } from './attention.js';

/**
 * What a step reads from the decoder.
 * @internal
 */
export interface DecoderParts {
  readonly V: number;
  readonly E: number;
  readonly H: number;
  readonly L: number;
  readonly M: number;
  readonly In0: number; // E, or E + H with input feeding
  readonly inputFeeding: boolean;
  readonly embedding: Float32Array; // [V, E]
  readonly cores: readonly CellCore[]; // L
  readonly attn: Attention | null;
  readonly combineW: Float32Array; // [H, M + H] (attention) or empty
  readonly combineB: Float32Array; // [H] or empty
  readonly outW: Float32Array; // [V, H]
  readonly outB: Float32Array; // [V]
}

/**
 * The encoder memory as one decoding call sees it.
 * @internal
 */
export interface MemoryViews {
  readonly memory: Float32Array; // [S, B, M]
  readonly keys: Float32Array; // [S, B, keySize] (the memory itself for 'dot')
  readonly lengths: Int32Array; // [B]
  rowSource: Int32Array; // [R] source column of each row
  readonly S: number;
  readonly B: number;
}

/**
 * The buffers one step reads and writes. Fields are reassigned between steps, never reallocated.
 * @internal
 */
export interface StepViews {
  x0: Float32Array; // [R, In0]
  xg: Float32Array[]; // L × [R, G] projected input (training: later its gradient)
  hPrev: Float32Array[]; // L × [R, H]
  cPrev: Float32Array[]; // L × [R, H] (LSTM) or empty
  h: Float32Array[]; // L × [R, H]
  c: Float32Array[]; // L × [R, H] (LSTM) or empty
  cache: (Float32Array | null)[]; // L × [R, cacheCols] (training) or null
  context: Float32Array; // [R, M]
  weights: Float32Array; // [R, S]
  u: Float32Array | null; // [R, S, A] additive tanh cache (training) or null
  qp: Float32Array; // [R, A]
  concat: Float32Array; // [R, M + H]
  htilde: Float32Array; // [R, H] attentional hidden (= h[L−1] without attention)
}

/**
 * Runs one step: embedding (+ feed), the cell stack, attention and the combine layer.
 * @param ids - token ids; row r reads `ids[idOffset + r]`.
 * @param feed - `[R, H]` previous h̃ (input feeding), or null for zeros.
 * @param keepCache - save what backward needs (training).
 * @internal
 */
export function decoderStep(
  p: DecoderParts,
  v: StepViews,
  ids: Int32Array,
  idOffset: number,
  feed: Float32Array | null,
  R: number,
  mem: MemoryViews,
  keepCache: boolean,
): void {
  const E = p.E, H = p.H, In0 = p.In0, M = p.M;
  const emb = p.embedding, x0 = v.x0;
  for (let r = 0; r < R; r++) {
    const src = (ids[idOffset + r] as number) * E, dst = r * In0;
    for (let j = 0; j < E; j++) x0[dst + j] = emb[src + j] as number;
    if (p.inputFeeding) {
      const f = r * H;
      if (feed === null) for (let j = 0; j < H; j++) x0[dst + E + j] = 0;
      else for (let j = 0; j < H; j++) x0[dst + E + j] = feed[f + j] as number;
    }
  }
  for (let l = 0; l < p.L; l++) {
    const core = p.cores[l] as CellCore;
    const xg = v.xg[l] as Float32Array;
    core.projectInput(xg, l === 0 ? x0 : (v.h[l - 1] as Float32Array), R);
    core.stepForward(v.h[l] as Float32Array, v.c[l] as Float32Array, keepCache ? (v.cache[l] ?? null) : null, xg, v.hPrev[l] as Float32Array, v.cPrev[l] as Float32Array, R);
  }
  const top = v.h[p.L - 1] as Float32Array;
  if (p.attn === null) {
    v.htilde = top;
    return;
  }
  p.attn.stepForward(v.context, v.weights, keepCache ? v.u : null, v.qp, top, mem.memory, mem.keys, mem.rowSource, mem.lengths, R, mem.S, mem.B);
  const C = M + H, concat = v.concat, ctx = v.context;
  for (let r = 0; r < R; r++) {
    const o = r * C;
    for (let j = 0; j < M; j++) concat[o + j] = ctx[r * M + j] as number;
    for (let j = 0; j < H; j++) concat[o + M + j] = top[r * H + j] as number;
  }
  const ht = v.htilde;
  gemm(ht, concat, p.combineW, R, H, C, false, true, 1, 0);
  addBiasRows(ht, p.combineB, R, H);
  for (let i = 0; i < R * H; i++) ht[i] = Math.tanh(ht[i] as number);
}

/**
 * logits[rows, V] ← h̃[rows, H] · W_oᵀ + b_o.
 * @internal
 */
export function decoderLogits(p: DecoderParts, logits: Float32Array, htilde: Float32Array, rows: number): void {
  if (rows === 0) return;
  gemm(logits, htilde, p.outW, rows, p.V, p.H, false, true, 1, 0);
  addBiasRows(logits, p.outB, rows, p.V);
}

/**
 * Index of the largest logit of row r among tokens ≥ `first` (PAD and BOS are never produced);
 * ties go to the lowest id.
 * @internal
 */
export function argmaxRow(logits: Float32Array, r: number, V: number, first: number): number {
  const o = r * V;
  let best = first;
  let bestV = logits[o + first] as number;
  for (let k = first + 1; k < V; k++) {
    const z = logits[o + k] as number;
    if (z > bestV) {
      bestV = z;
      best = k;
    }
  }
  return best;
}
