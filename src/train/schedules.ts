/**
 * Learning-rate schedules. Each one drives an {@link Optimizer}'s `lr`, and counts its own
 * `step()` calls like PyTorch's `last_epoch`: construction sets the lr for step 0 (the base lr,
 * or 0 at the start of a warmup), and every `step()` advances one epoch (or one batch, if called
 * per batch) and sets the lr for the next optimizer steps.
 *
 * The epoch schedules are closed forms of the epoch count t, so a restored schedule continues
 * exactly; {@link ReduceLROnPlateau} reacts to a metric instead.
 * @module
 */
import { ConfigError, FormatError } from '../errors.js';
import { checkNonNegativeInt, checkNumber, checkPositiveInt, describe } from '../shapes.js';
import type { Optimizer } from './optim/optimizer.js';
import { checkRange, optionsRecord } from './optim/optimizer.js';

/**
 * The schedule families, as stored in {@link ScheduleState.kind}.
 * @category Training
 */
export type ScheduleKind = 'StepLR' | 'ExponentialLR' | 'CosineWithWarmup' | 'ReduceLROnPlateau';

/**
 * A JSON-serialisable snapshot of a schedule, from {@link LrSchedule.stateDict}. It does not
 * include the optimizer's lr: restore the optimizer's own state too (as in PyTorch).
 * @example
 * ```ts
 * const saved = JSON.stringify(schedule.stateDict());
 * schedule.loadStateDict(JSON.parse(saved));
 * ```
 * @category Training
 */
export interface ScheduleState {
  /** Which schedule wrote the state. */
  readonly kind: ScheduleKind;
  /** Number of `step()` calls so far. */
  readonly lastEpoch: number;
  /** The optimizer's lr when the schedule was created. */
  readonly baseLr: number;
  /** Every resolved option. */
  readonly hyper: Readonly<Record<string, number | string>>;
  /** ReduceLROnPlateau only: its counters. `best` is null before any metric (or when infinite). */
  readonly plateau?: { readonly best: number | null; readonly numBadEpochs: number; readonly cooldownCounter: number };
}

/**
 * Base class of every schedule: the optimizer, the base lr, the epoch count and state I/O.
 * @example
 * ```ts
 * const schedules: LrSchedule[] = [new StepLR(opt, { stepSize: 10 })];
 * ```
 * @category Training
 */
export abstract class LrSchedule<THyper extends object = object> {
  /** Which schedule this is. */
  abstract readonly kind: ScheduleKind;
  /** The optimizer whose `lr` this schedule sets. */
  readonly optimizer: Optimizer;
  /** The resolved options. */
  protected abstract readonly hyper: THyper;
  /** The optimizer's lr at construction (PyTorch's `initial_lr`). */
  protected base: number;
  /** `step()` calls so far (PyTorch's `last_epoch`). */
  protected epoch = 0;

  /**
   * @param where - the class name, for messages.
   * @param optimizer - the optimizer to drive.
   * @throws ConfigError when `optimizer` is not an optimizer.
   */
  protected constructor(where: string, optimizer: Optimizer) {
    if (typeof optimizer !== 'object' || optimizer === null || typeof optimizer.lr !== 'number') {
      throw new ConfigError(`${where}: optimizer must be an Optimizer (SGD, Adam, ...), got ${describe(optimizer)}.`);
    }
    this.optimizer = optimizer;
    this.base = optimizer.lr;
  }

  /** The optimizer's lr when the schedule was created. */
  get baseLr(): number {
    return this.base;
  }

  /** How many times `step()` has run. */
  get lastEpoch(): number {
    return this.epoch;
  }

  /** The optimizer's current lr. */
  get lastLr(): number {
    return this.optimizer.lr;
  }

  /**
   * Copies the schedule's state out.
   * @returns kind, epoch count, base lr, options (and ReduceLROnPlateau's counters).
   */
  stateDict(): ScheduleState {
    return { kind: this.kind, lastEpoch: this.epoch, baseLr: this.base, hyper: { ...(this.hyper as Record<string, number | string>) } };
  }

