import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { CellKind } from '../../src/cells/cell-core.js';
import { Tape } from '../../src/layers/tape.js';
import type { AttentionKind } from '../../src/seq2seq/attention.js';
import type { BridgeMode } from '../../src/seq2seq/bridge.js';
import { makeSeq2SeqBatch } from '../../src/seq2seq/seq2seq-batch.js';
import { gradCheck } from '../../src/train/grad-check.js';
import { randomPairs, tinyModel } from './helpers.js';

const cells: CellKind[] = ['lstm', 'gru', 'rnn'];
const bridges: BridgeMode[] = ['concat-linear', 'sum', 'zeros'];

describe('gradients through encoder + bridge + decoder match central differences', () => {
  for (const attention of ['dot', 'general', 'additive', 'none'] as AttentionKind[]) {
    test.prop(
      [
        fc.record({
          encCell: fc.constantFrom(...cells),
          decCell: fc.constantFrom(...cells),
          bridge: fc.constantFrom(...bridges),
          encLayers: fc.integer({ min: 1, max: 2 }),
          decLayers: fc.integer({ min: 1, max: 2 }),
          bidirectional: fc.boolean(),
          inputFeeding: fc.boolean(),
          B: fc.integer({ min: 1, max: 3 }),
          seed: fc.integer({ min: 0, max: 10_000 }),
        }),
      ],
      { numRuns: 8, seed: 20 + attention.length },
    )(`attention '${attention}', random lengths, cells, bridges and depths`, (c) => {
      const bidirectional = attention === 'dot' && c.bridge === 'sum' ? false : c.bidirectional;
      const model = tinyModel({ ...c, bidirectional, attention, inputFeeding: attention !== 'none' && c.inputFeeding });
      const batch = makeSeq2SeqBatch(randomPairs(c.seed, c.B));
      const [T, B] = batch.targetOut.shape as [number, number];
      const V = model.decoder.vocabSize;
      // A random linear loss on the logits of real target positions (PAD positions carry no loss,
      // as under crossEntropy's ignoreIndex) gives O(1) gradients everywhere.
      const w = new Float32Array(T * B * V).map((_, i) => (batch.targetOut.data[Math.floor(i / V)] === 0 ? 0 : Math.sin(i * 1.37 + c.seed)));
      const loss = (): number => {
        const { logits } = model.forward(batch);
        let s = 0;
        for (let i = 0; i < w.length; i++) s += (logits.data[i] as number) * (w[i] as number);
        return s;
      };
      const backward = (): void => {
        for (const p of model.parameters()) p.grad.fill(0);
        const tape = new Tape();
        const { logits } = model.forward(batch, { tape });
        tape.grad(logits).set(w);
        tape.backward();
      };
      const r = gradCheck({ targets: model.parameters(), loss, backward, eps: 1e-2, atol: 3e-3, rtol: 2e-2 });
      expect(r.ok, JSON.stringify(r)).toBe(true);
    });
  }

  test.prop([fc.constantFrom<AttentionKind>('dot', 'general', 'additive'), fc.integer({ min: 0, max: 1000 })], { numRuns: 6, seed: 5 })(
    'the training loss (cross-entropy, PAD ignored, label smoothing) through every part',
    (attention, seed) => {
      const model = tinyModel({ attention, seed, encLayers: 2 });
      const batch = makeSeq2SeqBatch(randomPairs(seed, 3));
      const loss = (): number => model.loss(batch, { labelSmoothing: 0.1 }).loss * 100;
      const backward = (): void => {
        for (const p of model.parameters()) p.grad.fill(0);
        const tape = new Tape();
        model.loss(batch, { tape, labelSmoothing: 0.1 });
        tape.backward();
        for (const p of model.parameters()) for (let i = 0; i < p.grad.length; i++) p.grad[i] = (p.grad[i] as number) * 100;
      };
      const r = gradCheck({ targets: model.parameters(), loss, backward, eps: 1e-2, atol: 3e-3, rtol: 2e-2 });
      expect(r.ok, JSON.stringify(r)).toBe(true);
    },
  );
});
