/**
 * `Decoder`: the target half of a sequence-to-sequence model. An {@link Embedding}, a stack of
 * recurrent cells stepped one token at a time, optional attention over the encoder memory, and a
 * Linear layer to the target vocabulary (step equations in `decoder-step.ts`).
 *
 * Training is teacher-forced: step t reads the gold token `targetIn[t]`. With a teacher-forcing
 * ratio p < 1 (scheduled sampling, Bengio et al. 2015) each row of step t ≥ 1 instead reads, with
 * probability 1 − p drawn from a seeded generator, the model's own best guess at step t − 1.
 * The backward pass is one closure on the tape that walks the steps in reverse (llm.c style),
 * with the weight gradients of the input projections, the combine layer and the output layer
 * each done as one gemm over all T·B rows.
 * @module
 */
import type { CellCore, CellKind } from '../cells/cell-core.js';
import type { InitScheme } from '../cells/init-scheme.js';
import { ConfigError, ShapeError } from '../errors.js';
import { allocFloat32 } from '../kernel/alloc.js';
import { createRng, type Rng } from '../kernel/rng.js';
import { Embedding } from '../layers/embedding.js';
import { Linear } from '../layers/linear.js';
import { prefixed, type Module, type Parameter } from '../layers/param-store.js';
import type { Tape } from '../layers/tape.js';
import type { RecurrentBase, RecurrentOutput } from '../sequence/recurrent.js';
import { checkKnownKeys, checkNumber, checkPositiveInt, describe, fmtShape } from '../shapes.js';
import { checkIndexTensor, checkTensor, type IndexTensor, type Tensor } from '../tensor.js';
import { Attention, checkAttentionKind, type AttentionKind } from './attention.js';
import type { DecoderInitialState } from './bridge.js';
import { decoderBackward } from './decoder-backward.js';
import { DecoderState } from './decoder-state.js';
import { argmaxRow, decoderLogits, decoderStep, type DecoderParts, type MemoryViews, type StepViews } from './decoder-step.js';
import { DecoderWorkspace, DecoderWorkspacePool } from './decoder-workspace.js';
import { checkCellKind, makeRecurrent } from './encoder.js';

/**
 * Options of {@link Decoder}.
 * @category Seq2Seq
 */
export interface DecoderOptions {
  /** V: target vocabulary size (at least the 4 special tokens of `Vocab`). */
  vocabSize: number;
  /** E: embedding size. */
  embeddingDim: number;
  /** H: hidden units of every layer. */
  hiddenSize: number;
  /** M: features per memory row, the encoder's `outputSize` (D·H). */
  memorySize: number;
  /**
   * The recurrent cell.
   * @defaultValue 'lstm'
   */
  cell?: CellKind;
  /**
   * L: stacked layers.
   * @defaultValue 1
   */
  numLayers?: number;
  /**
   * The attention score, or `'none'`.
   * @defaultValue 'general'
   */
  attention?: AttentionKind;
  /**
   * A: hidden size of the additive score.
   * @defaultValue hiddenSize
   */
  attentionSize?: number;
  /**
   * Feed the previous attentional state h̃ into the next step's input (Luong et al. 2015);
   * needs attention.
   * @defaultValue true with attention, false without
   */
  inputFeeding?: boolean;
  /**
   * Recurrent weight initialisation.
   * @defaultValue 'keras'
   */
  init?: InitScheme;
  /**
   * Seed for initialisation (ignored when `rng` is given; passing both is an error).
   * @defaultValue 0
   */
  seed?: number;
  /** A generator for initialisation. */
  rng?: Rng;
}

/**
 * The encoder output a decoder reads: the memory and each source's length.
 * @category Seq2Seq
 */
export interface DecoderMemory {
  /** `[S, B, M]` encoder outputs. */
  readonly memory: Tensor;
  /** `[B]` valid source steps, each in [1, S]. */
  readonly lengths: Int32Array;
}

/**
 * Per-call options of {@link Decoder.forward}.
 * @category Seq2Seq
 */
