// The code samples of docs/training.md, between the markers apart from the imports and the data
// they are given: the Trainer sample must train a classifier whose validation loss falls well
// below chance, reporting progress after every batch; and the checkpoint sample must resume
// exactly: N epochs, save, load into a freshly built setup, continue to 10 epochs gives weights
// bit-identical to 10 epochs straight through. The non-finite guard's message (quoted in the
// prose) is checked too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  Adam, LSTM, Linear, ManyToOne, NumericError, ProgressBar, Trainer, Vocab, createRng, crossEntropy, indexTensor, lastStep,
  loadTrainingCheckpoint, padSequences, prefixed, saveTrainingCheckpoint, tensor, wordTokenize, type IndexTensor, type Module,
  type TrainDataset,
} from '../../src/index.js';

interface Batch { ids: IndexTensor; lengths: Int32Array; labels: IndexTensor }

/** Toy reviews whose label is whether a positive adjective occurs. */
function reviews(n: number, seed: number): { texts: string[]; labels: number[] } {
  const rng = createRng(seed);
  const pick = (xs: readonly string[]) => xs[Math.floor(rng.uniform() * xs.length)] as string;
  const texts: string[] = [], labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const positive = rng.uniform() < 0.5;
    const adj = pick(positive ? ['good', 'great', 'nice', 'lovely'] : ['bad', 'awful', 'poor', 'dull']);
    texts.push(`${pick(['the', 'this', 'that'])} ${pick(['film', 'phone', 'food', 'plot'])} ${pick(['was', 'is', 'felt'])} ${adj}`);
    labels.push(positive ? 1 : 0);
  }
  return { texts, labels };
}

function dataset(vocab: Vocab, r: { texts: string[]; labels: number[] }): TrainDataset<Batch> {
  const ids = r.texts.map((t) => vocab.encode(wordTokenize(t)));
  return {
    length: ids.length,
    batch(idx) {
      const p = padSequences(idx.map((i) => ids[i]!), { padId: Vocab.PAD });
      return { ids: { shape: [p.T, p.B], data: p.ids }, lengths: p.lengths, labels: indexTensor(idx.map((i) => r.labels[i]!)) };
    },
  };
}

