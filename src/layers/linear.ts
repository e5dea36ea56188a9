/**
 * `Linear`: an affine map applied to the last dimension, exactly PyTorch's `nn.Linear`:
 *
 *   y[*, O] = x[*, I] · Wᵀ + b,   W = `weight [O, I]`, b = `bias [O]`
 *
 * Every leading dimension is flattened into rows, so `[B, I]`, `[T, B, I]` or any other `[*, I]`
 * costs one gemm. Backward (rows R = product of the leading dimensions):
 *
 *   dx[R, I] += dy[R, O] · W      dW[O, I] += dyᵀ · x      db[O] += Σ_r dy[r, :]
 * @module
 */
import { ConfigError, ShapeError } from '../errors.js';
import { addBiasRows } from '../kernel/elementwise.js';
import { gemm } from '../kernel/gemm.js';
import { initUniform, initZeros, glorotUniform } from '../kernel/init.js';
import { addColumnSums } from '../kernel/reduce.js';
import { allocFloat32 } from '../kernel/alloc.js';
import { createRng, type Rng } from '../kernel/rng.js';
import { checkKnownKeys, checkPositiveInt, describe, fmtShape, shapeMessage } from '../shapes.js';
import { checkTensor, shapeSize, type Tensor } from '../tensor.js';
import { ParamStore, StoreModule, type Parameter } from './param-store.js';
import type { Tape } from './tape.js';

/**
 * Initialisation scheme of {@link Linear}.
 * - `'pytorch'`: PyTorch's default, kaiming-uniform with a = √5, which is U(−1/√I, 1/√I) for the
 *   weight, and U(−1/√I, 1/√I) for the bias.
 * - `'glorot'`: Glorot / Xavier uniform weight (fan-in I, fan-out O) and a zero bias.
 * @category Layers
 */
export type LinearInit = 'pytorch' | 'glorot';

/**
 * Options of {@link Linear}.
 * @category Layers
 */
export interface LinearOptions {
  /** I: features of each input row. */
  inFeatures: number;
  /** O: features of each output row. */
  outFeatures: number;
  /**
   * Whether the layer has a `bias [O]`.
   * @defaultValue true
   */
  bias?: boolean;
  /**
   * Weight initialisation scheme.
   * @defaultValue 'pytorch'
   */
  init?: LinearInit;
  /**
   * Seed for initialisation (ignored when `rng` is given; passing both is an error).
   * @defaultValue 0
   */
  seed?: number;
  /** A generator to draw the initial weights from (advances it). */
  rng?: Rng;
  /**
   * Use this parameter as the weight instead of owning one: weight tying. An Embedding's
   * `weight [V, E]` serves as the output layer `weight [O = V, I = E]` of a language model (Press
   * & Wolf, 2017, "Using the Output Embedding to Improve Language Models"; PyTorch's
   * word_language_model `--tied`). Backward accumulates into that parameter's gradient, beside its
   * owner's own contribution; the weight is not re-initialised, and this layer's `params` (its
   * `parameters()` and `stateDict()`) hold only the bias, so the shared tensor is listed, updated
   * and saved once, by its owner.
   * @example
   * ```ts
   * const embed = new Embedding({ numEmbeddings: V, embeddingDim: H });
   * const softmaxLayer = new Linear({ inFeatures: H, outFeatures: V, sharedWeight: embed.parameters()[0] });
   * ```
   */
  sharedWeight?: Parameter;
}

const LINEAR_KEYS: readonly string[] = ['inFeatures', 'outFeatures', 'bias', 'init', 'seed', 'rng', 'sharedWeight'];

/**
 * A fully connected layer `y = x·Wᵀ + b` over the last dimension, PyTorch-compatible
 * (`weight [O, I]`, `bias [O]`; a `torch.nn.Linear` state dict loads as is).
 * @example
 * ```ts
 * const head = new Linear({ inFeatures: 64, outFeatures: 10, seed: 1 });
 * const logits = head.forward(features);       // [B, 64] → [B, 10]
 * const perStep = head.forward(lstmOutput);    // [T, B, 64] → [T, B, 10]
 *
 * const tape = new Tape();                     // training
 * const y = head.forward(features, tape);
 * crossEntropy(y, labels, { tape });
 * tape.backward();                             // head.params.grads now holds dW, db
 * ```
 * @category Layers
 */
export class Linear extends StoreModule {
  /** I: input features. */
  readonly inFeatures: number;
  /** O: output features. */
  readonly outFeatures: number;
  /** Whether `bias` exists. */
  readonly bias: boolean;
  /**
   * The flat parameters: `weight [O, I]` and, with bias, `bias [O]` (PyTorch names); only the
   * bias when the weight is shared (see {@link LinearOptions.sharedWeight}).
   */
  readonly params: ParamStore;
  /** Whether the weight is another module's parameter (weight tying). */
  readonly tied: boolean;
  private readonly weight: Float32Array; // [O, I]
  private readonly dWeight: Float32Array; // [O, I]
  private readonly biasValue: Float32Array | null; // [O]
  private readonly dBias: Float32Array | null; // [O]