export interface DecoderForwardOptions {
  /** Record the backward pass here (training). */
  tape?: Tape;
  /**
   * Probability of feeding the gold token at steps t ≥ 1 (1 = pure teacher forcing).
   * @defaultValue 1
   */
  teacherForcing?: number;
  /** Generator of the scheduled-sampling coins (required when teacherForcing < 1). */
  rng?: Rng;
  /**
   * Also return the attention weights.
   * @defaultValue false
   */
  returnAttention?: boolean;
}

/**
 * What {@link Decoder.forward} returns.
 * @category Seq2Seq
 */
export interface DecoderOutput {
  /** `[T, B, V]` unnormalised next-token scores. */
  readonly logits: Tensor;
  /** `[T, B, S]` attention weights (0 on source padding), when requested and available. */
  readonly attention: Tensor | null;
  /** `[T, B]` the tokens actually fed at each step (gold, or sampled under scheduled sampling). */
  readonly inputs: IndexTensor;
}

const DECODER_KEYS: readonly string[] = [
  'vocabSize', 'embeddingDim', 'hiddenSize', 'memorySize', 'cell', 'numLayers', 'attention', 'attentionSize', 'inputFeeding', 'init', 'seed', 'rng',
];

/**
 * Embedding + recurrent cells + optional attention + output layer, stepped token by token.
 * @example
 * ```ts
 * const dec = new Decoder({ vocabSize: tgt.size, embeddingDim: 32, hiddenSize: 128, memorySize: enc.outputSize, attention: 'general', seed: 2 });
 * const { logits } = dec.forward(targetIn, encOut, bridge.forward(encOut.hN, encOut.cN, tape), { tape }); // [T, B, V]
 * crossEntropy(logits, targetOut, { ignoreIndex: Vocab.PAD, tape });
 * ```
 * @category Seq2Seq
 */
export class Decoder implements Module {
  /** V: target vocabulary size. */
  readonly vocabSize: number;
  /** E: embedding size. */
  readonly embeddingDim: number;
  /** H: hidden units. */
  readonly hiddenSize: number;
  /** L: stacked layers. */
  readonly numLayers: number;
  /** M: memory row size. */
  readonly memorySize: number;
  /** The recurrent cell. */
  readonly cell: CellKind;
  /** The attention score, or `'none'`. */
  readonly attentionKind: AttentionKind;
  /** Whether h̃ is fed back into the next input. */
  readonly inputFeeding: boolean;
  /** Target embedding (`embedding.weight [V, E]`, PAD row fixed at 0). */
  readonly embedding: Embedding;
  /** The cell weights, stored like `torch.nn.LSTM` (`rnn.weight_ih_l0`, ...) and stepped by hand. */
  readonly rnn: RecurrentBase<RecurrentOutput & { cN?: Tensor }>;
  /** The attention, or null. */
  readonly attention: Attention | null;
  /** `combine`: [context ; h] → h̃ (with attention), or null. */
  readonly combine: Linear | null;
  /** `out`: h̃ → logits `[V]`. */
  readonly out: Linear;
  /** @internal */ readonly parts: DecoderParts;
  private readonly pool = new DecoderWorkspacePool(48);

