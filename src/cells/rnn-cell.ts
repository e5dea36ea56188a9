/**
 * `RNNCell`: one step of an Elman RNN, `h' = act(W_ih x + b_ih + W_hh h + b_hh)` with
 * act = tanh (default) or relu, exactly as PyTorch's `nn.RNNCell`.
 * @module
 */
import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { CellBase, resolveCellOptions, type CellOptions, type HiddenState } from './cell-base.js';
import { bindCellWeights, type CellCore, type CellKind } from './cell-core.js';
import { initCellWeights } from './init-scheme.js';
import { RnnCore, type Nonlinearity } from './rnn-core.js';

/**
 * Options of {@link RNNCell}.
 * @category Cells
 */
export interface RNNCellOptions extends CellOptions {
  /**
   * The activation.
   * @defaultValue 'tanh'
   */
  nonlinearity?: Nonlinearity;
}

/** @internal */
export function checkNonlinearity(where: string, v: unknown): Nonlinearity {
  if (v !== 'tanh' && v !== 'relu') throw new ConfigError(`${where}: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(v)}.`);
  return v;
}

/**
 * An Elman RNN cell (one time step), PyTorch-compatible.
 * @example
 * ```ts
 * const cell = new RNNCell({ inputSize: 8, hiddenSize: 16, seed: 1 });
 * let state = cell.initialState(4);
 * for (const xt of steps) state = cell.step(xt, state); // xt: [4, 8]
 * ```
 * @category Cells
 */
export class RNNCell extends CellBase<HiddenState> {
  /** The step math (advanced). */
  readonly core: CellCore;
  /** Always `'rnn'`. */
  readonly kind: CellKind = 'rnn';
  /** The activation. */
  readonly nonlinearity: Nonlinearity;
  protected readonly label: string = 'RNNCell';

  /**
   * @param opts - sizes, bias, init scheme, seed or rng, nonlinearity.
   * @throws ConfigError on a missing, unknown or invalid option.
   */
  constructor(opts: RNNCellOptions) {
    const o = resolveCellOptions('RNNCell', opts, ['nonlinearity']);
    super(o, 1);
    this.nonlinearity = checkNonlinearity('RNNCell', opts.nonlinearity ?? 'tanh');
    const w = bindCellWeights(this.params, '', o.bias);
    initCellWeights(w, 'rnn', o.inputSize, o.hiddenSize, o.init, o.rng);
    this.core = new RnnCore(w, o.inputSize, o.hiddenSize, this.nonlinearity);
  }

  protected wrap(h: Tensor): HiddenState {
    return { h };
  }
}
