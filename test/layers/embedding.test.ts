import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { isRnnError } from '../../src/errors.js';
import { createRng } from '../../src/kernel/rng.js';
import { Embedding } from '../../src/layers/embedding.js';
import { Tape } from '../../src/layers/tape.js';
import { gradCheck, type GradCheckTarget } from '../../src/train/grad-check.js';
import { indexTensor, type IndexTensor } from '../../src/tensor.js';
import { randTensor, weightedSum } from '../helpers/fixtures.js';

const TOL = { eps: 1e-2, atol: 2e-3, rtol: 2e-2 };

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

function randomIds(shape: number[], V: number, seed: number): IndexTensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return indexTensor(Array.from({ length: n }, () => rng.int(V)), shape);
}

describe('indexTensor', () => {
  it('infers shapes from nesting and accepts flat values with a shape', () => {
    const a = indexTensor([[3, 1], [4, 1]]);
    expect(a.shape).toEqual([2, 2]);
    expect(a.data).toBeInstanceOf(Int32Array);
    expect(Array.from(a.data)).toEqual([3, 1, 4, 1]);
    expect(indexTensor(new Int32Array([5, 6, 7, 8]), [2, 2]).shape).toEqual([2, 2]);
    expect(indexTensor(new Int32Array([5, 6])).shape).toEqual([2]);
    expect(indexTensor(7).shape).toEqual([]);
  });
  it('rejects non-integers, ragged nesting and size mismatches', () => {
    expect(thrown(() => indexTensor([[1, 2.5]])).message).toContain('entry [0][1] is 2.5');
    expect(thrown(() => indexTensor([1, 2, 3], [2, 2])).message).toContain('3 values cannot fill shape [2, 2]');
    expect(thrown(() => indexTensor([[1, 2], [3]])).message).toContain('ragged nesting at [1]');
    expect(thrown(() => indexTensor([2 ** 31])).code).toBe('E_SHAPE');
  });
});

describe('Embedding forward', () => {
  it('looks up rows into [...ids.shape, E]', () => {
    const emb = new Embedding({ numEmbeddings: 5, embeddingDim: 3, seed: 1 });
    const w = emb.params.value('weight');
    const ids = indexTensor([[4, 0], [2, 4]]);
    const y = emb.forward(ids);
    expect(y.shape).toEqual([2, 2, 3]);
    const expected = [4, 0, 2, 4].flatMap((id) => Array.from(w.subarray(id * 3, id * 3 + 3)));
    expect(Array.from(y.data)).toEqual(expected);
    expect(emb.forward(indexTensor([], [0, 3])).shape).toEqual([0, 3, 3]);
  });

  it('initialises N(0, 1) like PyTorch, deterministically by seed', () => {
    const emb = new Embedding({ numEmbeddings: 100, embeddingDim: 50, seed: 3 });
    const w = emb.params.value('weight');
    let s = 0, s2 = 0;
    for (const v of w) {
      s += v;
      s2 += v * v;
    }
    const mean = s / w.length, std = Math.sqrt(s2 / w.length - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.06);
    expect(Math.abs(std - 1)).toBeLessThan(0.05);
    const again = new Embedding({ numEmbeddings: 100, embeddingDim: 50, seed: 3 });
    expect(Array.from(again.params.values)).toEqual(Array.from(w));
    const viaRng = new Embedding({ numEmbeddings: 100, embeddingDim: 50, rng: createRng(3) });
    expect(Array.from(viaRng.params.values)).toEqual(Array.from(w));
  });

  it('zero-initialises the padding row, also for a negative paddingIdx', () => {
    const a = new Embedding({ numEmbeddings: 4, embeddingDim: 3, paddingIdx: 1, seed: 1 });
    expect(Array.from(a.params.value('weight').subarray(3, 6))).toEqual([0, 0, 0]);
    const b = new Embedding({ numEmbeddings: 4, embeddingDim: 3, paddingIdx: -1, seed: 1 });
    expect(b.paddingIdx).toBe(3);
    expect(Array.from(b.params.value('weight').subarray(9, 12))).toEqual([0, 0, 0]);
    expect(b.stateDict()['weight']?.shape).toEqual([4, 3]);
  });
});

