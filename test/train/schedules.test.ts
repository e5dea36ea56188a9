import { describe, expect, it } from 'vitest';
import { ConfigError, FormatError } from '../../src/errors.js';
import { ParamStore } from '../../src/layers/param-store.js';
import { SGD } from '../../src/train/optim/sgd.js';
import { ReduceLROnPlateau } from '../../src/train/reduce-lr-on-plateau.js';
import type { EpochSchedule, ScheduleState } from '../../src/train/schedules.js';
import { CosineWithWarmup, ExponentialLR, StepLR } from '../../src/train/schedules.js';

function sgd(lr = 0.1): SGD {
  return new SGD(new ParamStore([{ name: 'w', shape: [2] }]), { lr });
}

/** The lr before any step() and after each of `n` step() calls. */
function lrs(s: EpochSchedule, n: number): number[] {
  const out = [s.optimizer.lr];
  for (let k = 0; k < n; k++) {
    s.step();
    out.push(s.optimizer.lr);
  }
  return out;
}

function expectAll(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!)).toBeLessThanOrEqual(1e-15 + 1e-12 * Math.abs(expected[i]!)));
}

describe('StepLR', () => {
  it('decays by gamma every stepSize epochs', () => {
    expectAll(lrs(new StepLR(sgd(0.1), { stepSize: 3 }), 7), [0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001]);
    expectAll(lrs(new StepLR(sgd(1), { stepSize: 1, gamma: 0.5 }), 3), [1, 0.5, 0.25, 0.125]);
  });
});

describe('ExponentialLR', () => {
  it('decays by gamma every epoch', () => {
    expectAll(lrs(new ExponentialLR(sgd(0.1), { gamma: 0.5 }), 4), [0.1, 0.05, 0.025, 0.0125, 0.00625]);
  });
});

describe('CosineWithWarmup', () => {
  it('warms up linearly from 0, then follows half a cosine to minLr, then stays there', () => {
    const c = (p: number): number => 0.01 + 0.09 * 0.5 * (1 + Math.cos(Math.PI * p));
    const s = new CosineWithWarmup(sgd(0.1), { warmupSteps: 2, totalSteps: 6, minLr: 0.01 });
    expectAll(lrs(s, 8), [0, 0.05, 0.1, c(0.25), 0.055, c(0.75), 0.01, 0.01, 0.01]);
    expect(c(0.25)).toBeCloseTo(0.0868198, 7);
  });

  it('without warmup starts at the base lr and decays to 0 by default', () => {
    expectAll(lrs(new CosineWithWarmup(sgd(1), { warmupSteps: 0, totalSteps: 2 }), 3), [1, 0.5, 0, 0]);
  });

  it('warmupSteps = totalSteps ends the warmup at minLr', () => {
    expectAll(lrs(new CosineWithWarmup(sgd(1), { warmupSteps: 2, totalSteps: 2, minLr: 0.5 }), 3), [0, 0.5, 1, 0.5]);
  });
});

