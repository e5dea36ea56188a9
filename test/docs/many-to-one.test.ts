// The code sample of docs/many-to-one.md, verbatim between the markers apart from the imports and
// the data it is given (a toy review set where negation flips the label, so word order matters):
// the classifier must learn it, `evaluate` must report the accuracy the step function counts, and
// `predict` must return one class id per sequence.
import { describe, expect, it } from 'vitest';
import { Adam, ManyToOne, Trainer, Vocab, createRng, crossEntropy, indexTensor, padSequences, wordTokenize, type IndexTensor } from '../../src/index.js';

const POS = ['good', 'great', 'nice', 'lovely', 'fine', 'superb'];
const NEG = ['bad', 'awful', 'poor', 'boring', 'dull', 'terrible'];
const NOUNS = ['film', 'phone', 'food', 'plot', 'service', 'battery', 'cast', 'screen', 'staff', 'place'];

/** Toy reviews: "The film was good." (1), "The film was not good!" (0), "Not a bad phone." (1) … */
function reviews(n: number, seed: number): { texts: string[]; labels: number[] } {
  const rng = createRng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length)] as T;
  const texts: string[] = [], labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const positive = rng.uniform() < 0.5, negated = rng.uniform() < 0.5;
    const adj = pick(positive === !negated ? POS : NEG);
    const noun = pick(NOUNS);
    const form = Math.floor(rng.uniform() * 3);
    if (form === 0) texts.push(`The ${noun} was ${negated ? 'not ' : ''}${adj}.`);
    else if (form === 1) texts.push(`${negated ? 'Not a' : 'A'} ${adj} ${noun}!`);
    else texts.push(`I found the ${noun} ${negated ? 'not at all ' : 'really '}${adj}, honestly.`);
    labels.push(positive ? 1 : 0);
  }
  return { texts, labels };
}

describe('docs/many-to-one.md sample', () => {
  it('a biGRU with max pooling learns a sentiment task where negation flips the label', { timeout: 120_000 }, async () => {
    const { texts, labels } = reviews(160, 1);
    const test = reviews(60, 2);
    // The held-out set, batched like the sample's `data` (it uses the sample's vocab, Batch type
    // and padding; it is only called after the sample has built them).
    const testData = {
      length: test.texts.length,
      batch(idx: readonly number[]): Batch {
        const p = padSequences(idx.map((i) => vocab.encode(wordTokenize(test.texts[i]!))), { padId: Vocab.PAD });
        return { ids: { shape: [p.T, p.B], data: p.ids }, lengths: p.lengths, labels: indexTensor(idx.map((i) => test.labels[i]!)) };
      },
    };

    // --- begin docs sample ---
    const tokens = texts.map((t) => wordTokenize(t));          // lower-cased words
    const vocab = Vocab.build(tokens);                         // PAD 0, BOS 1, EOS 2, UNK 3, then words
    const ids = tokens.map((t) => vocab.encode(t));

    interface Batch { ids: IndexTensor; lengths: Int32Array; labels: IndexTensor }
    const data = {                                             // a TrainDataset
      length: ids.length,
      batch(idx: readonly number[]): Batch {
        const p = padSequences(idx.map((i) => ids[i]!), { padId: Vocab.PAD });   // time-major [T, B]
        return { ids: { shape: [p.T, p.B], data: p.ids }, lengths: p.lengths, labels: indexTensor(idx.map((i) => labels[i]!)) };
      },
    };

    const model = new ManyToOne({
      vocabSize: vocab.size, embeddingDim: 32, paddingIdx: Vocab.PAD,
      cell: 'gru', hiddenSize: 64, bidirectional: true, pooling: 'max', outputSize: 2, seed: 1,
    });
    const trainer = new Trainer<Batch>({
      model, optimizer: new Adam(model, { lr: 1e-2 }), batchSize: 32,
      lengthOf: (i) => ids[i]!.length,                          // batches of similar lengths: less padding
      step: (b, { tape }) => {
        const logits = model.forward(b.ids, { lengths: b.lengths, ...(tape ? { tape } : {}) });   // [B, 2]
        const r = crossEntropy(logits, b.labels, tape ? { tape, labelSmoothing: 0.1 } : {});
        let correct = 0;
        for (let i = 0; i < b.labels.data.length; i++) if ((logits.data[2 * i + 1]! > logits.data[2 * i]! ? 1 : 0) === b.labels.data[i]) correct++;
        return { loss: r.loss, count: r.count, correct };
      },
    });
    await trainer.fit(data, { epochs: 10, validation: testData });
    trainer.evaluate(testData).accuracy;
    const b = testData.batch([0, 1, 2]);
    model.predict(b.ids, b.lengths);                           // [3] class ids
    // --- end docs sample ---

    expect(vocab.id('<pad>')).toBe(Vocab.PAD);
    expect(vocab.has('not')).toBe(true);
    expect(tokens[0]).toEqual(wordTokenize(texts[0]!)); // lower-cased words, punctuation dropped
    expect(tokens.flat().every((w) => w === w.toLowerCase() && /^[a-z']+$/.test(w))).toBe(true);

    const acc = trainer.evaluate(testData).accuracy;
    expect(acc).not.toBeNull();
    expect(acc!).toBeGreaterThan(0.9);
    // The negated sentences are learnt too (a bag of words cannot tell them apart).
    const negatedIdx = test.texts.map((t, i) => (/not/i.test(t) ? i : -1)).filter((i) => i >= 0);
    expect(negatedIdx.length).toBeGreaterThan(15);
    const nb = testData.batch(negatedIdx);
    const guesses = model.predict(nb.ids, nb.lengths);
    const right = negatedIdx.filter((i, k) => guesses[k] === test.labels[i]).length;
    expect(right / negatedIdx.length).toBeGreaterThan(0.85);

    const pred = model.predict(b.ids, b.lengths);
    expect(pred).toBeInstanceOf(Int32Array);
    expect(pred.length).toBe(3);
    expect(Array.from(pred)).toEqual([0, 1, 2].map((i) => test.labels[i]));
  });
});
