/**
 * Stateful streaming inference: feed a unidirectional recurrent layer one step or one chunk at
 * a time and get the same numbers as a single pass over the whole sequence.
 * @module
 */
import { ConfigError, ShapeError } from '../errors.js';
import { allocFloat32 } from '../kernel/alloc.js';
import { checkPositiveInt, fmtShape } from '../shapes.js';
import { checkTensor, type Tensor } from '../tensor.js';
import type { RecurrentBase, RecurrentOutput } from './recurrent.js';

/**
 * Carries `hN` (and `cN`) of a recurrent layer across calls.
 * @example
 * ```ts
 * const stream = new RecurrentStream(lstm, 1);
 * for (const frame of frames) {
 *   const y = stream.step(frame);        // frame [1, I] → y [1, H]
 * }
 * stream.reset();
 * ```
 * @category Sequence
 */
export class RecurrentStream {
  /** B: the batch size of the stream. */
  readonly batch: number;
  private h: Tensor;
  private c: Tensor | null;
  private readonly layer: RecurrentBase<RecurrentOutput & { cN?: Tensor }>;

  /**
   * @param layer - a unidirectional RNN, LSTM or GRU (time-major or batch-first).
   * @param batch - B, the number of parallel streams.
   * @throws ConfigError for a bidirectional layer (it needs the future) or a bad batch.
   */
  constructor(layer: RecurrentBase<RecurrentOutput>, batch: number) {
    if (layer.bidirectional) {
      throw new ConfigError('RecurrentStream: a bidirectional layer cannot stream (its reverse direction needs the whole sequence).');
    }
    this.batch = checkPositiveInt('RecurrentStream', 'batch', batch);
    this.layer = layer as RecurrentBase<RecurrentOutput & { cN?: Tensor }>;
    const shape = [layer.numLayers, batch, layer.hiddenSize];
    const n = layer.numLayers * batch * layer.hiddenSize;
    this.h = { shape, data: allocFloat32(n) };
    this.c = layer.cores[0]?.hasCellState ? { shape, data: allocFloat32(n) } : null;
  }

  /**
   * Processes a chunk of steps, continuing from the carried state.
   * @param x - `[T, B, I]` (or `[B, T, I]` when the layer is batch-first).
   * @returns the chunk's top-layer output `[T, B, H]` (layout as the layer's).
   * @throws ShapeError on a shape mismatch.
   */
  forward(x: Tensor): Tensor {
    const r = this.layer.forward(x, this.c ? { h0: this.h, c0: this.c } : { h0: this.h });
    this.h = r.hN;
    if (this.c && r.cN) this.c = r.cN;
    return r.output;
  }

  /**
   * Processes one time step.
   * @param x - `[B, I]`.
   * @returns `[B, H]`, the top layer's output at this step.
   * @throws ShapeError on a shape mismatch.
   */
  step(x: Tensor): Tensor {
    checkTensor('RecurrentStream.step', 'x', x);
    if (x.shape.length !== 2 || x.shape[0] !== this.batch || x.shape[1] !== this.layer.inputSize) {
      throw new ShapeError(`RecurrentStream.step: x expected shape [B=${this.batch}, I=${this.layer.inputSize}], got ${fmtShape(x.shape)}.`);
    }
    const shape = this.layer.batchFirst ? [this.batch, 1, this.layer.inputSize] : [1, this.batch, this.layer.inputSize];
    const y = this.forward({ shape, data: x.data });
    return { shape: [this.batch, this.layer.hiddenSize], data: y.data };
  }

  /**
   * The carried state.
   * @returns `hN` (and `cN` for an LSTM), each `[L, B, H]`.
   */
  state(): { readonly hN: Tensor; readonly cN: Tensor | null } {
    return { hN: this.h, cN: this.c };
  }

  /** Zeroes the carried state. */
  reset(): void {
    this.h = { shape: this.h.shape, data: allocFloat32(this.h.data.length) };
    if (this.c) this.c = { shape: this.c.shape, data: allocFloat32(this.c.data.length) };
  }
}
