// The code sample of docs/kernel.md, verbatim between the markers apart from the imports and the
// buffers it is given: with an LSTMCell's own weight_ih it must compute the input half of the
// gate pre-activations, x · W_ihᵀ, which (with no bias and a zero state) reproduces the cell's
// step; with beta = 0 the old contents of `gates` (NaN here) must be ignored, as the prose says.
import { describe, expect, it } from 'vitest';
import { createRng, gemm, gemmNaive, LSTMCell, tensor } from '../../src/index.js';

describe('docs/kernel.md sample', () => {
  it('gemm computes gates[B, 4H] = x[B, I] · W_ih[4H, I]ᵀ', () => {
    const B = 3, H = 5, I = 4;
    const cell = new LSTMCell({ inputSize: I, hiddenSize: H, bias: false, seed: 1 });
    const weightIh = cell.params.value('weight_ih'); // [4H, I], PyTorch layout
    const rng = createRng(2);
    const x = Float32Array.from({ length: B * I }, () => rng.uniform() * 2 - 1); // [B, I]
    const gates = new Float32Array(B * 4 * H).fill(NaN); // beta = 0: old contents ignored

    // --- begin docs sample ---
    // gates[B, 4H] = x[B, I] · W_ih[4H, I]ᵀ
    gemm(gates, x, weightIh, B, 4 * H, I, false, true, 1, 0);
    // --- end docs sample ---

    // Against a float64 triple loop, and against gemmNaive (the specification).
    const naive = new Float32Array(B * 4 * H);
    gemmNaive(naive, x, weightIh, B, 4 * H, I, false, true, 1, 0);
    for (let b = 0; b < B; b++)
      for (let g = 0; g < 4 * H; g++) {
        let s = 0;
        for (let i = 0; i < I; i++) s += (x[b * I + i] as number) * (weightIh[g * I + i] as number);
        expect(gates[b * 4 * H + g]).toBeCloseTo(s, 5);
        expect(gates[b * 4 * H + g]).toBeCloseTo(naive[b * 4 * H + g] as number, 5);
      }

    // The same pre-activations drive the LSTM step (i, f, g, o blocks; zero state, no bias):
    // c' = σ(i) ⊙ tanh(g), h' = σ(o) ⊙ tanh(c').
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const { h, c } = cell.step(tensor(x, [B, I]), cell.initialState(B));
    for (let b = 0; b < B; b++)
      for (let j = 0; j < H; j++) {
        const z = (k: number) => gates[b * 4 * H + k * H + j] as number;
        const cNext = sig(z(0)) * Math.tanh(z(2));
        expect(c.data[b * H + j]).toBeCloseTo(cNext, 5);
        expect(h.data[b * H + j]).toBeCloseTo(sig(z(3)) * Math.tanh(cNext), 5);
      }
  });
});
