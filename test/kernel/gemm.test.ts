import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { ShapeError, isRnnError } from '../../src/errors.js';
import { gemm, gemmNaive } from '../../src/kernel/gemm.js';
import { GEMM_KC, GEMM_MC, GEMM_MR, GEMM_NC, GEMM_NR } from '../../src/kernel/gemm-tiles.js';
import { createRng } from '../../src/kernel/rng.js';

// Fixed seed and run count, so CI replays the same cases. On a failure fast-check prints the seed
// and path; replay with fc.configureGlobal({ seed, path }).
fc.configureGlobal({ seed: 42, numRuns: 150 });

type Gemm = typeof gemm;

/** Deterministic values in [-1, 1) from a seed. */
function randomArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.uniform() * 2 - 1;
  return x;
}

/** Deterministic small integers in [-8, 8]: all sums and products below stay exact in float32. */
function randomInts(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.int(17) - 8;
  return x;
}

/** Element (i, k) of op(a) for a stored row-major, op(a) being [rows, inner]. */
function at(x: Float32Array, i: number, k: number, rows: number, inner: number, trans: boolean): number {
  return trans ? x[k * rows + i] : x[i * inner + k];
}

/**
 * Float64 reference out = alpha·op(a)·op(b) + beta·out0, with a per-element error bound of a few
 * float32 roundings of the magnitudes involved (gemm may round partial sums between K blocks).
 */
function reference(
  out0: Float32Array,
  a: Float32Array,
  b: Float32Array,
  M: number,
  N: number,
  K: number,
  transA: boolean,
  transB: boolean,
  alpha: number,
  beta: number,
): { value: Float64Array; tol: Float64Array } {
  const value = new Float64Array(M * N);
  const tol = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      let mag = 0;
      for (let k = 0; k < K; k++) {
        const p = at(a, i, k, M, K, transA) * at(b, j, k, N, K, !transB);
        acc += p;
        mag += Math.abs(p);
      }
      const old = beta === 0 ? 0 : beta * out0[i * N + j];
      value[i * N + j] = alpha * acc + old;
      tol[i * N + j] = 4 * 2 ** -24 * (Math.abs(alpha) * mag + Math.abs(old)) + 1e-30;
    }
  }
  return { value, tol };
}

function expectNear(actual: Float32Array, ref: { value: Float64Array; tol: Float64Array }, what: string): void {
  for (let i = 0; i < ref.value.length; i++) {
    const err = Math.abs(actual[i] - ref.value[i]);
    if (!(err <= ref.tol[i])) {
      throw new Error(`${what}: element ${i} is ${actual[i]}, expected ${ref.value[i]} ± ${ref.tol[i]}`);
    }
  }
}

/** Runs one gemm with fresh buffers; `out` starts as `fill` (NaN when beta = 0, to prove it is ignored). */
function run(fn: Gemm, M: number, N: number, K: number, tA: boolean, tB: boolean, alpha: number, beta: number, seed: number) {
  const a = randomArray(M * K, seed);
  const b = randomArray(K * N, seed + 1);
  const out0 = beta === 0 ? new Float32Array(M * N).fill(NaN) : randomArray(M * N, seed + 2);
  const out = out0.slice();
  fn(out, a, b, M, N, K, tA, tB, alpha, beta);
  return { a, b, out0, out };
}

// Sizes around and between the tile sizes (MR = 2, NR = 4), plus anything in [0, 70].
const dim = fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 33, 64, 65, 70), fc.integer({ min: 0, max: 70 }));
const scalar = fc.oneof(fc.constantFrom(0, 1, -1, 0.5, 2), fc.double({ min: -3, max: 3, noNaN: true }));
const flags = fc.tuple(fc.boolean(), fc.boolean());

