/**
 * General matrix multiply on row-major Float32Arrays:
 *   out[M, N] ← alpha · op(a) · op(b) + beta · out
 * where op(a) is `[M, K]` (stored `[K, M]` when transA) and op(b) is `[K, N]` (stored `[N, K]`
 * when transB). With beta = 0 the old contents of `out` are ignored (BLAS semantics: they may be
 * NaN). `out` must not overlap `a` or `b`; this is checked in O(1).
 * @module
 */
import { ShapeError } from '../errors.js';
import {
  GEMM_DIRECT_MAX_M,
  GEMM_KC,
  GEMM_MC,
  GEMM_MR,
  GEMM_NC,
  GEMM_NR,
  gemmDirect,
  gemmWorkspace,
  microKernel2x4,
  packA,
  packB,
} from './gemm-tiles.js';

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
 * Tuned general matrix multiply (see the module comment for the contract).
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
  // GotoBLAS loop order: a KC × NC block of op(b) is packed once and reused by every MC-row block
  // of op(a); inside, each packed 2-row A panel meets each packed 4-column B panel in the
  // micro-kernel. Blocks are at most GEMM_MC / GEMM_NC / GEMM_KC in size.
  const kcMax = K < GEMM_KC ? K : GEMM_KC;
  const mcMax = M < GEMM_MC ? M : GEMM_MC;
  const ncMax = N < GEMM_NC ? N : GEMM_NC;
  const bOffset = Math.ceil(mcMax / GEMM_MR) * GEMM_MR * kcMax; // packed A block first, then B
  const w = gemmWorkspace(bOffset + Math.ceil(ncMax / GEMM_NR) * GEMM_NR * kcMax);
  for (let jc = 0; jc < N; jc += GEMM_NC) {
    const nc = N - jc < GEMM_NC ? N - jc : GEMM_NC;
    for (let pc = 0; pc < K; pc += GEMM_KC) {
      const kc = K - pc < GEMM_KC ? K - pc : GEMM_KC;
      // Later K blocks add onto the partial sums the earlier ones stored.
      const blockBeta = pc === 0 ? beta : 1;
      packB(w, bOffset, b, transB, N, K, jc, nc, pc, kc);
      for (let ic = 0; ic < M; ic += GEMM_MC) {
        const mc = M - ic < GEMM_MC ? M - ic : GEMM_MC;
        packA(w, 0, a, transA, M, K, ic, mc, pc, kc);
        for (let jr = 0; jr < nc; jr += GEMM_NR) {
          const nr = nc - jr < GEMM_NR ? nc - jr : GEMM_NR;
          const ib = bOffset + jr * kc;
          for (let ir = 0; ir < mc; ir += GEMM_MR) {
            const mr = mc - ir < GEMM_MR ? mc - ir : GEMM_MR;
            microKernel2x4(kc, w, ir * kc, ib, out, (ic + ir) * N + jc + jr, N, mr, nr, alpha, blockBeta);
          }
        }
      }
    }
  }
  return out;
}
