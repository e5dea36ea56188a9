// Weight tying: ManyToMany({ tieWeights }) and Linear({ sharedWeight }). The tied model must be
// exactly the untied model whose head weight equals the embedding, with the shared gradient the
// sum of both uses; the shared matrix is listed, updated and saved once.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { Embedding } from '../../src/layers/embedding.js';
import { Linear } from '../../src/layers/linear.js';
import type { Parameter } from '../../src/layers/param-store.js';
import { Tape } from '../../src/layers/tape.js';
import { ManyToMany } from '../../src/models/many-to-many.js';
import { Adam } from '../../src/train/optim/adam.js';
import { crossEntropy } from '../../src/train/losses.js';
import { gradCheck } from '../../src/train/grad-check.js';
import type { IndexTensor } from '../../src/tensor.js';

function ids(T: number, B: number, V: number, seed: number): IndexTensor {
  const data = new Int32Array(T * B);
  for (let i = 0; i < data.length; i++) data[i] = (seed * 31 + i * 17 + ((i * i) % 5)) % V;
  return { shape: [T, B], data };
}

function byName(params: Parameter[]): Map<string, Parameter> {
  return new Map(params.map((p) => [p.name, p]));
}

/** Loss and gradients (cleared first) of one training pass. */
function lossAndGrads(m: ManyToMany, x: IndexTensor, y: IndexTensor): number {
  for (const p of m.parameters()) p.grad.fill(0);
  const tape = new Tape();
  const { loss } = crossEntropy(m.forward(x, { tape }).logits, y, { tape });
  tape.backward();
  return loss;
}

describe('ManyToMany tieWeights', () => {
  const V = 11, H = 6;

  it('lists the shared matrix once: no head.weight, V·E fewer parameters', () => {
    const untied = new ManyToMany({ vocabSize: V, embeddingDim: H, hiddenSize: H, outputSize: V, seed: 2 });
    const tied = new ManyToMany({ vocabSize: V, embeddingDim: H, hiddenSize: H, outputSize: V, seed: 2, tieWeights: true });
    const names = tied.parameters().map((p) => p.name);
    expect(names).toEqual(untied.parameters().map((p) => p.name).filter((n) => n !== 'head.weight'));
    const count = (m: ManyToMany) => m.parameters().reduce((s, p) => s + p.value.length, 0);
    expect(count(untied) - count(tied)).toBe(V * H);
    expect(Object.keys(tied.stateDict())).not.toContain('head.weight');
    expect(tied.head.tied).toBe(true);
    // The shared matrix is initialised as an output layer, U(−1/√E, 1/√E), not N(0, 1).
    const w = byName(tied.parameters()).get('backbone.embedding.weight')!.value;
    const k = 1 / Math.sqrt(H);
    expect(Math.max(...Array.from(w, Math.abs))).toBeLessThanOrEqual(k);
    expect(Math.max(...Array.from(w, Math.abs))).toBeGreaterThan(k / 2);
  });

  test.prop([fc.constantFrom('rnn', 'lstm', 'gru'), fc.integer({ min: 0, max: 1000 })], { numRuns: 6, seed: 5 })(
    'equals the untied model whose head weight is the embedding; the shared gradient is the sum of both uses',
    (cell, seed) => {
      const tied = new ManyToMany({ cell, vocabSize: V, embeddingDim: H, hiddenSize: H, outputSize: V, seed, tieWeights: true });
      const untied = new ManyToMany({ cell, vocabSize: V, embeddingDim: H, hiddenSize: H, outputSize: V, seed: seed + 1 });
      const dict = tied.stateDict();
      untied.loadStateDict({ ...dict, 'head.weight': dict['backbone.embedding.weight']! });
      const x = ids(5, 3, V, seed), y = ids(5, 3, V, seed + 7);
      expect(Array.from(tied.forward(x).logits.data)).toEqual(Array.from(untied.forward(x).logits.data));
      const lt = lossAndGrads(tied, x, y), lu = lossAndGrads(untied, x, y);
      expect(lt).toBe(lu);
      const gt = byName(tied.parameters()), gu = byName(untied.parameters());
      const emb = gu.get('backbone.embedding.weight')!.grad, head = gu.get('head.weight')!.grad;
      const shared = gt.get('backbone.embedding.weight')!.grad;
      let headNorm = 0;
      for (let i = 0; i < shared.length; i++) {
        expect(shared[i]).toBeCloseTo((emb[i] as number) + (head[i] as number), 6);
        headNorm += (head[i] as number) ** 2;
      }
      expect(headNorm).toBeGreaterThan(1e-6); // the output-side term is really there
      for (const [name, p] of gt) if (name !== 'backbone.embedding.weight') expect(Array.from(p.grad)).toEqual(Array.from(gu.get(name)!.grad));
    },
  );

  it('passes a numerical gradient check on every parameter', () => {
    const m = new ManyToMany({ cell: 'gru', vocabSize: 7, embeddingDim: 4, hiddenSize: 4, outputSize: 7, seed: 9, tieWeights: true });
    const x = ids(4, 2, 7, 3), y = ids(4, 2, 7, 4);
    const r = gradCheck({
      targets: m.parameters(),
      loss: () => crossEntropy(m.forward(x).logits, y).loss,
      backward: () => void lossAndGrads(m, x, y),
      eps: 1e-2,
      atol: 3e-3,
      rtol: 3e-2,
    });
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });

  it('round-trips through its state dict and updates the shared matrix once per step', () => {
    const a = new ManyToMany({ vocabSize: V, embeddingDim: H, hiddenSize: H, outputSize: V, seed: 4, tieWeights: true });
    const b = new ManyToMany({ vocabSize: V, embeddingDim: H, hiddenSize: H, outputSize: V, seed: 8, tieWeights: true });
    b.loadStateDict(a.stateDict());
    const x = ids(5, 2, V, 1), y = ids(5, 2, V, 2);
    expect(Array.from(b.forward(x).logits.data)).toEqual(Array.from(a.forward(x).logits.data));
    // SGD-like check with Adam's first step: every element moves by at most lr (|m̂/√v̂| ≤ 1);
    // a double update would move the shared matrix by up to 2·lr.
    const before = Float32Array.from(byName(a.parameters()).get('backbone.embedding.weight')!.value);
    const opt = new Adam(a, { lr: 0.01 });
    lossAndGrads(a, x, y);
    opt.step();
    const after = byName(a.parameters()).get('backbone.embedding.weight')!.value;
    let maxMove = 0;
    for (let i = 0; i < before.length; i++) maxMove = Math.max(maxMove, Math.abs((after[i] as number) - (before[i] as number)));
    expect(maxMove).toBeGreaterThan(0.009);
    expect(maxMove).toBeLessThanOrEqual(0.01 + 1e-6);
  });

  it('keeps the padding row zero', () => {
    const m = new ManyToMany({ vocabSize: V, embeddingDim: H, hiddenSize: H, outputSize: V, paddingIdx: 0, seed: 1, tieWeights: true });
    const w = byName(m.parameters()).get('backbone.embedding.weight')!.value;
    expect(Array.from(w.subarray(0, H))).toEqual(new Array(H).fill(0));
  });

  it('names what is wrong', () => {
    expect(() => new ManyToMany({ inputSize: 3, hiddenSize: H, outputSize: V, tieWeights: true })).toThrow(
      new ConfigError('ManyToMany: tieWeights needs token input (vocabSize); this model reads features (inputSize).'),
    );
    expect(() => new ManyToMany({ vocabSize: V, embeddingDim: H, hiddenSize: H, outputSize: 3, tieWeights: true })).toThrow(
      new ConfigError('ManyToMany: tieWeights needs outputSize equal to vocabSize = 11, got 3.'),
    );
    expect(() => new ManyToMany({ vocabSize: V, embeddingDim: 4, hiddenSize: H, outputSize: V, tieWeights: true })).toThrow(
      new ConfigError('ManyToMany: tieWeights needs embeddingDim equal to the recurrent output width D·H = 6, got embeddingDim 4.'),
    );
    expect(() => new ManyToMany({ vocabSize: V, embeddingDim: 12, hiddenSize: H, bidirectional: true, outputSize: V, tieWeights: true })).not.toThrow();
    expect(() => new ManyToMany({ vocabSize: V, embeddingDim: H, hiddenSize: H, outputSize: V, tieWeights: 'yes' as unknown as boolean })).toThrow(
      new ConfigError('ManyToMany: tieWeights must be a boolean, got "yes".'),
    );
  });
});

