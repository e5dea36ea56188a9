/**
 * ReduceLROnPlateau: lowers the lr when a monitored metric stops improving, with the semantics of
 * `torch.optim.lr_scheduler.ReduceLROnPlateau` (relative or absolute threshold, patience,
 * cooldown, floor, and an `eps` below which a reduction is skipped).
 * @module
 */
import { ConfigError, FormatError } from '../errors.js';
import { checkNonNegativeInt, describe } from '../shapes.js';
import type { Optimizer } from './optim/optimizer.js';
import { checkRange, numberOption, optionsRecord } from './optim/optimizer.js';
import type { ScheduleState } from './schedules.js';
import { LrSchedule } from './schedules.js';

/**
 * Options of {@link ReduceLROnPlateau} (PyTorch's names in camelCase).
 * @category Training
 */
export interface ReduceLROnPlateauOptions {
  /**
   * `'min'`: the metric should decrease (a loss); `'max'`: it should increase (an accuracy).
   * @defaultValue 'min'
   */
  mode?: 'min' | 'max';
  /**
   * Factor the lr is multiplied by on a plateau, in [0, 1).
   * @defaultValue 0.1
   */
  factor?: number;
  /**
   * Epochs without improvement tolerated; the lr drops on the next bad epoch after these.
   * @defaultValue 10
   */
  patience?: number;
  /**
   * How much better a metric must be to count as an improvement (see `thresholdMode`).
   * @defaultValue 1e-4
   */
  threshold?: number;
  /**
   * `'rel'`: better means below best·(1 − threshold) (`'min'`) or above best·(1 + threshold)
   * (`'max'`); `'abs'`: below best − threshold or above best + threshold.
   * @defaultValue 'rel'
   */
  thresholdMode?: 'rel' | 'abs';
  /**
   * Epochs after a reduction during which bad epochs are not counted.
   * @defaultValue 0
   */
  cooldown?: number;
  /**
   * The lr never goes below this.
   * @defaultValue 0
   */
  minLr?: number;
  /**
   * A reduction smaller than this is skipped.
   * @defaultValue 1e-8
   */
  eps?: number;
}

const KEYS: readonly string[] = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'];

/**
 * Reduces the lr by `factor` once the metric has not improved for more than `patience` epochs
 * (`torch.optim.lr_scheduler.ReduceLROnPlateau`). Per `step(metric)`:
 *
 * ```
 * if better(metric, best): best ← metric, bad ← 0   else bad ← bad + 1
 * if cooldownCounter > 0:  cooldownCounter ← cooldownCounter − 1, bad ← 0
 * if bad > patience:       lr ← max(lr·factor, minLr) unless that changes lr by ≤ eps;
 *                          cooldownCounter ← cooldown, bad ← 0
 * ```
 * A NaN metric counts as no improvement.
 * @example
 * ```ts
 * const plateau = new ReduceLROnPlateau(opt, { mode: 'min', factor: 0.5, patience: 2 });
 * for (let epoch = 0; epoch < 50; epoch++) { trainOneEpoch(); plateau.step(validationLoss()); }
 * ```
 * @category Training
 */
export class ReduceLROnPlateau extends LrSchedule<Required<ReduceLROnPlateauOptions>> {
  /** Always `'ReduceLROnPlateau'`. */
  readonly kind: 'ReduceLROnPlateau' = 'ReduceLROnPlateau';
  protected readonly hyper: Required<ReduceLROnPlateauOptions>;
  private bestValue: number;
  private bad = 0;
  private cooldownLeft = 0;

  /**
   * @param optimizer - the optimizer to drive (its lr is not changed here).
   * @param opts - see {@link ReduceLROnPlateauOptions}.
   * @returns the schedule.
   * @throws ConfigError for an unknown or out-of-range option.
   */
  constructor(optimizer: Optimizer, opts?: ReduceLROnPlateauOptions) {
    super('ReduceLROnPlateau', optimizer);
    this.hyper = this.resolve('ReduceLROnPlateau', optionsRecord('ReduceLROnPlateau', opts, KEYS));
    this.bestValue = worst(this.hyper.mode);
  }

  /** The best metric so far (`Infinity` in `'min'` mode, `-Infinity` in `'max'` mode before any). */
  get best(): number {
    return this.bestValue;
  }

