/**
 * `Dropout`: inverted dropout, PyTorch's `nn.Dropout`. In training each element is kept with
 * probability 1 − p and scaled by 1/(1 − p), so the expected output equals the input and
 * inference needs no rescaling:
 *
 *   y = x ⊙ m / (1 − p),   m_i ~ Bernoulli(1 − p);   dx += dy ⊙ m / (1 − p)
 *
 * Outside training (or with p = 0) it is the identity and returns its input tensor itself.
 * @module
 */
import { ConfigError } from '../errors.js';
import { allocFloat32 } from '../kernel/alloc.js';
import { createRng, type Rng } from '../kernel/rng.js';
import { checkKnownKeys, checkNumber, describe } from '../shapes.js';
import { checkTensor, type Tensor } from '../tensor.js';
import type { Tape } from './tape.js';

/**
 * Options of {@link Dropout}.
 * @category Layers
 */
export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1). */
  p: number;
  /**
   * Seed of the layer's own generator (ignored when `rng` is given; passing both is an error).
   * @defaultValue 0
   */
  seed?: number;
  /** A generator to draw masks from (shared and advanced). */
  rng?: Rng;
}

/**
 * Options of {@link Dropout.forward}.
 * @category Layers
 */
export interface DropoutForwardOptions {
  /**
   * Whether to drop (training) or pass through (inference).
   * @defaultValue false
   */
  training?: boolean;
  /** Records the backward pass when given (only used when training with p > 0). */
  tape?: Tape;
}

const DROPOUT_KEYS: readonly string[] = ['p', 'seed', 'rng'];
const FORWARD_KEYS: readonly string[] = ['training', 'tape'];

/**
 * Inverted dropout with a seeded generator: the same seed gives the same masks. A model that
 * holds one lists it in its `generators` (via {@link prefixedGenerators}) so training checkpoints
 * restore the mask stream.
 * @example
 * ```ts
 * const drop = new Dropout({ p: 0.2, seed: 1 });
 * const h = drop.forward(x, { training: true, tape }); // new tensor, ~20% zeros, rest ×1.25
 * const same = drop.forward(x);                        // inference: returns x itself
 * ```
 * @category Layers
 */
export class Dropout {
  /** The drop probability. */
  readonly p: number;
  private readonly rng: Rng;

  /**
   * @param opts - p, and seed or rng.
   * @throws ConfigError when p is not in [0, 1), or on an unknown option.
   */
  constructor(opts: DropoutOptions) {
    const where = 'Dropout';
    if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object.`);
    checkKnownKeys(where, opts, DROPOUT_KEYS);
    const p = checkNumber(where, 'p', opts.p, 0, 1);
    if (p === 1) throw new ConfigError(`${where}: p must be in [0, 1), got 1 (that would drop everything).`);
    if (opts.rng !== undefined && opts.seed !== undefined) throw new ConfigError(`${where}: pass either seed or rng, not both.`);
    this.p = p;
    this.rng = opts.rng ?? createRng(opts.seed ?? 0);
  }

  /**
   * The generator the masks are drawn from, for training checkpoints (see
   * {@link Module.generators}); empty when p = 0 (nothing is drawn).
   * @returns `{ rng }`, the live generator.
   * @example
   * ```ts
   * generators(): Record<string, Rng> { return prefixedGenerators('drop.', this.drop); } // in a model
   * ```
   */
  generators(): Record<string, Rng> {
    return this.p > 0 ? { rng: this.rng } : {};
  }

  /**
   * Applies dropout when training; otherwise returns `x` unchanged (the same object).
   * Draws one uniform number per element, in row-major order, from the layer's generator.
   * @param x - any shape.
   * @param opts - `training` (default false) and `tape`.
   * @returns a new tensor of the shape of `x` when training with p > 0, else `x` itself.
   * @throws ShapeError when `x` is not a tensor; ConfigError on an unknown or invalid option.
   * @example
   * ```ts
   * const y = new Dropout({ p: 0.5, seed: 3 }).forward(x, { training: true });
   * ```
   */
  forward(x: Tensor, opts: DropoutForwardOptions = {}): Tensor {
    const where = 'Dropout.forward';
    checkTensor(where, 'x', x);
    if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object, got ${describe(opts)}.`);
    checkKnownKeys(where, opts, FORWARD_KEYS);
    const training = opts.training ?? false;
    if (typeof training !== 'boolean') throw new ConfigError(`${where}: training must be a boolean, got ${describe(training)}.`);
    if (!training || this.p === 0) return x;
    const n = x.data.length;
    const keep = 1 - this.p;
    const s = 1 / keep;
    const tape = opts.tape;
    const mask = tape ? allocFloat32(n) : null; // [n] 0 or 1/(1 − p), kept for backward only
    const xd = x.data;
    const y: Tensor = { shape: [...x.shape], data: allocFloat32(n) };
    const yd = y.data;
    const rng = this.rng;
    for (let i = 0; i < n; i++) {
      const m = rng.uniform() < keep ? s : 0;
      if (mask) mask[i] = m;
      yd[i] = (xd[i] as number) * m;
    }
    if (tape && mask) {
      tape.push(() => {
        const dy = tape.grad(y);
        const dx = tape.grad(x);
        for (let i = 0; i < n; i++) dx[i] += (dy[i] as number) * (mask[i] as number);
      });
    }
    return y;
  }
}
