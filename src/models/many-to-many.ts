/**
 * N-to-N: an output at every step (per-step tagging, next-token language modelling, the poem
 * bot). With token input and `outputSize` equal to the vocabulary, it is a language model that
 * can `generate` text; made bidirectional and trained with a mask token, it fills in a blank from
 * all of its context (`fillBlank`).
 * @module
 */
import { ConfigError, ShapeError } from '../errors.js';
import type { Rng } from '../kernel/rng.js';
import { Linear } from '../layers/linear.js';
import { loadStateDictInto, prefixed, prefixedGenerators, stateDictOf, type Module, type Parameter, type StateDict } from '../layers/param-store.js';
import type { Tape } from '../layers/tape.js';
import { initUniform } from '../kernel/init.js';
import { checkKnownKeys, checkPositiveInt, describe } from '../shapes.js';
import type { Tensor } from '../tensor.js';
import { Backbone, BACKBONE_KEYS, type BackboneOptions, type SequenceInput } from './backbone.js';
import { generateTokens, type GenerateOptions } from './generate.js';

/**
 * Options of {@link ManyToMany}.
 * @category Models
 */
export interface ManyToManyOptions extends BackboneOptions {
  /** Outputs per step: tags, or the vocabulary size for a language model. */
  outputSize: number;
  /**
   * Share the embedding matrix with the output layer (weight tying; Press & Wolf, 2017; Inan et
   * al., 2017): the head's `weight [V, D·H]` is the embedding's `weight [V, E]`, which then learns
   * from both ends. It removes V·E parameters and usually lowers a word model's perplexity. Needs
   * token input, `outputSize` = `vocabSize` and `embeddingDim` = D·H (the recurrent output width).
   * The shared matrix is initialised as the output layer would be, U(−1/√E, 1/√E), instead of the
   * embedding's N(0, 1), whose logits would start far too large (PyTorch's word_language_model
   * uses U(−0.1, 0.1)); the padding row stays zero. The state dict then has no `head.weight`
   * (drop the duplicate `decoder.weight` of a tied PyTorch state dict before loading it).
   * @defaultValue false
   * @example
   * ```ts
   * const lm = new ManyToMany({ vocabSize: V, embeddingDim: 256, hiddenSize: 256, outputSize: V, tieWeights: true });
   * ```
   */
  tieWeights?: boolean;
}

/**
 * What {@link ManyToMany.forward} returns.
 * @category Models
 */
export interface ManyToManyOutput {
  /** `[T, B, outputSize]` per-step logits (padded steps hold the head's bias). */
  readonly logits: Tensor;
  /** `[L·D, B, H]` final hidden state (carry it for stateful / truncated-BPTT training). */
  readonly hN: Tensor;
  /** `[L·D, B, H]` final cell state (LSTM), else null. */
  readonly cN: Tensor | null;
}

/**
 * Per-call options of {@link ManyToMany.forward}.
 * @category Models
 */
export interface ManyToManyForwardOptions {
  /** Per-sequence lengths. */
  lengths?: ArrayLike<number>;
  /** Record for backward. */
  tape?: Tape;
  /** Initial hidden state `[L·D, B, H]` (e.g. the previous chunk's hN). */
  h0?: Tensor;
  /** Initial cell state (LSTM). */
  c0?: Tensor;
}

/**
 * A per-step model: tagger, language model, blank filler.
 * @example
 * ```ts
 * const lm = new ManyToMany({ vocabSize: V, embeddingDim: 64, hiddenSize: 256, outputSize: V, seed: 1 });
 * const { logits } = lm.forward(inputs, { lengths, tape });     // inputs [T, B] → [T, B, V]
 * crossEntropy(logits, targets, { tape, ignoreIndex: PAD });
 * const text = lm.generate({ prompt: [bos], maxLength: 200, temperature: 0.8, seed: 7 });
 * ```
 * @category Models
 */
export class ManyToMany implements Module {
  /** Embedding (token input) + recurrent layer. */
  readonly backbone: Backbone;
  /** The per-step output layer. */
  readonly head: Linear;

  /**
   * @param opts - see {@link ManyToManyOptions}.
   * @throws ConfigError on a missing, unknown or invalid option.
   */
  constructor(opts: ManyToManyOptions) {
    const where = 'ManyToMany';
    checkKnownKeys(where, opts, [...BACKBONE_KEYS, 'outputSize', 'tieWeights']);
    const tie = opts.tieWeights ?? false;
    if (typeof tie !== 'boolean') throw new ConfigError(`${where}: tieWeights must be a boolean, got ${describe(tie)}.`);
    this.backbone = new Backbone(where, opts);
    const O = checkPositiveInt(where, 'outputSize', opts.outputSize);
    const I = this.backbone.outputSize;
    const emb = this.backbone.embedding;
    if (!tie) {
      this.head = new Linear({ inFeatures: I, outFeatures: O, rng: this.backbone.rng });
      return;
    }
    if (!emb) throw new ConfigError(`${where}: tieWeights needs token input (vocabSize); this model reads features (inputSize).`);
    if (O !== emb.numEmbeddings) throw new ConfigError(`${where}: tieWeights needs outputSize equal to vocabSize = ${emb.numEmbeddings}, got ${O}.`);
    if (emb.embeddingDim !== I) {
      throw new ConfigError(`${where}: tieWeights needs embeddingDim equal to the recurrent output width D·H = ${I}, got embeddingDim ${emb.embeddingDim}.`);
    }
    const weight = emb.params.parameters()[0] as Parameter;
    const k = 1 / Math.sqrt(I);
    initUniform(weight.value, -k, k, this.backbone.rng);
    if (emb.paddingIdx !== null) weight.value.fill(0, emb.paddingIdx * I, (emb.paddingIdx + 1) * I);
    this.head = new Linear({ inFeatures: I, outFeatures: O, rng: this.backbone.rng, sharedWeight: weight });
  }

