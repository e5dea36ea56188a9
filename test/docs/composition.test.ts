// The many-to-one composition from docs/sequence.md, verbatim apart from the imports: it must
// run, and the gradient it produces must match central differences.
import { describe, expect, it } from 'vitest';
import { Embedding, LSTM, Linear, Tape, crossEntropy, gradCheck, indexTensor, lastStep, prefixed } from '../../src/index.js';

describe('docs/sequence.md composition example', () => {
  it('Embedding → LSTM → last state → Linear → cross-entropy → backward', () => {
    // --- begin docs sample ---
    const embed = new Embedding({ numEmbeddings: 50, embeddingDim: 8, paddingIdx: 0, seed: 1 });
    const lstm = new LSTM({ inputSize: 8, hiddenSize: 16, seed: 2 });
    const head = new Linear({ inFeatures: 16, outFeatures: 3, seed: 3 });
    const params = [...prefixed('embed.', embed), ...prefixed('lstm.', lstm), ...prefixed('head.', head)];

    const ids = indexTensor([[4, 9], [7, 3], [2, 0]]); // [T=3, B=2]; sequence 2 has length 2
    const lengths = [3, 2];
    const labels = indexTensor([2, 0]);

    const tape = new Tape();
    const x = embed.forward(ids, tape);                    // [T, B, 8]
    const { output } = lstm.forward(x, { lengths, tape }); // [T, B, 16]
    const last = lastStep(output, lengths, tape);          // [B, 16]
    const logits = head.forward(last, tape);               // [B, 3]
    const { loss } = crossEntropy(logits, labels, { tape });
    for (const p of params) p.grad.fill(0);
    tape.backward();                                       // p.grad = d(loss)/d(p)
    // --- end docs sample ---

    expect(loss).toBeGreaterThan(0);
    const lossOnly = () => {
      const e = embed.forward(ids);
      const o = lstm.forward(e, { lengths }).output;
      return crossEntropy(head.forward(lastStep(o, lengths)), labels).loss;
    };
    const backward = () => {
      for (const p of params) p.grad.fill(0);
      const t = new Tape();
      const o = lstm.forward(embed.forward(ids, t), { lengths, tape: t }).output;
      crossEntropy(head.forward(lastStep(o, lengths, t), t), labels, { tape: t });
      t.backward();
    };
    // Check the LSTM and head (the embedding table is large; its used rows are covered elsewhere).
    const r = gradCheck({ targets: params.filter((p) => !p.name.startsWith('embed.')), loss: lossOnly, backward, eps: 1e-2, atol: 2e-3, rtol: 2e-2 });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(embed.params.grad('weight').subarray(0, 8).every((v) => v === 0)).toBe(true); // padding row: no gradient
  });
});
