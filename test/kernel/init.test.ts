import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ConfigError, isRnnError } from '../../src/errors.js';
import {
  glorotNormal,
  glorotUniform,
  initConstant,
  initNormal,
  initUniform,
  initZeros,
  kaimingNormal,
  kaimingUniform,
  pytorchRnnUniform,
} from '../../src/kernel/init.js';
import { orthogonal } from '../../src/kernel/orthogonal.js';
import { createRng } from '../../src/kernel/rng.js';
import type { Rng } from '../../src/kernel/rng.js';

// ----------------------------------------------------------------------------------------------
// helpers

/** Max |G − gain²·I| where G = WᵀW (rows ≥ cols) or WWᵀ (rows < cols), in float64. */
function gramError(w: Float32Array, rows: number, cols: number, gain = 1): number {
  const g2 = gain * gain;
  let worst = 0;
  if (rows >= cols) {
    for (let a = 0; a < cols; a++) {
      for (let b = a; b < cols; b++) {
        let s = 0;
        for (let i = 0; i < rows; i++) s += w[i * cols + a]! * w[i * cols + b]!;
        worst = Math.max(worst, Math.abs(s - (a === b ? g2 : 0)));
      }
    }
  } else {
    for (let a = 0; a < rows; a++) {
      for (let b = a; b < rows; b++) {
        let s = 0;
        for (let j = 0; j < cols; j++) s += w[a * cols + j]! * w[b * cols + j]!;
        worst = Math.max(worst, Math.abs(s - (a === b ? g2 : 0)));
      }
    }
  }
  return worst;
}

function stats(xs: Float32Array): { mean: number; variance: number; min: number; max: number } {
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of xs) {
    s += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = s / xs.length;
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  return { mean, variance: ss / (xs.length - 1), min, max };
}

