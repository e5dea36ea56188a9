/**
 * General matrix multiply on row-major Float32Arrays:
 *   out[M, N] ← alpha · op(a) · op(b) + beta · out
 * where op(a) is `[M, K]` (stored `[K, M]` when transA) and op(b) is `[K, N]` (stored `[N, K]`
 * when transB). With beta = 0 the old contents of `out` are ignored (BLAS semantics: they may be
 * NaN). `out` must not overlap `a` or `b`; this is checked in O(1).
 * @module
 */
import { ShapeError } from '../errors.js';
import { GEMM_DIRECT_MAX_M, gemmBlocked, gemmDirect } from './gemm-tiles.js';

/** @internal O(1) argument check shared by gemm and gemmNaive. */
export function checkGemmArgs(
  where: string,
  out: Float32Array,
  a: Float32Array,
  b: Float32Array,
  M: number,
  N: number,
  K: number,
): void {
  if (a.length < M * K) throw new ShapeError(`${where}: a has ${a.length} elements, expected at least M·K = ${M}·${K} = ${M * K}.`);
  if (b.length < K * N) throw new ShapeError(`${where}: b has ${b.length} elements, expected at least K·N = ${K}·${N} = ${K * N}.`);
  if (out.length < M * N) throw new ShapeError(`${where}: out has ${out.length} elements, expected at least M·N = ${M}·${N} = ${M * N}.`);
  if (overlaps(out, M * N, a, M * K) || overlaps(out, M * N, b, K * N)) {
    throw new ShapeError(`${where}: out overlaps an input; gemm cannot write in place. Use a separate output buffer.`);
  }
}

function overlaps(x: Float32Array, nx: number, y: Float32Array, ny: number): boolean {
  if (x.buffer !== y.buffer || nx === 0 || ny === 0) return false;
  const x0 = x.byteOffset, x1 = x0 + nx * 4;
  const y0 = y.byteOffset, y1 = y0 + ny * 4;
  return x0 < y1 && y0 < x1;
}

/**
 * The specification: a plain triple loop, one float64 accumulator per output element.
 * Same contract as {@link gemm}; kept as the reference the tuned kernel is tested against.
 * @param out - `[M, N]`, must not overlap `a` or `b`.
 * @param a - `[M, K]`, or `[K, M]` when transA.
 * @param b - `[K, N]`, or `[N, K]` when transB.
 * @param M - rows of op(a) and out. @param N - columns of op(b) and out. @param K - inner size.
 * @param transA - read `a` transposed. @param transB - read `b` transposed.
 * @param alpha - scale of the product. @param beta - scale of the old `out` (0 ignores it).
 * @returns out
 * @throws ShapeError when a buffer is too small or `out` overlaps an input.
 * @example
 * ```ts
 * gemmNaive(out, x, w, B, G, I, false, true, 1, 0); // out = x · wᵀ
 * ```
 * @category Kernel
 */
export function gemmNaive(
  out: Float32Array,
  a: Float32Array,
  b: Float32Array,
  M: number,
  N: number,
  K: number,
  transA: boolean,
  transB: boolean,
  alpha: number,
  beta: number,
): Float32Array {
  checkGemmArgs('gemmNaive', out, a, b, M, N, K);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) {
        const av = transA ? a[k * M + i] : a[i * K + k];
        const bv = transB ? b[j * K + k] : b[k * N + j];
        acc += av * bv;
      }
      out[i * N + j] = beta === 0 ? alpha * acc : alpha * acc + beta * out[i * N + j];
    }
  }
  return out;
}

/**
 * Tuned general matrix multiply, out[M, N] ← alpha · op(a) · op(b) + beta · out, with the same
 * contract as {@link gemmNaive} (see the module comment). Cache-blocked and register-tiled in
 * plain JS: blocks of op(a) and op(b) are packed into a reused float64 workspace, which absorbs
 * the transpose flags, and a 2×4 micro-kernel accumulates each output in float64 locals. A single
 * row (M = 1) skips packing. Every output is one float64 sum over k in ascending order per block
 * of 512 k, so for K ≤ 512 the result is bit-identical to {@link gemmNaive}; beyond that, partial
 * sums are rounded to float32 once per block. Allocates nothing once the workspace has grown to the
 * largest shape seen (at most 2.4 MB).
 * @param out - `[M, N]`, must not overlap `a` or `b`.
 * @param a - `[M, K]`, or `[K, M]` when transA.
 * @param b - `[K, N]`, or `[N, K]` when transB.
 * @param M - rows of op(a) and out. @param N - columns of op(b) and out. @param K - inner size.
 * @param transA - read `a` transposed. @param transB - read `b` transposed.
 * @param alpha - scale of the product. @param beta - scale of the old `out` (0 ignores it).
 * @returns out
 * @throws ShapeError when a buffer is too small or `out` overlaps an input.
 * @example
 * ```ts
 * // gates[B, 4H] += h[B, H] · W_hh[4H, H]ᵀ
 * gemm(gates, h, weightHh, B, 4 * H, H, false, true, 1, 1);
 * ```
 * @category Kernel
 */
export function gemm(
  out: Float32Array,
  a: Float32Array,
  b: Float32Array,
  M: number,
  N: number,
  K: number,
  transA: boolean,
  transB: boolean,
  alpha: number,
  beta: number,
): Float32Array {
  checkGemmArgs('gemm', out, a, b, M, N, K);
  if (M === 0 || N === 0) return out;
  if (K === 0 || M < GEMM_DIRECT_MAX_M) {
    gemmDirect(out, a, b, M, N, K, transA, transB, alpha, beta);
    return out;
  }
  gemmBlocked(out, a, b, M, N, K, transA, transB, alpha, beta);
  return out;
}
