import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { isRnnError } from '../../src/errors.js';
import { createRng } from '../../src/kernel/rng.js';
import { Embedding } from '../../src/layers/embedding.js';
import { Linear } from '../../src/layers/linear.js';
import { Tape } from '../../src/layers/tape.js';
import { gradCheck } from '../../src/train/grad-check.js';
import { bceWithLogits, crossEntropy, mseLoss, type LossReduction } from '../../src/train/losses.js';
import { indexTensor, tensor, zerosTensor, type IndexTensor, type Tensor } from '../../src/tensor.js';
import { expectClose, randTensor } from '../helpers/fixtures.js';

const TOL = { eps: 1e-2, atol: 2e-3, rtol: 2e-2 };

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

// ---------------------------------------------------------------- float64 references (PyTorch formulas)

/** F.cross_entropy(z, y, ignore_index, label_smoothing, reduction) in float64, straight from the definition. */
function ceRef(z: Float32Array, y: Int32Array, C: number, ignoreIndex: number, eps: number, reduction: LossReduction): { loss: number; count: number } {
  let total = 0, count = 0;
  for (let n = 0; n < y.length; n++) {
    const t = y[n] as number;
    if (t === ignoreIndex) continue;
    const row = Array.from(z.subarray(n * C, (n + 1) * C));
    const m = Math.max(...row);
    const logZ = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    const logp = row.map((v) => v - logZ);
    const nll = -(logp[t] as number);
    const smooth = -logp.reduce((s, v) => s + v, 0) / C;
    total += (1 - eps) * nll + eps * smooth;
    count++;
  }
  return { loss: reduction === 'mean' ? (count ? total / count : 0) : total, count };
}

/** F.binary_cross_entropy_with_logits by the naive formula (fine for moderate logits). */
function bceRef(z: Float32Array, t: Float32Array, C: number, pw: number | Float32Array, reduction: LossReduction): number {
  let total = 0;
  for (let i = 0; i < z.length; i++) {
    const s = 1 / (1 + Math.exp(-(z[i] as number)));
    const w = typeof pw === 'number' ? pw : (pw[i % C] as number);
    total += -(w * (t[i] as number) * Math.log(s) + (1 - (t[i] as number)) * Math.log(1 - s));
  }
  return reduction === 'mean' ? total / z.length : total;
}

function randomTargets(N: number, C: number, ignoreIndex: number, seed: number, pIgnore = 0.25): Int32Array {
  const rng = createRng(seed);
  return Int32Array.from({ length: N }, () => (rng.uniform() < pIgnore ? ignoreIndex : rng.int(C)));
}

// ---------------------------------------------------------------- crossEntropy

