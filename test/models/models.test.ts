import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/layers/tape.js';
import { ManyToMany } from '../../src/models/many-to-many.js';
import { ManyToOne } from '../../src/models/many-to-one.js';
import { OneToMany } from '../../src/models/one-to-many.js';
import { TokenSampler } from '../../src/models/sampling.js';
import { createRng } from '../../src/kernel/rng.js';
import { crossEntropy, mseLoss } from '../../src/train/losses.js';
import { gradCheck } from '../../src/train/grad-check.js';
import type { IndexTensor, Tensor } from '../../src/tensor.js';
import { randTensor } from '../helpers/fixtures.js';

function ids(T: number, B: number, V: number, seed: number): IndexTensor {
  const data = new Int32Array(T * B);
  for (let i = 0; i < data.length; i++) data[i] = (seed * 31 + i * 17) % V;
  return { shape: [T, B], data };
}

const cells = ['rnn', 'lstm', 'gru'] as const;

describe('structure models: gradients through the whole composition', () => {
  test.prop([fc.constantFrom(...cells), fc.constantFrom('last', 'mean', 'max'), fc.boolean(), fc.integer({ min: 0, max: 1000 })], { numRuns: 12, seed: 5 })(
    'ManyToOne (tokens → class) with lengths',
    (cell, pooling, bidirectional, seed) => {
      const m = new ManyToOne({ cell, vocabSize: 7, embeddingDim: 3, hiddenSize: 3, bidirectional, outputSize: 3, pooling, seed });
      const x = ids(4, 3, 7, seed);
      const lengths = [4, 2, 3];
      const y: IndexTensor = { shape: [3], data: Int32Array.from([0, 2, 1]) };
      const loss = () => crossEntropy(m.forward(x, { lengths }), y).loss;
      const backward = () => {
        for (const p of m.parameters()) p.grad.fill(0);
        const tape = new Tape();
        crossEntropy(m.forward(x, { lengths, tape }), y, { tape });
        tape.backward();
      };
      const eps = cell === 'rnn' || pooling === 'max' ? 1e-3 : 1e-2;
      const r = gradCheck({ targets: m.parameters(), loss, backward, eps, atol: 3e-3, rtol: 3e-2 });
      expect(r.ok, JSON.stringify(r)).toBe(true);
    },
  );

  test.prop([fc.constantFrom(...cells), fc.integer({ min: 0, max: 1000 })], { numRuns: 6, seed: 6 })('ManyToOne regression on features (MSE)', (cell, seed) => {
    const m = new ManyToOne({ cell, inputSize: 2, hiddenSize: 3, outputSize: 1, numLayers: 2, seed });
    const x = randTensor([5, 2, 2], seed);
    const target: Tensor = { shape: [2, 1], data: Float32Array.from([0.3, -0.2]) };
    const loss = () => mseLoss(m.forward(x), target).loss;
    const backward = () => {
      for (const p of m.parameters()) p.grad.fill(0);
      const tape = new Tape();
      mseLoss(m.forward(x, { tape }), target, { tape });
      tape.backward();
    };
    const r = gradCheck({ targets: m.parameters(), loss, backward, eps: cell === 'rnn' ? 1e-3 : 1e-2, atol: 3e-3, rtol: 3e-2 });
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });

  test.prop([fc.constantFrom(...cells), fc.boolean(), fc.integer({ min: 0, max: 1000 })], { numRuns: 8, seed: 7 })('ManyToMany (language model / tagger)', (cell, bidirectional, seed) => {
    const m = new ManyToMany({ cell, vocabSize: 6, embeddingDim: 3, hiddenSize: 3, outputSize: 6, bidirectional, seed });
    const x = ids(4, 2, 6, seed);
    const t = ids(4, 2, 6, seed + 1);
    t.data[1] = -100;
    const loss = () => crossEntropy(m.forward(x, { lengths: [4, 3] }).logits, t).loss;
    const backward = () => {
      for (const p of m.parameters()) p.grad.fill(0);
      const tape = new Tape();
      crossEntropy(m.forward(x, { lengths: [4, 3], tape }).logits, t, { tape });
      tape.backward();
    };
    const r = gradCheck({ targets: m.parameters(), loss, backward, eps: cell === 'rnn' ? 1e-3 : 1e-2, atol: 3e-3, rtol: 3e-2 });
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });

  test.prop([fc.constantFrom(...cells), fc.constantFrom('state', 'input', 'both'), fc.integer({ min: 0, max: 1000 })], { numRuns: 9, seed: 8 })(
    'OneToMany (condition → sequence), including the condition gradient',
    (cell, conditioning, seed) => {
      const m = new OneToMany({ cell, vocabSize: 5, conditionSize: 2, embeddingDim: 3, hiddenSize: 3, numLayers: 2, conditioning, seed });
      const cond = randTensor([2, 2], seed);
      const x = ids(3, 2, 5, seed);
      const t = ids(3, 2, 5, seed + 2);
      const dcond = new Float32Array(4);
      const loss = () => crossEntropy(m.forward(cond, x).logits, t).loss;
      const backward = () => {
        for (const p of m.parameters()) p.grad.fill(0);
        const tape = new Tape();
        crossEntropy(m.forward(cond, x, { tape }).logits, t, { tape });
        tape.backward();
        dcond.set(tape.grad(cond));
      };
      const r = gradCheck({
        targets: [...m.parameters(), { name: 'condition', value: cond.data, grad: dcond }],
        loss,
        backward,
        eps: cell === 'rnn' ? 1e-3 : 1e-2,
        atol: 3e-3,
        rtol: 3e-2,
      });
      expect(r.ok, JSON.stringify(r)).toBe(true);
    },
  );
});

