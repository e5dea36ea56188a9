/**
 * Runs the code samples of docs/one-to-one.md (kept in sync by hand): one LSTMCell step and a
 * Linear on one vector; then a GRUCell step + Linear trained on XOR, which a Linear alone cannot
 * learn.
 */
import { describe, expect, it } from 'vitest';
import { Adam, crossEntropy, createRng, GRUCell, indexTensor, Linear, LSTMCell, prefixed, Tape, tensor } from '../../src/index.js';

describe('docs/one-to-one.md samples', () => {
  it('one step of a cell, then a Linear on the state', () => {
    // ── sample 1 (inference) ──
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4, seed: 1 });
    const head = new Linear({ inFeatures: 4, outFeatures: 2, seed: 2 });
    const x = tensor([[0.5, -1, 2], [0, 0.25, 1]]); // [B=2, I=3]: two independent inputs
    const { h, c } = cell.step(x, cell.initialState(2)); // h, c: [2, 4]
    const logits = head.forward(h); // [2, 2]
    // ── end of sample 1 ──
    expect(h.shape).toEqual([2, 4]);
    expect(c.shape).toEqual([2, 4]);
    expect(logits.shape).toEqual([2, 2]);
    for (const v of h.data) expect(Math.abs(v)).toBeLessThan(1); // h = o ⊙ tanh(c)
    // Rows are independent: the second input alone gives the same second row.
    const alone = cell.step(tensor([[0, 0.25, 1]]), cell.initialState(1)).h;
    expect(Array.from(alone.data)).toEqual(Array.from(h.data.subarray(4, 8)));
  });

  it('a GRUCell step + Linear learns XOR (training form: stepTrain, tape, backward)', () => {
    // ── sample 2 (training) ──
    const B = 64;
    const cell = new GRUCell({ inputSize: 2, hiddenSize: 8, seed: 1 });
    const head = new Linear({ inFeatures: 8, outFeatures: 2, seed: 2 });
    const opt = new Adam([...prefixed('cell.', cell), ...prefixed('head.', head)], { lr: 0.05 });
    const cache = cell.createCache(B);
    const h0 = cell.initialState(B);
    const rng = createRng(3);
    const batch = () => {
      const x = new Float32Array(B * 2);
      const y = new Int32Array(B);
      for (let b = 0; b < B; b++) {
        const p = rng.uniform() < 0.5, q = rng.uniform() < 0.5;
        x[2 * b] = p ? 1 : -1;
        x[2 * b + 1] = q ? 1 : -1;
        y[b] = p !== q ? 1 : 0; // XOR
      }
      return { x: tensor(x, [B, 2]), y: indexTensor(y, [B]) };
    };
    const tape = new Tape();
    let loss = Infinity;
    for (let step = 0; step < 200; step++) {
      const { x, y } = batch();
      opt.zeroGrad();
      tape.reset();
      const { h } = cell.stepTrain(x, h0, cache); // [B, 8], saved for backward
      const logits = head.forward(h, tape); // [B, 2]
      loss = crossEntropy(logits, y, { tape }).loss;
      tape.backward(); // head gradients, and dLoss/dh in tape.grad(h)
      cell.backward({ h: { shape: [B, 8], data: tape.grad(h) } }, cache);
      opt.step();
    }
    // ── end of sample 2 ──
    expect(loss).toBeLessThan(0.05);
    const test = tensor([[-1, -1], [-1, 1], [1, -1], [1, 1]]);
    const out = head.forward(cell.step(test, cell.initialState(4)).h).data;
    const predicted = [0, 1, 2, 3].map((r) => (out[2 * r + 1]! > out[2 * r]! ? 1 : 0));
    expect(predicted).toEqual([0, 1, 1, 0]);
  });
});
