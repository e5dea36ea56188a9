/**
 * The input projection shared by every cell: one gemm over all T·B rows before the time loop,
 * and its backward as two gemms after it.
 * @module
 */
import { addBiasRows } from '../kernel/elementwise.js';
import { gemm } from '../kernel/gemm.js';
import { addColumnSums } from '../kernel/reduce.js';
import type { CellWeights } from './cell-core.js';

/**
 * xg[rows, G] ← x[rows, I] · W_ihᵀ + b_ih.
 * @internal
 */
export function projectInput(w: CellWeights, xg: Float32Array, x: Float32Array, rows: number, I: number, G: number): void {
  gemm(xg, x, w.weightIh, rows, G, I, false, true, 1, 0);
  if (w.biasIh) addBiasRows(xg, w.biasIh, rows, G);
}

/**
 * dx[rows, I] += dxg · W_ih (when dx is non-null); dW_ih += dxgᵀ · x; db_ih += Σ rows dxg.
 * @internal
 */
export function projectInputBackward(
  w: CellWeights,
  dx: Float32Array | null,
  dxg: Float32Array,
  x: Float32Array,
  rows: number,
  I: number,
  G: number,
): void {
  if (rows === 0) return;
  if (dx) gemm(dx, dxg, w.weightIh, rows, I, G, false, false, 1, 1);
  gemm(w.dWeightIh, dxg, x, G, I, rows, true, false, 1, 1);
  if (w.dBiasIh) addColumnSums(w.dBiasIh, dxg, rows, G);
}