describe('crossEntropy', () => {
  const ceArb = [
    fc.oneof(fc.tuple(fc.integer({ min: 1, max: 5 })), fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))),
    fc.integer({ min: 1, max: 6 }),
    fc.constantFrom(0, 0.1, 0.3),
    fc.constantFrom<LossReduction>('mean', 'sum'),
    fc.constantFrom(-100, 0),
    fc.integer({ min: 0, max: 1e6 }),
  ] as const;

  test.prop([...ceArb], { numRuns: 25, seed: 31 })('matches a float64 reference (label smoothing, ignoreIndex, reductions)', (lead, C, eps, reduction, ignoreIndex, seed) => {
    const N = lead.reduce((a, b) => a * b, 1);
    const logits = randTensor([...lead, C], seed, 3);
    const y = randomTargets(N, C, ignoreIndex, seed + 1);
    const targets: IndexTensor = { shape: [...lead], data: y };
    const got = crossEntropy(logits, targets, { labelSmoothing: eps, reduction, ignoreIndex });
    const ref = ceRef(logits.data, y, C, ignoreIndex, eps, reduction);
    expect(got.count).toBe(ref.count);
    expect(Math.abs(got.loss - ref.loss)).toBeLessThanOrEqual(1e-9 + 1e-9 * Math.abs(ref.loss));
  });

  test.prop([...ceArb], { numRuns: 15, seed: 32 })('gradient by central differences', (lead, C, eps, reduction, ignoreIndex, seed) => {
    const N = lead.reduce((a, b) => a * b, 1);
    const logits = randTensor([...lead, C], seed, 2);
    const targets: IndexTensor = { shape: [...lead], data: randomTargets(N, C, ignoreIndex, seed + 1) };
    const dz = new Float32Array(logits.data.length);
    const opts = { labelSmoothing: eps, reduction, ignoreIndex };
    const r = gradCheck({
      targets: [{ name: 'logits', value: logits.data, grad: dz }],
      loss: () => crossEntropy(logits, targets, opts).loss,
      backward: () => {
        const tape = new Tape();
        crossEntropy(logits, targets, { ...opts, tape });
        dz.set(tape.grad(logits));
      },
      ...TOL,
    });
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });

  it('the gradient is (softmax − smoothed one-hot)/count, zero on ignored rows, and accumulates', () => {
    const logits = tensor([[1, 2, 3], [0, 0, 0], [3, -1, 0]]);
    const targets = indexTensor([2, -100, 0]);
    const tape = new Tape();
    const eps = 0.2, C = 3;
    crossEntropy(logits, targets, { tape, labelSmoothing: eps });
    const expected: number[] = [];
    for (const [n, t] of [[0, 2], [1, -1], [2, 0]] as const) {
      const row = Array.from(logits.data.subarray(n * C, n * C + C));
      const s = row.reduce((a, v) => a + Math.exp(v), 0);
      for (let c = 0; c < C; c++) expected.push(t < 0 ? 0 : (Math.exp(row[c] as number) / s - (1 - eps) * (c === t ? 1 : 0) - eps / C) / 2);
    }
    expectClose(tape.grad(logits), expected, 'dlogits', 1e-7, 1e-6);
    crossEntropy(logits, targets, { tape, labelSmoothing: eps });
    expectClose(tape.grad(logits), expected.map((v) => 2 * v), 'dlogits twice', 1e-7, 1e-6);
  });

  it('known values: log 2, and label smoothing as PyTorch defines it', () => {
    expect(crossEntropy(tensor([[0, 0]]), indexTensor([1])).loss).toBeCloseTo(Math.LN2, 12);
    // torch.nn.functional.cross_entropy(tensor([[1., 2., 3.]]), tensor([2]), label_smoothing=0.1)
    expect(crossEntropy(tensor([[1, 2, 3]]), indexTensor([2]), { labelSmoothing: 0.1 }).loss).toBeCloseTo(0.5076059644443801, 7);
    expect(crossEntropy(tensor([[1, 2, 3]]), indexTensor([2])).loss).toBeCloseTo(0.40760596444438013, 7);
  });

  it('ignored targets are excluded from the mean, not counted as zeros', () => {
    const logits = randTensor([5, 4], 3, 2);
    const all = indexTensor([1, 3, 0, 2, 1]);
    const some = indexTensor([1, -100, 0, -100, 1]);
    const kept: Tensor = { shape: [3, 4], data: Float32Array.from([...logits.data.subarray(0, 4), ...logits.data.subarray(8, 12), ...logits.data.subarray(16, 20)]) };
    const sub = crossEntropy(kept, indexTensor([1, 0, 1]));
    const masked = crossEntropy(logits, some);
    expect(masked.count).toBe(3);
    expect(masked.loss).toBeCloseTo(sub.loss, 12);
    expect(crossEntropy(logits, all).count).toBe(5);
    // A custom ignoreIndex that is also a valid class id (padding id 0).
    expect(crossEntropy(logits, indexTensor([0, 0, 0, 0, 0]), { ignoreIndex: 0 })).toEqual({ loss: 0, count: 0 });
  });

  it('[T, B, C] logits equal their flattened [T·B, C] rows', () => {
    const logits = randTensor([3, 2, 5], 8, 2);
    const y = indexTensor([[1, 4], [0, 2], [3, 3]]);
    const flat = crossEntropy({ shape: [6, 5], data: logits.data }, { shape: [6], data: y.data });
    expect(crossEntropy(logits, y)).toEqual(flat);
  });

  it('is stable for huge logits', () => {
    const r = crossEntropy(tensor([[1000, -1000, 0], [-1e4, 1e4, 0]]), indexTensor([1, 0]), { labelSmoothing: 0.1 });
    expect(Number.isFinite(r.loss)).toBe(true);
    // row 0: nll 2000, smooth mean(−log p) = (0 + 2000 + 1000)/3; row 1: nll 2e4, smooth (2e4 + 0 + 1e4)/3
    expect(r.loss).toBeCloseTo((0.9 * 2000 + 0.1 * 1000 + 0.9 * 2e4 + 0.1 * 1e4) / 2, 6);
    const tape = new Tape();
    const z = tensor([[1000, -1000, 0]]);
    crossEntropy(z, indexTensor([0]), { tape });
    expect(Array.from(tape.grad(z)).every(Number.isFinite)).toBe(true);
  });

  it('all targets ignored: loss 0, count 0, no gradient', () => {
    const tape = new Tape();
    const z = randTensor([2, 3], 1);
    expect(crossEntropy(z, indexTensor([-100, -100]), { tape })).toEqual({ loss: 0, count: 0 });
    expect(tape.hasGrad(z)).toBe(false);
  });

  it('errors name both shapes, the position and value of a bad target, and bad options', () => {
    const z = zerosTensor([4, 3]);
    const e = thrown(() => crossEntropy(z, indexTensor([0, 1, 2])));
    expect(isRnnError(e)).toBe(true);
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toContain('crossEntropy');
    expect(e.message).toContain('[4, 3]');
    expect(e.message).toContain('[3]');
    expect(thrown(() => crossEntropy(z, indexTensor([[0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 0, 1]]))).message).toContain('not one-hot');
    const bad = thrown(() => crossEntropy(zerosTensor([2, 2, 3]), indexTensor([[0, 1], [3, 0]])));
    expect(bad.message).toContain('targets[1, 0] = 3');
    expect(bad.message).toContain('C=3');
    expect(thrown(() => crossEntropy(z, indexTensor([0, 1, 2, -1]))).message).toContain('targets[3] = -1');
    expect(thrown(() => crossEntropy(z, indexTensor([0, 1, 2, 0]), { labelSmoothing: 1 })).code).toBe('E_CONFIG');
    expect(thrown(() => crossEntropy(z, indexTensor([0, 1, 2, 0]), { reduction: 'none' as never })).message).toContain("reduction must be 'mean' or 'sum'");
    expect(thrown(() => crossEntropy(z, indexTensor([0, 1, 2, 0]), { ignore_index: 0 } as never)).message).toContain('unknown option "ignore_index"');
    expect(thrown(() => crossEntropy(z, indexTensor([0, 1, 2, 0]), { ignoreIndex: 0.5 })).message).toContain('ignoreIndex must be an integer');
  });
});

