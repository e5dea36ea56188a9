/**
 * LSTM cell (PyTorch `nn.LSTMCell`, gate order i, f, g, o):
 *
 *   [gi gf gg go] = W_ih x + b_ih + W_hh h + b_hh
 *   i = σ(gi)   f = σ(gf)   g = tanh(gg)   o = σ(go)
 *   c' = f ⊙ c + i ⊙ g
 *   h' = o ⊙ tanh(c')
 *
 * Backward, from the cached post-activation gates and tanh(c'):
 *   do = dh ⊙ tanh(c');  dc_tot = dc + dh ⊙ o ⊙ (1 − tanh²(c'))
 *   di = dc_tot ⊙ g;  df = dc_tot ⊙ c;  dg = dc_tot ⊙ i;  dc_prev += dc_tot ⊙ f
 *   pre-activation: di·i(1−i), df·f(1−f), dg·(1−g²), do·o(1−o)
 * The pre-activation gradient is both d(xg) and d(gh): dh_prev += dG · W_hh, dW_hh += dGᵀ · h.
 * @module
 */
import { allocFloat32 } from '../kernel/alloc.js';
import { sigmoidScalar } from '../kernel/activations.js';
import { addBiasRows } from '../kernel/elementwise.js';
import { gemm } from '../kernel/gemm.js';
import { addColumnSums } from '../kernel/reduce.js';
import type { CellCore, CellKind, CellWeights } from './cell-core.js';
import { projectInput, projectInputBackward } from './project.js';

/** @internal */
export class LstmCore implements CellCore {
  readonly kind: CellKind = 'lstm';
  readonly gateSize: number;
  readonly hasCellState = true;
  readonly cacheCols: number; // per row: i | f | g | o | tanh(c')  = 5H
  private gh: Float32Array; // [B, 4H] scratch: recurrent pre-activations

  constructor(
    readonly weights: CellWeights,
    readonly inputSize: number,
    readonly hiddenSize: number,
  ) {
    this.gateSize = 4 * hiddenSize;
    this.cacheCols = 5 * hiddenSize;
    this.gh = allocFloat32(0);
  }

  private scratch(B: number): Float32Array {
    const n = B * this.gateSize;
    if (this.gh.length < n) this.gh = allocFloat32(n);
    return this.gh;
  }

  projectInput(xg: Float32Array, x: Float32Array, rows: number): void {
    projectInput(this.weights, xg, x, rows, this.inputSize, this.gateSize);
  }

  stepForward(
    h: Float32Array,
    c: Float32Array,
    cache: Float32Array | null,
    xg: Float32Array,
    hPrev: Float32Array,
    cPrev: Float32Array,
    B: number,
  ): void {
    const H = this.hiddenSize;
    const G = this.gateSize;
    const C = this.cacheCols;
    const w = this.weights;
    const gh = this.scratch(B);
    gemm(gh, hPrev, w.weightHh, B, G, H, false, true, 1, 0);
    if (w.biasHh) addBiasRows(gh, w.biasHh, B, G);
    for (let b = 0; b < B; b++) {
      const gRow = b * G;
      const sRow = b * H;
      const cRow = b * C;
      for (let j = 0; j < H; j++) {
        const k = gRow + j;
        const i = sigmoidScalar(xg[k] + gh[k]);
        const f = sigmoidScalar(xg[k + H] + gh[k + H]);
        const g = Math.tanh(xg[k + 2 * H] + gh[k + 2 * H]);
        const o = sigmoidScalar(xg[k + 3 * H] + gh[k + 3 * H]);
        const cNew = f * cPrev[sRow + j] + i * g;
        const tc = Math.tanh(cNew);
        c[sRow + j] = cNew;
        h[sRow + j] = o * tc;
        if (cache !== null) {
          const q = cRow + j;
          cache[q] = i;
          cache[q + H] = f;
          cache[q + 2 * H] = g;
          cache[q + 3 * H] = o;
          cache[q + 4 * H] = tc;
        }
      }
    }
  }

  stepBackward(
    dxg: Float32Array,
    dhPrev: Float32Array,
    dcPrev: Float32Array,
    dh: Float32Array,
    dc: Float32Array,
    cache: Float32Array,
    _h: Float32Array,
    hPrev: Float32Array,
    cPrev: Float32Array,
    B: number,
  ): void {
    const H = this.hiddenSize;
    const G = this.gateSize;
    const C = this.cacheCols;
    const w = this.weights;
    for (let b = 0; b < B; b++) {
      const gRow = b * G;
      const sRow = b * H;
      const cRow = b * C;
      for (let j = 0; j < H; j++) {
        const q = cRow + j;
        const i = cache[q];
        const f = cache[q + H];
        const g = cache[q + 2 * H];
        const o = cache[q + 3 * H];
        const tc = cache[q + 4 * H];
        const dhv = dh[sRow + j];
        const dcTot = dc[sRow + j] + dhv * o * (1 - tc * tc);
        const k = gRow + j;
        dxg[k] = dcTot * g * i * (1 - i);
        dxg[k + H] = dcTot * cPrev[sRow + j] * f * (1 - f);
        dxg[k + 2 * H] = dcTot * i * (1 - g * g);
        dxg[k + 3 * H] = dhv * tc * o * (1 - o);
        dcPrev[sRow + j] += dcTot * f;
      }
    }
    gemm(dhPrev, dxg, w.weightHh, B, H, G, false, false, 1, 1);
    gemm(w.dWeightHh, dxg, hPrev, G, H, B, true, false, 1, 1);
    if (w.dBiasHh) addColumnSums(w.dBiasHh, dxg, B, G);
  }

  projectInputBackward(dx: Float32Array | null, dxg: Float32Array, x: Float32Array, rows: number): void {
    projectInputBackward(this.weights, dx, dxg, x, rows, this.inputSize, this.gateSize);
  }
}