  /**
   * @param opts - see {@link DecoderOptions}.
   * @throws ConfigError on a missing, unknown or invalid option (e.g. `'dot'` attention with
   *   hiddenSize ≠ memorySize, or inputFeeding without attention).
   */
  constructor(opts: DecoderOptions) {
    const where = 'Decoder';
    if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object.`);
    checkKnownKeys(where, opts, DECODER_KEYS);
    const V = checkPositiveInt(where, 'vocabSize', opts.vocabSize);
    if (V < 4) throw new ConfigError(`${where}: vocabSize must be at least 4 (PAD, BOS, EOS, UNK come first), got ${V}.`);
    const E = checkPositiveInt(where, 'embeddingDim', opts.embeddingDim);
    const H = checkPositiveInt(where, 'hiddenSize', opts.hiddenSize);
    const M = checkPositiveInt(where, 'memorySize', opts.memorySize);
    const L = checkPositiveInt(where, 'numLayers', opts.numLayers ?? 1);
    const cell = checkCellKind(where, opts.cell ?? 'lstm');
    const kind = checkAttentionKind(where, opts.attention ?? 'general', true);
    const inputFeeding = opts.inputFeeding ?? kind !== 'none';
    if (typeof inputFeeding !== 'boolean') throw new ConfigError(`${where}: inputFeeding must be a boolean, got ${describe(inputFeeding)}.`);
    if (inputFeeding && kind === 'none') {
      throw new ConfigError(`${where}: inputFeeding feeds the attentional state back, so it needs attention; got attention 'none'.`);
    }
    if (opts.rng !== undefined && opts.seed !== undefined) throw new ConfigError(`${where}: pass either seed or rng, not both.`);
    const rng = opts.rng ?? createRng(opts.seed ?? 0);
    this.vocabSize = V;
    this.embeddingDim = E;
    this.hiddenSize = H;
    this.numLayers = L;
    this.memorySize = M;
    this.cell = cell;
    this.attentionKind = kind;
    this.inputFeeding = inputFeeding;
    const In0 = E + (inputFeeding ? H : 0);
    this.embedding = new Embedding({ numEmbeddings: V, embeddingDim: E, paddingIdx: 0, rng });
    this.rnn = makeRecurrent(cell, { inputSize: In0, hiddenSize: H, numLayers: L, bidirectional: false, dropout: 0, init: opts.init ?? 'keras', rng });
    this.attention =
      kind === 'none'
        ? null
        : new Attention({ score: kind, querySize: H, memorySize: M, attentionSize: opts.attentionSize ?? H, rng });
    this.combine = kind === 'none' ? null : new Linear({ inFeatures: M + H, outFeatures: H, rng });
    this.out = new Linear({ inFeatures: H, outFeatures: V, rng });
    const empty = allocFloat32(0);
    this.parts = {
      V, E, H, L, M, In0, inputFeeding,
      embedding: this.embedding.params.value('weight'),
      cores: this.rnn.cores,
      attn: this.attention,
      combineW: this.combine ? this.combine.params.value('weight') : empty,
      combineB: this.combine ? this.combine.params.value('bias') : empty,
      outW: this.out.params.value('weight'),
      outB: this.out.params.value('bias'),
    };
  }

  /**
   * Runs the decoder over a target batch (teacher forcing, or scheduled sampling).
   * @param targetIn - `[T, B]` input tokens: BOS then the target shifted right (padding after).
   * @param mem - the encoder's `{ memory [S, B, M], lengths [B] }`.
   * @param init - initial states `{ h0 [L, B, H], c0 [L, B, H] | null }` (from a {@link Bridge}).
   * @param opts - `tape`, `teacherForcing`, `rng`, `returnAttention`.
   * @returns `{ logits [T, B, V], attention [T, B, S] | null, inputs [T, B] }`.
   * @throws ShapeError when shapes disagree or an id is out of range; ConfigError on bad options.
   */
  forward(targetIn: IndexTensor, mem: DecoderMemory, init: DecoderInitialState, opts: DecoderForwardOptions = {}): DecoderOutput {
    const where = 'Decoder.forward';
    checkKnownKeys(where, opts, ['tape', 'teacherForcing', 'rng', 'returnAttention']);
    const tgt = checkIndexTensor(where, 'targetIn', targetIn);
    if (tgt.shape.length !== 2 || (tgt.shape[0] as number) < 1) {
      throw new ShapeError(`${where}: targetIn expected token ids [T, B] with T ≥ 1, got ${fmtShape(tgt.shape)}.`);
    }
    const T = tgt.shape[0] as number, B = tgt.shape[1] as number, V = this.vocabSize;
    const { S } = this.checkMemory(where, mem, B);
    this.checkInit(where, init, B);
    for (let i = 0; i < T * B; i++) {
      const id = tgt.data[i] as number;
      if (id < 0 || id >= V) {
        throw new ShapeError(`${where}: targetIn[${Math.floor(i / B)}, ${i % B}] = ${id} is out of range, expected a token id in [0, V=${V}). Was the target encoded with a different vocabulary?`);
      }
    }
    const ratio = checkNumber(where, 'teacherForcing', opts.teacherForcing ?? 1, 0, 1);
    if (ratio < 1 && opts.rng === undefined) throw new ConfigError(`${where}: teacherForcing < 1 needs an rng for the sampling coins (e.g. createRng(seed)).`);
    const tape = opts.tape;
    const p = this.parts;
    const ws = this.pool.acquire(T, B, S, () => new DecoderWorkspace(T, B, S, p));
    if (tape) ws.inUse = true;
    const H = this.hiddenSize, L = this.numLayers, BH = B * H;
    for (let l = 0; l < L; l++) {
      (ws.hs[l] as Float32Array).set(init.h0.data.subarray(l * BH, (l + 1) * BH));
      if (init.c0 && (ws.cs[l] as Float32Array).length > 0) (ws.cs[l] as Float32Array).set(init.c0.data.subarray(l * BH, (l + 1) * BH));
    }
    const views: MemoryViews = {
      memory: mem.memory.data,
      keys: this.attention ? this.attention.keysForward(ws.keys, mem.memory.data, S * B) : ws.keys,
      lengths: mem.lengths,
      rowSource: ws.rowSource,
      S,
      B,
    };
    const ids = ws.ids;
    ids.set(tgt.data);
    const logits: Tensor = { shape: [T, B, V], data: allocFloat32(T * B * V) };
    const perStep = ratio < 1;
    for (let t = 0; t < T; t++) {
      if (perStep && t > 0) {
        const rng = opts.rng as Rng;
        for (let b = 0; b < B; b++) {
          if (rng.uniform() >= ratio) ids[t * B + b] = argmaxRow(logits.data, (t - 1) * B + b, V, 2); // row of [T·B, V]
        }
      }
      const v = ws.steps[t] as StepViews;
      const feed = t > 0 && p.inputFeeding ? (ws.steps[t - 1] as StepViews).htilde : null;
      decoderStep(p, v, ids, t * B, feed, B, views, tape !== undefined);
      if (perStep) decoderLogits(p, logits.data.subarray(t * B * V, (t + 1) * B * V), v.htilde, B);
    }
    const htildeAll = ws.htildeAll(L);
    if (!perStep) decoderLogits(p, logits.data, htildeAll, T * B);
    const attention = opts.returnAttention && this.attention ? { shape: [T, B, S], data: Float32Array.from(ws.weights) } : null;
    const inputs: IndexTensor = { shape: [T, B], data: Int32Array.from(ids) };
    if (tape) {
      tape.push(() => {
        try {
          if (!tape.hasGrad(logits)) return;
          decoderBackward(this, ws, views, tape.grad(logits), tape.grad(mem.memory), tape.grad(init.h0), init.c0 ? tape.grad(init.c0) : null);
        } finally {
          ws.inUse = false;
        }
      });
    }
    return { logits, attention, inputs };
  }

  /**
   * Starts step-by-step decoding (greedy, sampling, beam search) for up to `capacity` rows.
   * Row r initially continues source column r; {@link DecoderState.select} reorders and
   * replicates rows (beam search).
   * @param mem - the encoder's `{ memory [S, B, M], lengths [B] }`.
   * @param init - initial states `[L, B, H]`.
   * @param capacity - the most rows ever stepped at once (B for greedy, B·beamWidth for beams).
   * @returns a state with `rows = B`.
   * @throws ShapeError when shapes disagree; ConfigError when capacity < B.
   */
  createState(mem: DecoderMemory, init: DecoderInitialState, capacity: number): DecoderState {
    const where = 'Decoder.createState';
    const B = this.checkMemory(where, mem, null).B;
    this.checkInit(where, init, B);
    checkPositiveInt(where, 'capacity', capacity);
    if (capacity < B) throw new ConfigError(`${where}: capacity ${capacity} is smaller than the batch B=${B}.`);
    return new DecoderState(this.parts, mem, init, capacity);
  }

  /**
   * One inference step for `state.rows` rows: afterwards `state.logits` holds `[rows, V]` scores
   * and `state.weights` the `[rows, S]` attention weights.
   * @param state - from {@link Decoder.createState}.
   * @param inputs - `[rows]` the token each row reads (BOS first).
   * @throws ShapeError when `inputs` is shorter than `state.rows` or an id is out of range.
   */
  step(state: DecoderState, inputs: Int32Array): void {
    if (inputs.length < state.rows) throw new ShapeError(`Decoder.step: inputs has ${inputs.length} ids, expected one per row (rows=${state.rows}).`);
    for (let r = 0; r < state.rows; r++) {
      const id = inputs[r] as number;
      if (id < 0 || id >= this.vocabSize) throw new ShapeError(`Decoder.step: inputs[${r}] = ${id} is out of range, expected a token id in [0, V=${this.vocabSize}).`);
    }
    state.advance(inputs);
  }

  private checkMemory(where: string, mem: DecoderMemory, B: number | null): { S: number; B: number } {
    if (typeof mem !== 'object' || mem === null) throw new ShapeError(`${where}: mem must be { memory, lengths } (an Encoder output).`);
    checkTensor(where, 'memory', mem.memory);
    const s = mem.memory.shape, M = this.memorySize;
    if (s.length !== 3 || s[2] !== M || (s[0] as number) < 1 || (B !== null && s[1] !== B)) {
      throw new ShapeError(
        `${where}: memory expected shape [S, B${B !== null ? '=' + B : ''}, M=${M}], got ${fmtShape(s)}.` +
          (s.length === 3 && s[2] !== M ? ' The decoder was built for a different encoder (memorySize must equal the encoder outputSize D·H).' : ''),
      );
    }
    const S = s[0] as number, Bm = s[1] as number;
    const lengths = mem.lengths;
    if (!(lengths instanceof Int32Array) || lengths.length !== Bm) {
      throw new ShapeError(`${where}: lengths must be an Int32Array of B=${Bm} source lengths, got ${describe(lengths)}.`);
    }
    for (let b = 0; b < Bm; b++) {
      const n = lengths[b] as number;
      if (n < 1 || n > S) throw new ShapeError(`${where}: lengths[${b}] = ${n} is out of range, expected [1, S=${S}].`);
    }
    return { S, B: Bm };
  }

  private checkInit(where: string, init: DecoderInitialState, B: number): void {
    if (typeof init !== 'object' || init === null) throw new ShapeError(`${where}: init must be { h0, c0 } (a Bridge output).`);
    const L = this.numLayers, H = this.hiddenSize;
    const hasC = (this.parts.cores[0] as CellCore).hasCellState;
    const check = (name: string, t: Tensor): void => {
      checkTensor(where, name, t);
      if (t.shape.length !== 3 || t.shape[0] !== L || t.shape[1] !== B || t.shape[2] !== H) {
        throw new ShapeError(`${where}: ${name} expected shape [L=${L}, B=${B}, H=${H}], got ${fmtShape(t.shape)}.`);
      }
    };
    check('init.h0', init.h0);
    if (hasC) {
      if (!init.c0) throw new ShapeError(`${where}: init.c0 is null, but an LSTM decoder needs a cell state [L=${L}, B=${B}, H=${H}].`);
      check('init.c0', init.c0);
    }
  }

  /**
   * The parameters: `embedding.weight`, `rnn.*`, `attention.*`, `combine.*`, `out.*`.
   * @returns views into the flat buffers.
   */
  parameters(): Parameter[] {
    return [
      ...prefixed('embedding.', this.embedding),
      ...prefixed('rnn.', this.rnn),
      ...(this.attention ? prefixed('attention.', this.attention) : []),
      ...(this.combine ? prefixed('combine.', this.combine) : []),
      ...prefixed('out.', this.out),
    ];
  }
}