describe('Linear sharedWeight', () => {
  it('reads and accumulates into the shared parameter; its own params hold only the bias', () => {
    const emb = new Embedding({ numEmbeddings: 5, embeddingDim: 3, seed: 1 });
    const w = emb.parameters()[0]!;
    const head = new Linear({ inFeatures: 3, outFeatures: 5, sharedWeight: w, seed: 2 });
    expect(head.parameters().map((p) => p.name)).toEqual(['bias']);
    const x = { shape: [2, 3], data: Float32Array.from([1, 2, 3, -1, 0, 2]) };
    const tape = new Tape();
    const y = head.forward(x, tape);
    // y = x·Wᵀ + b with W the embedding matrix.
    const b = head.parameters()[0]!.value;
    for (let r = 0; r < 2; r++) {
      for (let o = 0; o < 5; o++) {
        let s = b[o] as number;
        for (let i = 0; i < 3; i++) s += (x.data[r * 3 + i] as number) * (w.value[o * 3 + i] as number);
        expect(y.data[r * 5 + o]).toBeCloseTo(s, 5);
      }
    }
    w.grad.fill(0.5); // an earlier contribution (the embedding's) is kept: backward accumulates
    tape.grad(y).fill(1);
    tape.backward();
    // dW[o, i] = Σ_r x[r, i] for a dy of ones: [0, 2, 5] in every row, plus the 0.5 already there.
    for (let o = 0; o < 5; o++) expect(Array.from(w.grad.subarray(o * 3, o * 3 + 3))).toEqual([0.5, 2.5, 5.5]);
  });

  it('rejects a parameter of the wrong shape or kind', () => {
    const w = new Embedding({ numEmbeddings: 5, embeddingDim: 3 }).parameters()[0]!;
    expect(() => new Linear({ inFeatures: 5, outFeatures: 3, sharedWeight: w })).toThrow(
      new ShapeError('Linear: sharedWeight (weight) has the wrong shape, expected [O=3, I=5], got [5, 3].'),
    );
    expect(() => new Linear({ inFeatures: 3, outFeatures: 5, sharedWeight: {} as Parameter })).toThrow(ConfigError);
  });
});
