/**
 * Backward of a teacher-forced decoder pass, steps in reverse (the forward is in
 * `decoder-step.ts`). With dh̃ the gradient of the attentional state of step t:
 *
 *   output      dh̃ = dlogits · W_o   (all T·B rows at once);  dW_o += dlogitsᵀ h̃;  db_o += Σ dlogits
 *   feed        dh̃_t += dfeed_{t+1}           (input feeding: x0_{t+1} = [E[y] ; h̃_t])
 *   combine     dz = dh̃ ⊙ (1 − h̃²);  [dcontext ; dh_top] = dz · W_c
 *   attention   dh_top, dmemory, dkeys from `Attention.stepBackward`
 *   cells       layer l's step backward; its input gradient dxg·W_ih goes to layer l − 1's state
 *               (l > 0) or to the embedding row and dfeed_t (l = 0)
 * then the per-weight gemms over all T·B rows, and the initial-state gradients into dh0 / dc0.
 * Every gradient accumulates (`+=`) into parameter and tape buffers.
 * @internal
 * @module
 */
import type { CellCore } from '../cells/cell-core.js';
import { gemm } from '../kernel/gemm.js';
import { addColumnSums } from '../kernel/reduce.js';
import type { Decoder } from './decoder.js';
import type { MemoryViews, StepViews } from './decoder-step.js';
import type { DecoderWorkspace } from './decoder-workspace.js';

/** @internal */
export function decoderBackward(
  dec: Decoder,
  ws: DecoderWorkspace,
  mem: MemoryViews,
  dLogits: Float32Array, // [T, B, V]
  dMemory: Float32Array, // [S, B, M], accumulated
  dh0: Float32Array, // [L, B, H], accumulated
  dc0: Float32Array | null, // [L, B, H], accumulated
): void {
  const p = dec.parts;
  const { T, B, S } = ws;
  const { V, E, H, L, M, In0 } = p;
  const TB = T * B, BH = B * H, C = M + H;
  const attn = p.attn;
  const htAll = ws.htildeAll(L);
  gemm(ws.dHtilde, dLogits, p.outW, TB, H, V, false, false, 1, 0);
  gemm(dec.out.params.grad('weight'), dLogits, htAll, V, H, TB, true, false, 1, 1);
  addColumnSums(dec.out.params.grad('bias'), dLogits, TB, V);

  const dh = ws.dh, dc = ws.dc, dhPrev = ws.dhPrev, dcPrev = ws.dcPrev;
  for (let l = 0; l < L; l++) {
    (dh[l] as Float32Array).fill(0);
    (dc[l] as Float32Array).fill(0);
  }
  const dfeed = ws.dfeed;
  dfeed.fill(0);
  const dKeys = attn === null ? dMemory : attn.score === 'dot' ? dMemory : ws.dKeys;
  if (attn !== null && attn.score !== 'dot') dKeys.fill(0);
  const dEmb = dec.embedding.params.grad('weight');
  const ids = ws.ids, dx0 = ws.dx0, dConcat = ws.dConcat, dContext = ws.dContext;

  for (let t = T - 1; t >= 0; t--) {
    const v = ws.steps[t] as StepViews;
    const dTop = dh[L - 1] as Float32Array;
    const g = ws.dHtildeSteps[t] as Float32Array;
    if (attn !== null) {
      const dz = ws.dPreSteps[t] as Float32Array, ht = v.htilde;
      for (let i = 0; i < BH; i++) {
        const y = ht[i] as number;
        const gi = (g[i] as number) + (p.inputFeeding ? (dfeed[i] as number) : 0);
        dz[i] = gi * (1 - y * y);
      }
      gemm(dConcat, dz, p.combineW, B, C, H, false, false, 1, 0);
      for (let b = 0; b < B; b++) {
        const o = b * C;
        for (let j = 0; j < M; j++) dContext[b * M + j] = dConcat[o + j] as number;
        for (let j = 0; j < H; j++) dTop[b * H + j] += dConcat[o + M + j] as number;
      }
      attn.stepBackward(
        dTop, dMemory, dKeys, ws.dqpSteps[t] as Float32Array, ws.da, dContext, v.weights, v.u, v.h[L - 1] as Float32Array,
        mem.memory, mem.keys, mem.rowSource, mem.lengths, B, S, B,
      );
    } else {
      for (let i = 0; i < BH; i++) dTop[i] += g[i] as number;
    }
    for (let l = L - 1; l >= 0; l--) {
      const core = p.cores[l] as CellCore;
      const G = core.gateSize;
      const dxg = v.xg[l] as Float32Array;
      (dhPrev[l] as Float32Array).fill(0);
      (dcPrev[l] as Float32Array).fill(0);
      core.stepBackward(
        dxg, dhPrev[l] as Float32Array, dcPrev[l] as Float32Array, dh[l] as Float32Array, dc[l] as Float32Array,
        v.cache[l] as Float32Array, v.h[l] as Float32Array, v.hPrev[l] as Float32Array, v.cPrev[l] as Float32Array, B,
      );
      if (l > 0) {
        gemm(dh[l - 1] as Float32Array, dxg, core.weights.weightIh, B, H, G, false, false, 1, 1);
      } else {
        gemm(dx0, dxg, core.weights.weightIh, B, In0, G, false, false, 1, 0);
        for (let b = 0; b < B; b++) {
          const id = ids[t * B + b] as number;
          const o = b * In0;
          if (id !== 0) {
            const w = id * E;
            for (let j = 0; j < E; j++) dEmb[w + j] += dx0[o + j] as number;
          }
          if (p.inputFeeding) for (let j = 0; j < H; j++) dfeed[b * H + j] = dx0[o + E + j] as number;
        }
      }
      // The gradient of the state before this step becomes the running one.
      const th = dh[l] as Float32Array;
      dh[l] = dhPrev[l] as Float32Array;
      dhPrev[l] = th;
      const tc = dc[l] as Float32Array;
      dc[l] = dcPrev[l] as Float32Array;
      dcPrev[l] = tc;
    }
  }
  for (let l = 0; l < L; l++) {
    const a = dh[l] as Float32Array;
    for (let i = 0; i < BH; i++) dh0[l * BH + i] += a[i] as number;
    if (dc0) {
      const c = dc[l] as Float32Array;
      if (c.length > 0) for (let i = 0; i < BH; i++) dc0[l * BH + i] += c[i] as number;
    }
  }
  for (let l = 0; l < L; l++) {
    const input = l === 0 ? ws.x0 : (ws.hs[l - 1] as Float32Array).subarray(BH);
    (p.cores[l] as CellCore).projectInputBackward(null, ws.xg[l] as Float32Array, input, TB);
  }
  if (attn !== null && dec.combine !== null) {
    gemm(dec.combine.params.grad('weight'), ws.dPre, ws.concat, H, C, TB, true, false, 1, 1);
    addColumnSums(dec.combine.params.grad('bias'), ws.dPre, TB, H);
    attn.queryBackward(ws.dqp, (ws.hs[L - 1] as Float32Array).subarray(BH), TB);
    attn.keysBackward(dMemory, dKeys, mem.memory, S * B);
  }
}
