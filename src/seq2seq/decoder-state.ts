/**
 * `DecoderState`: the running state of step-by-step decoding for a variable number of rows (one
 * per hypothesis), with ping-pong buffers allocated once for a fixed capacity. Beam search
 * reorders and replicates rows with {@link DecoderState.select}; every row remembers which
 * source it continues, so the memory is never copied per hypothesis.
 * @module
 */
import { ConfigError, ShapeError } from '../errors.js';
import { allocFloat32, allocInt32 } from '../kernel/alloc.js';
import type { DecoderInitialState } from './bridge.js';
import type { DecoderMemory } from './decoder.js';
import { decoderLogits, decoderStep, type DecoderParts, type MemoryViews, type StepViews } from './decoder-step.js';

/**
 * Inference state of a {@link Decoder}: made by `decoder.createState`, advanced by
 * `decoder.step`.
 * @example
 * ```ts
 * const { encoder: encOut, init } = model.encode(source, { lengths }); // B = 2 sources
 * const state = model.decoder.createState(encOut, init, 4);             // room for 4 rows
 * model.decoder.step(state, new Int32Array([Vocab.BOS, Vocab.BOS]));   // state.logits: [2, V]
 * state.select([0, 0, 1], 3); // new rows 0 and 1 continue old row 0, new row 2 continues old row 1
 * model.decoder.step(state, new Int32Array([5, 6, 5]));                // three hypotheses
 * ```
 * @category Seq2Seq
 */
export class DecoderState {
  /** R: rows currently live (the first `rows` rows of every buffer). */
  rows: number;
  /** The most rows this state can hold. */
  readonly capacity: number;
  /** S: source steps. */
  readonly S: number;
  /** B: source columns. */
  readonly B: number;
  /** `[capacity, V]` scores of the last step (first `rows` rows valid). */
  readonly logits: Float32Array;
  private readonly p: DecoderParts;
  private readonly mem: MemoryViews;
  private readonly views: StepViews;
  private hCur: Float32Array[]; // L × [capacity, H]
  private hNxt: Float32Array[];
  private cCur: Float32Array[]; // L × [capacity, H] (LSTM) or empty
  private cNxt: Float32Array[];
  private feedCur: Float32Array; // [capacity, H] h̃ of the last step (input feeding)
  private feedNxt: Float32Array;
  private srcCur: Int32Array; // [capacity] source column of each row
  private srcNxt: Int32Array;
  private hasFeed = false;

  /** @internal Use `decoder.createState`. */
  constructor(p: DecoderParts, mem: DecoderMemory, init: DecoderInitialState, capacity: number) {
    const { L, H, M, V, In0 } = p;
    const S = mem.memory.shape[0] as number, B = mem.memory.shape[1] as number;
    const R = capacity;
    const hasC = p.cores[0]?.hasCellState === true;
    const attn = p.attn;
    const A = attn ? attn.attentionSize : 0;
    this.p = p;
    this.S = S;
    this.B = B;
    this.capacity = R;
    this.rows = B;
    this.logits = allocFloat32(R * V);
    const make = (n: number, k: number): Float32Array[] => Array.from({ length: k }, () => allocFloat32(n));
    this.hCur = make(R * H, L);
    this.hNxt = make(R * H, L);
    this.cCur = make(hasC ? R * H : 0, L);
    this.cNxt = make(hasC ? R * H : 0, L);
    this.feedCur = allocFloat32(R * H);
    this.feedNxt = allocFloat32(R * H);
    this.srcCur = allocInt32(R);
    this.srcNxt = allocInt32(R);
    const BH = B * H;
    for (let l = 0; l < L; l++) {
      (this.hCur[l] as Float32Array).set(init.h0.data.subarray(l * BH, (l + 1) * BH));
      if (hasC && init.c0) (this.cCur[l] as Float32Array).set(init.c0.data.subarray(l * BH, (l + 1) * BH));
    }
    for (let b = 0; b < B; b++) this.srcCur[b] = b;
    const keySize = attn && attn.score !== 'dot' ? attn.keySize : 0;
    const keys = attn ? attn.keysForward(allocFloat32(S * B * keySize), mem.memory.data, S * B) : allocFloat32(0);
    this.mem = { memory: mem.memory.data, keys, lengths: mem.lengths, rowSource: this.srcCur, S, B };
    this.views = {
      x0: allocFloat32(R * In0),
      xg: p.cores.map((c) => allocFloat32(R * c.gateSize)),
      hPrev: this.hCur,
      cPrev: this.cCur,
      h: this.hNxt,
      c: this.cNxt,
      cache: p.cores.map(() => null),
      context: allocFloat32(attn ? R * M : 0),
      weights: allocFloat32(attn ? R * S : 0),
      u: null,
      qp: allocFloat32(attn?.score === 'additive' ? R * A : 0),
      concat: allocFloat32(attn ? R * (M + H) : 0),
      htilde: allocFloat32(attn ? R * H : 0),
    };
  }

