import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Vocab } from '../../src/data/vocab.js';
import { checkpointFromBytes, checkpointToBytes } from '../../src/io/checkpoint.js';
import { createRng } from '../../src/kernel/rng.js';
import { Tape } from '../../src/layers/tape.js';
import { Bridge } from '../../src/seq2seq/bridge.js';
import { greedyDecode } from '../../src/seq2seq/greedy-decode.js';
import { Seq2Seq } from '../../src/seq2seq/seq2seq.js';
import { makeSeq2SeqBatch, seq2seqDataset, type Seq2SeqPair } from '../../src/seq2seq/seq2seq-batch.js';
import { Adam } from '../../src/train/optim/adam.js';
import { Trainer } from '../../src/train/trainer.js';
import { randomPairs, sourceBlock, tinyModel } from './helpers.js';

describe('makeSeq2SeqBatch', () => {
  it('pads time-major and shifts the target for teacher forcing', () => {
    const b = makeSeq2SeqBatch([
      { source: [5, 6, 7], target: [9, 8] },
      { source: [4], target: [] },
    ]);
    expect(b.source.shape).toEqual([3, 2]);
    expect(Array.from(b.source.data)).toEqual([5, 4, 6, 0, 7, 0]);
    expect(Array.from(b.sourceLengths)).toEqual([3, 1]);
    expect(b.targetIn.shape).toEqual([3, 2]);
    expect(Array.from(b.targetIn.data)).toEqual([1, 1, 9, 0, 8, 0]);
    expect(Array.from(b.targetOut.data)).toEqual([9, 2, 8, 0, 2, 0]);
  });
});