  /**
   * @param opts - sizes, bias, init scheme, seed or rng.
   * @throws ConfigError on a missing, unknown or invalid option.
   */
  constructor(opts: LinearOptions) {
    super();
    const where = 'Linear';
    if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object.`);
    checkKnownKeys(where, opts, LINEAR_KEYS);
    const I = checkPositiveInt(where, 'inFeatures', opts.inFeatures);
    const O = checkPositiveInt(where, 'outFeatures', opts.outFeatures);
    const bias = opts.bias ?? true;
    if (typeof bias !== 'boolean') throw new ConfigError(`${where}: bias must be a boolean, got ${typeof bias}.`);
    const init = opts.init ?? 'pytorch';
    if (init !== 'pytorch' && init !== 'glorot') {
      throw new ConfigError(`${where}: unknown init ${JSON.stringify(init)}, expected one of 'pytorch', 'glorot'.`);
    }
    if (opts.rng !== undefined && opts.seed !== undefined) throw new ConfigError(`${where}: pass either seed or rng, not both.`);
    const rng = opts.rng ?? createRng(opts.seed ?? 0);

    const shared = opts.sharedWeight === undefined ? null : checkSharedWeight(where, opts.sharedWeight, O, I);

    this.inFeatures = I;
    this.outFeatures = O;
    this.bias = bias;
    this.tied = shared !== null;
    const specs = shared ? [] : [{ name: 'weight', shape: [O, I] }];
    if (bias) specs.push({ name: 'bias', shape: [O] });
    this.params = new ParamStore(specs);
    this.weight = shared ? shared.value : this.params.value('weight');
    this.dWeight = shared ? shared.grad : this.params.grad('weight');
    this.biasValue = bias ? this.params.value('bias') : null;
    this.dBias = bias ? this.params.grad('bias') : null;

    if (init === 'pytorch') {
      // kaiming_uniform_(a=√5): gain √(2/(1+5)) · √(3/I) = 1/√I; the bias uses the same bound.
      const k = 1 / Math.sqrt(I);
      if (!shared) initUniform(this.weight, -k, k, rng);
      if (this.biasValue) initUniform(this.biasValue, -k, k, rng);
    } else {
      if (!shared) glorotUniform(this.weight, I, O, rng);
      if (this.biasValue) initZeros(this.biasValue);
    }
  }

  /**
   * Applies the layer to the last dimension of `x`.
   * With a tape, records the backward, which accumulates into `tape.grad(x)` and into the
   * parameter gradients; `x` and the weights must not be modified before `tape.backward()`.
   * @param x - `[*, I]`: any number of leading dimensions (`[B, I]`, `[T, B, I]`, or `[I]`).
   * @param tape - records the backward pass when given (training).
   * @returns a new tensor `[*, O]` with the same leading dimensions.
   * @throws ShapeError when `x` is not a tensor or its last dimension is not I.
   * @example
   * ```ts
   * const y = new Linear({ inFeatures: 3, outFeatures: 2 }).forward(tensor([[1, 2, 3]])); // [1, 2]
   * ```
   */
  forward(x: Tensor, tape?: Tape): Tensor {
    const where = 'Linear.forward';
    checkTensor(where, 'x', x);
    const I = this.inFeatures, O = this.outFeatures;
    const rank = x.shape.length;
    if (rank === 0 || x.shape[rank - 1] !== I) {
      const at = x.shape.indexOf(I);
      const hint =
        at >= 0
          ? `Linear acts on the last dimension; dimension ${at} has size I=${I}: move the features last.`
          : `Linear acts on the last dimension, which must equal inFeatures = ${I}.`;
      throw new ShapeError(shapeMessage(where, 'x has the wrong shape', `[*, I=${I}]`, fmtShape(x.shape), hint));
    }
    const R = shapeSize(x.shape) / I; // rows: product of the leading dimensions
    const outShape = [...x.shape.slice(0, rank - 1), O];
    const y: Tensor = { shape: outShape, data: allocFloat32(R * O) }; // [R, O]
    if (R > 0) {
      gemm(y.data, x.data, this.weight, R, O, I, false, true, 1, 0);
      if (this.biasValue) addBiasRows(y.data, this.biasValue, R, O);
    }
    if (tape) {
      tape.push(() => {
        const dy = tape.grad(y); // [R, O]
        if (R === 0) return;
        gemm(tape.grad(x), dy, this.weight, R, I, O, false, false, 1, 1); // dx[R, I] += dy · W
        gemm(this.dWeight, dy, x.data, O, I, R, true, false, 1, 1); //      dW[O, I] += dyᵀ · x
        if (this.dBias) addColumnSums(this.dBias, dy, R, O); //            db[O] += Σ_r dy
      });
    }
    return y;
  }

}

/** Validates {@link LinearOptions.sharedWeight}: a parameter of shape `[O, I]`. */
function checkSharedWeight(where: string, p: unknown, O: number, I: number): Parameter {
  const q = p as Partial<Parameter> | null;
  if (typeof q !== 'object' || q === null || !(q.value instanceof Float32Array) || !(q.grad instanceof Float32Array) || !Array.isArray(q.shape)) {
    throw new ConfigError(`${where}: sharedWeight must be a Parameter ({ name, shape, value, grad }, e.g. from an Embedding's parameters()), got ${describe(p)}.`);
  }
  if (q.shape.length !== 2 || q.shape[0] !== O || q.shape[1] !== I || q.value.length !== O * I || q.grad.length !== O * I) {
    throw new ShapeError(shapeMessage(where, `sharedWeight${q.name ? ` (${q.name})` : ''} has the wrong shape`, `[O=${O}, I=${I}]`, fmtShape(q.shape)));
  }
  return q as Parameter;
}
