/**
 * The time loop for one (layer, direction): forward and backward through time.
 *
 * Forward: one gemm projects all T·B input rows (xg = X·W_ihᵀ + b_ih); each step then runs one
 * recurrent gemm and one fused gate loop inside the cell core. Backward accumulates dW_hh per
 * step inside the core and finishes with single gemms for dW_ih and dX over all T·B rows.
 *
 * States are indexed by processing order k: slot 0 is the initial state, slot k + 1 the state
 * after the k-th processed step, whose time index is k (forward) or T − 1 − k (reverse).
 * @module
 */
import type { CellCore } from '../cells/cell-core.js';
import { allocFloat32 } from '../kernel/alloc.js';
import { carryPadded } from './mask.js';

/**
 * Buffers of one (layer, direction) for one (T, B) shape, allocated once and reused; views per
 * step are created here, never in the time loop.
 * @internal
 */
export class DirectionBuffers {
  readonly xg: Float32Array; // [T·B, G] projected input; reused as its gradient in backward
  readonly xgSteps: Float32Array[]; // T views [B, G], by time index
  readonly hSlots: Float32Array[]; // T + 1 views [B, H], by processing order
  readonly cSlots: Float32Array[]; // T + 1 views [B, H] (LSTM) or empty
  readonly caches: Float32Array[]; // T views [B, cacheCols], by processing order (training only)
  readonly dh: Float32Array; // [B, H] running gradient of the state
  readonly dc: Float32Array; // [B, H]
  readonly dhPrev: Float32Array; // [B, H]
  readonly dcPrev: Float32Array; // [B, H]
  readonly dhStep: Float32Array; // [B, H] masked copy handed to the core
  readonly dcStep: Float32Array; // [B, H]

  constructor(core: CellCore, T: number, B: number, training: boolean) {
    const H = core.hiddenSize, G = core.gateSize;
    const BH = B * H;
    // Inference keeps only two state slots (ping-pong) and no caches.
    const slots = training ? T + 1 : 2;
    this.xg = allocFloat32(T * B * G);
    this.xgSteps = [];
    for (let t = 0; t < T; t++) this.xgSteps.push(this.xg.subarray(t * B * G, (t + 1) * B * G));
    const hAll = allocFloat32(slots * BH);
    const cAll = allocFloat32(core.hasCellState ? slots * BH : 0);
    this.hSlots = [];
    this.cSlots = [];
    for (let k = 0; k < slots; k++) {
      this.hSlots.push(hAll.subarray(k * BH, (k + 1) * BH));
      this.cSlots.push(core.hasCellState ? cAll.subarray(k * BH, (k + 1) * BH) : cAll);
    }
    this.caches = [];
    if (training) {
      const C = B * core.cacheCols;
      const cacheAll = allocFloat32(T * C);
      for (let k = 0; k < T; k++) this.caches.push(cacheAll.subarray(k * C, (k + 1) * C));
    }
    const n = training ? BH : 0;
    this.dh = allocFloat32(n);
    this.dc = allocFloat32(n);
    this.dhPrev = allocFloat32(n);
    this.dcPrev = allocFloat32(n);
    this.dhStep = allocFloat32(n);
    this.dcStep = allocFloat32(n);
  }

  /** The slot that holds the final state after T steps. */
  finalSlot(T: number, training: boolean): number {
    return training ? T : T % 2;
  }
}

/**
 * Runs one direction forward over T steps.
 * @param x - `[T·B, In]` layer input (time-major rows).
 * @param out - `[T, B, D·H]` layer output; this direction writes columns [dir·H, dir·H + H).
 * @internal
 */
