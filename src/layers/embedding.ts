/**
 * `Embedding`: a lookup table of word vectors, PyTorch's `nn.Embedding`:
 *
 *   y[..., :] = W[ids[...], :],   W = `weight [V, E]`
 *
 * Backward scatters: dW[ids[n], :] += dy[n, :] for every position n, except where the id is
 * `paddingIdx`, whose row is never trained (and starts at zero).
 * @module
 */
import { ConfigError, ShapeError } from '../errors.js';
import { allocFloat32 } from '../kernel/alloc.js';
import { initNormal } from '../kernel/init.js';
import { createRng, type Rng } from '../kernel/rng.js';
import { checkKnownKeys, checkPositiveInt, describe, fmtShape } from '../shapes.js';
import { checkIndexTensor, shapeSize, unravel, type IndexTensor, type Tensor } from '../tensor.js';
import { ParamStore, StoreModule } from './param-store.js';
import type { Tape } from './tape.js';

/**
 * Options of {@link Embedding}.
 * @category Layers
 */
export interface EmbeddingOptions {
  /** V: vocabulary size (number of rows). */
  numEmbeddings: number;
  /** E: size of each vector. */
  embeddingDim: number;
  /**
   * An id whose vector is zero-initialised and receives no gradient (the padding token).
   * Negative values count from the end, as in PyTorch (−1 is V − 1).
   * @defaultValue undefined (no padding row)
   */
  paddingIdx?: number;
  /**
   * Seed for initialisation (ignored when `rng` is given; passing both is an error).
   * @defaultValue 0
   */
  seed?: number;
  /** A generator to draw the initial vectors from (advances it). */
  rng?: Rng;
}

const EMBEDDING_KEYS: readonly string[] = ['numEmbeddings', 'embeddingDim', 'paddingIdx', 'seed', 'rng'];

/**
 * A trainable lookup table from integer ids to vectors, PyTorch-compatible (`weight [V, E]`,
 * initialised N(0, 1); a `torch.nn.Embedding` state dict loads as is).
 * @example
 * ```ts
 * const embed = new Embedding({ numEmbeddings: vocab.size, embeddingDim: 32, paddingIdx: 0, seed: 1 });
 * const ids = indexTensor([[5, 9], [7, 0]]);   // [T=2, B=2]
 * const x = embed.forward(ids);                // [T=2, B=2, E=32]
 * ```
 * @category Layers
 */
export class Embedding extends StoreModule {
  /** V: vocabulary size. */
  readonly numEmbeddings: number;
  /** E: vector size. */
  readonly embeddingDim: number;
  /** The padding id (normalised to [0, V)), or null. */
  readonly paddingIdx: number | null;
  /** The flat parameters: `weight [V, E]` (PyTorch name). */
  readonly params: ParamStore;
  private readonly weight: Float32Array; // [V, E]
  private readonly dWeight: Float32Array; // [V, E]

  /**
   * @param opts - sizes, padding id, seed or rng.
   * @throws ConfigError on a missing, unknown or invalid option (paddingIdx outside [−V, V)).
   */
  constructor(opts: EmbeddingOptions) {
    super();
    const where = 'Embedding';
    if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object.`);
    checkKnownKeys(where, opts, EMBEDDING_KEYS);
    const V = checkPositiveInt(where, 'numEmbeddings', opts.numEmbeddings);
    const E = checkPositiveInt(where, 'embeddingDim', opts.embeddingDim);
    let pad: number | null = null;
    if (opts.paddingIdx !== undefined) {
      const p: unknown = opts.paddingIdx;
      if (typeof p !== 'number' || !Number.isInteger(p) || p < -V || p >= V) {
        throw new ConfigError(`${where}: paddingIdx must be an integer in [-V, V) = [${-V}, ${V}), got ${describe(p)}.`);
      }
      pad = p < 0 ? V + p : p;
    }
    if (opts.rng !== undefined && opts.seed !== undefined) throw new ConfigError(`${where}: pass either seed or rng, not both.`);
    const rng = opts.rng ?? createRng(opts.seed ?? 0);

    this.numEmbeddings = V;
    this.embeddingDim = E;
    this.paddingIdx = pad;
    this.params = new ParamStore([{ name: 'weight', shape: [V, E] }]);
    this.weight = this.params.value('weight');
    this.dWeight = this.params.grad('weight');
    initNormal(this.weight, 0, 1, rng);
    if (pad !== null) this.weight.fill(0, pad * E, (pad + 1) * E);
  }

  /**
   * Looks up one vector per id.
   * With a tape, records the backward, which accumulates into the `weight` gradient (never into
   * the `paddingIdx` row); `ids` must not be modified before `tape.backward()`.
   * @param ids - integer ids of any shape, e.g. `[T, B]`; each in [0, V).
   * @param tape - records the backward pass when given (training).
   * @returns a new tensor `[...ids.shape, E]`.
   * @throws ShapeError when `ids` is not an index tensor, or an id is not an integer in [0, V)
   *   (the message names its position and value).
   * @example
   * ```ts
   * const x = embed.forward(indexTensor([1, 2, 3])); // [3, E]
   * ```
   */
  forward(ids: IndexTensor, tape?: Tape): Tensor {
    const where = 'Embedding.forward';
    const V = this.numEmbeddings, E = this.embeddingDim;
    const idx = checkIndexTensor(where, 'ids', ids, `an integer id in [0, V=${V})`);
    const N = shapeSize(idx.shape);
    const data = idx.data; // [N]
    for (let n = 0; n < N; n++) {
      const v = data[n] as number;
      if (v < 0 || v >= V) {
        const pos = idx.shape.length > 0 ? `[${unravel(n, idx.shape).join(', ')}]` : '';
        throw new ShapeError(
          `Embedding.forward: ids${pos} = ${v} is out of range, expected an id in [0, V=${V}) (ids ${fmtShape(idx.shape)}).` +
            (v === V ? ' Was the vocabulary grown after the embedding was built?' : v < 0 ? ' Negative ids are not allowed; map padding to a real id (e.g. paddingIdx).' : ''),
        );
      }
    }
    const y: Tensor = { shape: [...idx.shape, E], data: allocFloat32(N * E) }; // [N, E]
    const out = y.data, w = this.weight;
    for (let n = 0; n < N; n++) {
      const src = (data[n] as number) * E, dst = n * E;
      for (let j = 0; j < E; j++) out[dst + j] = w[src + j] as number;
    }
    if (tape) {
      const pad = this.paddingIdx ?? -1;
      tape.push(() => {
        const dy = tape.grad(y); // [N, E]
        const dw = this.dWeight;
        for (let n = 0; n < N; n++) {
          const id = data[n] as number;
          if (id === pad) continue;
          const dst = id * E, src = n * E;
          for (let j = 0; j < E; j++) dw[dst + j] += dy[src + j] as number;
        }
      });
    }
    return y;
  }

}
