/**
 * The shared front of the structure models: tokens through an Embedding (or float features
 * straight in), then a recurrent layer (RNN, LSTM or GRU; stacked, optionally bidirectional).
 * @module
 */
import type { CellKind } from '../cells/cell-core.js';
import { ConfigError, ShapeError } from '../errors.js';
import type { Rng } from '../kernel/rng.js';
import { createRng } from '../kernel/rng.js';
import { Dropout } from '../layers/dropout.js';
import { Embedding } from '../layers/embedding.js';
import { prefixed, prefixedGenerators, type Parameter } from '../layers/param-store.js';
import type { Tape } from '../layers/tape.js';
import { GRU, LSTM, RNN } from '../sequence/layers.js';
import type { RecurrentBase, RecurrentOutput } from '../sequence/recurrent.js';
import { checkPositiveInt, describe, fmtShape } from '../shapes.js';
import type { IndexTensor, Tensor } from '../tensor.js';

/**
 * Options of every structure model's recurrent front.
 * @category Models
 */
export interface BackboneOptions {
  /**
   * The recurrent cell.
   * @defaultValue 'lstm'
   */
  cell?: CellKind;
  /** Token input: V, the input vocabulary size (then `embeddingDim` is used). */
  vocabSize?: number;
  /**
   * E, the embedding size for token input.
   * @defaultValue 32
   */
  embeddingDim?: number;
  /** Token id of padding (its embedding stays zero and gets no gradient). */
  paddingIdx?: number;
  /** Feature input: I, features per step (instead of `vocabSize`). */
  inputSize?: number;
  /** H, hidden units per direction. */
  hiddenSize: number;
  /**
   * L, stacked recurrent layers.
   * @defaultValue 1
   */
  numLayers?: number;
  /**
   * Read the sequence in both directions.
   * @defaultValue false
   */
  bidirectional?: boolean;
  /**
   * Dropout between recurrent layers (training only).
   * @defaultValue 0
   */
  dropout?: number;
  /**
   * Dropout on the recurrent layer's input (the embeddings, or the features), training only
   * (when a tape is passed). Regularises word-level models, whose embeddings overfit first.
   * @defaultValue 0
   */
  inputDropout?: number;
  /**
   * Dropout on the recurrent layer's output, before the head (and before pooling), training
   * only. With `inputDropout` this is the usual recipe for word language models (Zaremba et al.,
   * 2014, "Recurrent Neural Network Regularization": dropout on the non-recurrent connections).
   * @defaultValue 0
   */
  outputDropout?: number;
  /**
   * Seed for every initialisation and dropout.
   * @defaultValue 0
   */
  seed?: number;
}

/** @internal */
export const BACKBONE_KEYS: readonly string[] = [
  'cell',
  'vocabSize',
  'embeddingDim',
  'paddingIdx',
  'inputSize',
  'hiddenSize',
  'numLayers',
  'bidirectional',
  'dropout',
  'inputDropout',
  'outputDropout',
  'seed',
];

/**
 * A structure model's input: token ids `[T, B]` or float features `[T, B, I]`.
 * @category Models
 */
export type SequenceInput = IndexTensor | Tensor;

/**
 * The front every structure model shares: an Embedding for token input (or none for float
 * features) and a recurrent layer.
 * @example
 * ```ts
 * const model = new ManyToOne({ vocabSize: 100, hiddenSize: 32, outputSize: 2 });
 * model.backbone.rnn.hiddenSize; // 32
 * ```
 * @category Models
 */
export class Backbone {
  /** The token embedding, or null for feature input. */
  readonly embedding: Embedding | null;
  /** The recurrent layer (RNN, LSTM or GRU). */
  readonly rnn: RecurrentBase<RecurrentOutput & { cN?: Tensor }>;
  /** D·H: features per step of the recurrent output. */
  readonly outputSize: number;
  /** The generator used for initialisation and dropout. */
  readonly rng: Rng;
  /** Dropout on the recurrent input (p = 0: identity). */
  readonly inputDropout: Dropout;
  /** Dropout on the recurrent output (p = 0: identity). */
  readonly outputDropout: Dropout;