export function unrollForward(
  core: CellCore,
  buf: DirectionBuffers,
  x: Float32Array,
  out: Float32Array,
  T: number,
  B: number,
  D: number,
  dir: number,
  lengths: Int32Array | null,
  training: boolean,
): void {
  const H = core.hiddenSize;
  const outCols = D * H;
  const reverse = dir === 1;
  core.projectInput(buf.xg, x, T * B);
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    const prev = training ? k : k % 2;
    const next = training ? k + 1 : (k + 1) % 2;
    const h = buf.hSlots[next] as Float32Array;
    const c = buf.cSlots[next] as Float32Array;
    const hPrev = buf.hSlots[prev] as Float32Array;
    const cPrev = buf.cSlots[prev] as Float32Array;
    core.stepForward(h, c, training ? (buf.caches[k] as Float32Array) : null, buf.xgSteps[t] as Float32Array, hPrev, cPrev, B);
    if (lengths !== null) {
      carryPadded(h, hPrev, lengths, t, B, H);
      if (core.hasCellState) carryPadded(c, cPrev, lengths, t, B, H);
    }
    // Emit: out[t, b, dir·H + j] = h[b, j], or 0 on a padded step.
    const tRow = t * B * outCols + dir * H;
    for (let b = 0; b < B; b++) {
      const o = tRow + b * outCols;
      const s = b * H;
      if (lengths !== null && t >= (lengths[b] as number)) {
        for (let j = 0; j < H; j++) out[o + j] = 0;
      } else {
        for (let j = 0; j < H; j++) out[o + j] = h[s + j] as number;
      }
    }
  }
}

/**
 * Backward through time for one direction. `dOut` is the gradient of the layer output
 * `[T, B, D·H]`; `dhN` / `dcN` of the final state (or null). Accumulates parameter gradients,
 * `dx += ∂L/∂x` over all T·B rows, and writes the gradient of the initial state into
 * `dh0` / `dc0` (+=) when non-null.
 * @internal
 */
export function unrollBackward(
  core: CellCore,
  buf: DirectionBuffers,
  x: Float32Array,
  dx: Float32Array | null,
  dOut: Float32Array | null,
  dhN: Float32Array | null,
  dcN: Float32Array | null,
  dh0: Float32Array | null,
  dc0: Float32Array | null,
  T: number,
  B: number,
  D: number,
  dir: number,
  lengths: Int32Array | null,
): void {
  const H = core.hiddenSize;
  const BH = B * H;
  const outCols = D * H;
  const reverse = dir === 1;
  const hasC = core.hasCellState;
  let dh = buf.dh, dc = buf.dc, dhPrev = buf.dhPrev, dcPrev = buf.dcPrev;
  if (dhN) dh.set(dhN);
  else dh.fill(0);
  if (hasC) {
    if (dcN) dc.set(dcN);
    else dc.fill(0);
  }
  for (let k = T - 1; k >= 0; k--) {
    const t = reverse ? T - 1 - k : k;
    // Total gradient of the state after this step: carried + from the output at time t.
    if (dOut !== null) {
      const tRow = t * B * outCols + dir * H;
      for (let b = 0; b < B; b++) {
        if (lengths !== null && t >= (lengths[b] as number)) continue; // padded output is constant 0
        const o = tRow + b * outCols;
        const s = b * H;
        for (let j = 0; j < H; j++) dh[s + j] += dOut[o + j] as number;
      }
    }
    const dhStep = buf.dhStep, dcStep = buf.dcStep;
    dhStep.set(dh);
    if (hasC) dcStep.set(dc);
    dhPrev.fill(0);
    if (hasC) dcPrev.fill(0);
    if (lengths !== null) {
      // Padded rows: the core sees zero gradient; the carried gradient passes through.
      for (let b = 0; b < B; b++) {
        if (t < (lengths[b] as number)) continue;
        const s = b * H;
        for (let j = 0; j < H; j++) {
          dhPrev[s + j] = dh[s + j] as number;
          dhStep[s + j] = 0;
          if (hasC) {
            dcPrev[s + j] = dc[s + j] as number;
            dcStep[s + j] = 0;
          }
        }
      }
    }
    core.stepBackward(
      buf.xgSteps[t] as Float32Array,
      dhPrev,
      dcPrev,
      dhStep,
      dcStep,
      buf.caches[k] as Float32Array,
      buf.hSlots[k + 1] as Float32Array,
      buf.hSlots[k] as Float32Array,
      buf.cSlots[k] as Float32Array,
      B,
    );
    let tmp = dh;
    dh = dhPrev;
    dhPrev = tmp;
    tmp = dc;
    dc = dcPrev;
    dcPrev = tmp;
  }
  if (dh0) for (let i = 0; i < BH; i++) dh0[i] += dh[i] as number;
  if (dc0 && hasC) for (let i = 0; i < BH; i++) dc0[i] += dc[i] as number;
  core.projectInputBackward(dx, buf.xg, x, T * B);
}
