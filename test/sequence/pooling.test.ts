import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { isRnnError } from '../../src/errors.js';
import { createRng } from '../../src/kernel/rng.js';
import { Embedding } from '../../src/layers/embedding.js';
import { Linear } from '../../src/layers/linear.js';
import { Tape } from '../../src/layers/tape.js';
import { lastStep, lastStepBidirectional, maxPool, meanPool } from '../../src/sequence/pooling.js';
import { gradCheck } from '../../src/train/grad-check.js';
import { crossEntropy } from '../../src/train/losses.js';
import { indexTensor, zerosTensor, type Tensor } from '../../src/tensor.js';
import { expectClose, randTensor, weightedSum } from '../helpers/fixtures.js';

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

/** [T, B, F] with pairwise distinct values at least 2/(T·B·F) apart, so max-pool never ties. */
function distinctTensor(T: number, B: number, F: number, seed: number): Tensor {
  const n = T * B * F;
  const vals = createRng(seed).shuffle(Array.from({ length: n }, (_, i) => -1 + (2 * i) / Math.max(n - 1, 1)));
  return { shape: [T, B, F], data: Float32Array.from(vals) };
}

const at = (x: Tensor, t: number, b: number, f: number): number => x.data[(t * (x.shape[1] as number) + b) * (x.shape[2] as number) + f] as number;

/** Reference reducers written from the definitions. */
function reference(kind: 'last' | 'mean' | 'max' | 'bidir', x: Tensor, len: number[], H = 0): number[] {
  const [, B, F] = x.shape as [number, number, number];
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    const L = len[b] as number;
    for (let f = 0; f < F; f++) {
      const steps = Array.from({ length: L }, (_, t) => at(x, t, b, f));
      if (kind === 'last') out.push(steps[L - 1] as number);
      else if (kind === 'mean') out.push(steps.reduce((s, v) => s + v, 0) / L);
      else if (kind === 'max') out.push(Math.max(...steps));
      else out.push(f < H ? (steps[L - 1] as number) : (steps[0] as number));
    }
  }
  return out;
}

type Pool = (x: Tensor, lengths: number[] | undefined, tape?: Tape) => Tensor;
const pools: [string, 'last' | 'mean' | 'max', Pool][] = [
  ['lastStep', 'last', (x, l, tape) => lastStep(x, l, tape)],
  ['meanPool', 'mean', (x, l, tape) => meanPool(x, l, tape)],
  ['maxPool', 'max', (x, l, tape) => maxPool(x, l, tape)],
];

const shapeArb = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1e6 }), fc.boolean())
  .map(([T, B, F, seed, full]) => {
    const rng = createRng(seed);
    const lengths = full ? undefined : Array.from({ length: B }, () => 1 + rng.int(T));
    return { T, B, F, seed, lengths };
  });

describe('pooling values', () => {
  for (const [name, kind, pool] of pools) {
    test.prop([shapeArb], { numRuns: 15, seed: 71 })(`${name} matches its definition`, ({ T, B, F, seed, lengths }) => {
      const x = distinctTensor(T, B, F, seed);
      const y = pool(x, lengths);
      expect(y.shape).toEqual([B, F]);
      expectClose(y.data, reference(kind, x, lengths ?? new Array<number>(B).fill(T)), name, 1e-6, 1e-6);
    });
  }

  test.prop([shapeArb], { numRuns: 15, seed: 72 })('lastStepBidirectional = [forward at L − 1 | reverse at 0]', ({ T, B, F, seed, lengths }) => {
    const H = F;
    const x = distinctTensor(T, B, 2 * H, seed);
    const y = lastStepBidirectional(x, lengths, H);
    expect(y.shape).toEqual([B, 2 * H]);
    expect(Array.from(y.data)).toEqual(reference('bidir', x, lengths ?? new Array<number>(B).fill(T), H).map(Math.fround));
  });

  it('padded steps are never read (NaN padding does not leak)', () => {
    const T = 4, B = 3, F = 2;
    const lengths = [2, 4, 1];
    const x = randTensor([T, B, F], 5);
    for (let b = 0; b < B; b++) for (let t = lengths[b] as number; t < T; t++) for (let f = 0; f < F; f++) x.data[(t * B + b) * F + f] = Number.NaN;
    for (const [name, , pool] of pools) expect(Array.from(pool(x, lengths).data).every(Number.isFinite), name).toBe(true);
    expect(Array.from(lastStepBidirectional({ shape: [T, B, F], data: x.data }, lengths, 1).data).every(Number.isFinite)).toBe(true);
  });
});

