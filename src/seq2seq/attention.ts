/**
 * Attention of a decoder step over the encoder memory, for R query rows at once. Row r attends
 * to source column b = `rowSource[r]` of the memory, and only to its valid steps s < lengths[b].
 *
 * With m_s the memory row `[M]` (M = D·H of the encoder) and q the query `[H]` (the decoder's
 * top hidden state):
 *
 *   keys      dot        k_s = m_s                        (needs H = M)
 *             general    k_s = W_a m_s                    W_a = `weight_key [H, M]`      (Luong)
 *             additive   k_s = W_k m_s + b_k              W_k = `weight_key [A, M]`, b_k = `bias_key [A]`
 *   scores    dot/general  e_s = q · k_s
 *             additive     e_s = vᵀ tanh(W_q q + k_s)     W_q = `weight_query [A, H]`, v = `weight_v [A]` (Bahdanau)
 *   weights   a = softmax(e) over s < length; padded steps get exactly 0
 *   context   c = Σ_s a_s m_s
 *
 * Keys depend only on the memory, so they are projected once per source batch (one gemm over
 * all S·B rows), not once per decoder step. Backward, per step:
 *
 *   da_s = dc · m_s     dm_s += a_s dc     de_s = a_s (da_s − Σ_s' a_s' da_s')
 *   dot/general   dq += Σ_s de_s k_s              dk_s += de_s q
 *   additive      u = tanh(W_q q + k_s), dz = de_s v ⊙ (1 − u²):
 *                 dv += Σ_s de_s u     d(W_q q) += Σ_s dz     dk_s += dz
 * and once per batch: dm += dk · W, dW += dkᵀ · m (+ db_k += Σ dk); additive dW_q += d(W_q q)ᵀ · q.
 * @module
 */
import { ConfigError } from '../errors.js';
import { allocFloat32 } from '../kernel/alloc.js';
import { gemm } from '../kernel/gemm.js';
import { glorotUniform, initUniform, initZeros } from '../kernel/init.js';
import { addColumnSums } from '../kernel/reduce.js';
import { createRng, type Rng } from '../kernel/rng.js';
import { ParamStore, type Module, type Parameter, type StateDict } from '../layers/param-store.js';
import { checkKnownKeys, checkPositiveInt, describe } from '../shapes.js';

/**
 * How a decoder attends over the source: `'none'` (no attention: the encoder reaches the
 * decoder only through the bridged initial state), Luong `'dot'` and `'general'`, or Bahdanau
 * `'additive'` (also called `concat` / `mlp`).
 * @category Seq2Seq
 */
export type AttentionKind = 'none' | 'dot' | 'general' | 'additive';

/**
 * The score functions of {@link Attention} (every {@link AttentionKind} except `'none'`).
 * @category Seq2Seq
 */
export type AttentionScore = Exclude<AttentionKind, 'none'>;

/**
 * Options of {@link Attention}.
 * @category Seq2Seq
 */
export interface AttentionOptions {
  /** The score function. */
  score: AttentionScore;
  /** H: size of a query row (the decoder's hidden size). */
  querySize: number;
  /** M: size of a memory row (the encoder's D·H). `'dot'` needs `querySize === memorySize`. */
  memorySize: number;
  /**
   * A: hidden size of the additive score (ignored by `'dot'` and `'general'`).
   * @defaultValue querySize
   */
  attentionSize?: number;
  /**
   * Seed for initialisation (ignored when `rng` is given; passing both is an error).
   * @defaultValue 0
   */
  seed?: number;
  /** A generator to draw the initial weights from (advances it). */
  rng?: Rng;
}

const ATTENTION_KEYS: readonly string[] = ['score', 'querySize', 'memorySize', 'attentionSize', 'seed', 'rng'];
const SCORES: readonly AttentionScore[] = ['dot', 'general', 'additive'];

/** @internal Validates an attention kind option. */
export function checkAttentionKind(where: string, v: unknown, allowNone: boolean): AttentionKind {
  const allowed: readonly string[] = allowNone ? ['none', ...SCORES] : SCORES;
  if (typeof v !== 'string' || !allowed.includes(v)) {
    throw new ConfigError(`${where}: attention must be one of ${allowed.map((s) => `'${s}'`).join(', ')}, got ${describe(v)}.`);
  }
  return v as AttentionKind;
}

/**
 * The attention parameters and its step math. A {@link Decoder} owns one and drives it; use it
 * directly only to build your own decoder loop (the methods below are the low-level
 * forward/backward pairs, on row-major Float32Arrays).
 * @example
 * ```ts
 * const attn = new Attention({ score: 'additive', querySize: 32, memorySize: 64, attentionSize: 32, seed: 1 });
 * attn.parameters().map((p) => p.name); // ['weight_key', 'bias_key', 'weight_query', 'weight_v']
 * ```
 * @category Seq2Seq
 */
