/**
 * The pieces of the tuned `gemm`: a float64 packing workspace, panel packers that absorb the
 * transpose flags, the 2×4 register-tiled micro-kernel, and a direct path for few-row products.
 *
 * Why these choices (measured on V8 / Node 20, x86-64; see `bench/gemm.ts`):
 * - **Packing into float64.** Float32×Float32 products are exact in float64, so packing loses
 *   nothing, and the micro-kernel then reads one array with unit stride and no float32→float64
 *   conversions. All four transpose cases become the same micro-kernel; only the packers differ,
 *   and each packer's inner loop walks its source as contiguously as the layout allows.
 * - **The workspace is a plain `number[]` in V8's packed-double representation, not a
 *   Float64Array.** Its loads compile to a compare and a load, while a typed-array load also
 *   recomputes the data pointer and sign-extends the index; the whole kernel measured ~15% faster.
 *   It is created full of doubles and only ever receives numbers at indices below its length, so it
 *   stays packed-double and every function sees one array shape.
 * - **A 2×4 tile.** In plain JS every array read costs a bounds check and index arithmetic, and
 *   V8 keeps floating-point values in 16 registers. A 4×4 tile (16 accumulators + 8 operands)
 *   spills to the stack every iteration and measured 10–30% slower than 2×4 (8 accumulators +
 *   6 operands); 3×3, 2×5, 3×4 and 2×6 were also slower, and unrolling k by two cost ~20%.
 * - **Large K blocks (KC = 512).** The kernel is bound by instruction count, not by memory
 *   bandwidth (changing MC and NC by 2–4× moved the speed by under 5%), so blocking only has to
 *   keep panels in L1/L2. With K ≤ KC each output is a single float64 sum over k in ascending
 *   order, exactly as in `gemmNaive`, so the two agree bit for bit; a larger K is split into
 *   blocks whose partial sums pass through `out` (float32).
 * - **No FMA, no SIMD.** JS has neither (and may not fuse a·b + c), so one scalar multiply and
 *   one add per term is the floor; what is left to win is loads, bounds checks and spills.
 * @internal
 * @module
 */

/** @internal Rows of op(a) per micro-tile. */
export const GEMM_MR = 2;
/** @internal Columns of op(b) per micro-tile. */
export const GEMM_NR = 4;
/** @internal Depth of one K block (a 4-column B panel of this depth is 16 KB and stays in L1). */
export const GEMM_KC = 512;
/** @internal Rows of op(a) packed per block (a GEMM_MC × GEMM_KC block is 256 KB, in L2). */
export const GEMM_MC = 64;
/** @internal Columns of op(b) packed per block (covers N = 4H = 512 in one pass). */
export const GEMM_NC = 512;
/** @internal Below this many rows of op(a) `gemmDirect` beats packing (M = 1: a decoding step at batch 1). */
export const GEMM_DIRECT_MAX_M = 2;

/** Packing workspace shared by every gemm call (packed doubles); grown on demand, never shrunk. */
let workspace: number[] | null = null;

/**
 * Returns the shared packing workspace with room for at least `size` doubles. It is allocated on
 * the first call that needs more room (at most (GEMM_MC + GEMM_NC)·GEMM_KC doubles, 2.4 MB) and
 * reused afterwards, so a steady-state gemm allocates nothing. JS is single-threaded and gemm calls
 * nothing re-entrant, so one workspace per module instance (per worker) is safe.
 * @internal
 */
export function gemmWorkspace(size: number): number[] {
  let w = workspace;
  if (w === null || w.length < size) {
    // Filled with a non-integer so V8 picks packed-double elements from the start.
    w = Array.from({ length: size }, fillHalf);
    workspace = w;
  }
  return w;
}

/** @internal */
function fillHalf(): number {
  return 0.5;
}

