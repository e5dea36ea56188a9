import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import type { Parameter } from '../../src/layers/param-store.js';
import { ParamStore } from '../../src/layers/param-store.js';
import { clipGradNorm, clipGradValue, gradNorm } from '../../src/train/clip.js';

// Fixed seeds and run counts, so CI is reproducible; a failure prints the seed and path.
const RUNS = { numRuns: 300 };

/** 1–4 parameters of 0–20 finite float32 gradient values each. */
const gradsArb = fc.array(
  fc.float32Array({ minLength: 0, maxLength: 20, noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4 }),
  { minLength: 1, maxLength: 4 },
);
const normTypeArb = fc.constantFrom(1, 2, 3, Infinity);

function paramsOf(grads: readonly Float32Array[]): Parameter[] {
  const store = new ParamStore(grads.map((g, k) => ({ name: `p${k}`, shape: [g.length] })));
  const params = store.parameters();
  params.forEach((p, k) => p.grad.set(grads[k]!));
  return params;
}

/** Independent float64 reference of the total p-norm. */
function refNorm(grads: readonly Float32Array[], p: number): number {
  const all = grads.flatMap((g) => Array.from(g, Math.abs));
  if (p === Infinity) return all.reduce((m, a) => Math.max(m, a), 0);
  return Math.pow(all.reduce((s, a) => s + Math.pow(a, p), 0), 1 / p);
}

function snapshot(params: readonly Parameter[]): Float32Array[] {
  return params.map((p) => Float32Array.from(p.grad));
}

describe('clipGradNorm properties', () => {
  test.prop([gradsArb, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), normTypeArb], { ...RUNS, seed: 101 })(
    'after clipping the global norm is at most maxNorm·(1 + 1e-6), and the direction is kept',
    (grads, maxNorm, normType) => {
      const params = paramsOf(grads);
      const before = snapshot(params);
      const total = clipGradNorm(params, maxNorm, normType);
      expect(gradNorm(params, normType)).toBeLessThanOrEqual(maxNorm * (1 + 1e-6));
      const scale = Math.min(1, maxNorm / (total + 1e-6));
      params.forEach((p, k) => p.grad.forEach((g, i) => expect(g).toBe(Math.fround(before[k]![i]! * scale))));
    },
  );

  test.prop([gradsArb, fc.double({ min: 1, max: 1e3, noNaN: true }), normTypeArb], { ...RUNS, seed: 102 })(
    'below the limit the gradients are unchanged bit for bit',
    (grads, factor, normType) => {
      const params = paramsOf(grads);
      const before = snapshot(params);
      const maxNorm = (gradNorm(params, normType) + 1e-6) * factor; // scale = maxNorm / (total + 1e-6) ≥ 1
      clipGradNorm(params, maxNorm, normType);
      params.forEach((p, k) => p.grad.forEach((g, i) => expect(Object.is(g, before[k]![i])).toBe(true)));
    },
  );

  test.prop([gradsArb, fc.double({ min: 0, max: 1e3, noNaN: true }), normTypeArb], { ...RUNS, seed: 103 })(
    'returns the norm before clipping',
    (grads, maxNorm, normType) => {
      const params = paramsOf(grads);
      const pre = gradNorm(params, normType);
      const total = clipGradNorm(params, maxNorm, normType);
      expect(total).toBe(pre);
      const ref = refNorm(grads, normType);
      expect(Math.abs(total - ref)).toBeLessThanOrEqual(1e-12 * ref);
    },
  );
});