export class Attention implements Module {
  /** The score function. */
  readonly score: AttentionScore;
  /** H: query size. */
  readonly querySize: number;
  /** M: memory row size. */
  readonly memorySize: number;
  /** A for `'additive'`; H for the others. */
  readonly attentionSize: number;
  /** Columns of a key row: M (`'dot'`), H (`'general'`) or A (`'additive'`). */
  readonly keySize: number;
  /** The flat parameters (none for `'dot'`). */
  readonly params: ParamStore;
  private readonly wKey: Float32Array; // [keySize, M] (general, additive) or empty
  private readonly dwKey: Float32Array;
  private readonly bKey: Float32Array | null; // [A] (additive)
  private readonly dbKey: Float32Array | null;
  private readonly wQuery: Float32Array; // [A, H] (additive) or empty
  private readonly dwQuery: Float32Array;
  private readonly v: Float32Array; // [A] (additive) or empty
  private readonly dv: Float32Array;

  /**
   * @param opts - score function and sizes; see {@link AttentionOptions}.
   * @throws ConfigError on a missing, unknown or invalid option, or `'dot'` with H ≠ M.
   */
  constructor(opts: AttentionOptions) {
    const where = 'Attention';
    if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object.`);
    checkKnownKeys(where, opts, ATTENTION_KEYS);
    const score = checkAttentionKind(where, opts.score, false) as AttentionScore;
    const H = checkPositiveInt(where, 'querySize', opts.querySize);
    const M = checkPositiveInt(where, 'memorySize', opts.memorySize);
    const A = score === 'additive' ? checkPositiveInt(where, 'attentionSize', opts.attentionSize ?? H) : H;
    if (score === 'dot' && H !== M) {
      throw new ConfigError(
        `${where}: 'dot' attention needs querySize = memorySize, got querySize H=${H} and memorySize M=${M}. ` +
          "Use 'general' (a learned [H, M] map) or make the decoder's hiddenSize equal the encoder's D·H.",
      );
    }
    if (opts.rng !== undefined && opts.seed !== undefined) throw new ConfigError(`${where}: pass either seed or rng, not both.`);
    const rng = opts.rng ?? createRng(opts.seed ?? 0);
    this.score = score;
    this.querySize = H;
    this.memorySize = M;
    this.attentionSize = A;
    this.keySize = score === 'dot' ? M : score === 'general' ? H : A;
    const specs: { name: string; shape: number[] }[] = [];
    if (score !== 'dot') specs.push({ name: 'weight_key', shape: [this.keySize, M] });
    if (score === 'additive') {
      specs.push({ name: 'bias_key', shape: [A] }, { name: 'weight_query', shape: [A, H] }, { name: 'weight_v', shape: [A] });
    }
    this.params = new ParamStore(specs);
    const empty = allocFloat32(0);
    const has = (n: string): boolean => this.params.has(n);
    this.wKey = has('weight_key') ? this.params.value('weight_key') : empty;
    this.dwKey = has('weight_key') ? this.params.grad('weight_key') : empty;
    this.bKey = has('bias_key') ? this.params.value('bias_key') : null;
    this.dbKey = has('bias_key') ? this.params.grad('bias_key') : null;
    this.wQuery = has('weight_query') ? this.params.value('weight_query') : empty;
    this.dwQuery = has('weight_query') ? this.params.grad('weight_query') : empty;
    this.v = has('weight_v') ? this.params.value('weight_v') : empty;
    this.dv = has('weight_v') ? this.params.grad('weight_v') : empty;
    if (score === 'general') glorotUniform(this.wKey, M, H, rng);
    if (score === 'additive') {
      glorotUniform(this.wKey, M, A, rng);
      initZeros(this.bKey as Float32Array);
      glorotUniform(this.wQuery, H, A, rng);
      const k = 1 / Math.sqrt(A);
      initUniform(this.v, -k, k, rng);
    }
  }

  /**
   * Projects the memory to keys: keys ← memory · W_keyᵀ (+ b_key). For `'dot'` the keys are the
   * memory itself and `memory` is returned without work.
   * @param keys - `[S·B, keySize]` destination (ignored for `'dot'`); must not overlap `memory`.
   * @param memory - `[S·B, M]`.
   * @param rows - S·B.
   * @returns the keys buffer to use (`memory` for `'dot'`).
   */
  keysForward(keys: Float32Array, memory: Float32Array, rows: number): Float32Array {
    if (this.score === 'dot') return memory;
    const K = this.keySize, M = this.memorySize;
    gemm(keys, memory, this.wKey, rows, K, M, false, true, 1, 0);
    if (this.bKey) {
      const b = this.bKey;
      for (let r = 0; r < rows; r++) {
        const o = r * K;
        for (let j = 0; j < K; j++) keys[o + j] += b[j] as number;
      }
    }
    return keys;
  }

  /**
   * Backward of {@link Attention.keysForward}: dMemory += dKeys · W_key, dW_key += dKeysᵀ · memory,
   * db_key += Σ rows dKeys. A no-op for `'dot'`, whose key gradient is accumulated straight into
   * dMemory by {@link Attention.stepBackward} (pass the same buffer for both there).
   * @param dMemory - `[S·B, M]`, accumulated.
   * @param dKeys - `[S·B, keySize]`.
   * @param memory - `[S·B, M]`.
   * @param rows - S·B.
   */
  keysBackward(dMemory: Float32Array, dKeys: Float32Array, memory: Float32Array, rows: number): void {
    if (this.score === 'dot' || rows === 0) return;
    const K = this.keySize, M = this.memorySize;
    gemm(dMemory, dKeys, this.wKey, rows, M, K, false, false, 1, 1);
    gemm(this.dwKey, dKeys, memory, K, M, rows, true, false, 1, 1);
    if (this.dbKey) addColumnSums(this.dbKey, dKeys, rows, K);
  }

  /**
   * One step for R rows: scores, masked softmax weights and context.
   * @param context - `[R, M]` output.
   * @param weights - `[R, S]` output; zero at padded source steps.
   * @param u - `[R, S, A]` saved tanh activations for backward (additive, training), or null.
   * @param qp - `[R, A]` scratch: W_q q (additive; unused otherwise).
   * @param query - `[R, H]`.
   * @param memory - `[S, B, M]`.
   * @param keys - `[S, B, keySize]` from {@link Attention.keysForward}.
   * @param rowSource - `[R]` source column b of each row.
   * @param lengths - `[B]` valid source steps, each in [1, S].
   * @param R - rows. @param S - source steps. @param B - source columns.
   */
  stepForward(
    context: Float32Array,
    weights: Float32Array,
    u: Float32Array | null,
    qp: Float32Array,
    query: Float32Array,
    memory: Float32Array,
    keys: Float32Array,
    rowSource: Int32Array,
    lengths: Int32Array,
    R: number,
    S: number,
    B: number,
  ): void {
    const H = this.querySize, M = this.memorySize, K = this.keySize, A = this.attentionSize;
    const additive = this.score === 'additive';
    if (additive) gemm(qp, query, this.wQuery, R, A, H, false, true, 1, 0);
    const v = this.v;
    for (let r = 0; r < R; r++) {
      const b = rowSource[r] as number;
      const len = lengths[b] as number;
      const wRow = r * S;
      let max = -Infinity;
      for (let s = 0; s < len; s++) {
        const kRow = (s * B + b) * K;
        let e = 0;
        if (additive) {
          const qRow = r * A;
          const uRow = (r * S + s) * A;
          for (let a = 0; a < A; a++) {
            const t = Math.tanh((qp[qRow + a] as number) + (keys[kRow + a] as number));
            if (u !== null) u[uRow + a] = t;
            e += (v[a] as number) * t;
          }
        } else {
          const qRow = r * H;
          for (let j = 0; j < K; j++) e += (query[qRow + j] as number) * (keys[kRow + j] as number);
        }
        weights[wRow + s] = e;
        if (e > max) max = e;
      }
      let sum = 0;
      for (let s = 0; s < len; s++) {
        const p = Math.exp((weights[wRow + s] as number) - max);
        weights[wRow + s] = p;
        sum += p;
      }
      const inv = 1 / sum;
      for (let s = 0; s < len; s++) weights[wRow + s] = (weights[wRow + s] as number) * inv;
      for (let s = len; s < S; s++) weights[wRow + s] = 0;
      // context[r] = Σ_s a_s m_s (axpy form: every memory row is contiguous)
      const cRow = r * M;
      for (let j = 0; j < M; j++) context[cRow + j] = 0;
      for (let s = 0; s < len; s++) {
        const a = weights[wRow + s] as number;
        const mRow = (s * B + b) * M;
        for (let j = 0; j < M; j++) context[cRow + j] += a * (memory[mRow + j] as number);
      }
    }
  }

  /**
   * Backward of {@link Attention.stepForward}, given the context gradient. Accumulates into
   * `dQuery`, `dMemory`, `dKeys` and dv; overwrites `dqp` (additive: the gradient of W_q q, to be
   * passed to {@link Attention.queryBackward}) and `da`.
   * @param dQuery - `[R, H]`, accumulated.
   * @param dMemory - `[S, B, M]`, accumulated.
   * @param dKeys - `[S, B, keySize]`, accumulated (for `'dot'`, pass `dMemory`).
   * @param dqp - `[R, A]` output (additive).
   * @param da - `[R, S]` scratch.
   * @param dContext - `[R, M]`.
   * @param weights - `[R, S]` from the forward step.
   * @param u - `[R, S, A]` from the forward step (additive), or null otherwise.
   * @param query - `[R, H]`.
   * @param memory - `[S, B, M]`.
   * @param keys - `[S, B, keySize]`.
   * @param rowSource - `[R]`. @param lengths - `[B]`.
   * @param R - rows. @param S - source steps. @param B - source columns.
   */
  stepBackward(
    dQuery: Float32Array,
    dMemory: Float32Array,
    dKeys: Float32Array,
    dqp: Float32Array,
    da: Float32Array,
    dContext: Float32Array,
    weights: Float32Array,
    u: Float32Array | null,
    query: Float32Array,
    memory: Float32Array,
    keys: Float32Array,
    rowSource: Int32Array,
    lengths: Int32Array,
    R: number,
    S: number,
    B: number,
  ): void {
    const H = this.querySize, M = this.memorySize, K = this.keySize, A = this.attentionSize;
    const additive = this.score === 'additive';
    const v = this.v, dv = this.dv;
    for (let r = 0; r < R; r++) {
      const b = rowSource[r] as number;
      const len = lengths[b] as number;
      const wRow = r * S, cRow = r * M;
      // da_s = dc · m_s; dm_s += a_s dc; then the softmax backward into da (now de).
      let dot = 0;
      for (let s = 0; s < len; s++) {
        const mRow = (s * B + b) * M;
        const a = weights[wRow + s] as number;
        let acc = 0;
        for (let j = 0; j < M; j++) {
          const g = dContext[cRow + j] as number;
          acc += g * (memory[mRow + j] as number);
          dMemory[mRow + j] += a * g;
        }
        da[wRow + s] = acc;
        dot += a * acc;
      }
      for (let s = 0; s < len; s++) da[wRow + s] = (weights[wRow + s] as number) * ((da[wRow + s] as number) - dot);
      if (additive) {
        const qRow = r * A;
        for (let a = 0; a < A; a++) dqp[qRow + a] = 0;
        for (let s = 0; s < len; s++) {
          const de = da[wRow + s] as number;
          const kRow = (s * B + b) * K;
          const uRow = (r * S + s) * A;
          for (let a = 0; a < A; a++) {
            const t = (u as Float32Array)[uRow + a] as number;
            dv[a] += de * t;
            const dz = de * (v[a] as number) * (1 - t * t);
            dqp[qRow + a] += dz;
            dKeys[kRow + a] += dz;
          }
        }
      } else {
        const qRow = r * H;
        for (let s = 0; s < len; s++) {
          const de = da[wRow + s] as number;
          const kRow = (s * B + b) * K;
          for (let j = 0; j < K; j++) {
            dQuery[qRow + j] += de * (keys[kRow + j] as number);
            dKeys[kRow + j] += de * (query[qRow + j] as number);
          }
        }
      }
    }
    if (additive) gemm(dQuery, dqp, this.wQuery, R, H, A, false, false, 1, 1); // dq += d(W_q q) · W_q
  }

  /**
   * Weight gradient of the additive query projection over many steps at once:
   * dW_q += dqpᵀ · query. A no-op for `'dot'` and `'general'`.
   * @param dqp - `[rows, A]` stacked `dqp` of {@link Attention.stepBackward}.
   * @param query - `[rows, H]` the matching queries.
   * @param rows - stacked rows (T·R).
   */
  queryBackward(dqp: Float32Array, query: Float32Array, rows: number): void {
    if (this.score !== 'additive' || rows === 0) return;
    gemm(this.dwQuery, dqp, query, this.attentionSize, this.querySize, rows, true, false, 1, 1);
  }

  /**
   * The parameters (views into the flat buffers).
   * @returns `weight_key` (general, additive), `bias_key`, `weight_query`, `weight_v` (additive).
   */
  parameters(): Parameter[] {
    return this.params.parameters();
  }

  /**
   * Copies the weights out.
   * @returns the state dict.
   */
  stateDict(): StateDict {
    return this.params.stateDict();
  }
}