describe('docs/training.md samples', () => {
  it('the Trainer sample trains a classifier and reports progress', { timeout: 120_000 }, async () => {
    const train = reviews(96, 1), test = reviews(48, 2);
    const vocab = Vocab.build(train.texts.map((t) => wordTokenize(t)));
    const trainSet = dataset(vocab, train), testSet = dataset(vocab, test);
    const updates = vi.spyOn(ProgressBar.prototype, 'update');

    // --- begin docs sample ---
    interface Batch { ids: IndexTensor; lengths: Int32Array; labels: IndexTensor }   // what trainSet.batch(indices) returns
    const model = new ManyToOne({ vocabSize: vocab.size, hiddenSize: 64, outputSize: 2, bidirectional: true, seed: 1 });
    const trainer = new Trainer<Batch>({
      model,
      optimizer: new Adam(model, { lr: 3e-3 }),
      batchSize: 32,
      step: (batch, { tape }) => {
        const logits = model.forward(batch.ids, { lengths: batch.lengths, ...(tape ? { tape } : {}) });
        const { loss, count } = crossEntropy(logits, batch.labels, tape ? { tape } : {});
        return { loss, count };
      },
    });
    const bar = new ProgressBar({ label: 'train' });
    const { history } = await trainer.fit(trainSet, { epochs: 10, validation: testSet, onProgress: (p) => bar.update(p) });
    // --- end docs sample ---

    expect(history).toHaveLength(10);
    expect(updates).toHaveBeenCalledTimes(10 * 3); // once per batch: 96 examples / 32
    updates.mockRestore();
    const first = history[0]!.validation!, last = history[9]!.validation!;
    expect(first.count).toBe(48);
    expect(first.loss).toBeGreaterThan(0.5);
    expect(last.loss).toBeLessThan(0.05);
    expect(model.predict(testSet.batch([0, 1, 2, 3]).ids, testSet.batch([0, 1, 2, 3]).lengths)).toEqual(Int32Array.from(test.labels.slice(0, 4)));
  });

  it('a training checkpoint resumes bit-exactly', { timeout: 120_000 }, async () => {
    const train = reviews(64, 3);
    const vocab = Vocab.build(train.texts.map((t) => wordTokenize(t)));
    const trainSet = dataset(vocab, train);
    const config = { vocabSize: vocab.size, hiddenSize: 16, outputSize: 2, dropout: 0, seed: 1 };
    const build = () => {
      const model = new ManyToOne(config);
      return new Trainer<Batch>({
        model, optimizer: new Adam(model, { lr: 1e-2 }), batchSize: 16,
        step: (b, { tape }) => crossEntropy(model.forward(b.ids, { lengths: b.lengths, ...(tape ? { tape } : {}) }), b.labels, tape ? { tape } : {}),
      });
    };
    const weights = (t: Trainer<Batch>) => t.model.parameters().map((p) => Array.from(p.value));

    const straight = build();
    await straight.fit(trainSet, { epochs: 10 });

    const cwd = process.cwd();
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-docs-training-'));
    process.chdir(dir); // the sample writes 'run.safetensors' in the working directory
    try {
      let trainer = build();
      await trainer.fit(trainSet, { epochs: 4 });
      // --- begin docs sample ---
      await saveTrainingCheckpoint('run.safetensors', trainer, { 'rnnkit.config': config });
      // later, in a fresh process, after building the same model, optimizer and Trainer:
      // --- end docs sample (save) ---
      const saved = weights(trainer);
      trainer = build(); // the fresh setup
      expect(weights(trainer)).not.toEqual(saved);
      const updates = vi.spyOn(trainer.optimizer, 'step');
      // --- begin docs sample (load and continue) ---
      await loadTrainingCheckpoint('run.safetensors', trainer);
      await trainer.fit(trainSet, { epochs: 10 }); // continues at the saved step, epoch and batch
      // --- end docs sample ---
      // Only the remaining 6 epochs (of 4 batches) were trained after loading.
      expect(updates).toHaveBeenCalledTimes(6 * 4);
      expect(trainer.stepCount).toBe(straight.stepCount);
      expect(trainer.stepCount).toBe(10 * 4);
      expect(weights(trainer)).toEqual(weights(straight));
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the non-finite guard stops with the NumericError the guide quotes, weights untouched', async () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 4, seed: 1 });
    const head = new Linear({ inFeatures: 4, outFeatures: 2, seed: 2 });
    const model: Module = { parameters: () => [...prefixed('lstm.', lstm), ...prefixed('head.', head)] };
    const hh = model.parameters().find((p) => p.name === 'lstm.weight_hh_l0')!;
    const x = tensor(new Float32Array(3 * 2 * 2).fill(0.5), [3, 2, 2]), y = indexTensor([0, 1]);
    const trainer = new Trainer<null>({
      model, optimizer: new Adam(model, { lr: 1e-2 }),
      step: (_b, { tape }) => {
        const logits = head.forward(lastStep(lstm.forward(x, tape ? { tape } : {}).output, undefined, tape ?? undefined), tape ?? undefined);
        const r = crossEntropy(logits, y, tape ? { tape } : {});
        tape?.push(() => { hh.grad[3] = NaN; }); // runs first in backward; the LSTM's backward accumulates onto it
        return r;
      },
    });
    const before = model.parameters().map((p) => Array.from(p.value));
    const err = await trainer.fit({ length: 2, batch: () => null }, { epochs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NumericError);
    expect((err as NumericError).code).toBe('E_NUMERIC');
    expect((err as Error).message).toMatch(/^Trainer: at step 1 \(epoch 0, batch 0\) the gradient norm is NaN; first non-finite gradient: lstm\.weight_hh_l0\[3\] = NaN/);
    expect(model.parameters().map((p) => Array.from(p.value))).toEqual(before);
  });
});