  /**
   * Restores a state from {@link LrSchedule.stateDict}; checks everything first, changes nothing
   * on error, and leaves the optimizer's lr alone (restore the optimizer's state for that).
   * @param state - a state saved by the same kind of schedule.
   * @throws FormatError when the state is malformed.
   * @throws ConfigError when it is for another kind of schedule or an option is out of range.
   */
  loadStateDict(state: ScheduleState): void {
    const where = `${this.kind}.loadStateDict`;
    if (typeof state !== 'object' || state === null) throw new FormatError(`${where}: state must be an object, got ${describe(state)}.`);
    const { kind, lastEpoch, baseLr, hyper } = state as Partial<Record<keyof ScheduleState, unknown>>;
    if (kind !== this.kind) throw new ConfigError(`${where}: state is for ${describe(kind)}, expected ${this.kind}.`);
    if (typeof lastEpoch !== 'number' || !Number.isInteger(lastEpoch) || lastEpoch < 0) {
      throw new FormatError(`${where}: state.lastEpoch must be a non-negative integer, got ${describe(lastEpoch)}.`);
    }
    if (typeof baseLr !== 'number' || !Number.isFinite(baseLr) || baseLr < 0) {
      throw new FormatError(`${where}: state.baseLr must be a finite number >= 0, got ${describe(baseLr)}.`);
    }
    if (typeof hyper !== 'object' || hyper === null) throw new FormatError(`${where}: state.hyper must be an object, got ${describe(hyper)}.`);
    const own = Object.keys(this.hyper);
    const keys = Object.keys(hyper);
    if (keys.length !== own.length || own.some((k) => !keys.includes(k))) {
      throw new FormatError(`${where}: state.hyper has keys [${keys.join(', ')}], expected [${own.join(', ')}].`);
    }
    const resolved = this.resolve(where, hyper as Record<string, unknown>, baseLr);
    this.loadExtra(where, state, resolved);
    this.epoch = lastEpoch;
    this.base = baseLr;
    Object.assign(this.hyper, resolved);
  }

  /**
   * Validates a complete option object.
   * @param where - the public function name, for messages.
   * @param raw - the options.
   * @param baseLr - the base lr, for checks relative to it.
   * @returns the resolved options.
   */
  protected abstract resolve(where: string, raw: Readonly<Record<string, unknown>>, baseLr: number): THyper;

  /**
   * Validates and loads subclass state. Called by `loadStateDict` after every other check, so
   * it must throw before writing anything.
   * @param where - for messages.
   * @param state - the saved state.
   * @param hyper - the saved options, already validated.
   */
  protected loadExtra(where: string, state: ScheduleState, hyper: THyper): void {
    void where;
    void state;
    void hyper;
  }
}

/**
 * A schedule whose lr is a closed form f(t) of the epoch count t: construction sets lr = f(0),
 * and each `step()` sets lr = f(t + 1).
 * @example
 * ```ts
 * const s: EpochSchedule = new ExponentialLR(opt, { gamma: 0.95 });
 * for (let epoch = 0; epoch < 10; epoch++) { trainOneEpoch(); s.step(); }
 * ```
 * @category Training
 */
export abstract class EpochSchedule<THyper extends object = object> extends LrSchedule<THyper> {
  /** Advances one epoch and sets the optimizer's lr for it. */
  step(): void {
    this.epoch += 1;
    this.optimizer.lr = this.lrAt(this.epoch);
  }

  /**
   * The learning rate for epoch t.
   * @param t - epoch count (0 before any `step()`).
   * @returns the lr.
   */
  abstract lrAt(t: number): number;
}

/**
 * Options of {@link StepLR}.
 * @category Training
 */
export interface StepLROptions {
  /** Epochs between decays (a positive integer). Required. */
  stepSize: number;
  /**
   * Multiplicative decay factor.
   * @defaultValue 0.1
   */
  gamma?: number;
}

/**
 * Decays the lr by `gamma` every `stepSize` epochs: lr = baseLr · gamma^⌊t / stepSize⌋
 * (`torch.optim.lr_scheduler.StepLR`).
 * @example
 * ```ts
 * const s = new StepLR(opt, { stepSize: 30, gamma: 0.1 }); // 0.1 → 0.01 at epoch 30 → 0.001 at 60
 * ```
 * @category Training
 */
export class StepLR extends EpochSchedule<Required<StepLROptions>> {
  /** Always `'StepLR'`. */
  readonly kind: 'StepLR' = 'StepLR';
  protected readonly hyper: Required<StepLROptions>;

  /**
   * @param optimizer - the optimizer to drive; its current lr is the base lr.
   * @param opts - see {@link StepLROptions}.
   * @returns the schedule (the optimizer's lr is left at the base lr).
   * @throws ConfigError for a missing, unknown or out-of-range option.
   */
  constructor(optimizer: Optimizer, opts: StepLROptions) {
    super('StepLR', optimizer);
    this.hyper = this.resolve('StepLR', optionsRecord('StepLR', opts ?? null, ['stepSize', 'gamma']));
    optimizer.lr = this.lrAt(0);
  }

  /** @inheritDoc */
  lrAt(t: number): number {
    return this.base * Math.pow(this.hyper.gamma, Math.floor(t / this.hyper.stepSize));
  }

  protected resolve(where: string, raw: Readonly<Record<string, unknown>>): Required<StepLROptions> {
    return {
      stepSize: checkPositiveInt(where, 'stepSize', raw.stepSize),
      gamma: checkNumber(where, 'gamma', raw.gamma === undefined ? 0.1 : raw.gamma, 0),
    };
  }
}

/**
 * Options of {@link ExponentialLR}.
 * @category Training
 */
export interface ExponentialLROptions {
  /** Multiplicative decay factor per epoch (≥ 0). Required. */
  gamma: number;
}

