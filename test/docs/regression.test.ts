// The code sample of docs/regression.md, verbatim between the markers apart from the imports and
// the data it is given: a synthetic daily series with a weekly cycle, a yearly wave, a trend and
// flagged holidays, windowed as the guide describes (28 days + the day to forecast, each window
// scaled by its own mean, s = 5). The GRU must learn to forecast the next day far better than
// persistence and at least as well as the same weekday last week.
import { describe, expect, it } from 'vitest';
import { Adam, ManyToOne, Trainer, createRng, mseLoss, type Tensor } from '../../src/index.js';

const WEEKLY = [0.8, 1.05, 1.1, 1.08, 1.06, 1.04, 0.87]; // Sunday … Saturday
const isHoliday = (d: number) => d % 53 === 17;

function series(days: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const y = new Float64Array(days);
  for (let d = 0; d < days; d++) {
    const level = 10_000 + 3 * d;
    const noise = 1 + 0.01 * (rng.uniform() * 2 - 1);
    y[d] = level * (WEEKLY[d % 7] as number) * (1 + 0.05 * Math.sin((2 * Math.PI * d) / 365)) * (isHoliday(d) ? 0.75 : 1) * noise;
  }
  return y;
}

/** Windows ending the day before each target day: x [T=29, B, I=12], y [B, 1], mean [B]. */
function windowDataset(y: Float64Array, targets: readonly number[]) {
  const T = 29, I = 12, s = 5;
  return {
    length: targets.length,
    batch(idx: readonly number[]) {
      const B = idx.length;
      const x = new Float32Array(T * B * I), yy = new Float32Array(B), mean = new Float64Array(B);
      idx.forEach((k, b) => {
        const day = targets[k] as number;
        let m = 0;
        for (let t = 0; t < 28; t++) m += y[day - 28 + t] as number;
        m /= 28;
        mean[b] = m;
        for (let t = 0; t < T; t++) {
          const d = day - 28 + t, o = (t * B + b) * I;
          x[o] = t < 28 ? s * ((y[d] as number) / m - 1) : 0; // births scaled by the window mean
          x[o + 1] = t === 28 ? 1 : 0; // "this is the day to forecast"
          x[o + 2 + (d % 7)] = 1; // day of week, one-hot
          x[o + 9] = Math.sin((2 * Math.PI * d) / 365);
          x[o + 10] = Math.cos((2 * Math.PI * d) / 365);
          x[o + 11] = isHoliday(d) ? 1 : 0;
        }
        yy[b] = s * ((y[day] as number) / m - 1);
      });
      return { x: { shape: [T, B, I], data: x } as Tensor, y: { shape: [B, 1], data: yy } as Tensor, mean };
    },
  };
}

describe('docs/regression.md sample', () => {
  it('a GRU forecasts the next day of a weekly series from a scaled window', { timeout: 120_000 }, async () => {
    const y = series(800, 3);
    const trainDays = Array.from({ length: 448 }, (_, i) => 28 + i); // 14 batches of 32 per epoch
    const testDays = Array.from({ length: 800 - 500 }, (_, i) => 500 + i);
    const windows = windowDataset(y, trainDays);
    const testWindows = windowDataset(y, testDays);

    // --- begin docs sample ---
    const I = 12, T = 29;                               // 28 days + the day to forecast
    const model = new ManyToOne({ cell: 'gru', inputSize: I, hiddenSize: 32, pooling: 'last', outputSize: 1, seed: 1 });
    interface Batch { x: Tensor; y: Tensor; mean: Float64Array }   // x [T, B, I], y [B, 1]
    const trainer = new Trainer<Batch>({
      model, optimizer: new Adam(model, { lr: 2e-2 }), batchSize: 32,
      step: (b, { tape }) => {
        const z = model.forward(b.x, tape ? { tape } : {});          // [B, 1]
        return mseLoss(z, b.y, tape ? { tape } : {});                // { loss, count }
      },
    });
    await trainer.fit(windows, { epochs: 12 });
    const b = testWindows.batch([0, 1, 2]);
    const z = model.forward(b.x);
    const forecasts = Array.from(b.mean, (m, i) => m * (1 + z.data[i]! / 5));   // back to births
    // --- end docs sample ---

    expect(b.x.shape).toEqual([T, 3, I]);
    expect(z.shape).toEqual([3, 1]);
    expect(forecasts).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      const actual = y[testDays[i]!]!;
      expect(Math.abs(forecasts[i]! - actual) / actual).toBeLessThan(0.04);
    }

    // MAPE over all test days, against persistence and lag-7 on the same days.
    const all = testWindows.batch(testDays.map((_, i) => i));
    const zAll = model.forward(all.x);
    let mape = 0, persistence = 0, lag7 = 0;
    testDays.forEach((d, i) => {
      const actual = y[d]!;
      mape += Math.abs(all.mean[i]! * (1 + zAll.data[i]! / 5) - actual) / actual;
      persistence += Math.abs(y[d - 1]! - actual) / actual;
      lag7 += Math.abs(y[d - 7]! - actual) / actual;
    });
    mape /= testDays.length; persistence /= testDays.length; lag7 /= testDays.length;
    expect(persistence).toBeGreaterThan(0.08);
    expect(mape).toBeLessThan(0.6 * lag7);
    expect(mape).toBeLessThan(0.015);
    // The flagged holidays (a 25 % dip) are forecast from the calendar features.
    const holidays = testDays.map((d, i) => [d, i] as const).filter(([d]) => isHoliday(d));
    expect(holidays.length).toBeGreaterThan(3);
    for (const [d, i] of holidays) {
      const actual = y[d]!;
      expect(Math.abs(all.mean[i]! * (1 + zAll.data[i]! / 5) - actual) / actual).toBeLessThan(0.05);
      expect(Math.abs(y[d - 7]! - actual) / actual).toBeGreaterThan(0.2); // lag-7 misses it
    }
  });
});