function expectConfigError(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected a ConfigError matching ${pattern}`).toBeInstanceOf(ConfigError);
  expect(isRnnError(caught)).toBe(true);
  expect((caught as Error).message).toMatch(pattern);
}

const N = 100_000; // elements for the distribution checks

// ----------------------------------------------------------------------------------------------
// orthogonal

describe('orthogonal', () => {
  const shapes: [number, number][] = [
    [1, 1],
    [2, 2],
    [3, 3],
    [64, 64],
    [5, 3],
    [200, 7],
    [10, 1],
    [3, 5],
    [7, 200],
    [1, 10],
    [33, 65], // crosses the 32-reflector panel boundary
    [96, 40],
    [150, 70], // three panels, the last one 6 wide (not a multiple of 4)
    [70, 150],
  ];

  for (const [rows, cols] of shapes) {
    it(`is (semi-)orthogonal for [${rows}, ${cols}]`, () => {
      const w = orthogonal(new Float32Array(rows * cols), rows, cols, createRng(rows * 1000 + cols));
      expect(gramError(w, rows, cols)).toBeLessThan(1e-5);
    });
  }

  it('scales by gain: WᵀW ≈ gain²·I', () => {
    for (const [rows, cols] of [
      [20, 20],
      [30, 12],
      [12, 30],
    ] as const) {
      const w = orthogonal(new Float32Array(rows * cols), rows, cols, createRng(3), 2.5);
      expect(gramError(w, rows, cols, 2.5)).toBeLessThan(1e-4);
    }
    const zero = orthogonal(new Float32Array(9).fill(7), 3, 3, createRng(3), 0);
    expect([...zero].every((x) => x === 0)).toBe(true);
  });

  it('returns Q of the QR factorisation of the drawn Gaussian, with positive diag(R)', () => {
    // Tall: A [m, n] is drawn row-major with m·n rng.normal() calls; then R = WᵀA must be upper
    // triangular with a positive diagonal (the torch.nn.init.orthogonal_ sign convention).
    const check = (m: number, n: number, w: (i: number, j: number) => number, seed: number): void => {
      const rng = createRng(seed);
      const a = new Float64Array(m * n);
      for (let i = 0; i < a.length; i++) a[i] = rng.normal();
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) {
          let s = 0;
          for (let i = 0; i < m; i++) s += w(i, r) * a[i * n + c]!;
          if (r > c) expect(Math.abs(s)).toBeLessThan(1e-4);
          if (r === c) expect(s).toBeGreaterThan(0);
        }
      }
    };
    const tall = orthogonal(new Float32Array(9 * 4), 9, 4, createRng(5));
    check(9, 4, (i, j) => tall[i * 4 + j]!, 5);
    // Wide [4, 9]: A is drawn as [9, 4] and the result is Qᵀ, so Q[i, j] = W[j, i].
    const wide = orthogonal(new Float32Array(4 * 9), 4, 9, createRng(6));
    check(9, 4, (i, j) => wide[j * 9 + i]!, 6);
    const square = orthogonal(new Float32Array(16 * 16), 16, 16, createRng(7));
    check(16, 16, (i, j) => square[i * 16 + j]!, 7);
  });

  it('stays orthogonal for degenerate draws (zero and rank-deficient matrices)', () => {
    // A stand-in generator exercises the zero-reflector path (β = 0), which Gaussian draws never hit.
    const fakeRng = (normal: () => number): Rng => ({ ...createRng(1), normal, uniform: () => 0.5 });
    // All-zero A: every reflector is the identity and every sign is +1, so W = I (or [I; 0], [I, 0]).
    for (const [rows, cols] of [
      [5, 5],
      [7, 3],
      [3, 7],
      [40, 40],
    ] as const) {
      const w = orthogonal(new Float32Array(rows * cols).fill(Number.NaN), rows, cols, fakeRng(() => 0));
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(w[i * cols + j]).toBe(i === j ? 1 : 0);
    }
    // Rank 1 (every entry equal) and rank deficient (every third draw zero): still orthonormal.
    let c = 0;
    for (const normal of [() => 1, () => (c++ % 3 === 0 ? 0 : Math.sin(c))]) {
      for (const [rows, cols] of [
        [36, 36],
        [50, 20],
        [20, 50],
      ] as const) {
        const w = orthogonal(new Float32Array(rows * cols), rows, cols, fakeRng(normal));
        expect(gramError(w, rows, cols)).toBeLessThan(1e-5);
      }
    }
  });

  it('1×1 gives the sign of the single draw (like torch), times gain', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const z = createRng(seed).normal();
      expect(orthogonal(new Float32Array(1), 1, 1, createRng(seed), 3)[0]).toBe(3 * Math.sign(z));
    }
  });

  it('same seed gives the same bits; a different seed does not', () => {
    for (const [rows, cols] of [
      [17, 17],
      [40, 9],
      [9, 40],
    ] as const) {
      const a = orthogonal(new Float32Array(rows * cols), rows, cols, createRng(42));
      const b = orthogonal(new Float32Array(rows * cols), rows, cols, createRng(42));
      const c = orthogonal(new Float32Array(rows * cols), rows, cols, createRng(43));
      expect(new Uint32Array(a.buffer)).toEqual(new Uint32Array(b.buffer));
      expect(a).not.toEqual(c);
    }
  });

  it('draws exactly rows·cols normals from the rng', () => {
    const rng = createRng(8);
    orthogonal(new Float32Array(6 * 4), 6, 4, rng);
    const ref = createRng(8);
    for (let i = 0; i < 24; i++) ref.normal();
    expect(rng.getState()).toEqual(ref.getState());
  });

  it('writes only the first rows·cols elements of a larger out and returns out', () => {
    const out = new Float32Array(5 * 5 + 3).fill(-9);
    expect(orthogonal(out, 5, 5, createRng(1))).toBe(out);
    expect([...out.subarray(25)]).toEqual([-9, -9, -9]);
    expect(gramError(out.subarray(0, 25), 5, 5)).toBeLessThan(1e-5);
    // Works on a view into a larger parameter buffer, as ParamStore hands out.
    const flat = new Float32Array(100).fill(5);
    orthogonal(flat.subarray(10, 10 + 6 * 3), 6, 3, createRng(2));
    expect(gramError(flat.subarray(10, 28), 6, 3)).toBeLessThan(1e-5);
    expect(flat[9]).toBe(5);
    expect(flat[28]).toBe(5);
  });

  propTest.prop([fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 2 ** 31 - 1 })], {
    numRuns: 60,
    seed: 20240601,
  })('is (semi-)orthogonal for random shapes and seeds', (rows, cols, seed) => {
    const w = orthogonal(new Float32Array(rows * cols), rows, cols, createRng(seed));
    expect(gramError(w, rows, cols)).toBeLessThan(1e-5);
  });

  it('handles 1024×1024', () => {
    const n = 1024;
    const w = orthogonal(new Float32Array(n * n), n, n, createRng(1024));
    let finite = true;
    for (const x of w) if (!Number.isFinite(x)) finite = false;
    expect(finite).toBe(true);
    // Spot-check a handful of columns (the full Gram matrix would take longer than the QR).
    const picks = [0, 1, 31, 32, 511, 1000, 1023];
    for (const a of picks) {
      for (const b of picks) {
        let s = 0;
        for (let i = 0; i < n; i++) s += w[i * n + a]! * w[i * n + b]!;
        expect(Math.abs(s - (a === b ? 1 : 0))).toBeLessThan(1e-5);
      }
    }
  });

  it('rejects bad arguments with ConfigError naming function, argument, expected and actual', () => {
    const rng = createRng(1);
    expectConfigError(() => orthogonal(new Float32Array(5), 2, 3, rng), /^orthogonal: out has length 5, expected at least rows·cols = 6 \(rows = 2, cols = 3\)\.$/);
    expectConfigError(() => orthogonal(new Float32Array(4), 0, 3, rng), /^orthogonal: rows must be a positive integer, got 0\.$/);
    expectConfigError(() => orthogonal(new Float32Array(4), 2, -1, rng), /^orthogonal: cols must be a positive integer, got -1\.$/);
    expectConfigError(() => orthogonal(new Float32Array(4), 1.5, 2, rng), /^orthogonal: rows must be a positive integer, got 1\.5\.$/);
    expectConfigError(() => orthogonal(new Float32Array(4), 2, 2, rng, -1), /^orthogonal: gain must be a finite number >= 0, got -1\.$/);
    expectConfigError(() => orthogonal(new Float32Array(4), 2, 2, rng, Number.NaN), /^orthogonal: gain must be a finite number >= 0, got NaN\.$/);
    expectConfigError(() => orthogonal(new Float64Array(4) as unknown as Float32Array, 2, 2, rng), /^orthogonal: out must be a Float32Array, got a Float64Array\.$/);
    expectConfigError(() => orthogonal(new Float32Array(4), 2, 2, undefined as unknown as Rng), /^orthogonal: rng must be an Rng from createRng\(seed\), got undefined\.$/);
  });
});

// ----------------------------------------------------------------------------------------------
// scaled uniform / normal initialisers

describe('glorot / kaiming / pytorch ranges and variances', () => {
  interface UniformCase {
    name: string;
    run: (out: Float32Array, rng: Rng) => Float32Array;
    bound: number;
  }
  const uniformCases: UniformCase[] = [
    { name: 'glorotUniform(100, 300)', run: (o, r) => glorotUniform(o, 100, 300, r), bound: Math.sqrt(6 / 400) },
    { name: 'glorotUniform(100, 300, gain 5/3)', run: (o, r) => glorotUniform(o, 100, 300, r, 5 / 3), bound: (5 / 3) * Math.sqrt(6 / 400) },
    { name: 'kaimingUniform(50)', run: (o, r) => kaimingUniform(o, 50, r), bound: Math.SQRT2 * Math.sqrt(3 / 50) },
    { name: 'kaimingUniform(50, gain 1)', run: (o, r) => kaimingUniform(o, 50, r, 1), bound: Math.sqrt(3 / 50) },
    { name: 'pytorchRnnUniform(64)', run: (o, r) => pytorchRnnUniform(o, 64, r), bound: 1 / 8 },
    { name: 'pytorchRnnUniform(1)', run: (o, r) => pytorchRnnUniform(o, 1, r), bound: 1 },
    { name: 'initUniform(-0.3, 0.3)', run: (o, r) => initUniform(o, -0.3, 0.3, r), bound: 0.3 },
  ];

  for (const { name, run, bound } of uniformCases) {
    it(`${name}: U(−${bound.toPrecision(4)}, ${bound.toPrecision(4)})`, () => {
      const out = new Float32Array(N);
      expect(run(out, createRng(17))).toBe(out);
      const { mean, variance, min, max } = stats(out);
      // Within the bound (float32 rounding may touch it), and the bound is actually reached:
      // the extremes of 10^5 uniforms are within ~1e-4 of it, a wrong formula is far off.
      const b32 = Math.fround(bound);
      expect(min).toBeGreaterThanOrEqual(-b32);
      expect(max).toBeLessThanOrEqual(b32);
      expect(min).toBeLessThan(-0.999 * bound);
      expect(max).toBeGreaterThan(0.999 * bound);
      // Var U(−b, b) = b²/3; the sampling error is ~0.3 %, a wrong √2 or 6-vs-2 is ≥ 40 % off.
      expect(variance / ((bound * bound) / 3)).toBeGreaterThan(0.98);
      expect(variance / ((bound * bound) / 3)).toBeLessThan(1.02);
      expect(Math.abs(mean)).toBeLessThan(0.01 * bound);
    });
  }

  interface NormalCase {
    name: string;
    run: (out: Float32Array, rng: Rng) => Float32Array;
    std: number;
  }
  const normalCases: NormalCase[] = [
    { name: 'glorotNormal(100, 300)', run: (o, r) => glorotNormal(o, 100, 300, r), std: Math.sqrt(2 / 400) },
    { name: 'glorotNormal(10, 10, gain 2)', run: (o, r) => glorotNormal(o, 10, 10, r, 2), std: 2 * Math.sqrt(2 / 20) },
    { name: 'kaimingNormal(50)', run: (o, r) => kaimingNormal(o, 50, r), std: Math.SQRT2 / Math.sqrt(50) },
    { name: 'kaimingNormal(8, gain 1)', run: (o, r) => kaimingNormal(o, 8, r, 1), std: 1 / Math.sqrt(8) },
    { name: 'initNormal(0, 0.02)', run: (o, r) => initNormal(o, 0, 0.02, r), std: 0.02 },
  ];

  for (const { name, run, std } of normalCases) {
    it(`${name}: N(0, ${std.toPrecision(4)}²)`, () => {
      const out = new Float32Array(N);
      expect(run(out, createRng(23))).toBe(out);
      const { mean, variance } = stats(out);
      // Relative sampling error of the variance is √(2/N) ≈ 0.45 %.
      expect(variance / (std * std)).toBeGreaterThan(0.97);
      expect(variance / (std * std)).toBeLessThan(1.03);
      expect(Math.abs(mean)).toBeLessThan(0.02 * std);
    });
  }

  it('initNormal honours the mean, and std = 0 gives the mean everywhere', () => {
    const out = initNormal(new Float32Array(N), 3, 0.5, createRng(5));
    const { mean, variance } = stats(out);
    expect(Math.abs(mean - 3)).toBeLessThan(0.01);
    expect(Math.abs(variance / 0.25 - 1)).toBeLessThan(0.03);
    expect([...initNormal(new Float32Array(10), -1.5, 0, createRng(5))]).toEqual(new Array(10).fill(-1.5));
  });

  it('initUniform honours asymmetric bounds and low = high', () => {
    const { mean, min, max } = stats(initUniform(new Float32Array(N), 2, 5, createRng(6)));
    expect(min).toBeGreaterThanOrEqual(2);
    expect(max).toBeLessThanOrEqual(5);
    expect(Math.abs(mean - 3.5)).toBeLessThan(0.02);
    expect([...initUniform(new Float32Array(4), 1.25, 1.25, createRng(6))]).toEqual([1.25, 1.25, 1.25, 1.25]);
  });

  it('the scaled initialisers are initUniform / initNormal with the documented bound', () => {
    // Same seed ⇒ same draws in the same order, so the bits must agree exactly.
    const bits = (f: Float32Array): number[] => [...new Uint32Array(f.buffer)];
    const n = 257;
    const a = Math.sqrt(6 / (7 + 9));
    expect(bits(glorotUniform(new Float32Array(n), 7, 9, createRng(1)))).toEqual(bits(initUniform(new Float32Array(n), -a, a, createRng(1))));
    const b = Math.SQRT2 * Math.sqrt(3 / 11);
    expect(bits(kaimingUniform(new Float32Array(n), 11, createRng(2)))).toEqual(bits(initUniform(new Float32Array(n), -b, b, createRng(2))));
    const k = 1 / Math.sqrt(20);
    expect(bits(pytorchRnnUniform(new Float32Array(n), 20, createRng(3)))).toEqual(bits(initUniform(new Float32Array(n), -k, k, createRng(3))));
    const s = Math.sqrt(2 / (7 + 9));
    expect(bits(glorotNormal(new Float32Array(n), 7, 9, createRng(4)))).toEqual(bits(initNormal(new Float32Array(n), 0, s, createRng(4))));
    const t = Math.SQRT2 / Math.sqrt(11);
    expect(bits(kaimingNormal(new Float32Array(n), 11, createRng(5)))).toEqual(bits(initNormal(new Float32Array(n), 0, t, createRng(5))));
  });

  it('same seed gives the same bits, and an empty out is a no-op', () => {
    const a = glorotUniform(new Float32Array(100), 10, 10, createRng(9));
    const b = glorotUniform(new Float32Array(100), 10, 10, createRng(9));
    expect(a).toEqual(b);
    const rng = createRng(9);
    const state = rng.getState();
    expect(kaimingNormal(new Float32Array(0), 4, rng).length).toBe(0);
    expect(rng.getState()).toEqual(state);
  });
});

// ----------------------------------------------------------------------------------------------
// zeros / constant

describe('initZeros / initConstant', () => {
  it('initZeros overwrites every element and returns out', () => {
    const out = new Float32Array([1, -2, Number.NaN, Infinity]);
    expect(initZeros(out)).toBe(out);
    expect([...out]).toEqual([0, 0, 0, 0]);
    expect(initZeros(new Float32Array(0)).length).toBe(0);
  });

  it('initConstant fills with the value (rounded to float32), NaN included', () => {
    const out = new Float32Array(5);
    expect(initConstant(out, 1)).toBe(out);
    expect([...out]).toEqual([1, 1, 1, 1, 1]);
    expect([...initConstant(out, 0.1)]).toEqual(new Array(5).fill(Math.fround(0.1)));
    expect([...initConstant(out, Number.NaN)].every(Number.isNaN)).toBe(true);
  });
});

// ----------------------------------------------------------------------------------------------
// errors

describe('argument validation', () => {
  const rng = createRng(1);
  const out = new Float32Array(4);
  const notF32 = [1, 2, 3] as unknown as Float32Array;

  it('rejects a non-Float32Array out', () => {
    expectConfigError(() => initZeros(notF32), /^initZeros: out must be a Float32Array, got an array of length 3\.$/);
    expectConfigError(() => initConstant(undefined as unknown as Float32Array, 1), /^initConstant: out must be a Float32Array, got undefined\.$/);
    expectConfigError(() => initUniform(notF32, 0, 1, rng), /^initUniform: out must be a Float32Array/);
    expectConfigError(() => initNormal(notF32, 0, 1, rng), /^initNormal: out must be a Float32Array/);
    expectConfigError(() => glorotUniform(notF32, 1, 1, rng), /^glorotUniform: out must be a Float32Array/);
    expectConfigError(() => glorotNormal(notF32, 1, 1, rng), /^glorotNormal: out must be a Float32Array/);
    expectConfigError(() => kaimingUniform(notF32, 1, rng), /^kaimingUniform: out must be a Float32Array/);
    expectConfigError(() => kaimingNormal(notF32, 1, rng), /^kaimingNormal: out must be a Float32Array/);
    expectConfigError(() => pytorchRnnUniform(notF32, 1, rng), /^pytorchRnnUniform: out must be a Float32Array/);
  });

  it('rejects non-positive or non-integer sizes', () => {
    expectConfigError(() => glorotUniform(out, 0, 3, rng), /^glorotUniform: fanIn must be a positive integer, got 0\.$/);
    expectConfigError(() => glorotUniform(out, 3, -2, rng), /^glorotUniform: fanOut must be a positive integer, got -2\.$/);
    expectConfigError(() => glorotNormal(out, 2.5, 3, rng), /^glorotNormal: fanIn must be a positive integer, got 2\.5\.$/);
    expectConfigError(() => kaimingUniform(out, Number.NaN, rng), /^kaimingUniform: fanIn must be a positive integer, got NaN\.$/);
    expectConfigError(() => kaimingNormal(out, '4' as unknown as number, rng), /^kaimingNormal: fanIn must be a positive integer, got "4"\.$/);
    expectConfigError(() => pytorchRnnUniform(out, 0, rng), /^pytorchRnnUniform: hiddenSize must be a positive integer, got 0\.$/);
  });

  it('rejects bad bounds, std, gain, value and rng', () => {
    expectConfigError(() => initUniform(out, 1, 0, rng), /^initUniform: low must be <= high, got low = 1, high = 0\.$/);
    expectConfigError(() => initUniform(out, -Infinity, 0, rng), /^initUniform: low must be a finite number, got -Infinity\.$/);
    expectConfigError(() => initUniform(out, 0, Number.NaN, rng), /^initUniform: high must be a finite number, got NaN\.$/);
    expectConfigError(() => initNormal(out, 0, -1, rng), /^initNormal: std must be a finite number >= 0, got -1\.$/);
    expectConfigError(() => initNormal(out, Infinity, 1, rng), /^initNormal: mean must be a finite number, got Infinity\.$/);
    expectConfigError(() => glorotUniform(out, 2, 2, rng, -1), /^glorotUniform: gain must be a finite number >= 0, got -1\.$/);
    expectConfigError(() => glorotNormal(out, 2, 2, rng, Infinity), /^glorotNormal: gain must be a finite number >= 0, got Infinity\.$/);
    expectConfigError(() => kaimingUniform(out, 2, rng, -0.5), /^kaimingUniform: gain must be a finite number >= 0, got -0\.5\.$/);
    expectConfigError(() => kaimingNormal(out, 2, rng, Number.NaN), /^kaimingNormal: gain must be a finite number >= 0, got NaN\.$/);
    expectConfigError(() => initConstant(out, '1' as unknown as number), /^initConstant: value must be a number, got string\.$/);
    expectConfigError(() => initUniform(out, 0, 1, {} as Rng), /^initUniform: rng must be an Rng from createRng\(seed\), got object\.$/);
    expectConfigError(() => pytorchRnnUniform(out, 4, 42 as unknown as Rng), /^pytorchRnnUniform: rng must be an Rng from createRng\(seed\), got 42\.$/);
  });

  it('a rejected call leaves out and the rng untouched', () => {
    const buf = new Float32Array([1, 2, 3, 4]);
    const r = createRng(3);
    const state = r.getState();
    expect(() => glorotUniform(buf, 0, 1, r)).toThrow(ConfigError);
    expect(() => orthogonal(buf, 3, 3, r)).toThrow(ConfigError);
    expect([...buf]).toEqual([1, 2, 3, 4]);
    expect(r.getState()).toEqual(state);
  });
});
