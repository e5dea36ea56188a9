/**
 * The Trainer: batches, epochs, clipping, schedules, validation, early stopping, progress,
 * a non-finite guard, and checkpoints that resume bit-exactly.
 *
 * The model's forward pass and loss are the user's `step` function, recorded on a {@link Tape};
 * the Trainer owns everything around it. Training yields to the event loop between batches so
 * a server or a page stays responsive.
 * @module
 */
import { ConfigError, NumericError, StateError } from '../errors.js';
import { createRng } from '../kernel/rng.js';
import { firstNonFinite } from '../kernel/reduce.js';
import { loadRandomStateInto, loadStateDictInto, randomStateOf, type Module, type Parameter, type StateDict } from '../layers/param-store.js';
import { Tape } from '../layers/tape.js';
import { checkKnownKeys, checkPositiveInt } from '../shapes.js';
import { clipGradNorm, gradNorm } from './clip.js';
import type { Optimizer } from './optim/optimizer.js';
import type { ProgressInfo } from './progress-bar.js';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { EpochSchedule, type LrSchedule } from './schedules.js';
import type {
  TrainDataset,
  StepOutput,
  StepFn,
  TrainerOptions,
  Metrics,
  EpochRecord,
  FitOptions,
  FitResult,
  TrainerEvent,
  TrainingSnapshot,
} from './trainer-types.js';


const TRAINER_KEYS = ['model', 'optimizer', 'step', 'batchSize', 'clipNorm', 'schedule', 'scheduleEvery', 'seed', 'shuffle', 'lengthOf'];

/**
 * Trains a model with backpropagation through time.
 * @example
 * ```ts
 * const trainer = new Trainer({
 *   model, optimizer: new Adam(model, { lr: 3e-3 }), batchSize: 32,
 *   step: (b, { tape }) => {
 *     // a ManyToOne classifier; b.ids [T, B], b.lengths [B], b.labels [B]; countCorrect is yours
 *     const logits = model.forward(b.ids, { lengths: b.lengths, ...(tape ? { tape } : {}) }); // [B, C]
 *     const r = crossEntropy(logits, b.labels, tape ? { tape } : {});
 *     return { loss: r.loss, count: r.count, correct: countCorrect(logits, b.labels) };
 *   },
 * });
 * const { history } = await trainer.fit(train, { epochs: 5, validation: test });
 * ```
 * @category Training
 */
export class Trainer<TBatch> {
  /** The model being trained. */
  readonly model: Module;
  /** Its optimizer. */
  readonly optimizer: Optimizer;
  /** The schedule, if any. */
  readonly schedule: LrSchedule | null;
  private readonly stepFn: StepFn<TBatch>;
  private readonly batchSize: number;
  private readonly clipNorm: number | null;
  private readonly scheduleEvery: 'batch' | 'epoch';
  private readonly seed: number;
  private readonly shuffle: boolean;
  private readonly lengthOf: ((index: number) => number) | null;
  private readonly params: Parameter[];
  private steps = 0;
  private epoch = 0;
  private batchInEpoch = 0;
  private readonly tape = new Tape();