describe('pooling gradients by central differences (random lengths)', () => {
  for (const [name, , pool] of pools) {
    test.prop([shapeArb], { numRuns: 10, seed: 73 })(name, ({ T, B, F, seed, lengths }) => {
      const x = distinctTensor(T, B, F, seed);
      const w = randTensor([B, F], seed + 1);
      const dx = new Float32Array(x.data.length);
      const r = gradCheck({
        targets: [{ name: 'output', value: x.data, grad: dx }],
        loss: () => weightedSum(pool(x, lengths).data, w.data),
        backward: () => {
          const tape = new Tape();
          tape.grad(pool(x, lengths, tape)).set(w.data);
          tape.backward();
          dx.set(tape.grad(x));
        },
        // Max-pool is piecewise linear: a step below the value spacing never crosses a kink.
        eps: name === 'maxPool' ? 1e-3 : 1e-2,
        atol: 2e-3,
        rtol: 2e-2,
      });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      // Padded steps receive exactly zero gradient.
      if (lengths) for (let b = 0; b < B; b++) for (let t = lengths[b] as number; t < T; t++) for (let f = 0; f < F; f++) expect(dx[(t * B + b) * F + f]).toBe(0);
    });
  }

  test.prop([shapeArb], { numRuns: 10, seed: 74 })('lastStepBidirectional', ({ T, B, F, seed, lengths }) => {
    const H = F;
    const x = randTensor([T, B, 2 * H], seed);
    const w = randTensor([B, 2 * H], seed + 1);
    const dx = new Float32Array(x.data.length);
    const r = gradCheck({
      targets: [{ name: 'output', value: x.data, grad: dx }],
      loss: () => weightedSum(lastStepBidirectional(x, lengths, H).data, w.data),
      backward: () => {
        const tape = new Tape();
        tape.grad(lastStepBidirectional(x, lengths, H, tape)).set(w.data);
        tape.backward();
        dx.set(tape.grad(x));
      },
      eps: 1e-2,
      atol: 2e-3,
      rtol: 2e-2,
    });
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });

  test.prop([fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1e6 })], { numRuns: 8, seed: 75 })(
    'Embedding → meanPool → Linear → crossEntropy with lengths',
    (T, B, seed) => {
      const V = 6, E = 3, C = 3;
      const embed = new Embedding({ numEmbeddings: V, embeddingDim: E, seed });
      const head = new Linear({ inFeatures: E, outFeatures: C, seed: seed + 1 });
      const rng = createRng(seed);
      const ids = indexTensor(Array.from({ length: T * B }, () => rng.int(V)), [T, B]);
      const lengths = Array.from({ length: B }, () => 1 + rng.int(T));
      const labels = indexTensor(Array.from({ length: B }, () => rng.int(C)));
      const run = (tape?: Tape): number =>
        crossEntropy(head.forward(meanPool(embed.forward(ids, tape), lengths, tape), tape), labels, tape ? { tape } : {}).loss;
      const r = gradCheck({
        targets: [...embed.parameters(), ...head.parameters()].map((p, i) => ({ ...p, name: `${i}.${p.name}` })),
        loss: () => run(),
        backward: () => {
          embed.zeroGrad();
          head.zeroGrad();
          const tape = new Tape();
          run(tape);
          tape.backward();
        },
        eps: 1e-2,
        atol: 2e-3,
        rtol: 2e-2,
      });
      expect(r.ok, JSON.stringify(r)).toBe(true);
    },
  );
});

describe('pooling errors', () => {
  it('a [B, F] input names both shapes and hints', () => {
    const e = thrown(() => lastStep(zerosTensor([4, 8])));
    expect(isRnnError(e)).toBe(true);
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toContain('lastStep');
    expect(e.message).toContain('[T, B, F]');
    expect(e.message).toContain('[4, 8]');
    expect(e.message).toContain('already one row per sequence');
  });
  it('lengths are checked against B and T', () => {
    expect(thrown(() => meanPool(zerosTensor([3, 2, 1]), [1, 2, 3])).message).toContain('lengths has 3 entries, expected one per batch element (B=2)');
    expect(thrown(() => maxPool(zerosTensor([3, 2, 1]), [1, 4])).message).toContain('lengths[1] = 4 is out of range');
    expect(thrown(() => lastStep(zerosTensor([3, 2, 1]), [0, 1])).message).toContain('lengths[0] = 0');
    expect(thrown(() => lastStep(zerosTensor([0, 2, 1]))).message).toContain('no time steps');
  });
  it('lastStepBidirectional checks F = 2H', () => {
    const e = thrown(() => lastStepBidirectional(zerosTensor([3, 2, 4]), undefined, 4));
    expect(e.message).toContain('[T, B, 2H=8]');
    expect(e.message).toContain('[T=3, B=2, F=4]');
    expect(e.message).toContain('use lastStep');
    expect(thrown(() => lastStepBidirectional(zerosTensor([3, 2, 4]), undefined, 0)).code).toBe('E_CONFIG');
  });
});
