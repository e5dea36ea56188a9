import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { batches, bucketByLength, padSequences, shuffled } from '../../src/data/batch.js';
import { ConfigError } from '../../src/errors.js';
import { createRng } from '../../src/kernel/rng.js';

const RUNS = { seed: 20240603, numRuns: 200 };
const seqsArb = fc.array(fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 15 }), { maxLength: 10 });

/** Every index in 0..n-1 exactly once across the batches. */
function expectPartition(bs: number[][], n: number): void {
  const all = bs.flat().sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
}

describe('padSequences', () => {
  it('matches the documented example (time-major and batch-first)', () => {
    const p = padSequences([[5, 6, 7], [8]], { padId: 0 });
    expect([p.T, p.B]).toEqual([3, 2]);
    expect([...p.ids]).toEqual([5, 8, 6, 0, 7, 0]);
    expect([...p.lengths]).toEqual([3, 1]);
    const q = padSequences([[5, 6, 7], [8]], { padId: -1, timeMajor: false });
    expect([...q.ids]).toEqual([5, 6, 7, 8, -1, -1]);
  });

  it('handles no sequences, empty sequences and typed arrays', () => {
    expect(padSequences([], { padId: 0 })).toMatchObject({ T: 0, B: 0 });
    const p = padSequences([[], new Int32Array([4, 5])], { padId: 9 });
    expect([...p.ids]).toEqual([9, 4, 9, 5]);
    expect([...p.lengths]).toEqual([0, 2]);
  });

  test.prop([seqsArb, fc.integer({ min: -5, max: 5 }), fc.boolean()], RUNS)(
    'preserves every token and length; padded cells hold padId',
    (seqs, padId, timeMajor) => {
      const { ids, lengths, T, B } = padSequences(seqs, { padId, timeMajor });
      expect(B).toBe(seqs.length);
      expect(T).toBe(Math.max(0, ...seqs.map((s) => s.length)));
      expect(ids.length).toBe(T * B);
      for (let b = 0; b < B; b++) {
        const seq = seqs[b] as number[];
        expect(lengths[b]).toBe(seq.length);
        for (let t = 0; t < T; t++) {
          const v = ids[timeMajor ? t * B + b : b * T + t];
          expect(v).toBe(t < seq.length ? seq[t] : padId);
        }
      }
    },
  );

  test.prop([seqsArb, fc.integer({ min: 0, max: 8 })], RUNS)('truncate: true keeps the first maxLength ids', (seqs, maxLength) => {
    const { ids, lengths, T, B } = padSequences(seqs, { padId: 0, maxLength, truncate: true });
    expect(T).toBeLessThanOrEqual(maxLength);
    for (let b = 0; b < B; b++) {
      const kept = (seqs[b] as number[]).slice(0, maxLength);
      expect(lengths[b]).toBe(kept.length);
      for (let t = 0; t < kept.length; t++) expect(ids[t * B + b]).toBe(kept[t]);
    }
  });

  it('never truncates silently', () => {
    expect(() => padSequences([[1, 2], [1, 2, 3]], { padId: 0, maxLength: 2 })).toThrow(
      /padSequences: seqs\[1\] has length 3, longer than maxLength = 2\. Pass truncate: true/,
    );
    expect(padSequences([[1, 2]], { padId: 0, maxLength: 2 }).T).toBe(2);
  });

  it('rejects bad ids and options', () => {
    expect(() => padSequences([[1, 2.5]], { padId: 0 })).toThrow(/seqs\[0\]\[1\] must be an int32 integer id, got 2.5/);
    expect(() => padSequences([[2 ** 31]], { padId: 0 })).toThrow(ConfigError);
    expect(() => padSequences([[1]], { padId: NaN })).toThrow(/padId must be an int32 integer/);
    expect(() => padSequences([[1]], {} as never)).toThrow(/padId/);
    expect(() => padSequences([[1], 7 as never], { padId: 0 })).toThrow(/seqs\[1\] must be an array of ids, got 7/);
    expect(() => padSequences([[1]], { padId: 0, maxLength: -1 })).toThrow(/maxLength must be a non-negative integer/);
    expect(() => padSequences([[1]], { padId: 0, truncate: 1 as never })).toThrow(/truncate must be a boolean/);
    expect(() => padSequences([[1]], { padId: 0, maxLen: 3 } as never)).toThrow(/unknown option "maxLen"/);
  });
});