/**
 * The blocked driver behind `gemm` for M ≥ 2 and K ≥ 1 (arguments already checked).
 * GotoBLAS loop order: a KC × NC block of op(b) is packed once and reused by every MC-row block of
 * op(a); inside, each packed 2-row A panel meets each packed 4-column B panel in the micro-kernel.
 * It lives in this module so the hot loop calls the micro-kernel directly rather than through an
 * imported binding (which some loaders, such as tsx and vitest, turn into a getter call).
 * @internal
 */
export function gemmBlocked(
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
): void {
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
}

/**
 * Packs rows `[i0, i0 + mc)` × depth `[k0, k0 + kc)` of op(a) into panels of GEMM_MR rows:
 * panel `q` starts at `p + q·GEMM_MR·kc` and holds `w[.. + GEMM_MR·k + r] = op(a)[i0 + q·GEMM_MR + r, k0 + k]`.
 * A last partial panel is padded with zeros.
 * @internal
 */
export function packA(
  w: number[],
  p: number,
  a: Float32Array,
  transA: boolean,
  M: number,
  K: number,
  i0: number,
  mc: number,
  k0: number,
  kc: number,
): void {
  for (let ir = 0; ir < mc; ir += 2) {
    const i = i0 + ir;
    const full = ir + 1 < mc;
    if (transA) {
      // a is [K, M]: the two rows of the panel are adjacent in memory at each k.
      let o = k0 * M + i;
      if (full) {
        for (let k = 0; k < kc; k++) {
          w[p] = a[o];
          w[p + 1] = a[o + 1];
          p += 2;
          o += M;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          w[p] = a[o];
          w[p + 1] = 0;
          p += 2;
          o += M;
        }
      }
    } else {
      // a is [M, K]: walk two rows side by side, each contiguously.
      const r0 = i * K + k0;
      if (full) {
        const r1 = r0 + K;
        for (let k = 0; k < kc; k++) {
          w[p] = a[r0 + k];
          w[p + 1] = a[r1 + k];
          p += 2;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          w[p] = a[r0 + k];
          w[p + 1] = 0;
          p += 2;
        }
      }
    }
  }
}

/**
 * Packs depth `[k0, k0 + kc)` × columns `[j0, j0 + nc)` of op(b) into panels of GEMM_NR columns:
 * panel `q` starts at `p + q·GEMM_NR·kc` and holds `w[.. + GEMM_NR·k + c] = op(b)[k0 + k, j0 + q·GEMM_NR + c]`.
 * A last partial panel is padded with zeros.
 * @internal
 */
export function packB(
  w: number[],
  p: number,
  b: Float32Array,
  transB: boolean,
  N: number,
  K: number,
  j0: number,
  nc: number,
  k0: number,
  kc: number,
): void {
  for (let jr = 0; jr < nc; jr += 4) {
    const j = j0 + jr;
    const nr = nc - jr < 4 ? nc - jr : 4;
    if (transB) {
      // b is [N, K]: four rows of b, each read contiguously (the x·Wᵀ case).
      const r0 = j * K + k0;
      if (nr === 4) {
        const r1 = r0 + K;
        const r2 = r1 + K;
        const r3 = r2 + K;
        for (let k = 0; k < kc; k++) {
          w[p] = b[r0 + k];
          w[p + 1] = b[r1 + k];
          w[p + 2] = b[r2 + k];
          w[p + 3] = b[r3 + k];
          p += 4;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          for (let c = 0; c < 4; c++) w[p + c] = c < nr ? b[r0 + c * K + k] : 0;
          p += 4;
        }
      }
    } else {
      // b is [K, N]: four adjacent values per k.
      let o = k0 * N + j;
      if (nr === 4) {
        for (let k = 0; k < kc; k++) {
          w[p] = b[o];
          w[p + 1] = b[o + 1];
          w[p + 2] = b[o + 2];
          w[p + 3] = b[o + 3];
          p += 4;
          o += N;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          for (let c = 0; c < 4; c++) w[p + c] = c < nr ? b[o + c] : 0;
          p += 4;
          o += N;
        }
      }
    }
  }
}