  /**
   * @param where - the owning class name, for messages.
   * @param o - the options.
   * @param rnnInputSize - overrides the recurrent layer's input width (when the caller appends features to the embedding). */
  constructor(where: string, o: BackboneOptions, rnnInputSize?: number) {
    const hasVocab = o.vocabSize !== undefined;
    const hasInput = o.inputSize !== undefined;
    if (hasVocab === hasInput) throw new ConfigError(`${where}: give exactly one of vocabSize (token input) or inputSize (feature input).`);
    const seed = o.seed ?? 0;
    this.rng = createRng(seed);
    const kind = o.cell ?? 'lstm';
    if (kind !== 'rnn' && kind !== 'lstm' && kind !== 'gru') throw new ConfigError(`${where}: cell must be 'rnn', 'lstm' or 'gru', got ${JSON.stringify(kind)}.`);
    let inputSize: number;
    if (hasVocab) {
      const V = checkPositiveInt(where, 'vocabSize', o.vocabSize);
      const E = checkPositiveInt(where, 'embeddingDim', o.embeddingDim ?? 32);
      this.embedding = new Embedding({ numEmbeddings: V, embeddingDim: E, rng: this.rng, ...(o.paddingIdx !== undefined ? { paddingIdx: o.paddingIdx } : {}) });
      inputSize = E;
    } else {
      this.embedding = null;
      inputSize = checkPositiveInt(where, 'inputSize', o.inputSize);
    }
    const common = {
      inputSize: rnnInputSize ?? inputSize,
      hiddenSize: o.hiddenSize,
      numLayers: o.numLayers ?? 1,
      bidirectional: o.bidirectional ?? false,
      dropout: o.dropout ?? 0,
      rng: this.rng,
    };
    this.rnn = (kind === 'lstm' ? new LSTM(common) : kind === 'gru' ? new GRU(common) : new RNN(common)) as RecurrentBase<RecurrentOutput & { cN?: Tensor }>;
    this.outputSize = this.rnn.numDirections * this.rnn.hiddenSize;
    // Dropout validates p (a probability in [0, 1)) and names the option on error.
    this.inputDropout = new Dropout({ p: checkDropoutP(where, 'inputDropout', o.inputDropout), rng: this.rng });
    this.outputDropout = new Dropout({ p: checkDropoutP(where, 'outputDropout', o.outputDropout), rng: this.rng });
  }

  /**
   * Applies the output dropout when training (a tape is given); otherwise returns `x` itself.
   * @param x - the recurrent output `[T, B, D·H]` (or anything the head reads).
   * @param tape - the training tape, or undefined at inference.
   * @returns `x` with dropout applied when training.
   */
  dropOutput(x: Tensor, tape: Tape | undefined): Tensor {
    return tape ? this.outputDropout.forward(x, { training: true, tape }) : x;
  }

  /**
   * The embedding's and the recurrent layer's parameters (`embedding.*`, `rnn.*`).
   * @returns the parameter views.
   */
  parameters(): Parameter[] {
    return [...(this.embedding ? prefixed('embedding.', this.embedding) : []), ...prefixed('rnn.', this.rnn)];
  }

  /**
   * The generators training draws from: the shared {@link Backbone.rng} as `rnn.rng` when the
   * recurrent layer has dropout (it then draws the masks), else none.
   * @returns the live generators by name.
   */
  generators(): Record<string, Rng> {
    return { ...prefixedGenerators('rnn.', this.rnn), ...prefixedGenerators('inputDropout.', this.inputDropout), ...prefixedGenerators('outputDropout.', this.outputDropout) };
  }

  /**
   * Token ids `[T, B]` (through the embedding) or features `[T, B, I]` (as they are) → the
   * recurrent layer's input.
   * @param where - the public method name, for messages.
   * @param x - the input.
   * @param tape - records the embedding's backward.
   * @returns `[T, B, E]` or `x` itself.
   * @throws ShapeError when the input kind does not match the model.
   */
  embed(where: string, x: SequenceInput, tape: Tape | undefined): Tensor {
    if (this.embedding) {
      if (!(x.data instanceof Int32Array) || x.shape.length !== 2) {
        throw new ShapeError(`${where}: input expected token ids [T, B] (an IndexTensor), got ${x.data instanceof Int32Array ? fmtShape(x.shape) : 'a float tensor ' + fmtShape(x.shape)}.`);
      }
      return this.dropInput(this.embedding.forward(x as IndexTensor, tape), tape);
    }
    if (!(x.data instanceof Float32Array)) throw new ShapeError(`${where}: input expected float features [T, B, I], got token ids ${fmtShape(x.shape)}.`);
    return this.dropInput(x as Tensor, tape);
  }

  /**
   * Applies the input dropout when training (a tape is given); otherwise returns `x` itself.
   * @param x - the recurrent layer's input.
   * @param tape - the training tape, or undefined at inference.
   * @returns `x` with dropout applied when training.
   */
  dropInput(x: Tensor, tape: Tape | undefined): Tensor {
    return tape ? this.inputDropout.forward(x, { training: true, tape }) : x;
  }
}

/** A dropout option: undefined → 0; else a number in [0, 1). */
function checkDropoutP(where: string, name: string, p: unknown): number {
  if (p === undefined) return 0;
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ConfigError(`${where}: ${name} must be a probability in [0, 1), got ${describe(p)}.`);
  return p;
}
