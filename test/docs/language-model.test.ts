// The truncated-BPTT sample of docs/language-model.md, verbatim between the markers apart from the
// text it is given: it must run and the character model must learn (bits per character well
// below the text's unigram entropy, and generation must continue the prompt).
import { describe, expect, it, vi } from 'vitest';
import { Adam, ManyToMany, Tape, Trainer, Vocab, charTokenize, crossEntropy, type Tensor } from '../../src/index.js';

const SENTENCES = ['the whale swam under the ship. ', 'call me ishmael, said the sailor. ', 'the sea was grey and the sky was low. '];

function makeChunks(text: string, vocab: Vocab, B: number, k: number) {
  const ids = Int32Array.from(vocab.encode(charTokenize(text)));
  const L = Math.floor((ids.length - 1) / B);
  return {
    length: Math.ceil(L / k),
    batch([j]: readonly number[]) {
      const T = Math.min(k, L - j! * k), x = new Int32Array(T * B), y = new Int32Array(T * B);
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
        const p = b * L + j! * k + t;
        x[t * B + b] = ids[p]!; y[t * B + b] = ids[p + 1]!;
      }
      return { j: j!, x: { shape: [T, B], data: x }, y: { shape: [T, B], data: y } };
    },
  };
}

describe('docs/language-model.md truncated-BPTT sample', () => {
  it('trains a character LM with carried state and generates', { timeout: 120_000 }, async () => {
    const text = Array.from({ length: 300 }, (_, i) => SENTENCES[(i * 7) % 3]).join('');
    const testText = Array.from({ length: 40 }, (_, i) => SENTENCES[(i * 5) % 3]).join('');
    const testChunks = makeChunks(testText, Vocab.build([charTokenize(text)], { minCount: 5 }), 8, 64);

    const printed = vi.spyOn(console, 'log').mockImplementation(() => {});
    // --- begin docs sample ---
    const vocab = Vocab.build([charTokenize(text)], { minCount: 5 });   // rare chars → <unk>
    const ids = Int32Array.from(vocab.encode(charTokenize(text)));
    const B = 32, k = 32, L = Math.floor((ids.length - 1) / B);
    const chunks = {                                      // a TrainDataset: example j = chunk j
      length: Math.ceil(L / k),
      batch([j]: readonly number[]) {
        const T = Math.min(k, L - j! * k), x = new Int32Array(T * B), y = new Int32Array(T * B);
        for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
          const p = b * L + j! * k + t;
          x[t * B + b] = ids[p]!; y[t * B + b] = ids[p + 1]!;
        }
        return { j: j!, x: { shape: [T, B], data: x }, y: { shape: [T, B], data: y } };
      },
    };

    const lm = new ManyToMany({ vocabSize: vocab.size, embeddingDim: 32, hiddenSize: 128, outputSize: vocab.size, seed: 1 });
    const trainer = new Trainer({
      model: lm, optimizer: new Adam(lm, { lr: 1e-2 }), batchSize: 1, shuffle: false,
      step: (c: ReturnType<typeof chunks.batch>, { tape, carry }) => {
        const h0 = c.j > 0 ? (carry.get('h') as Tensor) : undefined;      // chunk 0 starts from zeros
        const c0 = c.j > 0 ? (carry.get('c') as Tensor) : undefined;
        const { logits, hN, cN } = lm.forward(c.x, { ...(tape ? { tape } : {}), ...(h0 ? { h0 } : {}), ...(c0 ? { c0 } : {}) });
        carry.set('h', hN); carry.set('c', cN);                           // detached: not on this tape's path
        return crossEntropy(logits, c.y, tape ? { tape } : {});           // { loss, count }
      },
    });
    await trainer.fit(chunks, { epochs: 3 });
    const bpc = trainer.evaluate(testChunks).bitsPerToken;               // loss / ln 2

    const out = lm.generate({ prompt: vocab.encode(charTokenize('Call me ')), maxLength: 200, temperature: 0.7, seed: 7, excludeToken: Vocab.PAD });
    console.log(vocab.decode(out, { stripSpecials: true }).join(''));
    // --- end docs sample ---

    // Unigram entropy of the training text, in bits per character.
    const counts = new Map<string, number>();
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    let unigram = 0;
    for (const n of counts.values()) unigram -= (n / text.length) * Math.log2(n / text.length);
    expect(unigram).toBeGreaterThan(3.5);
    expect(bpc).toBeLessThan(unigram - 2);
    expect(out.length).toBe(200);
    expect(String(printed.mock.calls[0]?.[0]).length).toBeGreaterThan(150); // the decoded sample
    printed.mockRestore();
  });
});

describe('docs/language-model.md tied-weights sample', () => {
  it('builds a tied word model: one shared matrix, V·E fewer parameters, and it learns', () => {
    const words = 'the whale swam under the ship and the sailor saw the whale'.split(' ');
    const vocab = Vocab.build([words]);
    // --- begin docs sample ---
    const V = vocab.size;                                      // e.g. 5,000 words + 4 specials
    const lm = new ManyToMany({
      vocabSize: V, embeddingDim: 128, hiddenSize: 128, outputSize: V,
      inputDropout: 0.1, outputDropout: 0.3, tieWeights: true, seed: 1,
    });
    const names = lm.parameters().map((p) => p.name);          // no 'head.weight': one matrix, both ends
    // --- end docs sample ---
    expect(names).toContain('backbone.embedding.weight');
    expect(names).not.toContain('head.weight');
    const untied = new ManyToMany({ vocabSize: V, embeddingDim: 128, hiddenSize: 128, outputSize: V, seed: 1 });
    const size = (m: ManyToMany) => m.parameters().reduce((s, p) => s + p.value.length, 0);
    expect(size(untied) - size(lm)).toBe(V * 128);
    // A few Adam steps on the sentence (next word from the previous ones) lower the loss.
    const ids = vocab.encode(words);
    const x = { shape: [ids.length - 1, 1], data: Int32Array.from(ids.slice(0, -1)) };
    const y = { shape: [ids.length - 1, 1], data: Int32Array.from(ids.slice(1)) };
    const opt = new Adam(lm, { lr: 1e-2 });
    const first = crossEntropy(lm.forward(x).logits, y).loss;
    for (let i = 0; i < 30; i++) {
      for (const p of lm.parameters()) p.grad.fill(0);
      const tape = new Tape();
      crossEntropy(lm.forward(x, { tape }).logits, y, { tape });
      tape.backward();
      opt.step();
    }
    expect(crossEntropy(lm.forward(x).logits, y).loss).toBeLessThan(first / 3);
  });
});