describe('gemm', () => {
  it('multiplies small matrices exactly in every transpose case', () => {
    const x = new Float32Array([1, 2, 3, 4]);
    const y = new Float32Array([5, 6, 7, 8]);
    const out = new Float32Array(4);
    expect([...gemm(out, x, y, 2, 2, 2, false, false, 1, 0)]).toEqual([19, 22, 43, 50]);
    expect([...gemm(out, x, y, 2, 2, 2, true, false, 1, 0)]).toEqual([26, 30, 38, 44]);
    expect([...gemm(out, x, y, 2, 2, 2, false, true, 1, 0)]).toEqual([17, 23, 39, 53]);
    expect([...gemm(out, x, y, 2, 2, 2, true, true, 1, 0)]).toEqual([23, 31, 34, 46]);
    expect(gemm(out, x, y, 2, 2, 2, false, false, 1, 0)).toBe(out);
  });

  test.prop([dim, dim, dim, flags, scalar, scalar, fc.nat()])(
    'equals gemmNaive for random shapes, transposes, alpha and beta',
    (M, N, K, [tA, tB], alpha, beta, seed) => {
      const fast = run(gemm, M, N, K, tA, tB, alpha, beta, seed);
      const slow = run(gemmNaive, M, N, K, tA, tB, alpha, beta, seed);
      expectNear(fast.out, reference(fast.out0, fast.a, fast.b, M, N, K, tA, tB, alpha, beta), 'gemm vs float64');
      expectNear(slow.out, reference(slow.out0, slow.a, slow.b, M, N, K, tA, tB, alpha, beta), 'gemmNaive vs float64');
      // Within one K block both kernels sum each output in float64 over k in ascending order, so
      // they agree bit for bit; this also proves beta = 0 ignored the NaN-filled out.
      expect(fast.out).toEqual(slow.out);
    },
  );

  test.prop([fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }), flags, fc.nat()], { numRuns: 40 })(
    'leaves the inputs untouched and writes only the first M·N elements of out',
    (M, N, [tA, tB], seed) => {
      const K = 5;
      const a = randomArray(M * K, seed);
      const b = randomArray(K * N, seed + 1);
      const a0 = a.slice();
      const b0 = b.slice();
      const out = new Float32Array(M * N + 3).fill(7);
      gemm(out, a, b, M, N, K, tA, tB, 1, 0);
      expect(a).toEqual(a0);
      expect(b).toEqual(b0);
      expect([...out.subarray(M * N)]).toEqual([7, 7, 7]);
    },
  );

  it('handles K = 0 like gemmNaive: out ← beta·out, and beta = 0 clears NaN', () => {
    const empty = new Float32Array(0);
    const out = new Float32Array([NaN, 1, Infinity, 4]);
    gemm(out, empty, empty, 2, 2, 0, false, false, 3, 0);
    expect([...out]).toEqual([0, 0, 0, 0]);
    out.set([1, 2, 3, 4]);
    gemm(out, empty, empty, 2, 2, 0, true, true, 3, 2);
    expect([...out]).toEqual([2, 4, 6, 8]);
    const untouched = new Float32Array([NaN]);
    gemm(untouched, empty, empty, 0, 1, 0, false, false, 1, 0);
    gemm(untouched, new Float32Array(3), empty, 1, 0, 3, false, false, 1, 0);
    expect(Number.isNaN(untouched[0])).toBe(true);
  });

  it.each([
    [false, false, 0],
    [false, true, 0.5],
    [true, false, 0],
    [true, true, -1],
  ])('matches the float64 reference across every block boundary (transA %s, transB %s, beta %s)', (tA, tB, beta) => {
    // Past one block with remainders: M > MC and K > KC, then N > NC and K > KC. Later K blocks
    // add onto the partial sums in out, so beta = 0 must still ignore the NaN fill.
    const K = GEMM_KC + 37;
    for (const [M, N] of [
      [GEMM_MC + GEMM_MR + 1, GEMM_NR + 3],
      [GEMM_MR + 3, GEMM_NC + GEMM_NR + 1],
    ]) {
      const { a, b, out0, out } = run(gemm, M, N, K, tA, tB, 0.75, beta, 9);
      expectNear(out, reference(out0, a, b, M, N, K, tA, tB, 0.75, beta), `gemm ${M}×${N}×${K}`);
    }
  });

  test.prop([dim, dim, dim, flags, fc.nat()], { numRuns: 60 })('(op(a)·op(b))ᵀ = op(b)ᵀ·op(a)ᵀ', (M, N, K, [tA, tB], seed) => {
    const a = randomArray(M * K, seed);
    const b = randomArray(K * N, seed + 1);
    const ab = gemm(new Float32Array(M * N), a, b, M, N, K, tA, tB, 1, 0);
    // op(b)ᵀ reads b with the opposite flag, and likewise for a; the product is [N, M].
    const baT = gemm(new Float32Array(N * M), b, a, N, M, K, !tB, !tA, 1, 0);
    // Same products summed in the same order, so the transpose matches to the last bit.
    const abT = new Float32Array(N * M);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) abT[j * M + i] = ab[i * N + j];
    }
    expect(baT).toEqual(abT);
  });

  test.prop([dim, dim, dim, flags, fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 }), fc.nat()], { numRuns: 60 })(
    'is linear: (s·a1 + t·a2)·b = s·(a1·b) + t·(a2·b), and beta = 1 accumulates',
    (M, N, K, [tA, tB], s, t, seed) => {
      // Small integers keep every intermediate exact in float32, so equality is exact.
      const a1 = randomInts(M * K, seed);
      const a2 = randomInts(M * K, seed + 1);
      const b = randomInts(K * N, seed + 2);
      const mix = new Float32Array(M * K);
      for (let i = 0; i < mix.length; i++) mix[i] = s * a1[i] + t * a2[i];
      const lhs = gemm(new Float32Array(M * N).fill(NaN), mix, b, M, N, K, tA, tB, 1, 0);
      const rhs = gemm(new Float32Array(M * N).fill(NaN), a1, b, M, N, K, tA, tB, s, 0);
      gemm(rhs, a2, b, M, N, K, tA, tB, t, 1);
      // `+ 0` maps −0 to 0: s·0 may be −0 on one side and 0 on the other.
      expect(Array.from(lhs, (v) => v + 0)).toEqual(Array.from(rhs, (v) => v + 0));
    },
  );

  describe('argument checks', () => {
    const a = new Float32Array(6);
    const b = new Float32Array(12);

    it('rejects out === a and out === b', () => {
      const sq = new Float32Array(16);
      expect(() => gemm(sq, sq, b, 2, 2, 2, false, false, 1, 0)).toThrow(ShapeError);
      expect(() => gemm(sq, a, sq, 2, 2, 2, false, false, 1, 0)).toThrow(ShapeError);
      expect(() => gemm(sq, a, sq, 2, 2, 2, false, false, 1, 0)).toThrow(/gemm: out overlaps an input/);
    });

    it('rejects a partially overlapping subarray of the same buffer, in either direction', () => {
      const buf = new Float32Array(64);
      const x = buf.subarray(0, 6); // a [2, 3]
      const y = buf.subarray(40, 52); // b [3, 4]
      // out [2, 4] occupies elements 4..11 of buf: its head overlaps x's tail.
      expect(() => gemm(buf.subarray(4, 12), x, y, 2, 4, 3, false, false, 1, 0)).toThrow(ShapeError);
      // out occupies 34..41: its tail overlaps y's head.
      expect(() => gemm(buf.subarray(34, 42), x, y, 2, 4, 3, false, false, 1, 0)).toThrow(ShapeError);
      expect(() => gemmNaive(buf.subarray(34, 42), x, y, 2, 4, 3, false, false, 1, 0)).toThrow(ShapeError);
      try {
        gemm(buf.subarray(4, 12), x, y, 2, 4, 3, false, false, 1, 0);
      } catch (e) {
        expect(isRnnError(e) && e.code).toBe('E_SHAPE');
      }
    });

    it('accepts disjoint views of one buffer, including exactly adjacent ones', () => {
      const buf = new Float32Array(64);
      const x = buf.subarray(0, 6).fill(1);
      const y = buf.subarray(14, 26).fill(2);
      const out = buf.subarray(6, 14); // ends exactly where y starts, starts exactly where x ends
      expect(() => gemm(out, x, y, 2, 4, 3, false, false, 1, 0)).not.toThrow();
      expect([...out]).toEqual(new Array(8).fill(6));
    });

    it('names the argument and the sizes when a buffer is too small', () => {
      expect(() => gemm(new Float32Array(4), new Float32Array(5), b, 2, 2, 3, false, false, 1, 0)).toThrow(
        'gemm: a has 5 elements, expected at least M·K = 2·3 = 6.',
      );
      expect(() => gemm(new Float32Array(4), a, new Float32Array(5), 2, 2, 3, true, true, 1, 0)).toThrow(
        'gemm: b has 5 elements, expected at least K·N = 3·2 = 6.',
      );
      expect(() => gemm(new Float32Array(3), a, b, 2, 2, 3, false, false, 1, 0)).toThrow(
        'gemm: out has 3 elements, expected at least M·N = 2·2 = 4.',
      );
      expect(() => gemm(new Float32Array(3), a, b, 2, 2, 3, false, false, 1, 0)).toThrow(ShapeError);
      expect(() => gemmNaive(new Float32Array(3), a, b, 2, 2, 3, false, false, 1, 0)).toThrow(/^gemmNaive: out has 3 elements/);
    });
  });
});