  /** `[capacity, S]` attention weights of the last step (first `rows` rows valid; empty without attention). */
  get weights(): Float32Array {
    return this.views.weights;
  }

  /** `[capacity]` the source column each row continues (first `rows` entries valid). */
  get rowSource(): Int32Array {
    return this.srcCur;
  }

  /**
   * Runs one step for the live rows (use `decoder.step`, which validates `inputs`).
   * @param inputs - `[rows]` token ids.
   * @internal
   */
  advance(inputs: Int32Array): void {
    const p = this.p, v = this.views, R = this.rows, H = p.H;
    v.hPrev = this.hCur;
    v.cPrev = this.cCur;
    v.h = this.hNxt;
    v.c = this.cNxt;
    decoderStep(p, v, inputs, 0, this.hasFeed ? this.feedCur : null, R, this.mem, false);
    decoderLogits(p, this.logits, v.htilde, R);
    const th = this.hCur;
    this.hCur = this.hNxt;
    this.hNxt = th;
    const tc = this.cCur;
    this.cCur = this.cNxt;
    this.cNxt = tc;
    if (p.inputFeeding) {
      const ht = v.htilde, f = this.feedCur;
      for (let i = 0; i < R * H; i++) f[i] = ht[i] as number;
      this.hasFeed = true;
    }
  }

  /**
   * Keeps `count` rows: new row i continues old row `parents[i]` (rows may repeat: beam
   * search replicates a hypothesis into several continuations).
   * @param parents - `[count]` old row indices in [0, rows).
   * @param count - new number of rows, at most the capacity.
   * @throws ConfigError when count exceeds the capacity; ShapeError when a parent is out of range.
   */
  select(parents: ArrayLike<number>, count: number): void {
    if (!Number.isInteger(count) || count < 0 || count > this.capacity) {
      throw new ConfigError(`DecoderState.select: count must be an integer in [0, capacity=${this.capacity}], got ${String(count)}.`);
    }
    const R = this.rows, H = this.p.H;
    for (let i = 0; i < count; i++) {
      const q = parents[i] as number;
      if (!Number.isInteger(q) || q < 0 || q >= R) throw new ShapeError(`DecoderState.select: parents[${i}] = ${String(q)} is out of range, expected a row in [0, rows=${R}).`);
    }
    const hasC = (this.cCur[0] as Float32Array).length > 0;
    for (let l = 0; l < this.p.L; l++) {
      gatherRows(this.hNxt[l] as Float32Array, this.hCur[l] as Float32Array, parents, count, H);
      if (hasC) gatherRows(this.cNxt[l] as Float32Array, this.cCur[l] as Float32Array, parents, count, H);
    }
    if (this.hasFeed) gatherRows(this.feedNxt, this.feedCur, parents, count, H);
    for (let i = 0; i < count; i++) this.srcNxt[i] = this.srcCur[parents[i] as number] as number;
    const th = this.hCur;
    this.hCur = this.hNxt;
    this.hNxt = th;
    const tc = this.cCur;
    this.cCur = this.cNxt;
    this.cNxt = tc;
    const tf = this.feedCur;
    this.feedCur = this.feedNxt;
    this.feedNxt = tf;
    const ts = this.srcCur;
    this.srcCur = this.srcNxt;
    this.srcNxt = ts;
    this.mem.rowSource = this.srcCur;
    this.rows = count;
  }
}

/** dst[i, :] ← src[parents[i], :]. @internal */
function gatherRows(dst: Float32Array, src: Float32Array, parents: ArrayLike<number>, count: number, H: number): void {
  for (let i = 0; i < count; i++) {
    const s = (parents[i] as number) * H, d = i * H;
    for (let j = 0; j < H; j++) dst[d + j] = src[s + j] as number;
  }
}