describe('Seq2Seq', () => {
  it('learns to reverse short sequences with the Trainer', async () => {
    const vocab = new Vocab(['a', 'b', 'c', 'd', 'e']);
    const rng = createRng(3);
    const pairs: Seq2SeqPair[] = Array.from({ length: 400 }, () => {
      const n = 1 + rng.int(5);
      const source = Array.from({ length: n }, () => 4 + rng.int(5));
      return { source, target: [...source].reverse() };
    });
    const model = new Seq2Seq({
      sourceVocab: vocab,
      targetVocab: vocab,
      seed: 1,
      encoder: { embeddingDim: 16, hiddenSize: 24, bidirectional: true },
      decoder: { embeddingDim: 16, hiddenSize: 32, attention: 'general' },
    });
    const data = seq2seqDataset(pairs);
    const trainer = new Trainer({ model, optimizer: new Adam(model, { lr: 1e-2 }), batchSize: 32, seed: 1, lengthOf: data.lengthOf, step: model.stepFunction() });
    const { history } = await trainer.fit(data, { epochs: 12 });
    expect(history[history.length - 1]!.train.loss).toBeLessThan(history[0]!.train.loss / 4);
    const tests = [[4, 5, 6], [8, 7], [6, 6, 4, 5]];
    const { source, lengths } = sourceBlock(tests);
    const out = greedyDecode(model, source, { lengths });
    const right = out.filter((h, i) => JSON.stringify(h.tokens) === JSON.stringify([...tests[i]!].reverse())).length;
    expect(right).toBeGreaterThanOrEqual(2);
    expect(model.translate([['a', 'b', 'c']], { beamWidth: 3 })[0]!.tokens).toEqual(['c', 'b', 'a']);
  });

  it('saves and loads as one checkpoint: config, vocabularies and weights, bit-exact', async () => {
    const model = tinyModel({ attention: 'additive', encLayers: 2, decLayers: 2, seed: 7 });
    const bytes = model.toBytes();
    const copy = Seq2Seq.fromBytes(bytes);
    expect(copy.config).toEqual(model.config);
    expect(copy.sourceVocab.toJSON()).toEqual(model.sourceVocab.toJSON());
    expect(copy.targetVocab.toJSON()).toEqual(model.targetVocab.toJSON());
    const a = model.parameters(), b = copy.parameters();
    expect(b.map((p) => p.name)).toEqual(a.map((p) => p.name));
    a.forEach((p, i) => expect(b[i]!.value).toEqual(p.value));
    const { source, lengths } = sourceBlock([[4, 5, 6], [7]]);
    expect(greedyDecode(copy, source, { lengths })).toEqual(greedyDecode(model, source, { lengths }));
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-s2s-'));
    try {
      await model.save(join(dir, 'm.safetensors'));
      const loaded = await Seq2Seq.load(join(dir, 'm.safetensors'));
      loaded.parameters().forEach((p, i) => expect(p.value).toEqual(a[i]!.value));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names parameters encoder.* / bridge.* / decoder.* with PyTorch-style leaves', () => {
    const names = tinyModel({ attention: 'additive' }).parameters().map((p) => p.name);
    expect(names).toContain('encoder.embedding.weight');
    expect(names).toContain('encoder.rnn.weight_hh_l0_reverse');
    expect(names).toContain('bridge.weight_h_l0');
    expect(names).toContain('bridge.weight_c_l0');
    expect(names).toContain('decoder.rnn.weight_ih_l0');
    expect(names).toContain('decoder.attention.weight_v');
    expect(names).toContain('decoder.combine.weight');
    expect(names).toContain('decoder.out.bias');
    expect(new Set(names).size).toBe(names.length);
  });

  it('scheduled sampling is seeded; ratio 1 feeds the gold tokens, ratio 0 the greedy choices', () => {
    const model = tinyModel({ attention: 'general', seed: 5 });
    for (const p of model.decoder.out.parameters()) for (let i = 0; i < p.value.length; i++) p.value[i] = (p.value[i] as number) * 4;
    const batch = makeSeq2SeqBatch(randomPairs(5, 6, 4, 4));
    expect(model.forward(batch, { teacherForcing: 1 }).inputs.data).toEqual(batch.targetIn.data);
    const half = (seed: number): Int32Array => model.forward(batch, { teacherForcing: 0.5, rng: createRng(seed) }).inputs.data;
    expect(half(1)).toEqual(half(1));
    const zero = model.forward(batch, { teacherForcing: 0, rng: createRng(1) });
    const greedy = greedyDecode(model, batch.source, { lengths: batch.sourceLengths, maxLength: 8 });
    const [T, B] = zero.inputs.shape as [number, number];
    for (let b = 0; b < B; b++) {
      const fed: number[] = [];
      for (let t = 1; t < T; t++) fed.push(zero.inputs.data[t * B + b]!);
      const g = greedy[b]!.tokens;
      const upto = g.length + (greedy[b]!.finished ? 1 : 0);
      expect(fed.slice(0, Math.min(upto, T - 1))).toEqual([...g, 2].slice(0, Math.min(upto, T - 1)));
    }
    // The backward pass is recorded the same way under sampling.
    const tape = new Tape();
    const r = model.loss(batch, { tape, teacherForcing: 0.5, rng: createRng(2) });
    tape.backward();
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(model.parameters().some((p) => p.grad.some((g) => g !== 0))).toBe(true);
  });

  it('logProbs equals minus the summed cross-entropy', () => {
    const model = tinyModel({ attention: 'dot', seed: 2 });
    const batch = makeSeq2SeqBatch(randomPairs(2, 4));
    const lp = model.logProbs(batch);
    const { loss, count } = model.loss(batch);
    expect(lp.reduce((s, x) => s + x, 0)).toBeCloseTo(-loss * count, 4);
  });

  it('the bridge maps layers top-aligned and starts surplus decoder layers at zero', () => {
    const bridge = new Bridge({
      mode: 'sum',
      encoder: { numLayers: 1, numDirections: 2, hiddenSize: 2, hasCellState: false },
      decoder: { numLayers: 2, hiddenSize: 2, hasCellState: true },
    });
    const hN = { shape: [2, 1, 2], data: new Float32Array([1, 2, 10, 20]) };
    const { h0, c0 } = bridge.forward(hN, null);
    expect(Array.from(h0.data)).toEqual([0, 0, 11, 22]);
    expect(Array.from(c0!.data)).toEqual([0, 0, 0, 0]);
    expect(bridge.parameters()).toEqual([]);
  });

  it('a checkpoint from the generic IO functions keeps the seq2seq metadata', () => {
    const model = tinyModel({ seed: 1 });
    const ck = checkpointFromBytes(model.toBytes());
    expect(ck.metadata['rnnkit.format']).toBe('seq2seq');
    expect(Object.keys(ck.tensors).sort()).toEqual(model.parameters().map((p) => p.name).sort());
    expect(() => Seq2Seq.fromBytes(checkpointToBytes(model))).toThrow(/not a seq2seq checkpoint/);
  });
});
