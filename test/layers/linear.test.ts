import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { isRnnError } from '../../src/errors.js';
import { createRng } from '../../src/kernel/rng.js';
import { Embedding } from '../../src/layers/embedding.js';
import { Linear } from '../../src/layers/linear.js';
import { Tape } from '../../src/layers/tape.js';
import { gradCheck, type GradCheckTarget } from '../../src/train/grad-check.js';
import { crossEntropy, mseLoss } from '../../src/train/losses.js';
import { indexTensor, tensor, zerosTensor, type Tensor } from '../../src/tensor.js';
import { expectClose, randTensor, weightedSum } from '../helpers/fixtures.js';

const TOL = { eps: 1e-2, atol: 2e-3, rtol: 2e-2 };

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

/** y = x·Wᵀ + b in float64, row by row. */
function linearRef(x: Float32Array, w: Float32Array, b: Float32Array | null, I: number, O: number): number[] {
  const R = x.length / I;
  const out: number[] = [];
  for (let r = 0; r < R; r++) {
    for (let o = 0; o < O; o++) {
      let acc = b ? (b[o] as number) : 0;
      for (let i = 0; i < I; i++) acc += (x[r * I + i] as number) * (w[o * I + i] as number);
      out.push(acc);
    }
  }
  return out;
}

describe('Linear forward', () => {
  test.prop([fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 3 }), fc.boolean(), fc.integer({ min: 0, max: 1e6 })], {
    numRuns: 20,
    seed: 11,
  })('matches x·Wᵀ + b over any leading dimensions', (I, O, lead, bias, seed) => {
    const lin = new Linear({ inFeatures: I, outFeatures: O, bias, seed });
    const x = randTensor([...lead, I], seed + 1);
    const y = lin.forward(x);
    expect(y.shape).toEqual([...lead, O]);
    const b = bias ? lin.params.value('bias') : null;
    expectClose(y.data, linearRef(x.data, lin.params.value('weight'), b, I, O), 'y', 1e-6, 1e-5);
  });

  it('a [T, B, I] input is the same as its flattened [T·B, I] rows', () => {
    const lin = new Linear({ inFeatures: 3, outFeatures: 4, seed: 2 });
    const x3 = randTensor([2, 5, 3], 9);
    const x2: Tensor = { shape: [10, 3], data: x3.data };
    expect(Array.from(lin.forward(x3).data)).toEqual(Array.from(lin.forward(x2).data));
    expect(lin.forward(x3).shape).toEqual([2, 5, 4]);
  });

  it('handles T = 0 and a 1-D input', () => {
    const lin = new Linear({ inFeatures: 3, outFeatures: 2 });
    const tape = new Tape();
    const x = zerosTensor([0, 4, 3]);
    const y = lin.forward(x, tape);
    expect(y.shape).toEqual([0, 4, 2]);
    tape.backward();
    expect(lin.params.grads.every((g) => g === 0)).toBe(true);
    expect(lin.forward(tensor([1, 2, 3])).shape).toEqual([2]);
  });

  it('inference records nothing; training records one closure', () => {
    const lin = new Linear({ inFeatures: 2, outFeatures: 2 });
    const tape = new Tape();
    lin.forward(randTensor([3, 2], 1));
    expect(tape.length).toBe(0);
    lin.forward(randTensor([3, 2], 1), tape);
    expect(tape.length).toBe(1);
  });
});

describe('Linear gradients by central differences', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 5 }),
      fc.oneof(fc.tuple(fc.integer({ min: 1, max: 4 })), fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))),
      fc.boolean(),
      fc.integer({ min: 0, max: 1e6 }),
    ],
    { numRuns: 10, seed: 3 },
  )('x, weight and bias (2-D and 3-D input)', (I, O, lead, bias, seed) => {
    const lin = new Linear({ inFeatures: I, outFeatures: O, bias, seed });
    const x = randTensor([...lead, I], seed + 1);
    const w = randTensor([...lead, O], seed + 2);
    const dx = new Float32Array(x.data.length);
    const targets: GradCheckTarget[] = [...lin.parameters(), { name: 'x', value: x.data, grad: dx }];
    const r = gradCheck({
      targets,
      loss: () => weightedSum(lin.forward(x).data, w.data),
      backward: () => {
        lin.zeroGrad();
        const tape = new Tape();
        const y = lin.forward(x, tape);
        tape.grad(y).set(w.data);
        tape.backward();
        dx.set(tape.grad(x));
      },
      ...TOL,
    });
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });

  test.prop([fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1e6 })], { numRuns: 10, seed: 5 })(
    'fan-out: one tensor feeding two layers accumulates both gradients',
    (T, B, seed) => {
      // e = embed(ids) feeds a classifier head and a regression head; the loss is their sum.
      const V = 6, E = 3, C = 4;
      const embed = new Embedding({ numEmbeddings: V, embeddingDim: E, seed });
      const headA = new Linear({ inFeatures: E, outFeatures: C, seed: seed + 1 });
      const headB = new Linear({ inFeatures: E, outFeatures: 2, seed: seed + 2 });
      const rng = createRng(seed);
      const ids = indexTensor(Array.from({ length: T * B }, () => rng.int(V)), [T, B]);
      const labels = indexTensor(Array.from({ length: T * B }, () => rng.int(C)), [T, B]);
      const target = randTensor([T, B, 2], seed + 3);
      const run = (tape?: Tape): number => {
        const e = embed.forward(ids, tape);
        const a = crossEntropy(headA.forward(e, tape), labels, tape ? { tape } : {});
        const b = mseLoss(headB.forward(e, tape), target, tape ? { tape } : {});
        return a.loss + b.loss;
      };
      const params = [...embed.parameters(), ...headA.parameters(), ...headB.parameters()].map((p, i) => ({ ...p, name: `${i}.${p.name}` }));
      const r = gradCheck({
        targets: params,
        loss: () => run(),
        backward: () => {
          embed.zeroGrad();
          headA.zeroGrad();
          headB.zeroGrad();
          const tape = new Tape();
          run(tape);
          tape.backward();
        },
        ...TOL,
      });
      expect(r.ok, JSON.stringify(r)).toBe(true);
    },
  );

  it('the same input used twice by one layer gets twice the gradient', () => {
    const lin = new Linear({ inFeatures: 3, outFeatures: 2, seed: 4 });
    const x = randTensor([2, 3], 5);
    const once = new Tape();
    once.grad(lin.forward(x, once)).fill(1);
    once.backward();
    const twice = new Tape();
    twice.grad(lin.forward(x, twice)).fill(1);
    twice.grad(lin.forward(x, twice)).fill(1);
    twice.backward();
    expectClose(twice.grad(x), Array.from(once.grad(x), (v) => 2 * v), 'dx', 1e-6, 1e-6);
  });
});

