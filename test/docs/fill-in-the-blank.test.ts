// The code sample of docs/fill-in-the-blank.md, between the markers apart from the imports and the
// data it is given, with ONE correction (marked below): the sample uses `ids` (the encoded
// sentences) without defining it. The toy corpus has two sentence families with the same left
// context, "call me ishmael some years ago …" and "call me ahab the captain of the …", so only a
// model that reads the right context can fill the blank after "call me" in both; the masked
// bidirectional model must do so, with probabilities sorted best first.
import { describe, expect, it } from 'vitest';
import { Adam, ManyToMany, Trainer, Vocab, createRng, crossEntropy, wordTokenize } from '../../src/index.js';

function corpus(n: number, seed: number): string[] {
  const r = createRng(seed);
  const pick = (xs: readonly string[]) => xs[Math.floor(r.uniform() * xs.length)] as string;
  return Array.from({ length: n }, () => {
    const u = r.uniform();
    if (u < 0.3) return 'Call me Ishmael. Some years ago, never mind how long';
    if (u < 0.6) return `Call me Ahab, the captain of the ${pick(['ship', 'boat', 'crew'])}.`;
    return `The ${pick(['white', 'grey', 'great', 'old'])} whale swam ${pick(['under', 'past', 'near'])} the ${pick(['ship', 'boat', 'sea'])}.`;
  });
}

describe('docs/fill-in-the-blank.md sample (corrected: `ids` defined)', () => {
  it('a masked bidirectional ManyToMany fills a blank from its right context', { timeout: 120_000 }, async () => {
    const sentences = corpus(320, 1);

    // --- begin docs sample ---
    const vocab = Vocab.build(sentences.map((s) => wordTokenize(s)), { maxSize: 5004 });
    const ids = sentences.map((s) => vocab.encode(wordTokenize(s)));
    const MASK = vocab.size, V = vocab.size + 1;
    const model = new ManyToMany({ vocabSize: V, embeddingDim: 64, hiddenSize: 128, outputSize: V, bidirectional: true, paddingIdx: Vocab.PAD, seed: 1 });

    // A batch: each sentence with ~15 % of its words masked; targets only there.
    const rng = createRng(1);
    function batch(ids: number[][]) {
      const T = Math.max(...ids.map((s) => s.length)), B = ids.length;
      const x = new Int32Array(T * B), y = new Int32Array(T * B).fill(-100), lengths = ids.map((s) => s.length);
      ids.forEach((s, b) => s.forEach((w, t) => {
        x[t * B + b] = w;
        if (rng.uniform() < 0.15) { x[t * B + b] = MASK; y[t * B + b] = w; }
      }));
      return { x: { shape: [T, B], data: x }, y: { shape: [T, B], data: y }, lengths };
    }

    const trainer = new Trainer({
      model, optimizer: new Adam(model, { lr: 3e-3 }), batchSize: 32,
      step: (b: ReturnType<typeof batch>, { tape }) => {
        const { logits } = model.forward(b.x, { lengths: b.lengths, ...(tape ? { tape } : {}) });
        return crossEntropy(logits, b.y, { ignoreIndex: -100, ...(tape ? { tape } : {}) });
      },
    });
    await trainer.fit({ length: ids.length, batch: (idx) => batch(idx.map((i) => ids[i]!)) }, { epochs: 3 });

    const s = vocab.encode(wordTokenize('call me ishmael some years ago never mind how long'));
    s[2] = MASK;
    model.fillBlank(s, 2, 5);   // [{ id, p }, …] best first
    // --- end docs sample ---

    const top = model.fillBlank(s, 2, 5);
    expect(top).toHaveLength(5);
    for (let i = 1; i < top.length; i++) expect(top[i]!.p).toBeLessThanOrEqual(top[i - 1]!.p);
    expect(top.reduce((a, c) => a + c.p, 0)).toBeLessThanOrEqual(1 + 1e-6);
    expect(vocab.token(top[0]!.id)).toBe('ishmael');
    expect(top[0]!.p).toBeGreaterThan(0.5);

    // Same left context, different right context: the other name.
    const a = vocab.encode(wordTokenize('call me ahab the captain of the ship'));
    a[2] = MASK;
    const topA = model.fillBlank(a, 2, 5);
    expect(vocab.token(topA[0]!.id)).toBe('ahab');
    expect(topA[0]!.p).toBeGreaterThan(0.5);
  });
});
