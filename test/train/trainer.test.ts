import { describe, expect, it } from 'vitest';
import { isRnnError } from '../../src/errors.js';
import { Adam } from '../../src/train/optim/adam.js';
import { SGD } from '../../src/train/optim/sgd.js';
import { StepLR } from '../../src/train/schedules.js';
import { Trainer } from '../../src/train/trainer.js';
import { loadTrainingCheckpoint, saveTrainingCheckpoint } from '../../src/train/training-checkpoint.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DelayModel, delayData, V as DELAY_V, type DelayBatch } from '../helpers/delay-task.js';
import { createRng, type Rng } from '../../src/kernel/rng.js';
import { Dropout } from '../../src/layers/dropout.js';
import { Embedding } from '../../src/layers/embedding.js';
import { Linear } from '../../src/layers/linear.js';
import { prefixed, prefixedGenerators, randomStateOf, type Module, type Parameter } from '../../src/layers/param-store.js';
import { ManyToMany } from '../../src/models/many-to-many.js';
import { Seq2Seq } from '../../src/seq2seq/seq2seq.js';
import { seq2seqDataset, type Seq2SeqPair } from '../../src/seq2seq/seq2seq-batch.js';
import { Vocab } from '../../src/data/vocab.js';
import { LSTM } from '../../src/sequence/layers.js';
import { crossEntropy } from '../../src/train/losses.js';
import { snapshotFromBytes, snapshotToBytes } from '../../src/train/training-checkpoint.js';
import type { StepContext, StepOutput, TrainDataset } from '../../src/train/trainer-types.js';

function setup(seed = 1, lr = 0.02) {
  const model = new DelayModel(seed);
  const optimizer = new Adam(model, { lr });
  const trainer = new Trainer<DelayBatch>({ model, optimizer, batchSize: 16, seed: 5, step: (b, ctx) => model.step(b, ctx) });
  return { model, optimizer, trainer };
}