/**
 * The micro-kernel: a 2×4 tile of `alpha · Apanel · Bpanel` over depth `kc`, accumulated in eight
 * float64 locals, then stored into `out` at `o` (row stride `N`) with `beta`, writing only the
 * `mr × nr` valid corner of an edge tile.
 * `ia` / `ib` are the offsets of the packed A and B panels in `w`.
 * @internal
 */
export function microKernel2x4(
  kc: number,
  w: number[],
  ia: number,
  ib: number,
  out: Float32Array,
  o: number,
  N: number,
  mr: number,
  nr: number,
  alpha: number,
  beta: number,
): void {
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  // `| 0` keeps the index arithmetic in int32 without overflow checks (all offsets < 2^31).
  ia = ia | 0;
  ib = ib | 0;
  const end = (ia + 2 * kc) | 0;
  for (; ia < end; ia = (ia + 2) | 0) {
    const a0 = w[ia];
    const a1 = w[(ia + 1) | 0];
    const b0 = w[ib];
    const b1 = w[(ib + 1) | 0];
    const b2 = w[(ib + 2) | 0];
    const b3 = w[(ib + 3) | 0];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    ib = (ib + 4) | 0;
  }
  storeRow(out, o, nr, alpha, beta, c00, c01, c02, c03);
  if (mr > 1) storeRow(out, o + N, nr, alpha, beta, c10, c11, c12, c13);
}

/**
 * out[o + c] ← alpha·v_c (+ beta·out[o + c] unless beta = 0) for c < nr.
 * @internal
 */
export function storeRow(
  out: Float32Array,
  o: number,
  nr: number,
  alpha: number,
  beta: number,
  v0: number,
  v1: number,
  v2: number,
  v3: number,
): void {
  if (beta === 0) {
    out[o] = alpha * v0;
    if (nr > 1) out[o + 1] = alpha * v1;
    if (nr > 2) out[o + 2] = alpha * v2;
    if (nr > 3) out[o + 3] = alpha * v3;
  } else {
    out[o] = alpha * v0 + beta * out[o];
    if (nr > 1) out[o + 1] = alpha * v1 + beta * out[o + 1];
    if (nr > 2) out[o + 2] = alpha * v2 + beta * out[o + 2];
    if (nr > 3) out[o + 3] = alpha * v3 + beta * out[o + 3];
  }
}

/**
 * Unpacked gemm for products with few rows (one decoding step, batch 1): packing op(b) would cost
 * as much as the product. Computes 1×4 output tiles in the dot form, reading a and b through
 * strides so one loop serves every transpose case; each output is one float64 sum over k in
 * ascending order, like `gemmNaive`. Arguments are already checked.
 * @internal
 */
export function gemmDirect(
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
): void {
  // Element (i, k) of op(a) is a[i·aRow + k·aK]; element (k, j) of op(b) is b[k·bK + j·bCol].
  const aRow = transA ? 1 : K;
  const aK = transA ? M : 1;
  const bCol = transB ? K : 1;
  const bK = transB ? 1 : N;
  for (let i = 0; i < M; i++) {
    const aStart = i * aRow;
    const oRow = i * N;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      let c0 = 0;
      let c1 = 0;
      let c2 = 0;
      let c3 = 0;
      let ai = aStart;
      let bi = j * bCol;
      for (let k = 0; k < K; k++) {
        const av = a[ai];
        c0 += av * b[bi];
        c1 += av * b[bi + bCol];
        c2 += av * b[bi + 2 * bCol];
        c3 += av * b[bi + 3 * bCol];
        ai += aK;
        bi += bK;
      }
      storeRow(out, oRow + j, 4, alpha, beta, c0, c1, c2, c3);
    }
    for (; j < N; j++) {
      let acc = 0;
      let ai = aStart;
      let bi = j * bCol;
      for (let k = 0; k < K; k++) {
        acc += a[ai] * b[bi];
        ai += aK;
        bi += bK;
      }
      const o = oRow + j;
      out[o] = beta === 0 ? alpha * acc : alpha * acc + beta * out[o];
    }
  }
}
