import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { CellKind } from '../../src/cells/cell-core.js';
import { Tape } from '../../src/layers/tape.js';
import type { AttentionKind } from '../../src/seq2seq/attention.js';
import { beamSearch } from '../../src/seq2seq/beam-search.js';
import { greedyDecode } from '../../src/seq2seq/greedy-decode.js';
import { makeSeq2SeqBatch, type Seq2SeqBatch } from '../../src/seq2seq/seq2seq-batch.js';
import { expectClose } from '../helpers/fixtures.js';
import { randomPairs, sourceBlock, tinyModel } from './helpers.js';

/** The same batch with `extra` more source steps of junk ids after every length. */
function padSource(batch: Seq2SeqBatch, extra: number, seed: number): Seq2SeqBatch {
  const [S, B] = batch.source.shape as [number, number];
  const S2 = S + extra;
  const data = new Int32Array(S2 * B);
  for (let s = 0; s < S2; s++) {
    for (let b = 0; b < B; b++) {
      data[s * B + b] = s < batch.sourceLengths[b]! ? batch.source.data[s * B + b]! : (seed + 3 * s + 5 * b) % 8; // any valid id
    }
  }
  return { ...batch, source: { shape: [S2, B], data } };
}

describe('source padding never changes the output', () => {
  test.prop(
    [
      fc.constantFrom<AttentionKind>('none', 'dot', 'general', 'additive'),
      fc.constantFrom<CellKind>('lstm', 'gru', 'rnn'),
      fc.boolean(),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 0, max: 10_000 }),
    ],
    { numRuns: 40, seed: 7 },
  )('logits, attention and decoded outputs are unchanged by extra padded steps with junk ids', (attention, cell, bidirectional, B, extra, seed) => {
    const model = tinyModel({ attention, encCell: cell, decCell: cell, bidirectional, encLayers: 2, seed });
    const batch = makeSeq2SeqBatch(randomPairs(seed, B));
    const padded = padSource(batch, extra, seed);
    const a = model.forward(batch, { returnAttention: true });
    const b = model.forward(padded, { returnAttention: true });
    expectClose(b.logits.data, a.logits.data, 'logits', 1e-6, 1e-6);
    if (a.attention && b.attention) {
      const [T, Bb, S] = a.attention.shape as [number, number, number];
      for (let t = 0; t < T; t++) {
        for (let j = 0; j < Bb; j++) {
          for (let s = 0; s < S + extra; s++) {
            const wb = b.attention.data[(t * Bb + j) * (S + extra) + s]!;
            if (s >= batch.sourceLengths[j]!) expect(wb).toBe(0);
            else expect(wb).toBeCloseTo(a.attention.data[(t * Bb + j) * S + s]!, 6);
          }
        }
      }
    }
    const lengths = batch.sourceLengths;
    expect(greedyDecode(model, padded.source, { lengths, maxLength: 5 })).toEqual(greedyDecode(model, batch.source, { lengths, maxLength: 5 }).map((h) => expect.objectContaining({ tokens: h.tokens, finished: h.finished })));
    const beamA = beamSearch(model, batch.source, { lengths, maxLength: 5, beamWidth: 3 });
    const beamB = beamSearch(model, padded.source, { lengths, maxLength: 5, beamWidth: 3 });
    expect(beamB.map((l) => l.map((h) => h.tokens))).toEqual(beamA.map((l) => l.map((h) => h.tokens)));
  });

  it('a source decodes the same alone and next to longer sources', () => {
    const model = tinyModel({ attention: 'additive', seed: 12 });
    const short = [4, 5];
    const alone = greedyDecode(model, sourceBlock([short]).source, { maxLength: 6 })[0]!;
    const { source, lengths } = sourceBlock([[6, 7, 4, 5, 6, 7], short, [7, 7, 7]]);
    const mixed = greedyDecode(model, source, { lengths, maxLength: 6 })[1]!;
    expect(mixed.tokens).toEqual(alone.tokens);
    expect(mixed.logProb).toBeCloseTo(alone.logProb, 5);
  });

  it('padded memory steps and the PAD embedding row receive no gradient', () => {
    const model = tinyModel({ attention: 'general', seed: 4 });
    const batch = padSource(makeSeq2SeqBatch([{ source: [4, 5], target: [4, 5] }, { source: [6, 7, 4, 5], target: [5] }]), 2, 1);
    const tape = new Tape();
    const enc = model.encoder;
    let memoryGrad: Float32Array | null = null;
    const orig = enc.forward.bind(enc);
    enc.forward = (src, o) => {
      const out = orig(src, o);
      tape.push(() => (memoryGrad = Float32Array.from(tape.grad(out.memory)))); // runs right after the decoder's backward
      return out;
    };
    model.loss(batch, { tape });
    tape.backward();
    enc.forward = orig;
    const [S, B] = batch.source.shape as [number, number];
    const M = enc.outputSize;
    for (let s = 0; s < S; s++) {
      for (let b = 0; b < B; b++) {
        const row = memoryGrad!.subarray((s * B + b) * M, (s * B + b + 1) * M);
        if (s >= batch.sourceLengths[b]!) expect(Array.from(row)).toEqual(new Array(M).fill(0));
      }
    }
    expect(Array.from(model.encoder.embedding.params.grad('weight').subarray(0, 3))).toEqual([0, 0, 0]);
  });
});
