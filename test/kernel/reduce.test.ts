import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { addColumnSums, allFinite, dot, firstNonFinite, l2Norm, maxAbs, sumSquares } from '../../src/kernel/reduce.js';

fc.configureGlobal({ seed: 42, numRuns: 100 });

const finite = (maxLength: number) =>
  fc.float32Array({ noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4, maxLength });
/** Any float32 values, NaN and ±Infinity included. */
const anything = (maxLength: number) => fc.float32Array({ maxLength });

describe('addColumnSums', () => {
  test.prop([fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 9 }), fc.nat()])(
    'adds Σ_r a[r, j] into out[j] (float64 sum, one rounding)',
    (rows, cols, seed) => {
      const a = Float32Array.from({ length: rows * cols }, (_, i) => Math.fround(Math.sin(i + seed) * 3));
      const out0 = Float32Array.from({ length: cols }, (_, j) => j - 2);
      const out = out0.slice();
      expect(addColumnSums(out, a, rows, cols)).toBe(out);
      for (let j = 0; j < cols; j++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += a[r * cols + j];
        expect(out[j]).toBe(Math.fround(out0[j] + s));
      }
    },
  );

  it('accumulates rather than overwrites: a second call adds the sums again', () => {
    const a = new Float32Array([1, 2, 3, 4, 5, 6]); // [3, 2]
    const out = new Float32Array([100, 200]);
    addColumnSums(out, a, 3, 2);
    expect([...out]).toEqual([109, 212]);
    addColumnSums(out, a, 3, 2);
    expect([...out]).toEqual([118, 224]);
    addColumnSums(out, a, 0, 2);
    expect([...out]).toEqual([118, 224]);
  });
});

describe('dot, sumSquares, l2Norm', () => {
  test.prop([finite(40), fc.nat()])('equal the float64 sums over the first n elements', (a, seed) => {
    const b = a.map((_, i) => Math.fround(Math.cos(i * 3 + seed)));
    const n = a.length === 0 ? 0 : seed % (a.length + 1);
    let d = 0;
    let s = 0;
    for (let i = 0; i < n; i++) {
      d += a[i] * b[i];
      s += a[i] * a[i];
    }
    expect(dot(a, b, n)).toBe(d);
    expect(dot(b, a, n)).toBe(d);
    expect(sumSquares(a, n)).toBe(s);
    expect(l2Norm(a, n)).toBe(Math.sqrt(s));
  });

  it('return 0 for n = 0', () => {
    const x = new Float32Array([3, 4]);
    expect(dot(x, x, 0)).toBe(0);
    expect(l2Norm(x, 0)).toBe(0);
    expect(l2Norm(x, 2)).toBe(5);
  });
});

describe('maxAbs', () => {
  it('returns 0 for n = 0 and the largest magnitude otherwise', () => {
    expect(maxAbs(new Float32Array([5]), 0)).toBe(0);
    expect(maxAbs(new Float32Array([-3, 2, 1]), 3)).toBe(3);
    expect(maxAbs(new Float32Array([1, -7]), 1)).toBe(1);
  });

  it('propagates NaN wherever it is, and reports infinities as Infinity', () => {
    expect(maxAbs(new Float32Array([NaN, 1, 2]), 3)).toBeNaN();
    expect(maxAbs(new Float32Array([1, 2, NaN]), 3)).toBeNaN();
    expect(maxAbs(new Float32Array([Infinity, NaN]), 2)).toBeNaN();
    expect(maxAbs(new Float32Array([1, -Infinity, 2]), 3)).toBe(Infinity);
    expect(maxAbs(new Float32Array([1, NaN]), 1)).toBe(1);
  });

  test.prop([anything(30)])('agrees with Math.max of |a[i]| (NaN if any is NaN)', (a) => {
    expect(maxAbs(a, a.length)).toBe(Math.max(0, ...Array.from(a, Math.abs)));
  });
});

describe('firstNonFinite and allFinite', () => {
  it('find NaN and both infinities, and ignore elements past n', () => {
    expect(firstNonFinite(new Float32Array([0, 1, NaN, Infinity]), 4)).toBe(2);
    expect(firstNonFinite(new Float32Array([-Infinity, NaN]), 2)).toBe(0);
    expect(firstNonFinite(new Float32Array([1, 2, NaN]), 2)).toBe(-1);
    expect(firstNonFinite(new Float32Array([3.4e38, -3.4e38, -0]), 3)).toBe(-1);
    expect(firstNonFinite(new Float32Array(0), 0)).toBe(-1);
    expect(allFinite(new Float32Array([1, Infinity]), 2)).toBe(false);
    expect(allFinite(new Float32Array([1, Infinity]), 1)).toBe(true);
  });

  test.prop([anything(30), fc.nat()])('agree with Number.isFinite over the first n elements', (a, seed) => {
    const n = seed % (a.length + 1);
    const expected = Array.from(a.subarray(0, n)).findIndex((v) => !Number.isFinite(v));
    expect(firstNonFinite(a, n)).toBe(expected);
    expect(allFinite(a, n)).toBe(expected < 0);
  });
});