describe('Linear initialisation and state', () => {
  it("'pytorch' draws weight and bias from U(±1/√I); 'glorot' zeroes the bias", () => {
    const I = 16, O = 40;
    const lin = new Linear({ inFeatures: I, outFeatures: O, seed: 1 });
    const k = 1 / Math.sqrt(I);
    const w = lin.params.value('weight'), b = lin.params.value('bias');
    expect(Math.max(...Array.from(w, Math.abs))).toBeLessThanOrEqual(k);
    expect(Math.max(...Array.from(w, Math.abs))).toBeGreaterThan(0.9 * k);
    expect(Math.max(...Array.from(b, Math.abs))).toBeLessThanOrEqual(k);
    expect(b.some((v) => v !== 0)).toBe(true);
    const g = new Linear({ inFeatures: I, outFeatures: O, seed: 1, init: 'glorot' });
    const a = Math.sqrt(6 / (I + O));
    expect(Math.max(...Array.from(g.params.value('weight'), Math.abs))).toBeLessThanOrEqual(a);
    expect(g.params.value('bias').every((v) => v === 0)).toBe(true);
  });

  it('is deterministic by seed and accepts an rng', () => {
    const a = new Linear({ inFeatures: 3, outFeatures: 2, seed: 7 });
    const b = new Linear({ inFeatures: 3, outFeatures: 2, seed: 7 });
    const c = new Linear({ inFeatures: 3, outFeatures: 2, seed: 8 });
    expect(Array.from(a.params.values)).toEqual(Array.from(b.params.values));
    expect(Array.from(a.params.values)).not.toEqual(Array.from(c.params.values));
    const d = new Linear({ inFeatures: 3, outFeatures: 2, rng: createRng(7) });
    expect(Array.from(d.params.values)).toEqual(Array.from(a.params.values));
  });

  it('state dict uses PyTorch names and shapes and round-trips', () => {
    const a = new Linear({ inFeatures: 3, outFeatures: 2, seed: 1 });
    const dict = a.stateDict();
    expect(Object.keys(dict)).toEqual(['weight', 'bias']);
    expect(dict['weight']?.shape).toEqual([2, 3]);
    expect(dict['bias']?.shape).toEqual([2]);
    const b = new Linear({ inFeatures: 3, outFeatures: 2, seed: 2 });
    b.loadStateDict(dict);
    expect(Array.from(b.params.values)).toEqual(Array.from(a.params.values));
    expect(new Linear({ inFeatures: 3, outFeatures: 2, bias: false }).parameters().map((p) => p.name)).toEqual(['weight']);
    const e = thrown(() => new Linear({ inFeatures: 4, outFeatures: 2 }).loadStateDict(dict));
    expect(e.message).toContain('"weight" expected shape [2, 4], got [2, 3]');
  });
});

describe('Linear errors', () => {
  it('a wrong feature size names both shapes and the class', () => {
    const lin = new Linear({ inFeatures: 8, outFeatures: 2 });
    const e = thrown(() => lin.forward(zerosTensor([2, 7])));
    expect(isRnnError(e)).toBe(true);
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toContain('Linear.forward');
    expect(e.message).toContain('[*, I=8]');
    expect(e.message).toContain('[2, 7]');
  });
  it('hints when the features are not last', () => {
    const lin = new Linear({ inFeatures: 8, outFeatures: 2 });
    expect(thrown(() => lin.forward(zerosTensor([8, 3]))).message).toContain('dimension 0 has size I=8');
  });
  it.each([
    [{ inFeatures: 0, outFeatures: 2 }, 'inFeatures must be a positive integer, got 0'],
    [{ inFeatures: 2, outFeatures: 1.5 }, 'outFeatures must be a positive integer, got 1.5'],
    [{ inFeatures: 2, outFeatures: 2, init: 'he' }, `unknown init "he"`],
    [{ inFeatures: 2, outFeatures: 2, bias: 1 }, 'bias must be a boolean'],
    [{ inFeatures: 2, outFeatures: 2, infeatures: 3 }, 'unknown option "infeatures"'],
    [{ inFeatures: 2, outFeatures: 2, seed: 1, rng: createRng(1) }, 'either seed or rng'],
  ])('options %#', (opts, msg) => {
    const e = thrown(() => new Linear(opts as never));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toContain(msg);
  });
});