/**
 * Decays the lr by `gamma` every epoch: lr = baseLr · gammaᵗ
 * (`torch.optim.lr_scheduler.ExponentialLR`).
 * @example
 * ```ts
 * const s = new ExponentialLR(opt, { gamma: 0.95 });
 * ```
 * @category Training
 */
export class ExponentialLR extends EpochSchedule<ExponentialLROptions> {
  /** Always `'ExponentialLR'`. */
  readonly kind: 'ExponentialLR' = 'ExponentialLR';
  protected readonly hyper: ExponentialLROptions;

  /**
   * @param optimizer - the optimizer to drive; its current lr is the base lr.
   * @param opts - see {@link ExponentialLROptions}.
   * @returns the schedule (the optimizer's lr is left at the base lr).
   * @throws ConfigError for a missing, unknown or out-of-range option.
   */
  constructor(optimizer: Optimizer, opts: ExponentialLROptions) {
    super('ExponentialLR', optimizer);
    this.hyper = this.resolve('ExponentialLR', optionsRecord('ExponentialLR', opts ?? null, ['gamma']));
    optimizer.lr = this.lrAt(0);
  }

  /** @inheritDoc */
  lrAt(t: number): number {
    return this.base * Math.pow(this.hyper.gamma, t);
  }

  protected resolve(where: string, raw: Readonly<Record<string, unknown>>): ExponentialLROptions {
    return { gamma: checkNumber(where, 'gamma', raw.gamma, 0) };
  }
}

/**
 * Options of {@link CosineWithWarmup}.
 * @category Training
 */
export interface CosineWithWarmupOptions {
  /** Steps of linear warmup from 0 to the base lr (a non-negative integer). Required. */
  warmupSteps: number;
  /** Step at which the cosine reaches `minLr` (an integer ≥ warmupSteps, > 0). Required. */
  totalSteps: number;
  /**
   * The floor the cosine decays to, and the lr after `totalSteps`; at most the base lr.
   * @defaultValue 0
   */
  minLr?: number;
}

/**
 * Linear warmup, then half a cosine down to `minLr` (the usual transformer schedule, as in
 * Hugging Face's `get_cosine_schedule_with_warmup`, with a floor):
 *
 * ```
 * t < W:        lr = baseLr · t / W
 * W ≤ t:        p = min(1, (t − W) / max(1, N − W));  lr = minLr + (baseLr − minLr) · ½(1 + cos πp)
 * ```
 * with W = warmupSteps and N = totalSteps. Usually stepped once per batch. With W > 0 the first
 * optimizer step runs at lr 0.
 * @example
 * ```ts
 * const s = new CosineWithWarmup(opt, { warmupSteps: 100, totalSteps: 10_000, minLr: 1e-5 });
 * for (const batch of batches) { trainStep(batch); s.step(); }
 * ```
 * @category Training
 */
export class CosineWithWarmup extends EpochSchedule<Required<CosineWithWarmupOptions>> {
  /** Always `'CosineWithWarmup'`. */
  readonly kind: 'CosineWithWarmup' = 'CosineWithWarmup';
  protected readonly hyper: Required<CosineWithWarmupOptions>;

  /**
   * @param optimizer - the optimizer to drive; its current lr is the base (peak) lr.
   * @param opts - see {@link CosineWithWarmupOptions}.
   * @returns the schedule; the optimizer's lr is set for step 0 (0 when warming up).
   * @throws ConfigError for a missing, unknown or out-of-range option.
   */
  constructor(optimizer: Optimizer, opts: CosineWithWarmupOptions) {
    super('CosineWithWarmup', optimizer);
    const o = optionsRecord('CosineWithWarmup', opts ?? null, ['warmupSteps', 'totalSteps', 'minLr']);
    this.hyper = this.resolve('CosineWithWarmup', o, this.base);
    optimizer.lr = this.lrAt(0);
  }

  /** @inheritDoc */
  lrAt(t: number): number {
    const W = this.hyper.warmupSteps, N = this.hyper.totalSteps, minLr = this.hyper.minLr;
    if (t < W) return (this.base * t) / W;
    const progress = Math.min(1, (t - W) / Math.max(1, N - W));
    return minLr + (this.base - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
  }

  protected resolve(where: string, raw: Readonly<Record<string, unknown>>, baseLr: number): Required<CosineWithWarmupOptions> {
    const warmupSteps = checkNonNegativeInt(where, 'warmupSteps', raw.warmupSteps);
    const totalSteps = checkPositiveInt(where, 'totalSteps', raw.totalSteps);
    if (totalSteps < warmupSteps) {
      throw new ConfigError(`${where}: totalSteps must be >= warmupSteps, got totalSteps = ${totalSteps}, warmupSteps = ${warmupSteps}.`);
    }
    const minLr = checkRange(where, 'minLr', raw.minLr === undefined ? 0 : raw.minLr, 0, baseLr, false);
    return { warmupSteps, totalSteps, minLr };
  }
}
