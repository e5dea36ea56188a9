import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { Vocab } from '../../src/data/vocab.js';
import { createRng } from '../../src/kernel/rng.js';
import type { AttentionKind } from '../../src/seq2seq/attention.js';
import { beamSearch } from '../../src/seq2seq/beam-search.js';
import { greedyDecode } from '../../src/seq2seq/greedy-decode.js';
import { sampleDecode } from '../../src/seq2seq/sample-decode.js';
import { makeSeq2SeqBatch } from '../../src/seq2seq/seq2seq-batch.js';
import type { Seq2Seq } from '../../src/seq2seq/seq2seq.js';
import { randomPairs, sourceBlock, tinyModel } from './helpers.js';

const kinds: AttentionKind[] = ['none', 'dot', 'general', 'additive'];

/** Sharpens a random model so that its outputs are not all near-uniform. */
function sharpen(model: Seq2Seq, factor: number): Seq2Seq {
  for (const p of model.decoder.out.parameters()) for (let i = 0; i < p.value.length; i++) p.value[i] = (p.value[i] as number) * factor;
  return model;
}

function randomSources(seed: number, B: number): ReturnType<typeof sourceBlock> {
  return sourceBlock(randomPairs(seed, B, 5).map((p) => Array.from(p.source)));
}

describe('greedy decoding and beam search', () => {
  test.prop([fc.constantFrom(...kinds), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 4 }), fc.double({ min: 0, max: 2, noNaN: true })], {
    numRuns: 40,
    seed: 1,
  })('beam width 1 equals greedy decoding (tokens, log-probability, EOS), at any length penalty', (attention, seed, B, alpha) => {
    const model = sharpen(tinyModel({ attention, seed }), 3);
    const { source, lengths } = randomSources(seed, B);
    const greedy = greedyDecode(model, source, { lengths, maxLength: 6 });
    const beam = beamSearch(model, source, { lengths, maxLength: 6, beamWidth: 1, lengthPenalty: alpha });
    for (let b = 0; b < B; b++) {
      const g = greedy[b]!, h = beam[b]![0]!;
      expect(h.tokens).toEqual(g.tokens);
      expect(h.finished).toBe(g.finished);
      expect(h.logProb).toBeCloseTo(g.logProb, 9);
    }
  });

  test.prop([fc.constantFrom(...kinds), fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(0, 0.6, 1.5), fc.integer({ min: 1, max: 3 })], {
    numRuns: 20,
    seed: 2,
  })('a beam wide enough to keep every hypothesis returns the exhaustive-search optimum', (attention, seed, alpha, maxLength) => {
    const model = sharpen(tinyModel({ attention, seed }), 2);
    const src = randomPairs(seed, 1, 5)[0]!.source;
    const { source, lengths } = sourceBlock([Array.from(src)]);
    // Enumerate every output: n tokens from {UNK, x, y} then EOS (n < maxLength), or maxLength tokens without EOS.
    const outs: { target: number[]; finished: boolean }[] = [];
    const grow = (prefix: number[]): void => {
      if (prefix.length < maxLength) outs.push({ target: prefix, finished: true });
      else {
        outs.push({ target: prefix, finished: false });
        return;
      }
      for (const k of [3, 4, 5]) grow([...prefix, k]);
    };
    grow([]);
    // Score them all in one teacher-forced batch; an unfinished output does not pay for EOS.
    const batch = makeSeq2SeqBatch(outs.map((o) => ({ source: src, target: o.target })));
    const { logits } = model.forward(batch);
    const [, B] = batch.targetOut.shape as [number, number];
    const V = model.decoder.vocabSize;
    const lp = (n: number): number => Math.pow((5 + n) / 6, alpha);
    let best = -Infinity, second = -Infinity, bestIdx = -1;
    outs.forEach((o, b) => {
      const steps = o.finished ? o.target.length + 1 : o.target.length;
      let logProb = 0;
      for (let t = 0; t < steps; t++) {
        const row = logits.data.subarray((t * B + b) * V, (t * B + b + 1) * V);
        const max = Math.max(...row);
        const lse = max + Math.log(row.reduce((s, z) => s + Math.exp(z - max), 0));
        logProb += (row[batch.targetOut.data[t * B + b]!] as number) - lse;
      }
      const score = logProb / lp(steps);
      if (score > best) {
        second = best;
        best = score;
        bestIdx = b;
      } else if (score > second) second = score;
    });
    const [[top]] = beamSearch(model, source, { lengths, maxLength, beamWidth: 64, lengthPenalty: alpha }) as [[NonNullable<ReturnType<typeof beamSearch>[0][0]>]];
    expect(top.score).toBeCloseTo(best, 4);
    if (best - second > 1e-4) {
      expect(top.tokens).toEqual(outs[bestIdx]!.target);
      expect(top.finished).toBe(outs[bestIdx]!.finished);
    }
  });

  it('EOS ends a hypothesis; without EOS a hypothesis stops unfinished at maxLength', () => {
    const model = tinyModel({ attention: 'general', seed: 3 });
    const { source, lengths } = randomSources(3, 3);
    const bias = model.decoder.out.params.value('bias');
    bias[2] = 100; // EOS always wins
    for (const hyps of [greedyDecode(model, source, { lengths }), beamSearch(model, source, { lengths, beamWidth: 3 }).map((h) => h[0]!)]) {
      for (const h of hyps) {
        expect(h.tokens).toEqual([]);
        expect(h.finished).toBe(true);
      }
    }
    bias[2] = -100; // EOS never wins
    for (const hyps of [greedyDecode(model, source, { lengths, maxLength: 5 }), beamSearch(model, source, { lengths, maxLength: 5, beamWidth: 3, nBest: 3 }).flat()]) {
      for (const h of hyps) {
        expect(h.tokens).toHaveLength(5);
        expect(h.finished).toBe(false);
        expect(h.tokens).not.toContain(2);
      }
    }
  });

  test.prop([fc.constantFrom(...kinds), fc.integer({ min: 0, max: 10_000 })], { numRuns: 20, seed: 3 })(
    'finished hypotheses never contain PAD, BOS or EOS; n-best lists are sorted and at most nBest long',
    (attention, seed) => {
      const model = sharpen(tinyModel({ attention, seed }), 2);
      const { source, lengths } = randomSources(seed, 3);
      const lists = beamSearch(model, source, { lengths, beamWidth: 4, nBest: 3, maxLength: 5, lengthPenalty: 0.6 });
      for (const list of lists) {
        expect(list.length).toBeGreaterThan(0);
        expect(list.length).toBeLessThanOrEqual(3);
        for (let i = 1; i < list.length; i++) expect(list[i]!.score).toBeLessThanOrEqual(list[i - 1]!.score);
        for (const h of list) {
          for (const t of h.tokens) expect(t).toBeGreaterThanOrEqual(3);
          if (!h.finished) expect(h.tokens).toHaveLength(5);
        }
      }
    },
  );

  test.prop([fc.constantFrom(...kinds), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 2, max: 4 })], { numRuns: 20, seed: 4 })(
    'decoding a batch gives the same hypotheses as decoding each source alone',
    (attention, seed, B) => {
      const model = sharpen(tinyModel({ attention, seed }), 2);
      const seqs = randomPairs(seed, B, 5).map((p) => Array.from(p.source));
      const { source, lengths } = sourceBlock(seqs);
      const together = beamSearch(model, source, { lengths, beamWidth: 3, nBest: 2, maxLength: 5 });
      seqs.forEach((q, b) => {
        const alone = beamSearch(model, sourceBlock([q]).source, { beamWidth: 3, nBest: 2, maxLength: 5 })[0]!;
        expect(together[b]!.map((h) => h.tokens)).toEqual(alone.map((h) => h.tokens));
        together[b]!.forEach((h, i) => expect(h.score).toBeCloseTo(alone[i]!.score, 5));
      });
    },
  );

  it('a hand-written loop over createState / step / select reproduces greedy decoding', () => {
    const model = sharpen(tinyModel({ attention: 'additive', seed: 8 }), 3);
    const { source, lengths } = randomSources(8, 3);
    const { encoder, init } = model.encode(source, { lengths });
    const state = model.decoder.createState(encoder, init, 6);
    const V = model.decoder.vocabSize;
    let inputs = new Int32Array(3).fill(Vocab.BOS);
    const tokens: number[][] = [[], [], []];
    const alive = [0, 1, 2];
    for (let t = 0; t < 6 && alive.length > 0; t++) {
      model.decoder.step(state, inputs);
      const keep: number[] = [];
      const next: number[] = [];
      alive.forEach((b, r) => {
        const row = Array.from(state.logits.subarray(r * V, (r + 1) * V));
        const k = 2 + row.slice(2).indexOf(Math.max(...row.slice(2)));
        if (k === Vocab.EOS) return;
        tokens[b]!.push(k);
        keep.push(r);
        next.push(k);
      });
      const survivors = keep.map((r) => alive[r]!);
      state.select(keep, keep.length);
      alive.splice(0, alive.length, ...survivors);
      inputs = Int32Array.from(next);
    }
    expect(tokens).toEqual(greedyDecode(model, source, { lengths, maxLength: 6 }).map((h) => h.tokens));
    expect(() => state.select([0], 7)).toThrow(/count must be an integer in \[0, capacity=6\], got 7/);
  });

  it('is deterministic: the same call gives identical results', () => {
    const model = sharpen(tinyModel({ attention: 'additive', seed: 9 }), 2);
    const { source, lengths } = randomSources(9, 4);
    const opts = { lengths, beamWidth: 3, nBest: 3, lengthPenalty: 0.6, returnAttention: true } as const;
    expect(beamSearch(model, source, opts)).toEqual(beamSearch(model, source, opts));
    expect(greedyDecode(model, source, { lengths, returnAttention: true })).toEqual(greedyDecode(model, source, { lengths, returnAttention: true }));
    expect(sampleDecode(model, source, { lengths, seed: 5 })).toEqual(sampleDecode(model, source, { lengths, seed: 5 }));
  });

  it('returns attention rows over the valid source steps that sum to 1', () => {
    const model = sharpen(tinyModel({ attention: 'general', seed: 4 }), 2);
    const { source, lengths } = sourceBlock([[4, 5, 6, 7, 4], [5, 6]]);
    const check = (h: { tokens: number[]; attention: Float32Array | null }, len: number): void => {
      expect(h.attention).not.toBeNull();
      expect(h.attention!.length).toBe(h.tokens.length * len);
      for (let i = 0; i < h.tokens.length; i++) {
        let sum = 0;
        for (let s = 0; s < len; s++) sum += h.attention![i * len + s]!;
        expect(sum).toBeCloseTo(1, 5);
      }
    };
    greedyDecode(model, source, { lengths, returnAttention: true }).forEach((h, b) => check(h, lengths[b]!));
    beamSearch(model, source, { lengths, beamWidth: 3, nBest: 3, returnAttention: true }).forEach((list, b) => list.forEach((h) => check(h, lengths[b]!)));
    const plain = tinyModel({ attention: 'none', seed: 4 });
    expect(greedyDecode(plain, source, { lengths, returnAttention: true })[0]!.attention).toBeNull();
  });
});