  /** Consecutive epochs without improvement, as counted by PyTorch (reset by cooldown). */
  get numBadEpochs(): number {
    return this.bad;
  }

  /** Epochs of cooldown left. */
  get cooldownCounter(): number {
    return this.cooldownLeft;
  }

  /**
   * Records one epoch's metric and lowers the lr if the metric has plateaued.
   * @param metric - the monitored value (e.g. the validation loss).
   * @throws ConfigError when `metric` is not a number.
   */
  step(metric: number): void {
    if (typeof metric !== 'number') {
      throw new ConfigError(`ReduceLROnPlateau.step: metric must be a number, got ${describe(metric)}.`);
    }
    this.epoch += 1;
    if (this.isBetter(metric)) {
      this.bestValue = metric;
      this.bad = 0;
    } else {
      this.bad += 1;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft -= 1;
      this.bad = 0;
    }
    if (this.bad > this.hyper.patience) {
      const old = this.optimizer.lr;
      const next = Math.max(old * this.hyper.factor, this.hyper.minLr);
      if (old - next > this.hyper.eps) this.optimizer.lr = next;
      this.cooldownLeft = this.hyper.cooldown;
      this.bad = 0;
    }
  }

  /**
   * Copies the schedule's state out, with its counters; an infinite `best` is stored as null.
   * @returns the state.
   */
  override stateDict(): ScheduleState {
    const best = Number.isFinite(this.bestValue) ? this.bestValue : null;
    return { ...super.stateDict(), plateau: { best, numBadEpochs: this.bad, cooldownCounter: this.cooldownLeft } };
  }

  protected override loadExtra(where: string, state: ScheduleState, hyper: Required<ReduceLROnPlateauOptions>): void {
    const p: unknown = state.plateau;
    if (typeof p !== 'object' || p === null) throw new FormatError(`${where}: state.plateau must be an object, got ${describe(p)}.`);
    const { best, numBadEpochs, cooldownCounter } = p as Record<string, unknown>;
    if (best !== null && (typeof best !== 'number' || Number.isNaN(best))) {
      throw new FormatError(`${where}: state.plateau.best must be a number or null, got ${describe(best)}.`);
    }
    for (const [name, v] of [['numBadEpochs', numBadEpochs], ['cooldownCounter', cooldownCounter]] as const) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        throw new FormatError(`${where}: state.plateau.${name} must be a non-negative integer, got ${describe(v)}.`);
      }
    }
    this.bestValue = best === null ? worst(hyper.mode) : best;
    this.bad = numBadEpochs as number;
    this.cooldownLeft = cooldownCounter as number;
  }

  protected resolve(where: string, raw: Readonly<Record<string, unknown>>): Required<ReduceLROnPlateauOptions> {
    const mode = raw.mode === undefined ? 'min' : raw.mode;
    if (mode !== 'min' && mode !== 'max') throw new ConfigError(`${where}: mode must be 'min' or 'max', got ${describe(mode)}.`);
    const thresholdMode = raw.thresholdMode === undefined ? 'rel' : raw.thresholdMode;
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') {
      throw new ConfigError(`${where}: thresholdMode must be 'rel' or 'abs', got ${describe(thresholdMode)}.`);
    }
    return {
      mode,
      factor: checkRange(where, 'factor', raw.factor === undefined ? 0.1 : raw.factor, 0, 1, true),
      patience: checkNonNegativeInt(where, 'patience', raw.patience === undefined ? 10 : raw.patience),
      threshold: numberOption(where, raw, 'threshold', 1e-4, 0),
      thresholdMode,
      cooldown: checkNonNegativeInt(where, 'cooldown', raw.cooldown === undefined ? 0 : raw.cooldown),
      minLr: numberOption(where, raw, 'minLr', 0, 0),
      eps: numberOption(where, raw, 'eps', 1e-8, 0),
    };
  }

  private isBetter(a: number): boolean {
    const best = this.bestValue, th = this.hyper.threshold;
    if (this.hyper.mode === 'min') return this.hyper.thresholdMode === 'rel' ? a < best * (1 - th) : a < best - th;
    return this.hyper.thresholdMode === 'rel' ? a > best * (th + 1) : a > best + th;
  }
}

/** @internal */
function worst(mode: 'min' | 'max'): number {
  return mode === 'min' ? Infinity : -Infinity;
}