  /**
   * @param opts - see {@link TrainerOptions}.
   * @throws ConfigError on a missing, unknown or invalid option.
   */
  constructor(opts: TrainerOptions<TBatch>) {
    const where = 'Trainer';
    if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object.`);
    checkKnownKeys(where, opts, TRAINER_KEYS);
    if (!opts.model || typeof opts.model.parameters !== 'function') throw new ConfigError(`${where}: model must be a Module (with parameters()).`);
    if (!opts.optimizer || typeof opts.optimizer.step !== 'function') throw new ConfigError(`${where}: optimizer must be an Optimizer (SGD, Adam, ...).`);
    if (typeof opts.step !== 'function') throw new ConfigError(`${where}: step must be a function (batch, ctx) => { loss, count }.`);
    this.model = opts.model;
    this.optimizer = opts.optimizer;
    this.stepFn = opts.step;
    this.batchSize = checkPositiveInt(where, 'batchSize', opts.batchSize ?? 32);
    const clip = opts.clipNorm === undefined ? 5 : opts.clipNorm;
    if (clip !== null && !(typeof clip === 'number' && clip > 0 && Number.isFinite(clip))) {
      throw new ConfigError(`${where}: clipNorm must be a positive finite number or null, got ${String(clip)}.`);
    }
    this.clipNorm = clip;
    this.schedule = opts.schedule ?? null;
    if (this.schedule && this.schedule.optimizer !== this.optimizer) {
      throw new ConfigError(`${where}: schedule drives a different optimizer than the Trainer's.`);
    }
    const every = opts.scheduleEvery ?? 'epoch';
    if (every !== 'batch' && every !== 'epoch') throw new ConfigError(`${where}: scheduleEvery must be 'batch' or 'epoch', got ${String(every)}.`);
    this.scheduleEvery = every;
    this.seed = opts.seed ?? 0;
    if (!Number.isFinite(this.seed)) throw new ConfigError(`${where}: seed must be a finite number.`);
    this.shuffle = opts.shuffle ?? true;
    this.lengthOf = opts.lengthOf ?? null;
    this.params = this.model.parameters();
  }

  /** Optimizer steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** The epoch the next batch belongs to. */
  get currentEpoch(): number {
    return this.epoch;
  }

  /**
   * The batches of one epoch, as example indices: a seeded permutation (the same for the same
   * seed and epoch, so a resumed run sees the same order).
   * @param n - dataset length.
   * @param epoch - the epoch.
   * @returns the batches.
   */
  epochBatches(n: number, epoch: number): number[][] {
    const rng = createRng(this.seed * 1_000_003 + epoch);
    const idx = Array.from({ length: n }, (_, i) => i);
    if (this.lengthOf) {
      const lengthOf = this.lengthOf;
      if (this.shuffle) rng.shuffle(idx);
      idx.sort((a, b) => lengthOf(a) - lengthOf(b)); // stable: ties keep the shuffled order
      const out: number[][] = [];
      for (let i = 0; i < n; i += this.batchSize) out.push(idx.slice(i, i + this.batchSize));
      return this.shuffle ? rng.shuffle(out) : out;
    }
    if (this.shuffle) rng.shuffle(idx);
    const out: number[][] = [];
    for (let i = 0; i < n; i += this.batchSize) out.push(idx.slice(i, i + this.batchSize));
    return out;
  }

  /**
   * Trains one batch: forward on a tape, backward, non-finite guard, clipping, update, schedule.
   * @param batch - the batch.
   * @param ctx - where it is (epoch, batch index, carry map).
   * @returns the step output and the gradient norm before clipping.
   * @throws NumericError when the loss or a gradient is NaN or infinite (weights unchanged).
   */
  trainBatch(batch: TBatch, ctx: { epoch: number; batch: number; carry: Map<string, unknown> }): StepOutput & { gradNorm: number } {
    const tape = this.tape;
    tape.reset();
    this.optimizer.zeroGrad();
    const out = this.stepFn(batch, { tape, training: true, carry: ctx.carry, epoch: ctx.epoch, batch: ctx.batch });
    const where = `Trainer: at step ${this.steps + 1} (epoch ${ctx.epoch}, batch ${ctx.batch})`;
    if (!Number.isFinite(out.loss)) {
      throw new NumericError(`${where} the loss is ${out.loss}; weights were left as they were before this step. Lower the learning rate or check the inputs.`);
    }
    if (tape.length === 0) throw new StateError(`${where} the step function recorded nothing on ctx.tape; pass the tape to the model and the loss.`);
    tape.backward();
    const norm = this.clipNorm !== null ? clipGradNorm(this.params, this.clipNorm) : gradNorm(this.params);
    if (!Number.isFinite(norm)) {
      const bad = this.params.find((p) => firstNonFinite(p.grad, p.grad.length) >= 0);
      const at = bad ? firstNonFinite(bad.grad, bad.grad.length) : -1;
      throw new NumericError(
        `${where} the gradient norm is ${norm}; first non-finite gradient: ${bad ? `${bad.name}[${at}] = ${bad.grad[at]}` : 'none found'}. ` +
          'Weights were left as they were before this step.',
      );
    }
    this.optimizer.step();
    this.steps++;
    if (this.scheduleEvery === 'batch' && this.schedule instanceof EpochSchedule) this.schedule.step();
    return { ...out, gradNorm: norm };
  }

  /**
   * Evaluates the model on a dataset without recording (no caches, no dropout).
   * @param data - the dataset.
   * @param batchSize - defaults to the Trainer's.
   * @returns the metrics.
   */
  evaluate(data: TrainDataset<TBatch>, batchSize: number = this.batchSize): Metrics {
    const acc = new MetricSum();
    const carry = new Map<string, unknown>();
    for (let i = 0, k = 0; i < data.length; i += batchSize, k++) {
      const idx: number[] = [];
      for (let j = i; j < Math.min(i + batchSize, data.length); j++) idx.push(j);
      acc.add(this.stepFn(data.batch(idx), { tape: null, training: false, carry, epoch: this.epoch, batch: k }));
    }
    return acc.metrics();
  }

  /**
   * Trains for `epochs` epochs (or `maxSteps` steps), resuming from the current counters.
   * @param data - the training set.
   * @param opts - epochs, validation, early stopping, signal, callbacks, progress.
   * @returns the history and how training ended.
   * @throws NumericError from the non-finite guard.
   */
  async fit(data: TrainDataset<TBatch>, opts: FitOptions<TBatch>): Promise<FitResult> {
    const it = this.run(data, opts);
    for (;;) {
      const r = await it.next();
      if (r.done) return r.value;
    }
  }

  /**
   * The training loop as an async iterator, for users who drive it themselves: it yields an
   * event after every batch and every epoch, and returns the same result as {@link Trainer.fit}.
   * Breaking out of the loop stops training between batches.
   * @param data - the training set.
   * @param opts - as for `fit`.
   * @returns an async generator of events whose return value is the fit result.
   * @throws NumericError from the non-finite guard.
   * @example
   * ```ts
   * for await (const ev of trainer.run(train, { epochs: 3 })) {
   *   if (ev.type === 'batch' && ev.info.step % 100 === 0) console.log(ev.info.loss);
   *   if (ev.type === 'epoch') console.log(ev.record.train.loss);
   * }
   * ```
   */
  async *run(data: TrainDataset<TBatch>, opts: FitOptions<TBatch>): AsyncGenerator<TrainerEvent, FitResult, undefined> {
    const where = 'Trainer.fit';
    checkKnownKeys(where, opts, ['epochs', 'maxSteps', 'validation', 'earlyStopping', 'signal', 'callbacks', 'onProgress']);
    const epochs = checkPositiveInt(where, 'epochs', opts.epochs);
    const maxSteps = opts.maxSteps === undefined ? Infinity : checkPositiveInt(where, 'maxSteps', opts.maxSteps);
    if (data.length < 1) throw new ConfigError(`${where}: the training set is empty.`);
    const es = opts.earlyStopping;
    if (es && !opts.validation) throw new ConfigError(`${where}: earlyStopping needs a validation set.`);
    const cb = opts.callbacks ?? {};
    const history: EpochRecord[] = [];
    let best = Infinity;
    let bestEpoch: number | null = null;
    let bestWeights: Float32Array[] | null = null;
    let bad = 0;
    let stoppedEarly = false;
    let aborted = false;
    const startEpoch = this.epoch;
    const startSteps = this.steps;
    const t0 = nowMs();
    let lastYield = t0;
    outer: while (this.epoch < epochs && this.steps < maxSteps) {
      const epoch = this.epoch;
      const batches = this.epochBatches(data.length, epoch);
      if (this.batchInEpoch === 0) cb.onEpochStart?.(epoch);
      const epochStart = nowMs();
      const sum = new MetricSum();
      let sequences = 0;
      const carry = new Map<string, unknown>();
      for (let b = this.batchInEpoch; b < batches.length; b++) {
        if (opts.signal?.aborted) {
          aborted = true;
          break outer;
        }
        if (this.steps >= maxSteps) break outer;
        cb.onBatchStart?.(epoch, b);
        const idx = batches[b] as number[];
        const lr = this.optimizer.lr;
        const out = this.trainBatch(data.batch(idx), { epoch, batch: b, carry });
        this.batchInEpoch = b + 1;
        sum.add(out);
        sequences += out.sequences ?? idx.length;
        const elapsed = Math.max(1e-3, (nowMs() - epochStart) / 1000);
        const done = (this.epoch - startEpoch) * batches.length + (b + 1) - 0;
        const total = Math.min((epochs - startEpoch) * batches.length, maxSteps - startSteps + 0);
        const rate = (nowMs() - t0) / 1000 / Math.max(1, done);
        const info: ProgressInfo = {
          step: this.steps,
          epoch,
          batch: b,
          batchesPerEpoch: batches.length,
          loss: out.loss,
          epochLoss: sum.metrics().loss,
          lr,
          gradNorm: out.gradNorm,
          sequencesPerSecond: sequences / elapsed,
          tokensPerSecond: sum.count / elapsed,
          etaSeconds: Math.max(0, total - done) * rate,
        };
        opts.onProgress?.(info);
        cb.onBatchEnd?.(info);
        yield { type: 'batch', info };
        if (nowMs() - lastYield > 15) {
          await yieldToEventLoop();
          lastYield = nowMs();
        }
      }
      if (this.batchInEpoch < batches.length) break; // stopped by maxSteps mid-epoch
      // Epoch complete.
      const validation = opts.validation ? this.evaluate(opts.validation) : null;
      const train = sum.metrics();
      if (this.schedule) {
        if (this.schedule instanceof ReduceLROnPlateau) this.schedule.step(validation ? validation.loss : train.loss);
        else if (this.scheduleEvery === 'epoch' && this.schedule instanceof EpochSchedule) this.schedule.step();
      }
      const record: EpochRecord = { epoch, train, validation, lr: this.optimizer.lr, seconds: (nowMs() - epochStart) / 1000 };
      history.push(record);
      this.epoch++;
      this.batchInEpoch = 0;
      cb.onEpochEnd?.(record);
      yield { type: 'epoch', record };
      if (es && validation) {
        const monitorAcc = es.monitor === 'accuracy';
        const value = monitorAcc ? -(validation.accuracy ?? 0) : validation.loss;
        if (value < best - (es.minDelta ?? 0)) {
          best = value;
          bestEpoch = epoch;
          bad = 0;
          if (es.restoreBest ?? true) bestWeights = this.params.map((p) => Float32Array.from(p.value));
        } else if (++bad >= es.patience) {
          stoppedEarly = true;
          break;
        }
      }
      await yieldToEventLoop();
    }
    if (bestWeights && (es?.restoreBest ?? true)) this.params.forEach((p, i) => p.value.set(bestWeights![i] as Float32Array));
    return { history, steps: this.steps, bestEpoch, stoppedEarly, aborted };
  }

  /**
   * Copies everything needed to resume: model tensors, optimizer and schedule states, counters,
   * and the states of the model's random generators (its `generators`, e.g. dropout).
   * @returns the snapshot.
   */
  snapshot(): TrainingSnapshot {
    const model: StateDict = {};
    for (const p of this.params) model[p.name] = { shape: [...p.shape], data: Float32Array.from(p.value) };
    return {
      model,
      optimizer: this.optimizer.stateDict(),
      schedule: this.schedule ? this.schedule.stateDict() : null,
      trainer: { step: this.steps, epoch: this.epoch, batchInEpoch: this.batchInEpoch, seed: this.seed },
      random: randomStateOf(this.model),
    };
  }

  /**
   * Restores a snapshot (from {@link Trainer.snapshot} or a checkpoint file) into this Trainer,
   * its model (weights and random generators), optimizer and schedule; the next `fit` continues
   * exactly where it left off. A snapshot whose `random` is null (an older checkpoint) leaves the
   * generators as they are.
   * @param s - the snapshot.
   * @throws ShapeError / ConfigError / FormatError when it does not match this setup (ConfigError
   *   when the saved generator names differ from the model's, e.g. other dropout options).
   */
  loadSnapshot(s: TrainingSnapshot): void {
    const where = 'Trainer.loadSnapshot';
    if (s.trainer.seed !== this.seed) throw new ConfigError(`${where}: snapshot seed ${s.trainer.seed} differs from this Trainer's seed ${this.seed}.`);
    if ((s.schedule === null) !== (this.schedule === null)) throw new ConfigError(`${where}: the snapshot and this Trainer disagree on having a schedule.`);
    if (s.random !== null && s.random !== undefined) loadRandomStateInto(this.model, s.random, where);
    loadStateDictInto(this.params, s.model, true, where);
    this.optimizer.loadStateDict(s.optimizer);
    if (this.schedule && s.schedule) this.schedule.loadStateDict(s.schedule);
    this.steps = s.trainer.step;
    this.epoch = s.trainer.epoch;
    this.batchInEpoch = s.trainer.batchInEpoch;
  }
}

/** @internal Running sums of step outputs. */
class MetricSum {
  lossSum = 0;
  count = 0;
  correct = 0;
  hasCorrect = false;
  add(o: StepOutput): void {
    this.lossSum += o.loss * o.count;
    this.count += o.count;
    if (o.correct !== undefined) {
      this.correct += o.correct;
      this.hasCorrect = true;
    }
  }
  metrics(): Metrics {
    const loss = this.count > 0 ? this.lossSum / this.count : NaN;
    return {
      loss,
      perplexity: Math.exp(loss),
      bitsPerToken: loss / Math.LN2,
      accuracy: this.hasCorrect && this.count > 0 ? this.correct / this.count : null,
      count: this.count,
    };
  }
}

function nowMs(): number {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf ? perf.now() : Date.now();
}

/** @internal Lets timers, I/O and rendering run between batches. */
export function yieldToEventLoop(): Promise<void> {
  const si = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (si ? si(resolve) : setTimeout(resolve, 0)));
}
