import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { add, addBiasRows, axpy, copy, fill, mul, scale, sub } from '../../src/kernel/elementwise.js';

fc.configureGlobal({ seed: 42, numRuns: 100 });

const f32 = (len: number) =>
  fc.float32Array({ noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4, minLength: len, maxLength: len });
/** Two or three equal-length arrays (length 0..40) and an element count n ≤ length. */
const pair = fc
  .integer({ min: 0, max: 40 })
  .chain((len) => fc.tuple(f32(len), f32(len), fc.integer({ min: 0, max: len })));
const scalar = fc.float({ noNaN: true, noDefaultInfinity: true, min: -100, max: 100 });

type Binary = (out: Float32Array, a: Float32Array, b: Float32Array, n: number) => Float32Array;
const binaries: [string, Binary, (x: number, y: number) => number][] = [
  ['add', add, (x, y) => x + y],
  ['sub', sub, (x, y) => x - y],
  ['mul', mul, (x, y) => x * y],
];

/** Compares element values, treating −0 and 0 alike. */
const values = (x: Float32Array): number[] => Array.from(x, (v) => v + 0);

describe.each(binaries)('%s', (_name, op, scalarOp) => {
  test.prop([pair])('matches the scalar formula on the first n elements and leaves the rest', ([a, b, n]) => {
    const out = new Float32Array(a.length).fill(-7);
    expect(op(out, a, b, n)).toBe(out);
    for (let i = 0; i < a.length; i++) {
      expect(out[i]).toBe(i < n ? Math.fround(scalarOp(a[i], b[i])) : -7);
    }
  });

  test.prop([pair])('is alias-safe: out may be a, b, or both inputs may be one array', ([a, b, n]) => {
    const separate = op(new Float32Array(a.length), a, b, n);
    const intoA = op(a.slice(), a, b, n);
    const aliasA = a.slice();
    op(aliasA, aliasA, b, n);
    const aliasB = b.slice();
    op(aliasB, a, aliasB, n);
    expect(values(aliasA.subarray(0, n))).toEqual(values(separate.subarray(0, n)));
    expect(values(aliasB.subarray(0, n))).toEqual(values(separate.subarray(0, n)));
    expect(values(intoA.subarray(0, n))).toEqual(values(separate.subarray(0, n)));
    const self = a.slice();
    op(self, self, self, n);
    expect(values(self.subarray(0, n))).toEqual(values(op(new Float32Array(a.length), a, a, n).subarray(0, n)));
  });
});

describe('scale', () => {
  test.prop([pair, scalar])('is s·a elementwise and alias-safe', ([a, , n], s) => {
    const out = scale(new Float32Array(a.length), a, s, n);
    for (let i = 0; i < n; i++) expect(out[i]).toBe(Math.fround(s * a[i]));
    const inPlace = a.slice();
    expect(scale(inPlace, inPlace, s, n)).toBe(inPlace);
    expect(values(inPlace.subarray(0, n))).toEqual(values(out.subarray(0, n)));
    expect(values(inPlace.subarray(n))).toEqual(values(a.subarray(n)));
  });
});

describe('axpy', () => {
  test.prop([pair, scalar])('accumulates y += alpha·x and returns y', ([y0, x, n], alpha) => {
    const y = y0.slice();
    expect(axpy(y, alpha, x, n)).toBe(y);
    for (let i = 0; i < y.length; i++) expect(y[i]).toBe(i < n ? Math.fround(y0[i] + alpha * x[i]) : y0[i]);
  });

  test.prop([pair, scalar])('is alias-safe when x is y: y ← y + alpha·y', ([y0, , n], alpha) => {
    const y = y0.slice();
    axpy(y, alpha, y, n);
    const separate = axpy(y0.slice(), alpha, y0, n);
    expect(values(y)).toEqual(values(separate));
  });

  it('is a plain SGD step', () => {
    const w = new Float32Array([1, 2, 3]);
    axpy(w, -0.5, new Float32Array([2, 4, -2]), 3);
    expect([...w]).toEqual([0, 0, 4]);
  });
});

describe('addBiasRows', () => {
  test.prop([fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 9 }), fc.nat()])(
    'adds the bias to every row, in place',
    (rows, cols, seed) => {
      const m0 = Float32Array.from({ length: rows * cols }, (_, i) => ((i * 7 + seed) % 13) - 6);
      const bias = Float32Array.from({ length: cols }, (_, j) => ((j * 5 + seed) % 11) / 4 - 1);
      const m = m0.slice();
      expect(addBiasRows(m, bias, rows, cols)).toBe(m);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < cols; j++) expect(m[r * cols + j]).toBe(Math.fround(m0[r * cols + j] + bias[j]));
      }
    },
  );

  it('accumulates: calling twice adds the bias twice', () => {
    const m = new Float32Array([1, 2, 3, 4]);
    const bias = new Float32Array([10, 20]);
    addBiasRows(m, bias, 2, 2);
    addBiasRows(m, bias, 2, 2);
    expect([...m]).toEqual([21, 42, 23, 44]);
  });
});

describe('fill and copy', () => {
  it('fill writes the first n elements only', () => {
    const x = new Float32Array([1, 2, 3, 4]);
    expect(fill(x, 9, 2)).toBe(x);
    expect([...x]).toEqual([9, 9, 3, 4]);
    fill(x, 0, 0);
    expect([...x]).toEqual([9, 9, 3, 4]);
  });

  test.prop([pair])('copy copies the first n elements; copying onto itself is a no-op', ([a, b, n]) => {
    const out = b.slice();
    expect(copy(out, a, n)).toBe(out);
    for (let i = 0; i < a.length; i++) expect(out[i]).toBe(i < n ? a[i] : b[i]);
    const self = a.slice();
    copy(self, self, n);
    expect(self).toEqual(a);
  });
});

describe('n = 0', () => {
  it('touches nothing', () => {
    const a = new Float32Array([1, 2]);
    const b = new Float32Array([3, 4]);
    const out = new Float32Array([5, 6]);
    for (const [, op] of binaries) op(out, a, b, 0);
    scale(out, a, 3, 0);
    axpy(out, 3, a, 0);
    copy(out, a, 0);
    addBiasRows(out, a, 0, 2);
    expect([...out]).toEqual([5, 6]);
  });
});
