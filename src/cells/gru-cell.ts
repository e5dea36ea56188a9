/**
 * `GRUCell`: one step of a gated recurrent unit, gate order r, z, n. By default the reset gate
 * multiplies `(W_hn h + b_hn)` as in PyTorch's `nn.GRUCell`; `resetAfter: false` gives the
 * Keras `reset_after=False` / TF.js variant `n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)`
 * (equations in `gru-core.ts`).
 * @module
 */
import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { CellBase, resolveCellOptions, type CellOptions, type HiddenState } from './cell-base.js';
import { bindCellWeights, type CellCore, type CellKind } from './cell-core.js';
import { GruCore } from './gru-core.js';
import { initCellWeights } from './init-scheme.js';

/**
 * Options of {@link GRUCell}.
 * @category Cells
 */
export interface GRUCellOptions extends CellOptions {
  /**
   * Apply the reset gate after the recurrent matmul (PyTorch, cuDNN, Keras v3 default). Set
   * false for the TF.js / Keras `reset_after=False` variant.
   * @defaultValue true
   */
  resetAfter?: boolean;
}

/** @internal */
export function checkResetAfter(where: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(`${where}: resetAfter must be a boolean, got ${typeof v}.`);
  return v;
}

/**
 * A gated recurrent unit cell (one time step), PyTorch-compatible.
 * @example
 * ```ts
 * const cell = new GRUCell({ inputSize: 8, hiddenSize: 16, seed: 1 });
 * let state = cell.initialState(4);
 * for (const xt of steps) state = cell.step(xt, state);
 * ```
 * @category Cells
 */
export class GRUCell extends CellBase<HiddenState> {
  /** The step math (advanced). */
  readonly core: CellCore;
  /** Always `'gru'`. */
  readonly kind: CellKind = 'gru';
  /** Whether the reset gate is applied after the recurrent matmul. */
  readonly resetAfter: boolean;
  protected readonly label: string = 'GRUCell';

  /**
   * @param opts - sizes, bias, init scheme, seed or rng, resetAfter.
   * @throws ConfigError on a missing, unknown or invalid option.
   */
  constructor(opts: GRUCellOptions) {
    const o = resolveCellOptions('GRUCell', opts, ['resetAfter']);
    super(o, 3);
    this.resetAfter = checkResetAfter('GRUCell', opts.resetAfter ?? true);
    const w = bindCellWeights(this.params, '', o.bias);
    initCellWeights(w, 'gru', o.inputSize, o.hiddenSize, o.init, o.rng);
    this.core = new GruCore(w, o.inputSize, o.hiddenSize, this.resetAfter);
  }

  protected wrap(h: Tensor): HiddenState {
    return { h };
  }
}