describe('generation and blanks', () => {
  it('generate is deterministic per seed, respects maxLength, stopToken, excludeToken and forced ids', () => {
    const lm = new ManyToMany({ vocabSize: 8, embeddingDim: 4, hiddenSize: 8, outputSize: 8, seed: 3 });
    const a = lm.generate({ prompt: [1], maxLength: 20, temperature: 1, seed: 9 });
    expect(lm.generate({ prompt: [1], maxLength: 20, temperature: 1, seed: 9 })).toEqual(a);
    expect(a.length).toBe(20);
    const g = lm.generate({ prompt: [1, 2], maxLength: 30, temperature: 1, seed: 4, stopToken: 2, excludeToken: 0 });
    expect(g).not.toContain(2);
    expect(g).not.toContain(0);
    const forced = lm.generate({ prompt: [1], maxLength: 6, temperature: 0, forced: new Map([[0, 5], [3, 7]]) });
    expect(forced[0]).toBe(5);
    expect(forced[3]).toBe(7);
    // The stop token is not sampled before the last forced position: make the greedy first pick the stop token.
    const stop = lm.generate({ prompt: [1], maxLength: 1, temperature: 0 })[0] as number;
    expect(lm.generate({ prompt: [1], maxLength: 6, temperature: 0, stopToken: stop })).toEqual([]);
    const held = lm.generate({ prompt: [1], maxLength: 6, temperature: 0, stopToken: stop, forced: new Map([[4, 5]]) });
    expect(held.length).toBeGreaterThanOrEqual(5);
    expect(held[4]).toBe(5);
    expect(held.slice(0, 4)).not.toContain(stop);
    expect(() => lm.generate({ prompt: [1], maxLength: 6, forced: new Map([[6, 1]]) })).toThrow('forced position 6 is outside [0, maxLength=6)');
    expect(() => lm.generate({ prompt: [1], maxLength: 6, forced: new Map([[2, 8]]) })).toThrow('forced id 8 at position 2 is outside [0, V=8)');
    expect(() => lm.generate({ prompt: [1], maxLength: 6, forced: { 0: 1 } as unknown as Map<number, number> })).toThrow(/forced must be a Map/);
    expect(() => lm.generate({ prompt: [], maxLength: 3 })).toThrow(/prompt must hold at least one/);
    expect(() => lm.generate({ prompt: [9], maxLength: 3 })).toThrow(/outside \[0, V=8\)/);
    const bi = new ManyToMany({ vocabSize: 8, hiddenSize: 4, outputSize: 8, bidirectional: true });
    expect(() => bi.generate({ prompt: [1], maxLength: 3 })).toThrow(/bidirectional model cannot generate/);
  });

  it('greedy generation matches argmax of the full-sequence forward (streamed state is exact)', () => {
    const lm = new ManyToMany({ cell: 'gru', vocabSize: 6, embeddingDim: 4, hiddenSize: 6, outputSize: 6, numLayers: 2, seed: 2 });
    const out = lm.generate({ prompt: [1, 3], maxLength: 5, temperature: 0 });
    const seq = [1, 3, ...out];
    const { logits } = lm.forward({ shape: [seq.length, 1], data: Int32Array.from(seq) });
    for (let i = 0; i < out.length; i++) {
      const row = logits.data.subarray((i + 1) * 6, (i + 2) * 6);
      expect(out[i]).toBe(row.indexOf(Math.max(...row)));
    }
  });

  it('top-k sampling only draws among the k best; temperature 0 is argmax', () => {
    const s = new TokenSampler(5);
    const logits = Float32Array.from([0.1, 3, 2.5, -1, 2.9]);
    const rng = createRng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(s.pick(logits, 0, { temperature: 2, topK: 2 }, rng));
    expect([...seen].sort()).toEqual([1, 4]);
    expect(s.pick(logits, 0, { temperature: 0, topK: 0 }, rng)).toBe(1);
  });

  it('fillBlank returns k candidates with probabilities, best first', () => {
    const m = new ManyToMany({ vocabSize: 10, hiddenSize: 4, outputSize: 10, bidirectional: true, seed: 1 });
    const c = m.fillBlank([1, 2, 3, 4], 2, 3);
    expect(c).toHaveLength(3);
    expect(c[0]!.p).toBeGreaterThanOrEqual(c[1]!.p);
    expect(() => m.fillBlank([1, 2], 5)).toThrow(/position 5 is outside/);
  });

  it('OneToMany generates from a condition; the condition changes the output', () => {
    const g = new OneToMany({ vocabSize: 6, conditionSize: 2, hiddenSize: 8, seed: 5 });
    const a = g.generate({ shape: [1, 2], data: Float32Array.from([1, 0]) }, { prompt: [1], maxLength: 8, temperature: 0 });
    const b = g.generate({ shape: [1, 2], data: Float32Array.from([0, 1]) }, { prompt: [1], maxLength: 8, temperature: 0 });
    expect(a).toHaveLength(8);
    expect(b).toHaveLength(8);
    const step: IndexTensor = { shape: [1, 1], data: Int32Array.from([1]) };
    const la = g.forward({ shape: [1, 2], data: Float32Array.from([1, 0]) }, step).logits.data;
    const lb = g.forward({ shape: [1, 2], data: Float32Array.from([0, 1]) }, step).logits.data;
    expect(la).not.toEqual(lb);
    expect(() => g.generate({ shape: [2, 2], data: new Float32Array(4) }, { prompt: [1], maxLength: 2 })).toThrow(/one sequence at a time/);
  });

  it('option errors', () => {
    expect(() => new ManyToOne({ hiddenSize: 2, outputSize: 2 })).toThrow(/exactly one of vocabSize/);
    expect(() => new ManyToOne({ vocabSize: 3, hiddenSize: 2, outputSize: 2, pooling: 'sum' as never })).toThrow(/pooling must be/);
    expect(() => new ManyToMany({ vocabSize: 3, hiddenSize: 2, outputSize: 2, cell: 'rnm' as never })).toThrow(/cell must be/);
    const m = new ManyToOne({ vocabSize: 3, hiddenSize: 2, outputSize: 2 });
    expect(() => m.forward(randTensor([2, 1, 3], 1))).toThrow(/expected token ids \[T, B\]/);
  });
});