// ---------------------------------------------------------------- mseLoss

describe('mseLoss', () => {
  test.prop([fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom<LossReduction>('mean', 'sum'), fc.integer({ min: 0, max: 1e6 })], {
    numRuns: 10,
    seed: 41,
  })('value against float64 and gradient by central differences', (B, F, reduction, seed) => {
    const pred = randTensor([B, F], seed, 2);
    const target = randTensor([B, F], seed + 1, 2);
    let ref = 0;
    for (let i = 0; i < B * F; i++) ref += ((pred.data[i] as number) - (target.data[i] as number)) ** 2;
    if (reduction === 'mean') ref /= B * F;
    const got = mseLoss(pred, target, { reduction });
    expect(got.count).toBe(B * F);
    expect(got.loss).toBeCloseTo(ref, 12);
    const dp = new Float32Array(B * F);
    const r = gradCheck({
      targets: [{ name: 'pred', value: pred.data, grad: dp }],
      loss: () => mseLoss(pred, target, { reduction }).loss,
      backward: () => {
        const tape = new Tape();
        mseLoss(pred, target, { reduction, tape });
        dp.set(tape.grad(pred));
      },
      ...TOL,
    });
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });

  it('errors name both shapes', () => {
    const e = thrown(() => mseLoss(zerosTensor([2, 3]), zerosTensor([3, 2])));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toContain('mseLoss');
    expect(e.message).toContain('[2, 3]');
    expect(e.message).toContain('[3, 2]');
    expect(mseLoss(zerosTensor([0, 2]), zerosTensor([0, 2]))).toEqual({ loss: 0, count: 0 });
  });
});

// ---------------------------------------------------------------- bceWithLogits

