/**
 * `RNN`, `LSTM` and `GRU`: recurrent layers over whole sequences, PyTorch-compatible
 * (`torch.nn.RNN` / `LSTM` / `GRU`: same options, weight names, shapes, gate orders and
 * direction/layer ordering of `hN`).
 * @module
 */
import { bindCellWeights, type CellKind } from '../cells/cell-core.js';
import { GruCore } from '../cells/gru-core.js';
import { checkResetAfter } from '../cells/gru-cell.js';
import { initCellWeights } from '../cells/init-scheme.js';
import { LstmCore } from '../cells/lstm-core.js';
import { RnnCore, type Nonlinearity } from '../cells/rnn-core.js';
import { checkNonlinearity } from '../cells/rnn-cell.js';
import type { Tensor } from '../tensor.js';
import { resolveRecurrentOptions, type RecurrentOptions } from './options.js';
import { RecurrentBase, type LstmOutput, type RecurrentOutput } from './recurrent.js';

/**
 * Options of {@link RNN}.
 * @category Sequence
 */
export interface RNNOptions extends RecurrentOptions {
  /**
   * The activation.
   * @defaultValue 'tanh'
   */
  nonlinearity?: Nonlinearity;
}

/**
 * Options of {@link LSTM}.
 * @category Sequence
 */
export type LSTMOptions = RecurrentOptions;

/**
 * Options of {@link GRU}.
 * @category Sequence
 */
export interface GRUOptions extends RecurrentOptions {
  /**
   * Reset gate after the recurrent matmul (PyTorch). False gives the TF.js / Keras
   * `reset_after=False` variant.
   * @defaultValue true
   */
  resetAfter?: boolean;
}

/**
 * A multi-layer Elman RNN over sequences.
 * @example
 * ```ts
 * const rnn = new RNN({ inputSize: 8, hiddenSize: 16, numLayers: 2, nonlinearity: 'relu', seed: 1 });
 * const { output, hN } = rnn.forward(x); // x: [T, B, 8] → output [T, B, 16], hN [2, B, 16]
 * ```
 * @category Sequence
 */
export class RNN extends RecurrentBase<RecurrentOutput> {
  /** Always `'rnn'`. */
  readonly kind: CellKind = 'rnn';
  /** The activation. */
  readonly nonlinearity: Nonlinearity;
  protected readonly label: string = 'RNN';

  /**
   * @param opts - see {@link RNNOptions}.
   * @throws ConfigError on a missing, unknown or invalid option.
   */
  constructor(opts: RNNOptions) {
    const o = resolveRecurrentOptions('RNN', opts, ['nonlinearity']);
    const nl = checkNonlinearity('RNN', opts.nonlinearity ?? 'tanh');
    super(o, 1, (store, suffix, I) => {
      const w = bindCellWeights(store, suffix, o.bias);
      initCellWeights(w, 'rnn', I, o.hiddenSize, o.init, o.rng);
      return new RnnCore(w, I, o.hiddenSize, nl);
    });
    this.nonlinearity = nl;
  }

  protected wrap(output: Tensor, hN: Tensor): RecurrentOutput {
    return { output, hN };
  }
}

/**
 * A multi-layer long short-term memory over sequences.
 * @example
 * ```ts
 * const lstm = new LSTM({ inputSize: 32, hiddenSize: 64, numLayers: 2, bidirectional: true, seed: 1 });
 * const { output, hN, cN } = lstm.forward(x, { lengths }); // x [T, B, 32] → output [T, B, 128]
 * // training
 * const tape = new Tape();
 * const r = lstm.forward(x, { lengths, tape });
 * ```
 * @category Sequence
 */
export class LSTM extends RecurrentBase<LstmOutput> {
  /** Always `'lstm'`. */
  readonly kind: CellKind = 'lstm';
  protected readonly label: string = 'LSTM';

  /**
   * @param opts - see {@link LSTMOptions}.
   * @throws ConfigError on a missing, unknown or invalid option.
   */
  constructor(opts: LSTMOptions) {
    const o = resolveRecurrentOptions('LSTM', opts, []);
    super(o, 4, (store, suffix, I) => {
      const w = bindCellWeights(store, suffix, o.bias);
      initCellWeights(w, 'lstm', I, o.hiddenSize, o.init, o.rng);
      return new LstmCore(w, I, o.hiddenSize);
    });
  }

  protected wrap(output: Tensor, hN: Tensor, cN: Tensor | null): LstmOutput {
    return { output, hN, cN: cN as Tensor };
  }
}

/**
 * A multi-layer gated recurrent unit over sequences.
 * @example
 * ```ts
 * const gru = new GRU({ inputSize: 16, hiddenSize: 32, bidirectional: true, seed: 1 });
 * const { output, hN } = gru.forward(x, { lengths: [5, 3, 4] });
 * ```
 * @category Sequence
 */
export class GRU extends RecurrentBase<RecurrentOutput> {
  /** Always `'gru'`. */
  readonly kind: CellKind = 'gru';
  /** Whether the reset gate is applied after the recurrent matmul. */
  readonly resetAfter: boolean;
  protected readonly label: string = 'GRU';

  /**
   * @param opts - see {@link GRUOptions}.
   * @throws ConfigError on a missing, unknown or invalid option.
   */
  constructor(opts: GRUOptions) {
    const o = resolveRecurrentOptions('GRU', opts, ['resetAfter']);
    const resetAfter = checkResetAfter('GRU', opts.resetAfter ?? true);
    super(o, 3, (store, suffix, I) => {
      const w = bindCellWeights(store, suffix, o.bias);
      initCellWeights(w, 'gru', I, o.hiddenSize, o.init, o.rng);
      return new GruCore(w, I, o.hiddenSize, resetAfter);
    });
    this.resetAfter = resetAfter;
  }

  protected wrap(output: Tensor, hN: Tensor): RecurrentOutput {
    return { output, hN };
  }
}
