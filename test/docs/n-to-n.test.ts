// The code samples of docs/n-to-n.md, verbatim between the markers apart from the data they are
// given: the tagger must learn a toy tagging task, and the acrostic call must put the given line
// heads at their output positions.
import { describe, expect, it } from 'vitest';
import { Adam, createRng, crossEntropy, ManyToMany, padSequences, Tape, Vocab } from '../../src/index.js';

describe('docs/n-to-n.md samples', () => {
  it('the bidirectional tagger learns a tag that depends on the next token', () => {
    // Toy task: ids 4..23; the tag of a token is 1 when the NEXT token is ≥ 14 (0 at the last
    // token), so a model that reads only the left context cannot reach 100 %.
    const V = 24;
    const numTags = 2;
    const rng = createRng(5);
    const sentences: number[][] = [];
    const tagSeqs: number[][] = [];
    for (let s = 0; s < 16; s++) {
      const n = 3 + Math.floor(rng.uniform() * 6);
      const ids = Array.from({ length: n }, () => 4 + Math.floor(rng.uniform() * 20));
      sentences.push(ids);
      tagSeqs.push(ids.map((_, t) => (t + 1 < n && (ids[t + 1] as number) >= 14 ? 1 : 0)));
    }

    // --- begin docs sample ---
    const tagger = new ManyToMany({ cell: 'gru', vocabSize: V, embeddingDim: 32, hiddenSize: 64, bidirectional: true, outputSize: numTags, paddingIdx: Vocab.PAD, seed: 1 });
    const opt = new Adam(tagger, { lr: 3e-3 });
    const x = padSequences(sentences, { padId: Vocab.PAD }); // ids [T, B], lengths [B]
    const y = padSequences(tagSeqs, { padId: -100 }); // -100: crossEntropy's default ignoreIndex
    // --- end docs sample (setup) ---

    const losses: number[] = [];
    for (let step = 0; step < 150; step++) {
      // --- begin docs sample (one training step) ---
      const tape = new Tape();
      opt.zeroGrad();
      const { logits } = tagger.forward({ shape: [x.T, x.B], data: x.ids }, { lengths: x.lengths, tape }); // [T, B, numTags]
      crossEntropy(logits, { shape: [y.T, y.B], data: y.ids }, { tape });
      tape.backward();
      opt.step();
      // --- end docs sample ---
      losses.push(crossEntropy(logits, { shape: [y.T, y.B], data: y.ids }).loss);
    }

    // Accuracy over the real (unpadded) steps after training.
    const { logits } = tagger.forward({ shape: [x.T, x.B], data: x.ids }, { lengths: x.lengths });
    let right = 0;
    let total = 0;
    for (let t = 0; t < x.T; t++)
      for (let b = 0; b < x.B; b++) {
        const target = y.ids[t * x.B + b] as number;
        if (target === -100) continue;
        const row = (t * x.B + b) * numTags;
        const guess = (logits.data[row + 1] as number) > (logits.data[row] as number) ? 1 : 0;
        total++;
        if (guess === target) right++;
      }
    expect(losses[0]).toBeGreaterThan(0.5);
    expect(losses.at(-1)).toBeLessThan(0.1);
    expect(right / total).toBeGreaterThan(0.97);
  });

  it('generate with `forced` puts the acrostic heads at output positions 0, 6, 12 and 18', () => {
    const vocab = Vocab.build([Array.from('春夏秋冬山水風月花鳥雲，。')]);

    // --- begin docs sample ---
    const lm = new ManyToMany({ cell: 'gru', vocabSize: vocab.size, embeddingDim: 64, hiddenSize: 128, outputSize: vocab.size, seed: 1 });
    // … train with crossEntropy(lm.forward(inputs, { tape }).logits, targets, { tape }) …
    const poem = lm.generate({ prompt: [Vocab.BOS], maxLength: 26, stopToken: Vocab.EOS, excludeToken: Vocab.UNK, temperature: 0.8, seed: 7 });
    // An acrostic: the line heads 春 夏 秋 冬 at output positions 0, 6, 12 and 18 of `AAAAA，BBBBB。CCCCC，DDDDD。`.
    const heads = new Map([0, 6, 12, 18].map((pos, i) => [pos, vocab.id('春夏秋冬'[i]!)]));
    const acrostic = lm.generate({ prompt: [Vocab.BOS], maxLength: 26, stopToken: Vocab.EOS, excludeToken: Vocab.UNK, temperature: 0.8, seed: 7, forced: heads });
    vocab.decode(acrostic).join('');
    // --- end docs sample ---

    expect(poem.length).toBeGreaterThan(0);
    expect(poem).not.toContain(Vocab.UNK);
    // Even an untrained model does not stop (EOS) before the last forced position.
    expect(acrostic.length).toBeGreaterThan(18);
    expect([0, 6, 12, 18].map((i) => vocab.token(acrostic[i] as number)).join('')).toBe('春夏秋冬');
  });
});