describe('Embedding gradients', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 4 }),
      fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })),
      fc.option(fc.nat(), { nil: undefined }),
      fc.integer({ min: 0, max: 1e6 }),
    ],
    { numRuns: 10, seed: 21 },
  )('weight by central differences; the padding row gets exactly zero', (V, E, [T, B], padPick, seed) => {
    const paddingIdx = padPick === undefined ? undefined : padPick % V;
    const emb = new Embedding({ numEmbeddings: V, embeddingDim: E, seed, ...(paddingIdx === undefined ? {} : { paddingIdx }) });
    // Make sure the padding id actually occurs (and repeats, so scatter-add matters).
    const ids = randomIds([T, B], V, seed + 1);
    if (paddingIdx !== undefined) ids.data[0] = paddingIdx;
    const w = randTensor([T, B, E], seed + 2);
    const weight = emb.params.value('weight'), dWeight = emb.params.grad('weight');
    const backward = (): void => {
      emb.zeroGrad();
      const tape = new Tape();
      const y = emb.forward(ids, tape);
      tape.grad(y).set(w.data);
      tape.backward();
    };
    // The padding row is read by forward (so its numeric gradient is not zero) but must not be
    // trained: check every other row numerically and the padding row for exact zeros.
    const targets: GradCheckTarget[] = [];
    if (paddingIdx === undefined) targets.push({ name: 'weight', value: weight, grad: dWeight });
    else {
      targets.push({ name: 'weight[:pad]', value: weight.subarray(0, paddingIdx * E), grad: dWeight.subarray(0, paddingIdx * E) });
      targets.push({ name: 'weight[pad+1:]', value: weight.subarray((paddingIdx + 1) * E), grad: dWeight.subarray((paddingIdx + 1) * E) });
    }
    const r = gradCheck({ targets, loss: () => weightedSum(emb.forward(ids).data, w.data), backward, ...TOL });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    backward();
    if (paddingIdx !== undefined) expect(Array.from(dWeight.subarray(paddingIdx * E, (paddingIdx + 1) * E))).toEqual(new Array(E).fill(0));
  });

  it('repeated ids accumulate (scatter-add)', () => {
    const emb = new Embedding({ numEmbeddings: 3, embeddingDim: 2, seed: 1 });
    const tape = new Tape();
    const y = emb.forward(indexTensor([2, 2, 2, 0]), tape);
    tape.grad(y).fill(1);
    tape.backward();
    expect(Array.from(emb.params.grad('weight'))).toEqual([1, 1, 0, 0, 3, 3]);
  });
});

describe('Embedding errors', () => {
  it('an out-of-range id names its position, its value and V', () => {
    const emb = new Embedding({ numEmbeddings: 10, embeddingDim: 2 });
    const e = thrown(() => emb.forward(indexTensor([[1, 2], [12, 3]])));
    expect(isRnnError(e)).toBe(true);
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toContain('Embedding.forward');
    expect(e.message).toContain('ids[1, 0] = 12');
    expect(e.message).toContain('V=10');
    expect(e.message).toContain('[2, 2]');
    expect(thrown(() => emb.forward(indexTensor([-1]))).message).toContain('ids[0] = -1');
  });
  it('a non-integer id (from plain JavaScript) names its position and value', () => {
    const emb = new Embedding({ numEmbeddings: 10, embeddingDim: 2 });
    const e = thrown(() => emb.forward({ shape: [3], data: new Float32Array([1, 1.5, 2]) } as never));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toContain('ids[1] is 1.5');
    expect(e.message).toContain('V=10');
    // A plain array of integers is accepted and copied.
    expect(emb.forward({ shape: [2], data: [1, 2] } as never).shape).toEqual([2, 2]);
  });
  it('ids whose data does not fill the shape', () => {
    const emb = new Embedding({ numEmbeddings: 10, embeddingDim: 2 });
    expect(thrown(() => emb.forward({ shape: [2, 2], data: new Int32Array(3) })).message).toContain('shape [2, 2] (4 elements) but data of length 3');
  });
  it.each([
    [{ numEmbeddings: 0, embeddingDim: 2 }, 'numEmbeddings must be a positive integer'],
    [{ numEmbeddings: 5, embeddingDim: 2, paddingIdx: 5 }, 'paddingIdx must be an integer in [-V, V) = [-5, 5), got 5'],
    [{ numEmbeddings: 5, embeddingDim: 2, paddingIdx: 0.5 }, 'paddingIdx must be an integer'],
    [{ numEmbeddings: 5, embeddingDim: 2, padding_idx: 0 }, 'unknown option "padding_idx"'],
  ])('options %#', (opts, msg) => {
    const e = thrown(() => new Embedding(opts as never));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toContain(msg);
  });
});