  /**
   * @param x - token ids `[T, B]` or features `[T, B, I]`.
   * @param opts - lengths, tape, initial state.
   * @returns per-step logits and the final state.
   * @throws ShapeError on a wrong input.
   */
  forward(x: SequenceInput, opts: ManyToManyForwardOptions = {}): ManyToManyOutput {
    const tape = opts.tape;
    const e = this.backbone.embed('ManyToMany.forward', x, tape);
    const r = this.backbone.rnn.forward(e, {
      ...(opts.lengths ? { lengths: opts.lengths } : {}),
      ...(tape ? { tape } : {}),
      ...(opts.h0 ? { h0: opts.h0 } : {}),
      ...(opts.c0 ? { c0: opts.c0 } : {}),
    });
    return { logits: this.head.forward(this.backbone.dropOutput(r.output, tape), tape), hN: r.hN, cN: r.cN ?? null };
  }

  /**
   * Generates tokens one step at a time from a prompt (language models only: token input,
   * unidirectional, outputSize = vocabSize).
   * @param opts - prompt ids, maxLength, stopToken, temperature, topK, seed or rng.
   * @returns the generated ids (without the prompt; the stop token is not included).
   * @throws ConfigError when the model cannot generate or an option is invalid.
   */
  generate(opts: GenerateOptions): number[] {
    const where = 'ManyToMany.generate';
    const V = this.checkLanguageModel(where);
    if (this.backbone.rnn.bidirectional) throw new ConfigError(`${where}: a bidirectional model cannot generate left to right; it reads the future.`);
    return generateTokens(where, this.backbone, this.head, V, null, null, opts);
  }

  /**
   * Predicts the token at `position` from all the other tokens (train the model bidirectional,
   * with the blank replaced by a mask token during training).
   * @param ids - the sentence, with any id (e.g. the mask token) at `position`.
   * @param position - index of the blank.
   * @param k - how many candidates to return.
   * @returns the k most likely ids with their probabilities, best first.
   * @throws ShapeError when `position` is outside the sentence.
   */
  fillBlank(ids: readonly number[], position: number, k: number = 5): { id: number; p: number }[] {
    const where = 'ManyToMany.fillBlank';
    const V = this.checkLanguageModel(where);
    if (!Number.isInteger(position) || position < 0 || position >= ids.length) {
      throw new ShapeError(`${where}: position ${position} is outside the sentence of length ${ids.length}.`);
    }
    const { logits } = this.forward({ shape: [ids.length, 1], data: Int32Array.from(ids) });
    const row = logits.data.subarray(position * V, (position + 1) * V);
    let max = -Infinity;
    for (const v of row) if (v > max) max = v;
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    const all = Array.from(row, (v, id) => ({ id, p: Math.exp(v - max) / sum }));
    all.sort((a, b) => b.p - a.p || a.id - b.id);
    return all.slice(0, k);
  }

  private checkLanguageModel(where: string): number {
    const emb = this.backbone.embedding;
    if (!emb || emb.numEmbeddings !== this.head.outFeatures) {
      throw new ConfigError(`${where}: needs token input with outputSize equal to vocabSize (a language model).`);
    }
    return this.head.outFeatures;
  }

  /**
   * All parameters (`backbone.*`, `head.*`; with tied weights the shared matrix appears once, as
   * `backbone.embedding.weight`).
   * @returns the parameter views.
   */
  parameters(): Parameter[] {
    return [...prefixed('backbone.', this.backbone), ...prefixed('head.', this.head)];
  }

  /**
   * The generators training draws from (`backbone.rnn.rng`, the dropout masks, when the
   * recurrent layer has dropout), saved by training checkpoints.
   * @returns the live generators by name.
   */
  generators(): Record<string, Rng> {
    return prefixedGenerators('backbone.', this.backbone);
  }

  /**
   * Copies the weights out.
   * @returns the state dict.
   */
  stateDict(): StateDict {
    return stateDictOf(this.parameters());
  }

  /**
   * Loads weights saved by {@link ManyToMany.stateDict}.
   * @param dict - the state dict.
   * @throws ShapeError listing every mismatch.
   */
  loadStateDict(dict: StateDict): void {
    loadStateDictInto(this.parameters(), dict, true, 'ManyToMany.loadStateDict');
  }
}