describe('sampling', () => {
  it('is seeded: the same seed or rng state repeats, another seed differs', () => {
    const model = tinyModel({ attention: 'dot', seed: 2 });
    const { source, lengths } = randomSources(2, 8);
    const a = sampleDecode(model, source, { lengths, seed: 1, maxLength: 8 });
    expect(sampleDecode(model, source, { lengths, rng: createRng(1), maxLength: 8 })).toEqual(a);
    expect(sampleDecode(model, source, { lengths, seed: 2, maxLength: 8 }).map((h) => h.tokens)).not.toEqual(a.map((h) => h.tokens));
  });

  test.prop([fc.constantFrom(...kinds), fc.integer({ min: 0, max: 10_000 })], { numRuns: 15, seed: 6 })(
    'top-k 1 and a tiny temperature both reduce to greedy decoding',
    (attention, seed) => {
      const model = sharpen(tinyModel({ attention, seed }), 3);
      const { source, lengths } = randomSources(seed, 3);
      const greedy = greedyDecode(model, source, { lengths, maxLength: 6 });
      expect(sampleDecode(model, source, { lengths, maxLength: 6, topK: 1, seed }).map((h) => h.tokens)).toEqual(greedy.map((h) => h.tokens));
      expect(sampleDecode(model, source, { lengths, maxLength: 6, temperature: 1e-4, seed }).map((h) => h.tokens)).toEqual(greedy.map((h) => h.tokens));
    },
  );

  it('follows the model distribution (frequencies of the first token)', () => {
    const tgt = new Vocab(['x', 'y']);
    const model = tinyModel({ attention: 'general', seed: 11, tgt });
    const { source, lengths } = sourceBlock(Array.from({ length: 4000 }, () => [4, 5]));
    const hyps = sampleDecode(model, source, { lengths, maxLength: 1, seed: 3 });
    const first = beamSearch(model, sourceBlock([[4, 5]]).source, { maxLength: 1, beamWidth: 4, nBest: 4 })[0]!;
    expect(first).toHaveLength(4); // EOS, UNK, x, y: PAD and BOS are never produced
    const z = first.reduce((s, h) => s + Math.exp(h.logProb), 0); // renormalised without PAD and BOS
    for (const h of first) {
      const token = h.tokens[0] ?? 2;
      const freq = hyps.filter((s) => (s.tokens[0] ?? 2) === token).length / hyps.length;
      expect(Math.abs(freq - Math.exp(h.logProb) / z)).toBeLessThan(0.03);
    }
  });
});
