// The code samples of docs/seq2seq.md, verbatim between the markers apart from the imports and the
// data they are given (the sample brings its own two word → phones pairs; only the id-tensor
// `source` and `lengths` of the beam-search line are defined before it). The model must learn
// the two pronunciations in its 10 epochs; translate must return tokens, a score and a
// [tokens, source length] attention whose rows sum to 1; beamSearch must return nBest sorted
// hypotheses per source; the saved file must load into a model that translates identically; and
// the hand-built composition must give exactly the loss gradients of `Seq2Seq.loss`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Adam, Seq2Seq, Tape, Trainer, Vocab, beamSearch, crossEntropy, padSequences, seq2seqDataset, type IndexTensor } from '../../src/index.js';

describe('docs/seq2seq.md samples', () => {
  it('Seq2Seq end to end: train, translate, beam search, save and load', { timeout: 120_000 }, async () => {
    // Ids of the two source words ("cat", "dog" in the Vocab built from them: a 4, c 5, d 6, g 7, o 8, t 9).
    const p = padSequences([[5, 4, 9], [6, 8, 7]], { padId: Vocab.PAD });
    const source: IndexTensor = { shape: [p.T, p.B], data: p.ids };
    const lengths = p.lengths;
    const printed = vi.spyOn(console, 'log').mockImplementation(() => {});
    const cwd = process.cwd();
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-docs-seq2seq-'));
    process.chdir(dir); // the sample saves 'g2p.safetensors' in the working directory
    try {
      // --- begin docs sample ---
      const words = [['c', 'a', 't'], ['d', 'o', 'g']];
      const phones = [['K', 'AE', 'T'], ['D', 'AO', 'G']];
      const sourceVocab = Vocab.build(words);
      const targetVocab = Vocab.build(phones);
      const pairs = words.map((w, i) => ({ source: sourceVocab.encode(w), target: targetVocab.encode(phones[i]!) }));

      const model = new Seq2Seq({
        sourceVocab, targetVocab, seed: 1,
        encoder: { embeddingDim: 32, hiddenSize: 64, bidirectional: true },          // memory M = 128
        decoder: { embeddingDim: 32, hiddenSize: 128, attention: 'general' },        // input feeding on
        bridge: 'concat-linear',
      });

      const data = seq2seqDataset(pairs);
      const trainer = new Trainer({
        model,
        optimizer: new Adam(model, { lr: 3e-3 }),
        batchSize: 32,
        lengthOf: data.lengthOf,                                  // bucket similar lengths together
        step: model.stepFunction({ teacherForcing: 1 }),          // or a ratio / an epoch schedule
      });
      await trainer.fit(data, { epochs: 10 });

      // End to end, strings in and out (greedy for beamWidth 1):
      const [out] = model.translate([['c', 'a', 't']], { beamWidth: 4, lengthPenalty: 0.6, returnAttention: true });
      console.log(out.tokens, out.hypothesis.score, out.hypothesis.attention);

      // Or on id tensors, batched: source [S, B] + lengths.
      const lists = beamSearch(model, source, { lengths, beamWidth: 5, nBest: 3, maxLength: 20 });

      await model.save('g2p.safetensors');            // config + both vocabularies + weights, one file
      const again = await Seq2Seq.load('g2p.safetensors');
      // --- end docs sample ---

      // The ids assumed for `source` above are the sample's.
      expect(pairs.map((q) => q.source)).toEqual([[5, 4, 9], [6, 8, 7]]);
      expect(model.encoder.outputSize).toBe(128); // memory M = 2 · 64
      // Learnt: both words are pronounced right.
      expect(out!.tokens).toEqual(['K', 'AE', 'T']);
      expect(model.translate([['d', 'o', 'g']])[0]!.tokens).toEqual(['D', 'AO', 'G']);
      expect(out!.hypothesis.finished).toBe(true);
      expect(out!.hypothesis.score).toBeLessThan(0);
      const attn = out!.hypothesis.attention!;
      expect(attn.length).toBe(3 * 3); // [tokens, source length]
      for (let r = 0; r < 3; r++) expect(attn[3 * r]! + attn[3 * r + 1]! + attn[3 * r + 2]!).toBeCloseTo(1, 5);
      expect(printed.mock.calls[0]).toEqual([out!.tokens, out!.hypothesis.score, out!.hypothesis.attention]);
      // Beam search: per source, nBest = 3 hypotheses sorted by score, the best one correct.
      expect(lists).toHaveLength(2);
      for (const hyps of lists) {
        expect(hyps).toHaveLength(3);
        for (let i = 1; i < 3; i++) expect(hyps[i]!.score).toBeLessThanOrEqual(hyps[i - 1]!.score);
      }
      expect(targetVocab.decode(lists[0]![0]!.tokens)).toEqual(['K', 'AE', 'T']);
      expect(targetVocab.decode(lists[1]![0]!.tokens)).toEqual(['D', 'AO', 'G']);
      // The saved file restores config, vocabularies and weights.
      expect(again.sourceVocab.toJSON()).toEqual(sourceVocab.toJSON());
      expect(again.targetVocab.toJSON()).toEqual(targetVocab.toJSON());
      const [back] = again.translate([['c', 'a', 't']], { beamWidth: 4, lengthPenalty: 0.6, returnAttention: true });
      expect(back!.tokens).toEqual(out!.tokens);
      expect(back!.hypothesis.score).toBe(out!.hypothesis.score);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
      printed.mockRestore();
    }
  });

  it('building blocks by hand give exactly the gradients of Seq2Seq.loss', () => {
    const sv = Vocab.build([['c', 'a', 't'], ['d', 'o', 'g'], ['o', 'x']]);
    const tv = Vocab.build([['K', 'AE', 'T'], ['D', 'AO', 'G'], ['AA', 'K', 'S']]);
    const model = new Seq2Seq({
      sourceVocab: sv, targetVocab: tv, seed: 3,
      encoder: { embeddingDim: 8, hiddenSize: 6, bidirectional: true },
      decoder: { embeddingDim: 8, hiddenSize: 10, attention: 'general' },
    });
    const data = seq2seqDataset([
      { source: sv.encode(['c', 'a', 't']), target: tv.encode(['K', 'AE', 'T']) },
      { source: sv.encode(['o', 'x']), target: tv.encode(['AA', 'K', 'S']) },
    ]);
    const params = model.parameters();
    for (const q of params) q.grad.fill(0);

    // --- begin docs sample ---
    const { encoder, bridge, decoder } = model;     // the parts of the model above
    const batch = data.batch([0, 1]);               // a Seq2SeqBatch: source, sourceLengths, targetIn, targetOut
    const tape = new Tape();
    const enc = encoder.forward(batch.source, { lengths: batch.sourceLengths, tape });
    const init = bridge.forward(enc.hN, enc.cN, tape);
    const { logits } = decoder.forward(batch.targetIn, enc, init, { tape });
    crossEntropy(logits, batch.targetOut, { ignoreIndex: Vocab.PAD, tape });
    tape.backward();
    // --- end docs sample ---

    expect(batch.sourceLengths).toEqual(Int32Array.from([3, 2]));
    expect(logits.shape).toEqual([4, 2, tv.size]); // [T, B, V]: 3 phones + EOS
    const byHand = params.map((q) => Float32Array.from(q.grad));
    expect(byHand.some((g) => g.some((v) => v !== 0))).toBe(true);
    const handLoss = crossEntropy(logits, batch.targetOut, { ignoreIndex: Vocab.PAD }).loss;
    for (const q of params) q.grad.fill(0);
    const t2 = new Tape();
    const r = model.loss(batch, { tape: t2 });
    t2.backward();
    expect(r.loss).toBe(handLoss);
    params.forEach((q, i) => expect(Array.from(q.grad), q.name).toEqual(Array.from(byHand[i]!)));
  });
});
