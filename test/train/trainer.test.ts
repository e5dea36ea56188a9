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
import { DelayModel, delayData, type DelayBatch } from '../helpers/delay-task.js';

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