describe('Trainer', () => {
  it('learns a memorisation task (predict the token from two steps back) to near-zero loss', async () => {
    const { trainer } = setup(1, 0.03);
    const train = delayData(256, 1);
    const test = delayData(64, 2);
    const before = trainer.evaluate(test);
    const r = await trainer.fit(train, { epochs: 40, validation: test });
    const after = r.history.at(-1)!.validation!;
    expect(before.loss).toBeGreaterThan(1.4); // ~ln 5 at the start
    expect(after.loss).toBeLessThan(0.05);
    expect(after.accuracy).toBeGreaterThan(0.99);
    expect(r.steps).toBe(40 * 16);
  });

  it('resumes bit-exactly: N steps, snapshot, fresh setup, M steps ≡ N + M steps straight', async () => {
    const data = delayData(80, 3);
    const straight = setup(2);
    await straight.trainer.fit(data, { epochs: 10, maxSteps: 13 });
    const first = setup(2);
    await first.trainer.fit(data, { epochs: 10, maxSteps: 7 }); // stops mid-epoch (5 batches/epoch)
    const file = join(mkdtempSync(join(tmpdir(), 'rnnkit-')), 'run.safetensors');
    await saveTrainingCheckpoint(file, first.trainer, { note: 'resume test' });
    const resumed = setup(99); // different init: everything must come from the file
    const md = await loadTrainingCheckpoint(file, resumed.trainer);
    expect(md['note']).toBe('resume test');
    expect(md['rnnkit.trainer']).toEqual({ step: 7, epoch: 1, batchInEpoch: 2, seed: 5 });
    await resumed.trainer.fit(data, { epochs: 10, maxSteps: 13 });
    expect(resumed.trainer.stepCount).toBe(13);
    const a = straight.model.parameters(), b = resumed.model.parameters();
    a.forEach((p, i) => expect(b[i]!.value).toEqual(p.value));
  });

  it('the non-finite guard names the step and the parameter and leaves the weights unchanged', async () => {
    const { model, trainer } = setup(3);
    const data = delayData(32, 1);
    await trainer.fit(data, { epochs: 1 }); // two good steps
    const head = model.head.params.value('weight');
    const snapshot = model.parameters().map((p) => Float32Array.from(p.value));
    // Poison one gradient through a step function that writes NaN after the real backward.
    const poisoned = new Trainer<typeof data extends { batch(i: number[]): infer B } ? B : never>({
      model,
      optimizer: trainer.optimizer,
      batchSize: 16,
      step: (b, ctx) => {
        const out = model.step(b, ctx);
        ctx.tape!.push(() => {
          model.lstm.params.grad('weight_hh_l0')[3] = NaN;
        });
        return out;
      },
    });
    let err: unknown;
    try {
      await poisoned.fit(data, { epochs: 1 });
    } catch (e) {
      err = e;
    }
    expect(isRnnError(err)).toBe(true);
    expect((err as { code: string }).code).toBe('E_NUMERIC');
    expect((err as Error).message).toContain('at step 1 (epoch 0, batch 0)');
    expect((err as Error).message).toContain('lstm.weight_hh_l0[3] = NaN');
    model.parameters().forEach((p, i) => expect(p.value).toEqual(snapshot[i]));
    expect(head).toBe(model.head.params.value('weight'));
  });

  it('a NaN loss stops training with the step named', async () => {
    const { model, trainer } = setup(4);
    model.head.params.value('bias')[0] = NaN;
    await expect(trainer.fit(delayData(16, 1), { epochs: 1 })).rejects.toThrow(/step 1 \(epoch 0, batch 0\) the loss is NaN/);
  });

  it('early stopping restores the best weights; abort signal stops between batches', async () => {
    const model = new DelayModel(5);
    const optimizer = new SGD(model, { lr: 5 }); // diverges: validation gets worse
    const trainer = new Trainer<DelayBatch>({ model, optimizer, batchSize: 16, step: (b, c) => model.step(b, c), clipNorm: null });
    const train = delayData(32, 1), val = delayData(32, 2);
    let bestWeights: Float32Array[] = [];
    let bestVal = Infinity;
    const r = await trainer.fit(train, {
      epochs: 30,
      validation: val,
      earlyStopping: { patience: 2 },
      callbacks: {
        onEpochEnd: (rec) => {
          if (rec.validation!.loss < bestVal) {
            bestVal = rec.validation!.loss;
            bestWeights = model.parameters().map((p) => Float32Array.from(p.value));
          }
        },
      },
    });
    expect(r.stoppedEarly).toBe(true);
    expect(r.history.length).toBeLessThan(30);
    model.parameters().forEach((p, i) => expect(p.value).toEqual(bestWeights[i]));

    const ac = new AbortController();
    const t2 = setup(6).trainer;
    let batches = 0;
    const r2 = await t2.fit(delayData(160, 1), { epochs: 5, signal: ac.signal, callbacks: { onBatchEnd: () => ++batches === 3 && ac.abort() } });
    expect(r2.aborted).toBe(true);
    expect(r2.steps).toBe(3);
  });

  it('reports progress (throughput, lr, grad norm, ETA), runs callbacks in order, steps the schedule, and yields to the event loop', async () => {
    const model = new DelayModel(7);
    const optimizer = new SGD(model, { lr: 0.1 });
    const schedule = new StepLR(optimizer, { stepSize: 1, gamma: 0.5 });
    const trainer = new Trainer<DelayBatch>({ model, optimizer, schedule, batchSize: 8, step: (b, c) => model.step(b, c) });
    const events: string[] = [];
    const infos: { lr: number; gradNorm: number; tokensPerSecond: number; etaSeconds: number }[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await trainer.fit(delayData(64, 1), {
      epochs: 2,
      onProgress: (p) => infos.push(p),
      callbacks: {
        onEpochStart: (e) => events.push(`start${e}`),
        onEpochEnd: (r) => events.push(`end${r.epoch}:${r.lr}`),
        onBatchStart: (e, b) => b === 0 && events.push(`b${e}`),
      },
    });
    clearInterval(timer);
    expect(events).toEqual(['start0', 'b0', 'end0:0.05', 'start1', 'b1', 'end1:0.025']);
    expect(infos).toHaveLength(16);
    expect(infos[0]!.lr).toBe(0.1);
    expect(infos[8]!.lr).toBe(0.05);
    expect(infos.every((i) => i.gradNorm > 0 && i.tokensPerSecond > 0 && Number.isFinite(i.etaSeconds))).toBe(true);
    expect(infos.at(-1)!.etaSeconds).toBe(0);
    expect(ticks).toBeGreaterThan(0);
  });

  it('validates options', () => {
    const model = new DelayModel(1);
    const optimizer = new SGD(model, { lr: 0.1 });
    expect(() => new Trainer({ model, optimizer, step: () => ({ loss: 0, count: 1 }), clipNorm: -1 })).toThrow(/clipNorm must be a positive/);
    expect(() => new Trainer({ model, optimizer, step: () => ({ loss: 0, count: 1 }), batchsize: 3 } as never)).toThrow(/unknown option "batchsize"/);
  });
});

describe('Trainer.run (async iterator)', () => {
  it('yields batch and epoch events, matches fit, and stops when the consumer breaks', async () => {
    const a = setup(8), b = setup(8);
    const data = delayData(48, 1);
    const events: string[] = [];
    for await (const ev of a.trainer.run(data, { epochs: 2 })) events.push(ev.type === 'batch' ? `b${ev.info.step}` : `e${ev.record.epoch}`);
    expect(events).toEqual(['b1', 'b2', 'b3', 'e0', 'b4', 'b5', 'b6', 'e1']);
    await b.trainer.fit(data, { epochs: 2 });
    a.model.parameters().forEach((p, i) => expect(p.value).toEqual(b.model.parameters()[i]!.value));
    const c = setup(9);
    for await (const ev of c.trainer.run(data, { epochs: 5 })) if (ev.type === 'batch' && ev.info.step === 4) break;
    expect(c.trainer.stepCount).toBe(4);
  });
});

// ---------------------------------------------------------------------------------------------
// Resuming models that draw random numbers while training (dropout, scheduled sampling).

/** Embedding → Dropout → 2-layer LSTM (inter-layer dropout) → Linear; Dropout and LSTM share one generator. */
class SharedDropoutModel implements Module {
  readonly embed: Embedding;
  readonly drop: Dropout;
  readonly lstm: LSTM;
  readonly head: Linear;
  constructor(seed: number) {
    const rng = createRng(seed);
    this.embed = new Embedding({ numEmbeddings: DELAY_V, embeddingDim: 8, rng });
    this.drop = new Dropout({ p: 0.2, rng });
    this.lstm = new LSTM({ inputSize: 8, hiddenSize: 12, numLayers: 2, dropout: 0.3, rng });
    this.head = new Linear({ inFeatures: 12, outFeatures: DELAY_V, rng });
  }
  parameters(): Parameter[] {
    return [...prefixed('embed.', this.embed), ...prefixed('lstm.', this.lstm), ...prefixed('head.', this.head)];
  }
  generators(): Record<string, Rng> {
    return { ...prefixedGenerators('drop.', this.drop), ...prefixedGenerators('lstm.', this.lstm) };
  }
  step(b: DelayBatch, ctx: StepContext): StepOutput {
    const tape = ctx.tape ?? undefined;
    const e = this.drop.forward(this.embed.forward(b.ids, tape), { training: ctx.training, ...(tape ? { tape } : {}) });
    const { output } = this.lstm.forward(e, { training: ctx.training, ...(tape ? { tape } : {}) });
    return crossEntropy(this.head.forward(output, tape), b.targets, tape ? { tape } : {});
  }
}

function lmStep(model: ManyToMany) {
  return (b: DelayBatch, ctx: StepContext): StepOutput => {
    const tape = ctx.tape ?? undefined;
    const { logits } = model.forward(b.ids, tape ? { tape } : {});
    return crossEntropy(logits, b.targets, tape ? { tape } : {});
  };
}

/** A ManyToMany language model over the delay task: 2-layer LSTM with dropout 0.3 between layers. */
function dropoutLm(seed: number, dropout = 0.3) {
  const model = new ManyToMany({ vocabSize: DELAY_V, embeddingDim: 8, hiddenSize: 12, numLayers: 2, dropout, outputSize: DELAY_V, seed });
  const trainer = new Trainer<DelayBatch>({ model, optimizer: new Adam(model, { lr: 0.02 }), batchSize: 16, seed: 5, step: lmStep(model) });
  return { model, trainer };
}

function sharedDropout(seed: number) {
  const model = new SharedDropoutModel(seed);
  const trainer = new Trainer<DelayBatch>({ model, optimizer: new Adam(model, { lr: 0.02 }), batchSize: 16, seed: 5, step: (b, c) => model.step(b, c) });
  return { model, trainer };
}

const S2S_VOCAB = new Vocab(['a', 'b', 'c', 'd', 'e']);

/** Seq2Seq whose encoder has dropout between its 2 layers, trained with scheduled sampling (ratio 0.5). */
function samplingSeq2Seq(seed: number) {
  const model = new Seq2Seq({
    sourceVocab: S2S_VOCAB,
    targetVocab: S2S_VOCAB,
    seed,
    encoder: { embeddingDim: 6, hiddenSize: 8, numLayers: 2, dropout: 0.3 },
    decoder: { embeddingDim: 6, hiddenSize: 8, attention: 'general' },
  });
  const trainer = new Trainer({ model, optimizer: new Adam(model, { lr: 0.02 }), batchSize: 16, seed: 5, step: model.stepFunction({ teacherForcing: 0.5, seed: seed + 1 }) });
  return { model, trainer };
}

function reversePairs(n: number): Seq2SeqPair[] {
  const rng = createRng(11);
  return Array.from({ length: n }, () => {
    const source = Array.from({ length: 1 + rng.int(4) }, () => 4 + rng.int(5));
    return { source, target: [...source].reverse() };
  });
}

/** n1 steps, checkpoint file, a fresh setup built with a different seed, load, train on to n: the weights. */
async function resumeThroughFile<TBatch>(make: (seed: number) => { model: Module; trainer: Trainer<TBatch> }, data: TrainDataset<TBatch>, n1: number, n: number) {
  const straight = make(2);
  await straight.trainer.fit(data, { epochs: 10, maxSteps: n });
  const first = make(2);
  await first.trainer.fit(data, { epochs: 10, maxSteps: n1 });
  const file = join(mkdtempSync(join(tmpdir(), 'rnnkit-')), 'run.safetensors');
  await saveTrainingCheckpoint(file, first.trainer);
  const resumed = make(99); // different seed: initial weights AND generator states differ
  const metadata = await loadTrainingCheckpoint(file, resumed.trainer);
  await resumed.trainer.fit(data, { epochs: 10, maxSteps: n });
  expect(resumed.trainer.stepCount).toBe(n);
  return { straight: straight.model.parameters(), resumed: resumed.model.parameters(), metadata };
}

describe('Trainer checkpoints restore the random generators (dropout, scheduled sampling)', () => {
  it('ManyToMany, 2-layer LSTM with dropout 0.3: N1 steps, file, fresh model (other seed), the rest ≡ N steps straight', async () => {
    const { straight, resumed, metadata } = await resumeThroughFile(dropoutLm, delayData(80, 3), 7, 13);
    expect(Object.keys(metadata['rnnkit.random'] as object)).toEqual(['backbone.rnn.rng']);
    straight.forEach((p, i) => expect(resumed[i]!.value).toEqual(p.value));
  });

  it('a Dropout layer and an LSTM sharing one generator: saved once, resumed bit-exactly', async () => {
    expect(Object.keys(randomStateOf(new SharedDropoutModel(1)))).toEqual(['drop.rng']);
    const { straight, resumed } = await resumeThroughFile(sharedDropout, delayData(80, 3), 7, 13);
    straight.forEach((p, i) => expect(resumed[i]!.value).toEqual(p.value));
  });

  it('Seq2Seq with encoder dropout and scheduled sampling resumes bit-exactly', async () => {
    const data = seq2seqDataset(reversePairs(64));
    const { straight, resumed, metadata } = await resumeThroughFile(samplingSeq2Seq, data, 5, 9);
    expect(Object.keys(metadata['rnnkit.random'] as object)).toEqual(['encoder.rnn.rng', 'sampling.0']);
    straight.forEach((p, i) => expect(resumed[i]!.value).toEqual(p.value));
  });

  it('names only generators that training draws from', () => {
    expect(randomStateOf(dropoutLm(1, 0).model)).toEqual({}); // no dropout: the generator only initialised
    expect(randomStateOf(new DelayModel(1))).toEqual({}); // no generators() at all
    expect(new Dropout({ p: 0, seed: 1 }).generators()).toEqual({});
    expect(new LSTM({ inputSize: 2, hiddenSize: 2, dropout: 0.5 }).generators()).toEqual({}); // one layer: no inter-layer dropout
    const s2s = new Seq2Seq({ sourceVocab: S2S_VOCAB, targetVocab: S2S_VOCAB, encoder: { embeddingDim: 2, hiddenSize: 2 }, decoder: { embeddingDim: 2, hiddenSize: 2 } });
    s2s.stepFunction(); // teacher forcing 1 never draws
    expect(Object.keys(s2s.generators())).toEqual([]);
  });

  it('a mismatch in generator names is a ConfigError naming them; nothing is restored', () => {
    const withDropout = dropoutLm(1);
    const without = dropoutLm(1, 0);
    const err = (f: () => void): { code?: string; message?: string } => {
      try {
        f();
      } catch (e) {
        return e as { code: string; message: string };
      }
      return {};
    };
    const e1 = err(() => without.trainer.loadSnapshot(withDropout.trainer.snapshot()));
    expect(e1.code).toBe('E_CONFIG');
    expect(e1.message).toMatch(/Trainer\.loadSnapshot: the saved random generators do not match the model's \(none\): unexpected "backbone\.rnn\.rng"/);
    const before = withDropout.model.backbone.rng.getState();
    const e2 = err(() => withDropout.trainer.loadSnapshot(without.trainer.snapshot()));
    expect(e2.code).toBe('E_CONFIG');
    expect(e2.message).toMatch(/missing "backbone\.rnn\.rng"/);
    expect(withDropout.model.backbone.rng.getState()).toEqual(before);
    // Through a file: the same error from loadTrainingCheckpoint's parse + load path.
    const e3 = err(() => without.trainer.loadSnapshot(snapshotFromBytes(snapshotToBytes(withDropout.trainer.snapshot())).snapshot));
    expect(e3.code).toBe('E_CONFIG');
  });

  it('a malformed generator state is a FormatError, in a file or in a snapshot', () => {
    const { trainer } = dropoutLm(1);
    const s = trainer.snapshot();
    const bad = { ...s, random: { 'backbone.rnn.rng': { s: [0, 0, 0, 0] as const, spare: null } } };
    expect(() => snapshotFromBytes(snapshotToBytes(bad))).toThrow(/metadata "rnnkit.random" generator "backbone.rnn.rng" is malformed: .*all zero/);
    try {
      trainer.loadSnapshot(bad);
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('E_FORMAT');
    }
  });

  it('a checkpoint without generator states (older files) still loads and restores no generator', () => {
    const a = dropoutLm(1);
    const bytes = snapshotToBytes({ ...a.trainer.snapshot(), random: null });
    const { snapshot, metadata } = snapshotFromBytes(bytes);
    expect('rnnkit.random' in metadata).toBe(false);
    expect(snapshot.random).toBeNull();
    const b = dropoutLm(99);
    const fresh = b.model.backbone.rng.getState();
    b.trainer.loadSnapshot(snapshot);
    expect(b.model.backbone.rng.getState()).toEqual(fresh);
    b.model.parameters().forEach((p, i) => expect(p.value).toEqual(a.model.parameters()[i]!.value));
  });
});
