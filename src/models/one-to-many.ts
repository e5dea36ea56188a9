/**
 * One-to-many: one input vector generates a sequence (captioning-like; here, a gender vector
 * generates a first name). The condition sets the initial hidden state through a Linear + tanh
 * (`'state'`), is appended to the input at every step (`'input'`), or both.
 * @module
 */
import { ConfigError, ShapeError } from '../errors.js';
import { allocFloat32 } from '../kernel/alloc.js';
import type { Rng } from '../kernel/rng.js';
import { Linear } from '../layers/linear.js';
import { loadStateDictInto, prefixed, prefixedGenerators, stateDictOf, type Module, type Parameter, type StateDict } from '../layers/param-store.js';
import type { Tape } from '../layers/tape.js';
import { checkKnownKeys, checkPositiveInt, fmtShape } from '../shapes.js';
import { checkTensor, type IndexTensor, type Tensor } from '../tensor.js';
import { Backbone, BACKBONE_KEYS, type BackboneOptions } from './backbone.js';
import { generateTokens, type GenerateOptions } from './generate.js';

/**
 * Where the condition enters.
 * @category Models
 */
export type Conditioning = 'state' | 'input' | 'both';

/**
 * Options of {@link OneToMany}.
 * @category Models
 */
export interface OneToManyOptions extends Omit<BackboneOptions, 'inputSize' | 'bidirectional'> {
  /** V: output (and input) vocabulary; the model generates token ids. */
  vocabSize: number;
  /** K: size of the condition vector. */
  conditionSize: number;
  /**
   * Where the condition enters.
   * @defaultValue 'both'
   */
  conditioning?: Conditioning;
}

/**
 * A conditioned sequence generator.
 * @example
 * ```ts
 * const gen = new OneToMany({ vocabSize: V, conditionSize: 2, hiddenSize: 64, seed: 1 });
 * const { logits } = gen.forward(cond, inputs, { lengths, tape }); // cond [B, 2], inputs [T, B] → [T, B, V]
 * const name = gen.generate(tensor([[1, 0]]), { prompt: [BOS], stopToken: EOS, maxLength: 12, temperature: 0.7 });
 * ```
 * @category Models
 */
export class OneToMany implements Module {
  /** Embedding + recurrent layer (its input is E, or E + K with input conditioning). */
  readonly backbone: Backbone;
  /** Condition → initial hidden state of every layer (null with `'input'` conditioning). */
  readonly init: Linear | null;
  /** Per-step output layer. */
  readonly head: Linear;
  /** Where the condition enters. */
  readonly conditioning: Conditioning;
  /** K. */
  readonly conditionSize: number;
  private readonly embeddingDim: number;

  /**
   * @param opts - see {@link OneToManyOptions}.
   * @throws ConfigError on a missing, unknown or invalid option.
   */
  constructor(opts: OneToManyOptions) {
    const where = 'OneToMany';
    checkKnownKeys(where, opts, [...BACKBONE_KEYS.filter((k) => k !== 'inputSize' && k !== 'bidirectional'), 'conditionSize', 'conditioning']);
    const conditioning = opts.conditioning ?? 'both';
    if (conditioning !== 'state' && conditioning !== 'input' && conditioning !== 'both') {
      throw new ConfigError(`${where}: conditioning must be 'state', 'input' or 'both', got ${JSON.stringify(conditioning)}.`);
    }
    this.conditioning = conditioning;
    this.conditionSize = checkPositiveInt(where, 'conditionSize', opts.conditionSize);
    const V = checkPositiveInt(where, 'vocabSize', opts.vocabSize);
    this.embeddingDim = checkPositiveInt(where, 'embeddingDim', opts.embeddingDim ?? 32);
    const withInput = conditioning !== 'state';
    // The backbone embeds ids itself only without input conditioning; with it, the model builds
    // [embedding | condition] per step, so the recurrent layer's input is E + K.
    const { conditionSize: _k, conditioning: _c, ...backboneOpts } = opts;
    this.backbone = new Backbone(
      where,
      { ...backboneOpts, embeddingDim: this.embeddingDim, vocabSize: V },
      withInput ? this.embeddingDim + this.conditionSize : undefined,
    );
    const L = this.backbone.rnn.numLayers;
    const H = this.backbone.rnn.hiddenSize;
    this.init = conditioning !== 'input' ? new Linear({ inFeatures: this.conditionSize, outFeatures: L * H, rng: this.backbone.rng }) : null;
    this.head = new Linear({ inFeatures: H, outFeatures: V, rng: this.backbone.rng });
  }

  /** V. */
  get vocabSize(): number {
    return this.head.outFeatures;
  }