describe('clipGradNorm cases', () => {
  it('matches hand-computed values for L2, L1 and max norms', () => {
    const a = paramsOf([Float32Array.of(3, -4), Float32Array.of(12)]);
    expect(gradNorm(a)).toBe(13);
    expect(gradNorm(a, 1)).toBe(19);
    expect(gradNorm(a, Infinity)).toBe(12);
    expect(clipGradNorm(a, 6.5)).toBe(13);
    const s = 6.5 / (13 + 1e-6);
    expect(Array.from(a[0]!.grad)).toEqual([Math.fround(3 * s), Math.fround(-4 * s)]);
    const b = paramsOf([Float32Array.of(3, -4), Float32Array.of(12)]);
    expect(clipGradNorm(b, 6, Infinity)).toBe(12);
    expect(b[1]!.grad[0]).toBeCloseTo(6, 5);
  });

  it('accepts a Module', () => {
    const store = new ParamStore([{ name: 'w', shape: [2] }]);
    store.grad('w').set([6, 8]);
    expect(gradNorm(store)).toBe(10);
    expect(clipGradNorm(store, 5)).toBe(10);
    expect(gradNorm(store)).toBeCloseTo(5, 5);
  });

  it('leaves gradients alone when the norm is NaN or infinite, and reports it', () => {
    const nan = paramsOf([Float32Array.of(1, NaN, 2)]);
    expect(clipGradNorm(nan, 1)).toBeNaN();
    expect(Array.from(nan[0]!.grad)).toEqual([1, NaN, 2]);
    expect(gradNorm(nan, Infinity)).toBeNaN();
    const inf = paramsOf([Float32Array.of(1, Infinity)]);
    expect(clipGradNorm(inf, 1)).toBe(Infinity);
    expect(Array.from(inf[0]!.grad)).toEqual([1, Infinity]);
  });

  it('maxNorm = 0 zeroes the gradients; maxNorm = Infinity never clips', () => {
    const p = paramsOf([Float32Array.of(1, -2)]);
    clipGradNorm(p, Infinity);
    expect(Array.from(p[0]!.grad)).toEqual([1, -2]);
    clipGradNorm(p, 0);
    expect(Array.from(p[0]!.grad, Math.abs)).toEqual([0, 0]);
  });

  it('empty parameter lists have norm 0', () => {
    expect(gradNorm([])).toBe(0);
    expect(clipGradNorm([], 1)).toBe(0);
  });

  it.each([
    ['negative maxNorm', () => clipGradNorm(paramsOf([Float32Array.of(1)]), -1), /^clipGradNorm: maxNorm must be a number >= 0, got -1\./],
    ['NaN maxNorm', () => clipGradNorm(paramsOf([Float32Array.of(1)]), NaN), /^clipGradNorm: maxNorm/],
    ['zero normType', () => clipGradNorm(paramsOf([Float32Array.of(1)]), 1, 0), /^clipGradNorm: normType must be a positive number or Infinity, got 0\./],
    ['bad normType in gradNorm', () => gradNorm(paramsOf([Float32Array.of(1)]), -2), /^gradNorm: normType/],
    ['not params', () => gradNorm(3 as never), /^gradNorm: params must be a Parameter\[\] or a Module/],
    ['negative clipValue', () => clipGradValue(paramsOf([Float32Array.of(1)]), -0.5), /^clipGradValue: clipValue must be a number >= 0, got -0.5\./],
  ] as const)('%s throws ConfigError', (_, fn, message) => {
    expect(fn).toThrow(ConfigError);
    expect(fn).toThrow(message);
  });
});

describe('clipGradValue', () => {
  test.prop([gradsArb, fc.double({ min: 0, max: 1e4, noNaN: true })], { ...RUNS, seed: 104 })(
    'clamps every element to [-c, c] and leaves the others bit for bit',
    (grads, c) => {
      const params = paramsOf(grads);
      const before = snapshot(params);
      clipGradValue(params, c);
      params.forEach((p, k) =>
        p.grad.forEach((g, i) => {
          const b = before[k]![i]!;
          if (b > c) expect(g).toBe(Math.fround(c));
          else if (b < -c) expect(g).toBe(Math.fround(-c));
          else expect(Object.is(g, b)).toBe(true);
        }),
      );
    },
  );

  it('keeps NaN and clamps infinities', () => {
    const p = paramsOf([Float32Array.of(NaN, Infinity, -Infinity, 0.5)]);
    clipGradValue(p, 1);
    expect(Array.from(p[0]!.grad)).toEqual([NaN, 1, -1, 0.5]);
  });
});
