/**
 * The Cell contract that `sequence/` unrolls. A core is one cell's math for one (layer,
 * direction), bound to its weight views. It never loops over time and never sees lengths.
 *
 * Per time step the unroller calls, in order:
 *   forward:  projectInput (once, all T·B rows) → stepForward (each t)
 *   backward: stepBackward (each t, reversed) → projectInputBackward (once, all T·B rows)
 * Every backward piece accumulates (`+=`) into gradients; callers zero.
 * @module
 */
import type { ParamStore } from '../layers/param-store.js';

/**
 * Weight and gradient views of one cell, in PyTorch layout:
 * weightIh `[G, I]`, weightHh `[G, H]`, biasIh `[G]`, biasHh `[G]`, with G = gates·H.
 * Biases are null when the cell was built with `bias: false`.
 * @category Cells
 */
export interface CellWeights {
  /** `[G, I]` */
  readonly weightIh: Float32Array;
  /** `[G, H]` */
  readonly weightHh: Float32Array;
  /** `[G]` or null */
  readonly biasIh: Float32Array | null;
  /** `[G]` or null */
  readonly biasHh: Float32Array | null;
  /** gradient of weightIh, `[G, I]` */
  readonly dWeightIh: Float32Array;
  /** gradient of weightHh, `[G, H]` */
  readonly dWeightHh: Float32Array;
  /** gradient of biasIh, `[G]` or null */
  readonly dBiasIh: Float32Array | null;
  /** gradient of biasHh, `[G]` or null */
  readonly dBiasHh: Float32Array | null;
}

/**
 * Binds the four tensors `weight_ih<suffix>`, `weight_hh<suffix>`, `bias_ih<suffix>`,
 * `bias_hh<suffix>` of a store (biases optional).
 * @internal
 */
export function bindCellWeights(store: ParamStore, suffix: string, bias: boolean): CellWeights {
  return {
    weightIh: store.value('weight_ih' + suffix),
    weightHh: store.value('weight_hh' + suffix),
    biasIh: bias ? store.value('bias_ih' + suffix) : null,
    biasHh: bias ? store.value('bias_hh' + suffix) : null,
    dWeightIh: store.grad('weight_ih' + suffix),
    dWeightHh: store.grad('weight_hh' + suffix),
    dBiasIh: bias ? store.grad('bias_ih' + suffix) : null,
    dBiasHh: bias ? store.grad('bias_hh' + suffix) : null,
  };
}

/**
 * Which recurrent cell.
 * @category Cells
 */
export type CellKind = 'rnn' | 'lstm' | 'gru';

/**
 * One cell's forward and backward pieces, bound to its weights. All buffers are row-major and
 * hold exactly `B` rows for the step functions; `xg` and `dxg` hold the projected input of the
 * step (`[B, G]`). The LSTM uses `c`, `cPrev`, `dc`, `dcPrev`; the others ignore them.
 * Advanced: this is what `RNN` / `LSTM` / `GRU` unroll; users normally call a cell's `step`.
 * @category Cells
 */
export interface CellCore {
  /** Which cell. */
  readonly kind: CellKind;
  /** I: input features. */
  readonly inputSize: number;
  /** H: hidden size. */
  readonly hiddenSize: number;
  /** G = gates · H: rows of the weight matrices. */
  readonly gateSize: number;
  /** True for the LSTM (it carries c). */
  readonly hasCellState: boolean;
  /** Floats cached per batch row per step for backward. */
  readonly cacheCols: number;
  /** The bound weight and gradient views. */
  readonly weights: CellWeights;
  /** xg[rows, G] ← x[rows, I] · W_ihᵀ + b_ih. */
  projectInput(xg: Float32Array, x: Float32Array, rows: number): void;
  /** One step: h, c (and cache when non-null) from xg, hPrev, cPrev. */
  stepForward(
    h: Float32Array,
    c: Float32Array,
    cache: Float32Array | null,
    xg: Float32Array,
    hPrev: Float32Array,
    cPrev: Float32Array,
    B: number,
  ): void;
  /**
   * Backward of one step given the total gradients dh (and dc) of the step's outputs:
   * dxg ← (overwrites) gradient of the projected input; dhPrev, dcPrev += ; dW_hh, db_hh += .
   * `dh` and `dc` may be modified (used as scratch).
   */
  stepBackward(
    dxg: Float32Array,
    dhPrev: Float32Array,
    dcPrev: Float32Array,
    dh: Float32Array,
    dc: Float32Array,
    cache: Float32Array,
    h: Float32Array,
    hPrev: Float32Array,
    cPrev: Float32Array,
    B: number,
  ): void;
  /** dx[rows, I] += dxg · W_ih (when dx non-null); dW_ih += dxgᵀ · x; db_ih += Σ rows dxg. */
  projectInputBackward(dx: Float32Array | null, dxg: Float32Array, x: Float32Array, rows: number): void;
}
