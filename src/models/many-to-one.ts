/**
 * Many-to-one: a whole sequence to one label or value (review sentiment, forecasting the next
 * value from a window). The recurrent layer reads the sequence; a pooling step reduces it to one
 * vector per sequence (the last valid state, or the mean / max over valid steps); a Linear head
 * maps that vector to the outputs.
 * @module
 */
import { ConfigError } from '../errors.js';
import type { Rng } from '../kernel/rng.js';
import { Linear } from '../layers/linear.js';
import { prefixed, prefixedGenerators, loadStateDictInto, stateDictOf, type Module, type Parameter, type StateDict } from '../layers/param-store.js';
import type { Tape } from '../layers/tape.js';
import { lastStep, lastStepBidirectional, maxPool, meanPool } from '../sequence/pooling.js';
import { checkKnownKeys, checkPositiveInt } from '../shapes.js';
import type { Tensor } from '../tensor.js';
import { Backbone, BACKBONE_KEYS, type BackboneOptions, type SequenceInput } from './backbone.js';

/**
 * How a sequence becomes one vector.
 * - `'last'`: the state at each sequence's last valid step (for a bidirectional layer, the
 *   forward half at the last step and the reverse half at step 0: both have read everything).
 * - `'mean'` / `'max'`: over the valid steps only.
 * @category Models
 */
export type Pooling = 'last' | 'mean' | 'max';

/**
 * Options of {@link ManyToOne}.
 * @category Models
 */
export interface ManyToOneOptions extends BackboneOptions {
  /** Outputs per sequence: classes (then use cross-entropy) or regression targets (MSE). */
  outputSize: number;
  /**
   * How the sequence is reduced.
   * @defaultValue 'last'
   */
  pooling?: Pooling;
}

/**
 * Per-call options of the structure models.
 * @category Models
 */
export interface ModelForwardOptions {
  /** Per-sequence lengths (B integers in [1, T]). */
  lengths?: ArrayLike<number>;
  /** Record for backward (training). */
  tape?: Tape;
}

/**
 * A sequence classifier or regressor.
 * @example
 * ```ts
 * const model = new ManyToOne({ vocabSize: vocab.size, embeddingDim: 32, hiddenSize: 64, outputSize: 2, bidirectional: true, seed: 1 });
 * const logits = model.forward(ids, { lengths, tape });   // ids [T, B] → logits [B, 2]
 * const { loss } = crossEntropy(logits, labels, { tape });
 * tape.backward();
 * ```
 * @category Models
 */
export class ManyToOne implements Module {
  /** Embedding (token input) + recurrent layer. */
  readonly backbone: Backbone;
  /** The output layer. */
  readonly head: Linear;
  /** The pooling used. */
  readonly pooling: Pooling;

  /**
   * @param opts - see {@link ManyToOneOptions}.
   * @throws ConfigError on a missing, unknown or invalid option.
   */
  constructor(opts: ManyToOneOptions) {
    const where = 'ManyToOne';
    checkKnownKeys(where, opts, [...BACKBONE_KEYS, 'outputSize', 'pooling']);
    const pooling = opts.pooling ?? 'last';
    if (pooling !== 'last' && pooling !== 'mean' && pooling !== 'max') throw new ConfigError(`${where}: pooling must be 'last', 'mean' or 'max', got ${JSON.stringify(pooling)}.`);
    this.pooling = pooling;
    this.backbone = new Backbone(where, opts);
    this.head = new Linear({ inFeatures: this.backbone.outputSize, outFeatures: checkPositiveInt(where, 'outputSize', opts.outputSize), rng: this.backbone.rng });
  }

  /**
   * @param x - token ids `[T, B]` or features `[T, B, I]`.
   * @param opts - lengths and tape.
   * @returns `[B, outputSize]` logits or values.
   * @throws ShapeError on a wrong input.
   */
  forward(x: SequenceInput, opts: ModelForwardOptions = {}): Tensor {
    const where = 'ManyToOne.forward';
    const tape = opts.tape;
    const e = this.backbone.embed(where, x, tape);
    const rnnOpts = { ...(opts.lengths ? { lengths: opts.lengths } : {}), ...(tape ? { tape } : {}) };
    const output = this.backbone.dropOutput(this.backbone.rnn.forward(e, rnnOpts).output, tape);
    let pooled: Tensor;
    if (this.pooling === 'mean') pooled = meanPool(output, opts.lengths, tape);
    else if (this.pooling === 'max') pooled = maxPool(output, opts.lengths, tape);
    else if (this.backbone.rnn.bidirectional) pooled = lastStepBidirectional(output, opts.lengths, this.backbone.rnn.hiddenSize, tape);
    else pooled = lastStep(output, opts.lengths, tape);
    return this.head.forward(pooled, tape);
  }

  /**
   * The most likely class per sequence.
   * @param x - token ids `[T, B]` or features `[T, B, I]`.
   * @param lengths - per-sequence lengths.
   * @returns `[B]` class ids.
   */
  predict(x: SequenceInput, lengths?: ArrayLike<number>): Int32Array {
    const logits = this.forward(x, lengths ? { lengths } : {});
    const [B, C] = logits.shape as [number, number];
    const out = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      let best = 0;
      for (let c = 1; c < C; c++) if ((logits.data[b * C + c] as number) > (logits.data[b * C + best] as number)) best = c;
      out[b] = best;
    }
    return out;
  }

  /**
   * All parameters (`backbone.embedding.*`, `backbone.rnn.*`, `head.*`).
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
   * Loads weights saved by {@link ManyToOne.stateDict}.
   * @param dict - the state dict.
   * @throws ShapeError listing every mismatch.
   */
  loadStateDict(dict: StateDict): void {
    loadStateDictInto(this.parameters(), dict, true, 'ManyToOne.loadStateDict');
  }
}