  /**
   * Teacher-forced forward pass.
   * @param condition - `[B, K]` condition vectors.
   * @param inputs - `[T, B]` input ids (typically BOS followed by the target shifted right).
   * @param opts - lengths and tape.
   * @returns `[T, B, V]` logits.
   * @throws ShapeError on a shape mismatch.
   */
  forward(condition: Tensor, inputs: IndexTensor, opts: { lengths?: ArrayLike<number>; tape?: Tape } = {}): { logits: Tensor } {
    const where = 'OneToMany.forward';
    const tape = opts.tape;
    const B = this.checkCondition(where, condition);
    if (inputs.shape.length !== 2 || inputs.shape[1] !== B) {
      throw new ShapeError(`${where}: inputs expected shape [T, B=${B}], got ${fmtShape(inputs.shape)}.`);
    }
    const x = this.stepInput(condition, inputs, tape);
    const h0 = this.initialState(condition, tape);
    const r = this.backbone.rnn.forward(x, { ...(h0 ? { h0 } : {}), ...(opts.lengths ? { lengths: opts.lengths } : {}), ...(tape ? { tape } : {}) });
    return { logits: this.head.forward(this.backbone.dropOutput(r.output, tape), tape) };
  }

  /**
   * Generates a sequence for one condition vector.
   * @param condition - `[1, K]`.
   * @param opts - prompt (e.g. `[BOS]`), stopToken, maxLength, temperature, topK, seed.
   * @returns the generated ids.
   * @throws ShapeError / ConfigError on bad input.
   */
  generate(condition: Tensor, opts: GenerateOptions): number[] {
    const where = 'OneToMany.generate';
    const B = this.checkCondition(where, condition);
    if (B !== 1) throw new ShapeError(`${where}: condition expected shape [1, K=${this.conditionSize}] (one sequence at a time), got ${fmtShape(condition.shape)}.`);
    const h0 = this.initialState(condition, undefined);
    return generateTokens(where, this.backbone, this.head, this.vocabSize, h0, null, opts, (ids) => this.stepInput(condition, ids, undefined));
  }

  private checkCondition(where: string, condition: Tensor): number {
    checkTensor(where, 'condition', condition);
    if (condition.shape.length !== 2 || condition.shape[1] !== this.conditionSize) {
      throw new ShapeError(`${where}: condition expected shape [B, K=${this.conditionSize}], got ${fmtShape(condition.shape)}.`);
    }
    return condition.shape[0] as number;
  }

  /** h0 [L, B, H] = tanh(init(condition)) rearranged from [B, L·H]. */
  private initialState(condition: Tensor, tape: Tape | undefined): Tensor | null {
    if (!this.init) return null;
    const y = this.init.forward(condition, tape);
    const B = condition.shape[0] as number;
    const L = this.backbone.rnn.numLayers;
    const H = this.backbone.rnn.hiddenSize;
    const h0: Tensor = { shape: [L, B, H], data: allocFloat32(L * B * H) };
    for (let b = 0; b < B; b++) for (let l = 0; l < L; l++) for (let j = 0; j < H; j++) h0.data[(l * B + b) * H + j] = Math.tanh(y.data[b * L * H + l * H + j] as number);
    if (tape) {
      tape.push(() => {
        if (!tape.hasGrad(h0)) return;
        const g = tape.grad(h0);
        const gy = tape.grad(y);
        for (let b = 0; b < B; b++)
          for (let l = 0; l < L; l++)
            for (let j = 0; j < H; j++) {
              const k = (l * B + b) * H + j;
              const v = h0.data[k] as number;
              gy[b * L * H + l * H + j] += (1 - v * v) * (g[k] as number);
            }
      });
    }
    return h0;
  }

  /** [T, B] ids → [T, B, E] or [T, B, E + K] with the condition appended at every step. */
  private stepInput(condition: Tensor, ids: IndexTensor, tape: Tape | undefined): Tensor {
    const e = this.backbone.embed('OneToMany', ids, tape);
    if (this.conditioning === 'state') return e;
    const [T, B, E] = e.shape as [number, number, number];
    const K = this.conditionSize;
    const F = E + K;
    const x: Tensor = { shape: [T, B, F], data: allocFloat32(T * B * F) };
    for (let t = 0; t < T; t++)
      for (let b = 0; b < B; b++) {
        const o = (t * B + b) * F;
        x.data.set(e.data.subarray((t * B + b) * E, (t * B + b + 1) * E), o);
        x.data.set(condition.data.subarray(b * K, (b + 1) * K), o + E);
      }
    if (tape) {
      tape.push(() => {
        if (!tape.hasGrad(x)) return;
        const g = tape.grad(x);
        const ge = tape.grad(e);
        const gc = tape.grad(condition);
        for (let t = 0; t < T; t++)
          for (let b = 0; b < B; b++) {
            const o = (t * B + b) * F;
            for (let j = 0; j < E; j++) ge[(t * B + b) * E + j] += g[o + j] as number;
            for (let k = 0; k < K; k++) gc[b * K + k] += g[o + E + k] as number;
          }
      });
    }
    return x;
  }

  /**
   * All parameters (`backbone.*`, `init.*`, `head.*`).
   * @returns the parameter views.
   */
  parameters(): Parameter[] {
    return [...prefixed('backbone.', this.backbone), ...(this.init ? prefixed('init.', this.init) : []), ...prefixed('head.', this.head)];
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
   * Loads weights saved by {@link OneToMany.stateDict}.
   * @param dict - the state dict.
   * @throws ShapeError listing every mismatch.
   */
  loadStateDict(dict: StateDict): void {
    loadStateDictInto(this.parameters(), dict, true, 'OneToMany.loadStateDict');
  }
}
