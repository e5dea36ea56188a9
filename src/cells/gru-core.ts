/**
 * GRU cell, gate order r, z, n. Two variants of the candidate n:
 *
 *   PyTorch `nn.GRUCell` (resetAfter: true, the default):
 *     [gr gz gn] = W_hh h + b_hh
 *     r = σ(xr + gr)   z = σ(xz + gz)   n = tanh(xn + r ⊙ gn)
 *   Keras `reset_after=False` / TF.js GRU (resetAfter: false):
 *     r, z as above from the first 2H rows;  n = tanh(xn + W_hn (r ⊙ h) + b_hn)
 *
 *   h' = (1 − z) ⊙ n + z ⊙ h            where [xr xz xn] = W_ih x + b_ih
 *
 * Backward: dn = dh ⊙ (1 − z), dz = dh ⊙ (h − n), dh_prev += dh ⊙ z,
 *   dn_pre = dn ⊙ (1 − n²), dz_pre = dz ⊙ z(1 − z), dr_pre = dr ⊙ r(1 − r), with
 *   resetAfter:  dr = dn_pre ⊙ gn and d(gn) = dn_pre ⊙ r
 *   otherwise:   d(rh) = dn_pre · W_hn, dr = d(rh) ⊙ h, dh_prev += d(rh) ⊙ r.
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
export class GruCore implements CellCore {
  readonly kind: CellKind = 'gru';
  readonly gateSize: number;
  readonly hasCellState = false;
  readonly cacheCols: number; // per row: r | z | n | (gn when resetAfter, else r⊙h) = 4H
  private gh: Float32Array; // [B, 3H] scratch: recurrent pre-activations / their gradient
  private rh: Float32Array; // [B, H] scratch (resetAfter: false)
  private drh: Float32Array; // [B, H] scratch (resetAfter: false)
  private readonly whRz: Float32Array; // [2H, H] rows r|z of W_hh
  private readonly whN: Float32Array; // [H, H] rows n of W_hh
  private readonly dwhRz: Float32Array;
  private readonly dwhN: Float32Array;
  private readonly bhRz: Float32Array | null;
  private readonly bhN: Float32Array | null;
  private readonly dbhRz: Float32Array | null;
  private readonly dbhN: Float32Array | null;

  constructor(
    readonly weights: CellWeights,
    readonly inputSize: number,
    readonly hiddenSize: number,
    readonly resetAfter: boolean,
  ) {
    const H = hiddenSize;
    this.gateSize = 3 * H;
    this.cacheCols = 4 * H;
    this.gh = allocFloat32(0);
    this.rh = allocFloat32(0);
    this.drh = allocFloat32(0);
    const w = weights;
    this.whRz = w.weightHh.subarray(0, 2 * H * H);
    this.whN = w.weightHh.subarray(2 * H * H, 3 * H * H);
    this.dwhRz = w.dWeightHh.subarray(0, 2 * H * H);
    this.dwhN = w.dWeightHh.subarray(2 * H * H, 3 * H * H);
    this.bhRz = w.biasHh ? w.biasHh.subarray(0, 2 * H) : null;
    this.bhN = w.biasHh ? w.biasHh.subarray(2 * H, 3 * H) : null;
    this.dbhRz = w.dBiasHh ? w.dBiasHh.subarray(0, 2 * H) : null;
    this.dbhN = w.dBiasHh ? w.dBiasHh.subarray(2 * H, 3 * H) : null;
  }

  private ensure(B: number): void {
    if (this.gh.length < B * this.gateSize) this.gh = allocFloat32(B * this.gateSize);
    if (!this.resetAfter && this.rh.length < B * this.hiddenSize) {
      this.rh = allocFloat32(B * this.hiddenSize);
      this.drh = allocFloat32(B * this.hiddenSize);
    }
  }

  projectInput(xg: Float32Array, x: Float32Array, rows: number): void {
    projectInput(this.weights, xg, x, rows, this.inputSize, this.gateSize);
  }

  stepForward(
    h: Float32Array,
    _c: Float32Array,
    cache: Float32Array | null,
    xg: Float32Array,
    hPrev: Float32Array,
    _cPrev: Float32Array,
    B: number,
  ): void {
    this.ensure(B);
    const H = this.hiddenSize;
    const G = this.gateSize;
    const C = this.cacheCols;
    const gh = this.gh;
    if (this.resetAfter) {
      gemm(gh, hPrev, this.weights.weightHh, B, G, H, false, true, 1, 0);
      if (this.weights.biasHh) addBiasRows(gh, this.weights.biasHh, B, G);
      for (let b = 0; b < B; b++) {
        const gRow = b * G, sRow = b * H, cRow = b * C;
        for (let j = 0; j < H; j++) {
          const k = gRow + j;
          const r = sigmoidScalar(xg[k] + gh[k]);
          const z = sigmoidScalar(xg[k + H] + gh[k + H]);
          const gn = gh[k + 2 * H];
          const n = Math.tanh(xg[k + 2 * H] + r * gn);
          h[sRow + j] = (1 - z) * n + z * hPrev[sRow + j];
          if (cache !== null) {
            const q = cRow + j;
            cache[q] = r;
            cache[q + H] = z;
            cache[q + 2 * H] = n;
            cache[q + 3 * H] = gn;
          }
        }
      }
      return;
    }
    // resetAfter: false — r and z first (gh holds [B, 2H]), then n from r ⊙ h.
    const H2 = 2 * H;
    const rh = this.rh;
    gemm(gh, hPrev, this.whRz, B, H2, H, false, true, 1, 0);
    if (this.bhRz) addBiasRows(gh, this.bhRz, B, H2);
    for (let b = 0; b < B; b++) {
      const gRow = b * G, zRow = b * H2, sRow = b * H;
      for (let j = 0; j < H; j++) {
        const r = sigmoidScalar(xg[gRow + j] + gh[zRow + j]);
        rh[sRow + j] = r * hPrev[sRow + j];
        gh[zRow + j] = r; // keep r; its pre-activation is no longer needed
      }
    }
    const gn = h; // borrow h as [B, H] scratch for W_hn (r ⊙ h) + b_hn
    gemm(gn, rh, this.whN, B, H, H, false, true, 1, 0);
    if (this.bhN) addBiasRows(gn, this.bhN, B, H);
    for (let b = 0; b < B; b++) {
      const gRow = b * G, zRow = b * H2, sRow = b * H, cRow = b * C;
      for (let j = 0; j < H; j++) {
        const r = gh[zRow + j];
        const z = sigmoidScalar(xg[gRow + H + j] + gh[zRow + H + j]);
        const n = Math.tanh(xg[gRow + 2 * H + j] + gn[sRow + j]);
        h[sRow + j] = (1 - z) * n + z * hPrev[sRow + j];
        if (cache !== null) {
          const q = cRow + j;
          cache[q] = r;
          cache[q + H] = z;
          cache[q + 2 * H] = n;
          cache[q + 3 * H] = rh[sRow + j];
        }
      }
    }
  }

  stepBackward(
    dxg: Float32Array,
    dhPrev: Float32Array,
    _dcPrev: Float32Array,
    dh: Float32Array,
    _dc: Float32Array,
    cache: Float32Array,
    _h: Float32Array,
    hPrev: Float32Array,
    _cPrev: Float32Array,
    B: number,
  ): void {
    this.ensure(B);
    const H = this.hiddenSize;
    const G = this.gateSize;
    const C = this.cacheCols;
    const dgh = this.gh; // [B, 3H] gradient of the recurrent pre-activations
    if (this.resetAfter) {
      for (let b = 0; b < B; b++) {
        const gRow = b * G, sRow = b * H, cRow = b * C;
        for (let j = 0; j < H; j++) {
          const q = cRow + j;
          const r = cache[q], z = cache[q + H], n = cache[q + 2 * H], gn = cache[q + 3 * H];
          const d = dh[sRow + j];
          const hp = hPrev[sRow + j];
          dhPrev[sRow + j] += d * z;
          const dnp = d * (1 - z) * (1 - n * n);
          const dzp = d * (hp - n) * z * (1 - z);
          const drp = dnp * gn * r * (1 - r);
          const k = gRow + j;
          dxg[k] = drp;
          dxg[k + H] = dzp;
          dxg[k + 2 * H] = dnp;
          dgh[k] = drp;
          dgh[k + H] = dzp;
          dgh[k + 2 * H] = dnp * r;
        }
      }
      gemm(dhPrev, dgh, this.weights.weightHh, B, H, G, false, false, 1, 1);
      gemm(this.weights.dWeightHh, dgh, hPrev, G, H, B, true, false, 1, 1);
      if (this.weights.dBiasHh) addColumnSums(this.weights.dBiasHh, dgh, B, G);
      return;
    }
    const H2 = 2 * H;
    const rh = this.rh;
    const drh = this.drh;
    const dnp = dh; // reuse dh as [B, H] scratch for dn_pre once dh ⊙ z is taken
    for (let b = 0; b < B; b++) {
      const gRow = b * G, sRow = b * H, cRow = b * C, zRow = b * H2;
      for (let j = 0; j < H; j++) {
        const q = cRow + j;
        const z = cache[q + H], n = cache[q + 2 * H];
        const d = dh[sRow + j];
        const hp = hPrev[sRow + j];
        dhPrev[sRow + j] += d * z;
        dgh[zRow + H + j] = d * (hp - n) * z * (1 - z); // dz_pre
        dxg[gRow + H + j] = dgh[zRow + H + j];
        const v = d * (1 - z) * (1 - n * n);
        dxg[gRow + 2 * H + j] = v;
        dnp[sRow + j] = v;
        rh[sRow + j] = cache[q + 3 * H];
      }
    }
    // n-path: gn = W_hn (r ⊙ h) + b_hn
    gemm(drh, dnp, this.whN, B, H, H, false, false, 1, 0);
    gemm(this.dwhN, dnp, rh, H, H, B, true, false, 1, 1);
    if (this.dbhN) addColumnSums(this.dbhN, dnp, B, H);
    for (let b = 0; b < B; b++) {
      const gRow = b * G, sRow = b * H, cRow = b * C, zRow = b * H2;
      for (let j = 0; j < H; j++) {
        const r = cache[cRow + j];
        const d = drh[sRow + j];
        dhPrev[sRow + j] += d * r;
        const drp = d * hPrev[sRow + j] * r * (1 - r);
        dgh[zRow + j] = drp;
        dxg[gRow + j] = drp;
      }
    }
    gemm(dhPrev, dgh, this.whRz, B, H, H2, false, false, 1, 1);
    gemm(this.dwhRz, dgh, hPrev, H2, H, B, true, false, 1, 1);
    if (this.dbhRz) addColumnSums(this.dbhRz, dgh, B, H2);
  }

  projectInputBackward(dx: Float32Array | null, dxg: Float32Array, x: Float32Array, rows: number): void {
    projectInputBackward(this.weights, dx, dxg, x, rows, this.inputSize, this.gateSize);
  }
}
