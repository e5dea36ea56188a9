/**
 * Elman RNN cell (PyTorch `nn.RNNCell`):
 *
 *   h' = act(W_ih x + b_ih + W_hh h + b_hh),   act ∈ {tanh, relu}
 *
 * Backward (from the saved output h'): dpre = act'(h') ⊙ dh'; dxg = dpre;
 * dh += dpre · W_hh; dW_hh += dpreᵀ · h; db_hh += Σ_b dpre.
 * @module
 */
import { addBiasRows } from '../kernel/elementwise.js';
import { gemm } from '../kernel/gemm.js';
import { addColumnSums } from '../kernel/reduce.js';
import type { CellCore, CellKind, CellWeights } from './cell-core.js';
import { projectInput, projectInputBackward } from './project.js';

/**
 * The RNN nonlinearity.
 * @category Cells
 */
export type Nonlinearity = 'tanh' | 'relu';

/** @internal */
export class RnnCore implements CellCore {
  readonly kind: CellKind = 'rnn';
  readonly gateSize: number;
  readonly hasCellState = false;
  readonly cacheCols = 0;
  private readonly relu: boolean;

  constructor(
    readonly weights: CellWeights,
    readonly inputSize: number,
    readonly hiddenSize: number,
    nonlinearity: Nonlinearity,
  ) {
    this.gateSize = hiddenSize;
    this.relu = nonlinearity === 'relu';
  }

  projectInput(xg: Float32Array, x: Float32Array, rows: number): void {
    projectInput(this.weights, xg, x, rows, this.inputSize, this.gateSize);
  }

  stepForward(
    h: Float32Array,
    _c: Float32Array,
    _cache: Float32Array | null,
    xg: Float32Array,
    hPrev: Float32Array,
    _cPrev: Float32Array,
    B: number,
  ): void {
    const H = this.hiddenSize;
    const w = this.weights;
    // h[B, H] ← hPrev · W_hhᵀ + b_hh + xg, then the activation in place.
    gemm(h, hPrev, w.weightHh, B, H, H, false, true, 1, 0);
    if (w.biasHh) addBiasRows(h, w.biasHh, B, H);
    const n = B * H;
    if (this.relu) {
      for (let i = 0; i < n; i++) {
        const v = h[i] + xg[i];
        h[i] = v > 0 ? v : 0;
      }
    } else {
      for (let i = 0; i < n; i++) h[i] = Math.tanh(h[i] + xg[i]);
    }
  }

  stepBackward(
    dxg: Float32Array,
    dhPrev: Float32Array,
    _dcPrev: Float32Array,
    dh: Float32Array,
    _dc: Float32Array,
    _cache: Float32Array,
    h: Float32Array,
    hPrev: Float32Array,
    _cPrev: Float32Array,
    B: number,
  ): void {
    const H = this.hiddenSize;
    const w = this.weights;
    const n = B * H;
    if (this.relu) {
      for (let i = 0; i < n; i++) dxg[i] = h[i] > 0 ? dh[i] : 0;
    } else {
      for (let i = 0; i < n; i++) {
        const y = h[i];
        dxg[i] = (1 - y * y) * dh[i];
      }
    }
    // The pre-activation gradient is shared by the input and recurrent paths.
    gemm(dhPrev, dxg, w.weightHh, B, H, H, false, false, 1, 1);
    gemm(w.dWeightHh, dxg, hPrev, H, H, B, true, false, 1, 1);
    if (w.dBiasHh) addColumnSums(w.dBiasHh, dxg, B, H);
  }

  projectInputBackward(dx: Float32Array | null, dxg: Float32Array, x: Float32Array, rows: number): void {
    projectInputBackward(this.weights, dx, dxg, x, rows, this.inputSize, this.gateSize);
  }
}