describe('ReduceLROnPlateau', () => {
  function run(p: ReduceLROnPlateau, metrics: number[]): number[] {
    return metrics.map((m) => {
      p.step(m);
      return p.optimizer.lr;
    });
  }

  it('reduces on the bad epoch after `patience` bad epochs (mode min)', () => {
    const p = new ReduceLROnPlateau(sgd(1), { patience: 2, factor: 0.5 });
    expect(p.best).toBe(Infinity);
    expect(run(p, [10, 9, 9, 9, 9, 9, 9, 9])).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25]);
    expect(p.best).toBe(9);
    expect(p.lastEpoch).toBe(8);
  });

  it('uses the relative threshold: better means below best·(1 − threshold)', () => {
    const p = new ReduceLROnPlateau(sgd(1), { patience: 0, factor: 0.5, threshold: 1e-4 });
    p.step(9);
    p.step(8.9995); // 8.9995 ≥ 9·(1 − 1e-4) = 8.9991: not an improvement
    expect(p.optimizer.lr).toBe(0.5);
    expect(p.best).toBe(9);
    p.step(8.999); // < 8.9991: an improvement
    expect(p.best).toBe(8.999);
    expect(p.optimizer.lr).toBe(0.5);
  });

  it('abs threshold and max mode', () => {
    const abs = new ReduceLROnPlateau(sgd(1), { patience: 0, thresholdMode: 'abs', threshold: 0.5 });
    expect(run(abs, [10, 9.6, 9.4])).toEqual([1, 0.1, 0.1]);
    expect(abs.best).toBe(9.4);
    const max = new ReduceLROnPlateau(sgd(1), { mode: 'max', patience: 1, factor: 0.5 });
    expect(max.best).toBe(-Infinity);
    expect(run(max, [0.5, 0.6, 0.6, 0.6, 0.7, 0.7])).toEqual([1, 1, 1, 0.5, 0.5, 0.5]);
  });

  it('cooldown: bad epochs are not counted for `cooldown` epochs after a reduction', () => {
    const p = new ReduceLROnPlateau(sgd(1), { patience: 0, factor: 0.5, cooldown: 2 });
    expect(run(p, [5, 5, 5, 5, 5, 5, 5, 5])).toEqual([1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125]);
  });

  it('never goes below minLr and skips reductions smaller than eps', () => {
    const p = new ReduceLROnPlateau(sgd(1), { patience: 0, factor: 0.1, minLr: 0.05 });
    expect(run(p, [1, 1, 1, 1])).toEqual([1, 0.1, 0.05, 0.05]);
    const q = new ReduceLROnPlateau(sgd(1e-8), { patience: 0, factor: 0.5, eps: 1e-8 });
    expect(run(q, [1, 1])).toEqual([1e-8, 1e-8]);
  });

  it('counts NaN as no improvement', () => {
    const p = new ReduceLROnPlateau(sgd(1), { patience: 1 });
    expect(run(p, [1, NaN, NaN])).toEqual([1, 1, 0.1]);
    expect(p.best).toBe(1);
  });

  it('state round trip through JSON continues identically, counters included', () => {
    const metrics = [5, 4, 4, 4, 3.9, 3.9, 3.9, 3.9, 3.9, 3.9];
    const a = new ReduceLROnPlateau(sgd(1), { patience: 1, factor: 0.5, cooldown: 1 });
    run(a, metrics.slice(0, 4));
    const saved = JSON.parse(JSON.stringify(a.stateDict())) as ScheduleState;
    expect(saved.plateau).toEqual({ best: 4, numBadEpochs: 0, cooldownCounter: 1 });
    const restA = run(a, metrics.slice(4));
    const b = new ReduceLROnPlateau(sgd(a.optimizer.lr), { patience: 9 });
    b.optimizer.lr = 0.5;
    b.loadStateDict(saved);
    expect(b.lastEpoch).toBe(4);
    expect(run(b, metrics.slice(4))).toEqual(restA);
    // A fresh state stores the infinite initial best as null and restores it.
    const fresh = new ReduceLROnPlateau(sgd(), { mode: 'max' });
    const s = JSON.parse(JSON.stringify(fresh.stateDict())) as ScheduleState;
    expect(s.plateau?.best).toBeNull();
    const c = new ReduceLROnPlateau(sgd(), { mode: 'max' });
    c.step(3);
    c.loadStateDict(s);
    expect(c.best).toBe(-Infinity);
  });
});

describe('schedule state', () => {
  it('epoch schedules restore mid-way and continue identically', () => {
    for (const make of [
      (): EpochSchedule => new StepLR(sgd(0.3), { stepSize: 2, gamma: 0.7 }),
      (): EpochSchedule => new ExponentialLR(sgd(0.3), { gamma: 0.9 }),
      (): EpochSchedule => new CosineWithWarmup(sgd(0.3), { warmupSteps: 3, totalSteps: 9, minLr: 0.01 }),
    ]) {
      const a = make();
      lrs(a, 4);
      const saved = JSON.parse(JSON.stringify(a.stateDict())) as ScheduleState;
      const restA = lrs(a, 6).slice(1);
      const b = make();
      b.loadStateDict(saved);
      expect(b.lastEpoch).toBe(4);
      expect(lrs(b, 6).slice(1)).toEqual(restA);
    }
  });

  it('stateDict records kind, epoch, base lr and options', () => {
    const s = new CosineWithWarmup(sgd(0.2), { warmupSteps: 1, totalSteps: 4 });
    s.step();
    expect(s.stateDict()).toEqual({ kind: 'CosineWithWarmup', lastEpoch: 1, baseLr: 0.2, hyper: { warmupSteps: 1, totalSteps: 4, minLr: 0 } });
    expect(s.baseLr).toBe(0.2);
    expect(s.lastLr).toBe(0.2);
  });

  it('loadStateDict rejects bad states and changes nothing', () => {
    const s = new StepLR(sgd(), { stepSize: 2 });
    s.step();
    const good = s.stateDict();
    const other = new ExponentialLR(sgd(), { gamma: 0.5 }).stateDict();
    const bad: [unknown, typeof ConfigError | typeof FormatError, RegExp][] = [
      [other, ConfigError, /^StepLR\.loadStateDict: state is for "ExponentialLR", expected StepLR/],
      [{ ...good, lastEpoch: -1 }, FormatError, /lastEpoch must be a non-negative integer/],
      [{ ...good, baseLr: 'x' }, FormatError, /baseLr must be a finite number/],
      [{ ...good, hyper: { stepSize: 2 } }, FormatError, /state\.hyper has keys \[stepSize\], expected \[stepSize, gamma\]/],
      [{ ...good, hyper: { stepSize: 0, gamma: 0.1 } }, ConfigError, /^StepLR\.loadStateDict: stepSize must be a positive integer, got 0/],
      [null, FormatError, /state must be an object/],
    ];
    for (const [state, type, message] of bad) {
      expect(() => s.loadStateDict(state as ScheduleState)).toThrow(type);
      expect(() => s.loadStateDict(state as ScheduleState)).toThrow(message);
      expect(s.stateDict()).toEqual(good);
    }
    const p = new ReduceLROnPlateau(sgd());
    const ps = p.stateDict();
    const { plateau: _omit, ...noPlateau } = ps;
    expect(() => p.loadStateDict(noPlateau)).toThrow(/state\.plateau must be an object/);
    expect(() => p.loadStateDict({ ...ps, plateau: { best: 1, numBadEpochs: -1, cooldownCounter: 0 } })).toThrow(FormatError);
    expect(() => p.loadStateDict({ ...ps, hyper: { ...ps.hyper, mode: 'up' } })).toThrow(/mode must be 'min' or 'max', got "up"/);
  });
});

