/**
 * `LSTMCell`: one step of a long short-term memory cell, gate order i, f, g, o, exactly as
 * PyTorch's `nn.LSTMCell` (equations in `lstm-core.ts`).
 * @module
 */
import type { Tensor } from '../tensor.js';
import { CellBase, resolveCellOptions, type CellOptions, type LstmState } from './cell-base.js';
import { bindCellWeights, type CellCore, type CellKind } from './cell-core.js';
import { initCellWeights } from './init-scheme.js';
import { LstmCore } from './lstm-core.js';

/**
 * Options of {@link LSTMCell}.
 * @category Cells
 */
export type LSTMCellOptions = CellOptions;

/**
 * A long short-term memory cell (one time step), PyTorch-compatible.
 * @example
 * ```ts
 * const cell = new LSTMCell({ inputSize: 8, hiddenSize: 16, seed: 1 });
 * let state = cell.initialState(4);                  // { h: [4, 16], c: [4, 16] }
 * for (const xt of steps) state = cell.step(xt, state);
 * // training form
 * const cache = cell.createCache(4);
 * const next = cell.stepTrain(xt, state, cache);
 * const { dx, dState } = cell.backward({ h: dh, c: dc }, cache);
 * ```
 * @category Cells
 */
export class LSTMCell extends CellBase<LstmState> {
  /** The step math (advanced). */
  readonly core: CellCore;
  /** Always `'lstm'`. */
  readonly kind: CellKind = 'lstm';
  protected readonly label: string = 'LSTMCell';

  /**
   * @param opts - sizes, bias, init scheme, seed or rng.
   * @throws ConfigError on a missing, unknown or invalid option.
   */
  constructor(opts: LSTMCellOptions) {
    const o = resolveCellOptions('LSTMCell', opts, []);
    super(o, 4);
    const w = bindCellWeights(this.params, '', o.bias);
    initCellWeights(w, 'lstm', o.inputSize, o.hiddenSize, o.init, o.rng);
    this.core = new LstmCore(w, o.inputSize, o.hiddenSize);
  }

  protected wrap(h: Tensor, c: Tensor): LstmState {
    return { h, c };
  }
}