describe('bceWithLogits', () => {
  const bceArb = [
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 1, max: 4 }),
    fc.constantFrom<LossReduction>('mean', 'sum'),
    fc.constantFrom('none', 'scalar', 'vector'),
    fc.boolean(),
    fc.integer({ min: 0, max: 1e6 }),
  ] as const;
  const setup = (B: number, C: number, pwKind: string, soft: boolean, seed: number) => {
    const logits = randTensor([B, C], seed, 3);
    const rng = createRng(seed + 1);
    const targets: Tensor = { shape: [B, C], data: Float32Array.from({ length: B * C }, () => (soft ? rng.uniform() : rng.int(2))) };
    const pwVec = Float32Array.from({ length: C }, () => 0.5 + 2 * rng.uniform());
    const posWeight = pwKind === 'scalar' ? 2.5 : pwKind === 'vector' ? tensor(pwVec) : undefined;
    const pwRef = pwKind === 'scalar' ? 2.5 : pwKind === 'vector' ? pwVec : 1;
    return { logits, targets, posWeight, pwRef };
  };

  test.prop([...bceArb], { numRuns: 20, seed: 51 })('matches the float64 naive formula', (B, C, reduction, pwKind, soft, seed) => {
    const { logits, targets, posWeight, pwRef } = setup(B, C, pwKind, soft, seed);
    const got = bceWithLogits(logits, targets, { reduction, ...(posWeight === undefined ? {} : { posWeight }) });
    const ref = bceRef(logits.data, targets.data, C, pwRef, reduction);
    expect(got.count).toBe(B * C);
    expect(Math.abs(got.loss - ref)).toBeLessThanOrEqual(1e-9 + 1e-9 * Math.abs(ref));
  });

  test.prop([...bceArb], { numRuns: 10, seed: 52 })('gradient by central differences', (B, C, reduction, pwKind, soft, seed) => {
    const { logits, targets, posWeight } = setup(B, C, pwKind, soft, seed);
    const opts = { reduction, ...(posWeight === undefined ? {} : { posWeight }) };
    const dz = new Float32Array(B * C);
    const r = gradCheck({
      targets: [{ name: 'logits', value: logits.data, grad: dz }],
      loss: () => bceWithLogits(logits, targets, opts).loss,
      backward: () => {
        const tape = new Tape();
        bceWithLogits(logits, targets, { ...opts, tape });
        dz.set(tape.grad(logits));
      },
      ...TOL,
    });
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });

  it('known value with posWeight, and stability at extreme logits', () => {
    // F.binary_cross_entropy_with_logits(tensor([0.5, -1.2]), tensor([1., 0.]), pos_weight=tensor(3.))
    expect(bceWithLogits(tensor([0.5, -1.2]), tensor([1, 0]), { posWeight: 3 }).loss).toBeCloseTo(0.8427567099391755, 7);
    const z = tensor([100, -100, 100, -100]);
    const r = bceWithLogits(z, tensor([0, 1, 1, 0]), { reduction: 'sum' });
    expect(r.loss).toBeCloseTo(200, 6);
    const tape = new Tape();
    bceWithLogits(z, tensor([0, 1, 1, 0]), { tape, reduction: 'sum' });
    expectClose(tape.grad(z), [1, -1, 0, 0], 'dz', 1e-6, 0);
  });

  it('errors: shapes, target range, posWeight shape', () => {
    const e = thrown(() => bceWithLogits(zerosTensor([2, 3]), zerosTensor([2, 2])));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toContain('[2, 3]');
    expect(e.message).toContain('[2, 2]');
    expect(thrown(() => bceWithLogits(zerosTensor([2, 2]), tensor([[0, 1], [2, 0]]))).message).toContain('targets[1, 0] = 2 is out of range');
    const pw = thrown(() => bceWithLogits(zerosTensor([2, 3]), zerosTensor([2, 3]), { posWeight: zerosTensor([2]) }));
    expect(pw.message).toContain('[C=3]');
    expect(pw.message).toContain('[2]');
    expect(thrown(() => bceWithLogits(zerosTensor([1]), zerosTensor([1]), { posWeight: -1 })).code).toBe('E_CONFIG');
  });
});

// ---------------------------------------------------------------- composition

describe('a composed chain through one Tape', () => {
  test.prop([fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 0.2), fc.integer({ min: 0, max: 1e6 })], { numRuns: 10, seed: 61 })(
    'Embedding → Linear → crossEntropy: every parameter by central differences',
    (T, B, eps, seed) => {
      const V = 7, E = 3, C = 4, PAD = 0;
      const embed = new Embedding({ numEmbeddings: V, embeddingDim: E, paddingIdx: PAD, seed });
      const head = new Linear({ inFeatures: E, outFeatures: C, seed: seed + 1 });
      const rng = createRng(seed);
      const ids = indexTensor(Array.from({ length: T * B }, () => 1 + rng.int(V - 1)), [T, B]);
      const labels = indexTensor(Array.from({ length: T * B }, () => (rng.uniform() < 0.2 ? -100 : rng.int(C))), [T, B]);
      const run = (tape?: Tape): number => crossEntropy(head.forward(embed.forward(ids, tape), tape), labels, tape ? { labelSmoothing: eps, tape } : { labelSmoothing: eps }).loss;
      const r = gradCheck({
        // Row 0 is the padding row: it is never looked up here and never trained.
        targets: [{ name: 'embed.weight[1:]', value: embed.params.values.subarray(E), grad: embed.params.grads.subarray(E) }, ...head.parameters()],
        loss: () => run(),
        backward: () => {
          embed.zeroGrad();
          head.zeroGrad();
          const tape = new Tape();
          run(tape);
          tape.backward();
        },
        ...TOL,
      });
      expect(r.ok, JSON.stringify(r)).toBe(true);
    },
  );
});