describe('shuffled', () => {
  test.prop([fc.integer({ min: 0, max: 200 }), fc.integer()], RUNS)('is a permutation, the same for the same seed', (n, seed) => {
    const a = shuffled(n, createRng(seed));
    expectPartition([a], n);
    expect(shuffled(n, createRng(seed))).toEqual(a);
  });

  it('differs across seeds and rejects bad input', () => {
    expect(shuffled(50, createRng(1))).not.toEqual(shuffled(50, createRng(2)));
    expect(() => shuffled(-1, createRng(1))).toThrow(/shuffled: n must be a non-negative integer/);
    expect(() => shuffled(3, {} as never)).toThrow(/rng must be an Rng/);
  });
});

describe('batches', () => {
  test.prop([fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 20 }), fc.boolean(), fc.integer()], RUNS)(
    'cover every index once, in full batches except maybe the last; same seed same batches',
    (n, batchSize, shuffle, seed) => {
      const bs = batches(n, batchSize, { shuffle, rng: createRng(seed) });
      expectPartition(bs, n);
      bs.slice(0, -1).forEach((b) => expect(b.length).toBe(batchSize));
      expect(batches(n, batchSize, { shuffle, rng: createRng(seed) })).toEqual(bs);
      if (!shuffle) expect(bs.flat()).toEqual(Array.from({ length: n }, (_, i) => i));
      const dropped = batches(n, batchSize, { shuffle, rng: createRng(seed), dropLast: true });
      expect(dropped.length).toBe(Math.floor(n / batchSize));
      dropped.forEach((b) => expect(b.length).toBe(batchSize));
    },
  );

  it('rejects bad input', () => {
    expect(() => batches(10, 0)).toThrow(/batches: batchSize must be a positive integer, got 0/);
    expect(() => batches(10, 2, { shuffle: true })).toThrow(/shuffle: true needs an rng/);
    expect(() => batches(1.5, 2)).toThrow(ConfigError);
    expect(() => batches(10, 2, { seed: 1 } as never)).toThrow(/unknown option "seed"/);
  });
});

describe('bucketByLength', () => {
  const lengthsArb = fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 300 });

  test.prop([lengthsArb, fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 5 }), fc.integer()], RUNS)(
    'covers every index exactly once; only one batch may be short; same seed same batches',
    (lengths, batchSize, poolBatches, seed) => {
      const bs = bucketByLength(lengths, batchSize, createRng(seed), { poolBatches });
      expectPartition(bs, lengths.length);
      expect(bs.filter((b) => b.length !== batchSize).length).toBeLessThanOrEqual(1);
      expect(bucketByLength(lengths, batchSize, createRng(seed), { poolBatches })).toEqual(bs);
      const dropped = bucketByLength(lengths, batchSize, createRng(seed), { poolBatches, dropLast: true });
      expect(dropped.length).toBe(Math.floor(lengths.length / batchSize));
    },
  );

  it('groups similar lengths (less padding than random batches)', () => {
    const rng = createRng(11);
    const lengths = Array.from({ length: 2000 }, () => 1 + rng.int(100));
    const padding = (bs: number[][]): number =>
      bs.reduce((acc, b) => {
        const ls = b.map((i) => lengths[i] as number);
        return acc + ls.length * Math.max(...ls) - ls.reduce((x, y) => x + y, 0);
      }, 0);
    const bucketed = padding(bucketByLength(lengths, 32, createRng(1)));
    const random = padding(batches(lengths.length, 32, { shuffle: true, rng: createRng(1) }));
    expect(bucketed).toBeLessThan(random / 5);
    // With one global pool every batch spans a narrow length range.
    for (const b of bucketByLength(lengths, 32, createRng(2), { poolBatches: Infinity })) {
      const ls = b.map((i) => lengths[i] as number);
      expect(Math.max(...ls) - Math.min(...ls)).toBeLessThanOrEqual(3);
    }
  });

  it('varies across epochs drawn from one generator', () => {
    const lengths = Array.from({ length: 200 }, (_, i) => i % 7);
    const rng = createRng(5);
    expect(bucketByLength(lengths, 8, rng)).not.toEqual(bucketByLength(lengths, 8, rng));
  });

  it('rejects bad input', () => {
    const rng = createRng(1);
    expect(() => bucketByLength([1, -2], 2, rng)).toThrow(/bucketByLength: lengths\[1\] must be a non-negative integer, got -2/);
    expect(() => bucketByLength([1], 0, rng)).toThrow(/batchSize must be a positive integer/);
    expect(() => bucketByLength([1], 2, rng, { poolBatches: 0 })).toThrow(/poolBatches must be a positive integer/);
    expect(() => bucketByLength([1], 2, undefined as never)).toThrow(/rng must be an Rng/);
    expect(() => bucketByLength(5 as never, 2, rng)).toThrow(/lengths must be an array/);
  });
});