describe('schedule option errors', () => {
  it.each([
    ['StepLR without options', () => new StepLR(sgd(), undefined as never), /^StepLR: options must be an object, got null\./],
    ['StepLR missing stepSize', () => new StepLR(sgd(), {} as never), /^StepLR: stepSize must be a positive integer, got undefined\./],
    ['StepLR unknown key', () => new StepLR(sgd(), { stepSize: 1, step_size: 2 } as never), /^StepLR: unknown option "step_size"/],
    ['StepLR negative gamma', () => new StepLR(sgd(), { stepSize: 1, gamma: -1 }), /^StepLR: gamma must be a finite number >= 0/],
    ['ExponentialLR missing gamma', () => new ExponentialLR(sgd(), {} as never), /^ExponentialLR: gamma must be/],
    ['Cosine totalSteps < warmupSteps', () => new CosineWithWarmup(sgd(), { warmupSteps: 5, totalSteps: 4 }), /^CosineWithWarmup: totalSteps must be >= warmupSteps/],
    ['Cosine minLr > base lr', () => new CosineWithWarmup(sgd(0.1), { warmupSteps: 0, totalSteps: 4, minLr: 0.2 }), /^CosineWithWarmup: minLr must be a number in \[0, 0\.1\], got 0\.2\./],
    ['Cosine fractional warmup', () => new CosineWithWarmup(sgd(), { warmupSteps: 1.5, totalSteps: 4 }), /^CosineWithWarmup: warmupSteps must be a non-negative integer/],
    ['Plateau bad mode', () => new ReduceLROnPlateau(sgd(), { mode: 'down' as never }), /^ReduceLROnPlateau: mode must be 'min' or 'max', got "down"\./],
    ['Plateau factor 1', () => new ReduceLROnPlateau(sgd(), { factor: 1 }), /^ReduceLROnPlateau: factor must be a number in \[0, 1\), got 1\./],
    ['Plateau negative patience', () => new ReduceLROnPlateau(sgd(), { patience: -1 }), /^ReduceLROnPlateau: patience must be a non-negative integer/],
    ['Plateau bad thresholdMode', () => new ReduceLROnPlateau(sgd(), { thresholdMode: 'pct' as never }), /^ReduceLROnPlateau: thresholdMode must be 'rel' or 'abs'/],
    ['Plateau unknown key', () => new ReduceLROnPlateau(sgd(), { min_lr: 0.1 } as never), /^ReduceLROnPlateau: unknown option "min_lr"/],
    ['Plateau metric not a number', () => new ReduceLROnPlateau(sgd()).step('1' as never), /^ReduceLROnPlateau\.step: metric must be a number, got "1"\./],
    ['not an optimizer', () => new StepLR({} as never, { stepSize: 1 }), /^StepLR: optimizer must be an Optimizer/],
  ] as const)('%s', (_, fn, message) => {
    expect(fn).toThrow(ConfigError);
    expect(fn).toThrow(message);
  });
});
