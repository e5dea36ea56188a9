// inputDropout / outputDropout of the structure models: identity at inference, masks while
// training, exact gradients for fixed masks, and the generator saved by training checkpoints.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/layers/tape.js';
import { loadRandomStateInto, randomStateOf } from '../../src/layers/param-store.js';
import { ManyToMany } from '../../src/models/many-to-many.js';
import { ManyToOne } from '../../src/models/many-to-one.js';
import { OneToMany } from '../../src/models/one-to-many.js';
import { crossEntropy } from '../../src/train/losses.js';
import { gradCheck } from '../../src/train/grad-check.js';
import type { IndexTensor, Tensor } from '../../src/tensor.js';

function ids(T: number, B: number, V: number, seed: number): IndexTensor {
  const data = new Int32Array(T * B);
  for (let i = 0; i < data.length; i++) data[i] = (seed * 31 + i * 17) % V;
  return { shape: [T, B], data };
}

describe('inputDropout / outputDropout', () => {
  it('are the identity at inference and draw masks only while training', () => {
    const plain = new ManyToMany({ vocabSize: 9, embeddingDim: 4, hiddenSize: 5, outputSize: 9, seed: 3 });
    const drop = new ManyToMany({ vocabSize: 9, embeddingDim: 4, hiddenSize: 5, outputSize: 9, seed: 3, inputDropout: 0.4, outputDropout: 0.4 });
    const x = ids(6, 3, 9, 1);
    // Same weights (creating the dropout layers draws nothing), same inference output.
    expect(Array.from(drop.forward(x).logits.data)).toEqual(Array.from(plain.forward(x).logits.data));
    const before = randomStateOf(drop);
    expect(Object.keys(before)).toEqual(['backbone.inputDropout.rng']); // one shared generator, saved once
    drop.forward(x); // inference: no draws
    expect(randomStateOf(drop)).toEqual(before);
    const train = drop.forward(x, { tape: new Tape() }).logits;
    expect(randomStateOf(drop)).not.toEqual(before);
    expect(Array.from(train.data)).not.toEqual(Array.from(plain.forward(x).logits.data));
    // No dropout → no generator to save.
    expect(randomStateOf(plain)).toEqual({});
  });

  test.prop([fc.constantFrom('rnn', 'lstm', 'gru'), fc.integer({ min: 0, max: 1000 })], { numRuns: 6, seed: 11 })(
    'ManyToMany gradients are exact for fixed masks',
    (cell, seed) => {
      const m = new ManyToMany({ cell, vocabSize: 6, embeddingDim: 3, hiddenSize: 3, outputSize: 6, seed, inputDropout: 0.3, outputDropout: 0.3 });
      const x = ids(4, 2, 6, seed);
      const y = ids(4, 2, 6, seed + 1);
      const state = randomStateOf(m);
      // Every evaluation replays the same masks: restore the generator, train-mode forward.
      const loss = () => {
        loadRandomStateInto(m, state);
        return crossEntropy(m.forward(x, { tape: new Tape() }).logits, y).loss;
      };
      const backward = () => {
        for (const p of m.parameters()) p.grad.fill(0);
        loadRandomStateInto(m, state);
        const tape = new Tape();
        crossEntropy(m.forward(x, { tape }).logits, y, { tape });
        tape.backward();
      };
      const r = gradCheck({ targets: m.parameters(), loss, backward, eps: cell === 'rnn' ? 1e-3 : 1e-2, atol: 3e-3, rtol: 3e-2 });
      expect(r.ok, JSON.stringify(r)).toBe(true);
    },
  );

  it('ManyToOne and OneToMany apply them too (training output differs, inference does not)', () => {
    const x = ids(5, 2, 7, 2);
    const a = new ManyToOne({ vocabSize: 7, embeddingDim: 3, hiddenSize: 4, outputSize: 2, pooling: 'mean', seed: 1 });
    const b = new ManyToOne({ vocabSize: 7, embeddingDim: 3, hiddenSize: 4, outputSize: 2, pooling: 'mean', seed: 1, inputDropout: 0.5, outputDropout: 0.5 });
    expect(Array.from(b.forward(x).data)).toEqual(Array.from(a.forward(x).data));
    expect(Array.from(b.forward(x, { tape: new Tape() }).data)).not.toEqual(Array.from(a.forward(x).data));
    const cond: Tensor = { shape: [2, 2], data: Float32Array.from([1, 0, 0, 1]) };
    const c = new OneToMany({ conditionSize: 2, vocabSize: 7, embeddingDim: 3, hiddenSize: 4, seed: 1 });
    const d = new OneToMany({ conditionSize: 2, vocabSize: 7, embeddingDim: 3, hiddenSize: 4, seed: 1, outputDropout: 0.5 });
    expect(Array.from(d.forward(cond, x).logits.data)).toEqual(Array.from(c.forward(cond, x).logits.data));
    expect(Array.from(d.forward(cond, x, { tape: new Tape() }).logits.data)).not.toEqual(Array.from(c.forward(cond, x).logits.data));
  });

  it('reject a value outside [0, 1), naming the option', () => {
    expect(() => new ManyToMany({ vocabSize: 5, hiddenSize: 3, outputSize: 5, inputDropout: 1 })).toThrow('ManyToMany: inputDropout must be a probability in [0, 1), got 1.');
    expect(() => new ManyToOne({ vocabSize: 5, hiddenSize: 3, outputSize: 2, outputDropout: -0.1 })).toThrow(/ManyToOne: outputDropout must be a probability in \[0, 1\), got -0\.1/);
  });
});
