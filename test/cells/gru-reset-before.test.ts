// GRUCell({ resetAfter: false }) against an independent float64 implementation of the Keras
// `reset_after=False` / TF.js GRU equations (there is no PyTorch fixture for this variant):
//   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn),  h' = (1 − z) ⊙ n + z ⊙ h
import { describe, expect, it } from 'vitest';
import { GRUCell } from '../../src/cells/gru-cell.js';
import { randTensor } from '../helpers/fixtures.js';

const sig = (v: number) => 1 / (1 + Math.exp(-v));

describe('GRUCell resetAfter: false (Keras reset_after=False)', () => {
  it('matches the reference equations and differs from the PyTorch variant', () => {
    const I = 3, H = 4, B = 2;
    const cell = new GRUCell({ inputSize: I, hiddenSize: H, resetAfter: false, init: 'pytorch', seed: 3 });
    const torchVariant = new GRUCell({ inputSize: I, hiddenSize: H, init: 'pytorch', seed: 3 });
    const x = randTensor([B, I], 1), h = randTensor([B, H], 2);
    const wi = cell.params.value('weight_ih'), wh = cell.params.value('weight_hh');
    const bi = cell.params.value('bias_ih'), bh = cell.params.value('bias_hh');
    const got = cell.step(x, { h }).h.data;
    for (let b = 0; b < B; b++) {
      const row = (w: Float32Array, k: number, v: Float32Array, off: number, n: number) => {
        let s = 0;
        for (let j = 0; j < n; j++) s += w[k * n + j]! * v[off + j]!;
        return s;
      };
      const r: number[] = [], z: number[] = [];
      for (let j = 0; j < H; j++) {
        r.push(sig(row(wi, j, x.data, b * I, I) + bi[j]! + row(wh, j, h.data, b * H, H) + bh[j]!));
        z.push(sig(row(wi, H + j, x.data, b * I, I) + bi[H + j]! + row(wh, H + j, h.data, b * H, H) + bh[H + j]!));
      }
      const rh = Float32Array.from({ length: H }, (_, j) => r[j]! * h.data[b * H + j]!);
      for (let j = 0; j < H; j++) {
        const n = Math.tanh(row(wi, 2 * H + j, x.data, b * I, I) + bi[2 * H + j]! + row(wh, 2 * H + j, rh, 0, H) + bh[2 * H + j]!);
        const want = (1 - z[j]!) * n + z[j]! * h.data[b * H + j]!;
        expect(Math.abs(got[b * H + j]! - want)).toBeLessThan(1e-6);
      }
    }
    const other = torchVariant.step(x, { h }).h.data;
    expect(Math.max(...got.map((v, i) => Math.abs(v - other[i]!)))).toBeGreaterThan(1e-4);
  });
});
