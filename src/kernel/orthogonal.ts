/**
 * The orthogonal initialiser (`torch.nn.init.orthogonal_`): the Q factor of a Gaussian matrix by
 * blocked Householder QR in float64 (compact WY panels, as LAPACK's `dgeqrf` / `dorgqr`). Split
 * from init.ts because the QR machinery is most of its length.
 * @module
 */
import { ConfigError } from '../errors.js';
import { checkNumber, checkPositiveInt } from '../shapes.js';
import { checkOut, checkRng } from './init.js';
import type { Rng } from './rng.js';

/**
 * Fills a row-major `[rows, cols]` matrix with a (semi-)orthogonal matrix, as
 * `torch.nn.init.orthogonal_` does: with m = max(rows, cols) and n = min(rows, cols), draw a
 * Gaussian A `[m, n]` (m·n `rng.normal()` draws, row-major), take its thin QR factorisation by
 * Householder reflections, multiply Q's columns by sign(diag R) so that the result does not
 * depend on the reflector sign convention, transpose when rows < cols, and scale by `gain`.
 *
 * The result W satisfies WᵀW = gain²·I when rows ≥ cols, and WWᵀ = gain²·I when rows < cols
 * (up to float32 rounding). Where R has an exact zero on its diagonal the sign is taken as +1
 * (PyTorch would zero that column; with Gaussian input this has probability 0).
 *
 * Cost is about (8/3)·n³ flops for a square n×n matrix, done in float64 with one scratch
 * allocation of about 2·m·n doubles per call. Reflectors are applied in panels of 32 (compact WY
 * form, as LAPACK's `dgeqrf` / `dorgqr` do), so 1024×1024 takes on the order of a second in V8.
 *
 * @param out - destination `[rows, cols]`; the first rows·cols elements are written, any further
 *   elements are left untouched.
 * @param rows - number of rows (e.g. G·H for `weight_hh`), a positive integer.
 * @param cols - number of columns (e.g. H), a positive integer.
 * @param rng - the generator to draw from.
 * @param gain - scale factor (finite, ≥ 0); default 1.
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array or holds fewer than rows·cols
 *   elements, `rows` or `cols` is not a positive integer, `gain` is negative or not finite, or
 *   `rng` is not an Rng.
 * @example
 * ```ts
 * const weightHh = new Float32Array(H * H);   // [H, H]
 * orthogonal(weightHh, H, H, createRng(1));    // weightHhᵀ·weightHh ≈ I
 * ```
 * @category Kernel
 */
export function orthogonal(out: Float32Array, rows: number, cols: number, rng: Rng, gain: number = 1): Float32Array {
  checkOut('orthogonal', out);
  checkPositiveInt('orthogonal', 'rows', rows);
  checkPositiveInt('orthogonal', 'cols', cols);
  if (out.length < rows * cols) {
    throw new ConfigError(
      `orthogonal: out has length ${out.length}, expected at least rows·cols = ${rows * cols} (rows = ${rows}, cols = ${cols}).`,
    );
  }
  checkNumber('orthogonal', 'gain', gain, 0);
  checkRng('orthogonal', rng);

  const m = rows >= cols ? rows : cols;
  const n = rows >= cols ? cols : rows;
  const panels = Math.ceil(n / PANEL);
  // One allocation for all scratch. A and Q are stored column by column (column j at offset j·m)
  // so that every reflector touches contiguous memory.
  const scratch = new Float64Array(2 * m * n + 2 * n + panels * PANEL * PANEL + 5 * PANEL);
  let at = 0;
  const a = scratch.subarray(at, (at += m * n)); //  Aᵀ [n, m]; later column k holds reflector v_k in rows k..m−1
  const q = scratch.subarray(at, (at += m * n)); //  Qᵀ [n, m]
  const betas = scratch.subarray(at, (at += n)); //  [n] H_k = I − β_k·v_k·v_kᵀ
  const signs = scratch.subarray(at, (at += n)); //  [n] sign(R_kk)
  const t = scratch.subarray(at, (at += panels * PANEL * PANEL)); // [panels, PANEL, PANEL] WY factors
  const work = scratch.subarray(at); //               [5·PANEL] per-column panel temporaries

  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) a[j * m + i] = rng.normal();
  }

  householderQr(a, m, n, betas, signs, t, work);
  formQ(q, a, m, n, t, work);

  if (rows >= cols) {
    // out[i, j] = gain · Q[i, j] · sign_j, with Q[i, j] at q[j·m + i].
    for (let j = 0; j < n; j++) {
      const s = gain * signs[j];
      const qCol = j * m;
      for (let i = 0; i < m; i++) out[i * cols + j] = s * q[qCol + i];
    }
  } else {
    // out = gain · (Q·diag(sign))ᵀ, i.e. out[i, j] = gain · sign_i · Q[j, i] = q[i·m + j]: contiguous.
    for (let i = 0; i < n; i++) {
      const s = gain * signs[i];
      const row = i * m;
      for (let j = 0; j < m; j++) out[row + j] = s * q[row + j];
    }
  }
  return out;
}

/**
 * Reflectors per panel. A panel's reflectors are combined into the compact WY form
 * H_{k0}·…·H_{k1−1} = I − V·T·Vᵀ (V the panel's reflectors, T upper triangular), so the trailing
 * columns make two passes over the panel (W = Vᵀc, then c −= V·(Tᵀ or T)·W), two columns and four
 * reflectors per inner loop, instead of 2·PANEL passes of one reflector each. The columns stay in
 * L1 cache and the panel (PANEL·m doubles, 256 KiB at m = 1024) in L2. Measured in V8 at
 * 1024×1024, this is about 3× faster than applying one reflector at a time.
 * @internal
 */
const PANEL = 32;

/**
 * In-place Householder QR of A `[m, n]` (m ≥ n) stored column-major in `a`. On return column k
 * holds the unnormalised reflector v_k in rows k..m−1 (the strict upper part is R's and is not
 * needed), `betas[k]` = 2 / (v_kᵀv_k) (0 when the column is already zero, so H_k = I),
 * `signs[k]` = sign(R_kk) with sign(0) = +1, and `t` holds each panel's T factor `[PANEL, PANEL]`.
 * @internal
 */
function householderQr(
  a: Float64Array,
  m: number,
  n: number,
  betas: Float64Array,
  signs: Float64Array,
  t: Float64Array,
  work: Float64Array,
): void {
  const w = work.subarray(0, 2 * PANEL); //            [2, PANEL] Vᵀc for a pair of columns
  const z = work.subarray(2 * PANEL, 4 * PANEL); //    [2, PANEL] TᵀVᵀc
  const tmp = work.subarray(4 * PANEL); //              [PANEL] for buildT
  for (let k0 = 0, p = 0; k0 < n; k0 += PANEL, p++) {
    const k1 = k0 + PANEL < n ? k0 + PANEL : n;
    const nb = k1 - k0;
    // Factor the panel one reflector at a time (it is only PANEL columns wide).
    for (let k = k0; k < k1; k++) {
      const vOff = k * m;
      let norm2 = 0;
      for (let i = k; i < m; i++) norm2 += a[vOff + i] * a[vOff + i];
      const alpha = Math.sqrt(norm2);
      if (alpha === 0) {
        betas[k] = 0; // v_k is the zero column as stored, consistent with H_k = I
        signs[k] = 1;
        continue;
      }
      const x0 = a[vOff + k];
      // v = x + sign(x0)·‖x‖·e1 avoids cancellation; then H·x = −sign(x0)·‖x‖·e1, so R_kk has the
      // opposite sign of x0, and vᵀv = 2‖x‖(‖x‖ + |x0|).
      const s0 = x0 >= 0 ? 1 : -1;
      a[vOff + k] = x0 + s0 * alpha;
      const beta = 1 / (alpha * (alpha + Math.abs(x0)));
      betas[k] = beta;
      signs[k] = -s0;
      for (let j = k + 1; j < k1; j++) applyReflector(a, j * m, a, vOff, k, m, beta);
    }
    const tOff = p * PANEL * PANEL;
    buildT(t, tOff, a, betas, k0, nb, m, tmp);
    // Trailing columns: c ← H_{k1−1}·…·H_{k0}·c = (I − V·T·Vᵀ)ᵀ·c = c − V·(Tᵀ·(Vᵀ·c)).
    applyBlockReflector(a, k1, n, a, k0, nb, m, t, tOff, true, w, z);
  }
}

/**
 * Applies one panel's block reflector to the columns [j0, n) of the column-major `c` (`[m, ·]`):
 * c ← c − V·(op(T)·(Vᵀ·c)) with op(T) = Tᵀ (`transposed`, the QR's H_{k1−1}·…·H_{k0}) or T
 * (forming Q: H_{k0}·…·H_{k1−1}); V = the reflectors in `a` columns k0..k0+nb. Two columns at a
 * time, so that each load of a reflector serves both.
 * @internal
 */
function applyBlockReflector(
  c: Float64Array,
  j0: number,
  n: number,
  a: Float64Array,
  k0: number,
  nb: number,
  m: number,
  t: Float64Array,
  tOff: number,
  transposed: boolean,
  w: Float64Array,
  z: Float64Array,
): void {
  const mul = transposed ? mulTransposedT : mulT;
  let j = j0;
  for (; j + 1 < n; j += 2) {
    panelDots2(w, c, j * m, (j + 1) * m, a, k0, nb, m);
    mul(z, 0, t, tOff, w, 0, nb);
    mul(z, PANEL, t, tOff, w, PANEL, nb);
    panelUpdate2(c, j * m, (j + 1) * m, a, z, k0, nb, m);
  }
  if (j < n) {
    panelDots(w, c, j * m, a, k0, nb, m);
    mul(z, 0, t, tOff, w, 0, nb);
    panelUpdate(c, j * m, a, z, k0, nb, m);
  }
}

/**
 * z[zOff + 0..nb) ← Tᵀ·w[wOff + 0..nb) for the upper-triangular `[PANEL, PANEL]` T at `tOff`.
 * @internal
 */
function mulTransposedT(z: Float64Array, zOff: number, t: Float64Array, tOff: number, w: Float64Array, wOff: number, nb: number): void {
  for (let k = 0; k < nb; k++) {
    let acc = 0;
    for (let i = 0; i <= k; i++) acc += t[tOff + i * PANEL + k] * w[wOff + i];
    z[zOff + k] = acc;
  }
}

/**
 * z[zOff + 0..nb) ← T·w[wOff + 0..nb) for the upper-triangular `[PANEL, PANEL]` T at `tOff`.
 * @internal
 */
function mulT(z: Float64Array, zOff: number, t: Float64Array, tOff: number, w: Float64Array, wOff: number, nb: number): void {
  for (let i = 0; i < nb; i++) {
    let acc = 0;
    for (let k = i; k < nb; k++) acc += t[tOff + i * PANEL + k] * w[wOff + k];
    z[zOff + i] = acc;
  }
}

/**
 * Forms the thin Q `[m, n]` = H_0·H_1·…·H_{n−1}·[I; 0] column-major in `q` by backward
 * accumulation over panels (LAPACK `dorgqr`): for the panel [k0, k1), columns j ≥ k0 get
 * c ← (I − V·T·Vᵀ)·c; columns left of k0 are still unit vectors that the panel cannot touch.
 * @internal
 */
function formQ(q: Float64Array, a: Float64Array, m: number, n: number, t: Float64Array, work: Float64Array): void {
  const w = work.subarray(0, 2 * PANEL); //            [2, PANEL] Vᵀc for a pair of columns
  const z = work.subarray(2 * PANEL, 4 * PANEL); //    [2, PANEL] TVᵀc
  q.fill(0);
  for (let j = 0; j < n; j++) q[j * m + j] = 1;
  for (let p = Math.ceil(n / PANEL) - 1; p >= 0; p--) {
    const k0 = p * PANEL;
    const nb = (k0 + PANEL < n ? k0 + PANEL : n) - k0;
    applyBlockReflector(q, k0, n, a, k0, nb, m, t, p * PANEL * PANEL, false, w, z);
  }
}

/**
 * The T factor of a panel (LAPACK `dlarft`, forward, columnwise): T[k][k] = β_k and
 * T[0:k, k] = −β_k·T[0:k, 0:k]·V[:, 0:k]ᵀ·v_k, so that H_{k0}·…·H_{k0+k} = I − V·T·Vᵀ.
 * `t` is `[PANEL, PANEL]` row-major at `tOff`; its strict lower part stays zero.
 * @internal
 */
function buildT(
  t: Float64Array,
  tOff: number,
  a: Float64Array,
  betas: Float64Array,
  k0: number,
  nb: number,
  m: number,
  tmp: Float64Array,
): void {
  for (let k = 0; k < nb; k++) {
    const beta = betas[k0 + k];
    const r = k0 + k; // v_k starts at row r, and every earlier reflector covers rows ≥ r too
    const kOff = r * m;
    for (let i = 0; i < k; i++) {
      const iOff = (k0 + i) * m;
      let acc = 0;
      for (let row = r; row < m; row++) acc += a[iOff + row] * a[kOff + row];
      tmp[i] = -beta * acc;
    }
    for (let i = 0; i < k; i++) {
      let acc = 0;
      for (let l = i; l < k; l++) acc += t[tOff + i * PANEL + l] * tmp[l];
      t[tOff + i * PANEL + k] = acc;
    }
    t[tOff + k * PANEL + k] = beta;
  }
}

/**
 * {@link panelDots} for two columns c (at `cOff`) and d (at `dOff`) of the same array: w[k] ← v_kᵀc,
 * w[PANEL + k] ← v_kᵀd. Eight running sums share each load of four reflector entries, which
 * measured about 1.6× faster than one column at a time in V8.
 * @internal
 */
function panelDots2(w: Float64Array, c: Float64Array, cOff: number, dOff: number, a: Float64Array, k0: number, nb: number, m: number): void {
  let k = 0;
  for (; k + 3 < nb; k += 4) {
    const r0 = k0 + k; // r0 + 3 < k0 + nb ≤ n ≤ m, so the peeled rows exist
    const o0 = r0 * m;
    const o1 = o0 + m;
    const o2 = o1 + m;
    const o3 = o2 + m;
    const x0 = c[cOff + r0];
    const x1 = c[cOff + r0 + 1];
    const x2 = c[cOff + r0 + 2];
    const y0 = c[dOff + r0];
    const y1 = c[dOff + r0 + 1];
    const y2 = c[dOff + r0 + 2];
    const a00 = a[o0 + r0];
    const a01 = a[o0 + r0 + 1];
    const a02 = a[o0 + r0 + 2];
    const a11 = a[o1 + r0 + 1];
    const a12 = a[o1 + r0 + 2];
    const a22 = a[o2 + r0 + 2];
    let s0 = a00 * x0 + a01 * x1 + a02 * x2;
    let s1 = a11 * x1 + a12 * x2;
    let s2 = a22 * x2;
    let s3 = 0;
    let u0 = a00 * y0 + a01 * y1 + a02 * y2;
    let u1 = a11 * y1 + a12 * y2;
    let u2 = a22 * y2;
    let u3 = 0;
    for (let i = r0 + 3; i < m; i++) {
      const x = c[cOff + i];
      const y = c[dOff + i];
      const v0 = a[o0 + i];
      const v1 = a[o1 + i];
      const v2 = a[o2 + i];
      const v3 = a[o3 + i];
      s0 += v0 * x;
      s1 += v1 * x;
      s2 += v2 * x;
      s3 += v3 * x;
      u0 += v0 * y;
      u1 += v1 * y;
      u2 += v2 * y;
      u3 += v3 * y;
    }
    w[k] = s0;
    w[k + 1] = s1;
    w[k + 2] = s2;
    w[k + 3] = s3;
    w[PANEL + k] = u0;
    w[PANEL + k + 1] = u1;
    w[PANEL + k + 2] = u2;
    w[PANEL + k + 3] = u3;
  }
  for (; k < nb; k++) {
    const r = k0 + k;
    const o = r * m;
    let s = 0;
    let u = 0;
    for (let i = r; i < m; i++) {
      const v = a[o + i];
      s += v * c[cOff + i];
      u += v * c[dOff + i];
    }
    w[k] = s;
    w[PANEL + k] = u;
  }
}

/**
 * {@link panelUpdate} for two columns c (at `cOff`, coefficients z[0..nb)) and d (at `dOff`,
 * coefficients z[PANEL..PANEL + nb)) of the same array.
 * @internal
 */
function panelUpdate2(c: Float64Array, cOff: number, dOff: number, a: Float64Array, z: Float64Array, k0: number, nb: number, m: number): void {
  let k = 0;
  for (; k + 3 < nb; k += 4) {
    const r0 = k0 + k;
    const o0 = r0 * m;
    const o1 = o0 + m;
    const o2 = o1 + m;
    const o3 = o2 + m;
    const z0 = z[k];
    const z1 = z[k + 1];
    const z2 = z[k + 2];
    const z3 = z[k + 3];
    const y0 = z[PANEL + k];
    const y1 = z[PANEL + k + 1];
    const y2 = z[PANEL + k + 2];
    const y3 = z[PANEL + k + 3];
    c[cOff + r0] -= a[o0 + r0] * z0;
    c[cOff + r0 + 1] -= a[o0 + r0 + 1] * z0 + a[o1 + r0 + 1] * z1;
    c[cOff + r0 + 2] -= a[o0 + r0 + 2] * z0 + a[o1 + r0 + 2] * z1 + a[o2 + r0 + 2] * z2;
    c[dOff + r0] -= a[o0 + r0] * y0;
    c[dOff + r0 + 1] -= a[o0 + r0 + 1] * y0 + a[o1 + r0 + 1] * y1;
    c[dOff + r0 + 2] -= a[o0 + r0 + 2] * y0 + a[o1 + r0 + 2] * y1 + a[o2 + r0 + 2] * y2;
    for (let i = r0 + 3; i < m; i++) {
      const v0 = a[o0 + i];
      const v1 = a[o1 + i];
      const v2 = a[o2 + i];
      const v3 = a[o3 + i];
      c[cOff + i] -= v0 * z0 + v1 * z1 + v2 * z2 + v3 * z3;
      c[dOff + i] -= v0 * y0 + v1 * y1 + v2 * y2 + v3 * y3;
    }
  }
  for (; k < nb; k++) {
    const r = k0 + k;
    const o = r * m;
    const zk = z[k];
    const yk = z[PANEL + k];
    for (let i = r; i < m; i++) {
      const v = a[o + i];
      c[cOff + i] -= v * zk;
      c[dOff + i] -= v * yk;
    }
  }
}

/**
 * w[k] ← v_{k0+k}ᵀ·c for k < nb, where reflector v_r lives at `a[r·m + r..m)` and the column at
 * `c[cOff + r..m)` (rows above r are zero in v_r, so each dot starts at its own row). Four
 * reflectors share each load of c; their first rows are peeled so the main loop is uniform.
 * @internal
 */
function panelDots(w: Float64Array, c: Float64Array, cOff: number, a: Float64Array, k0: number, nb: number, m: number): void {
  let k = 0;
  for (; k + 3 < nb; k += 4) {
    const r0 = k0 + k; // r0 + 3 < k0 + nb ≤ n ≤ m, so the peeled rows exist
    const o0 = r0 * m;
    const o1 = o0 + m;
    const o2 = o1 + m;
    const o3 = o2 + m;
    const x0 = c[cOff + r0];
    const x1 = c[cOff + r0 + 1];
    const x2 = c[cOff + r0 + 2];
    let s0 = a[o0 + r0] * x0 + a[o0 + r0 + 1] * x1 + a[o0 + r0 + 2] * x2;
    let s1 = a[o1 + r0 + 1] * x1 + a[o1 + r0 + 2] * x2;
    let s2 = a[o2 + r0 + 2] * x2;
    let s3 = 0;
    for (let i = r0 + 3; i < m; i++) {
      const x = c[cOff + i];
      s0 += a[o0 + i] * x;
      s1 += a[o1 + i] * x;
      s2 += a[o2 + i] * x;
      s3 += a[o3 + i] * x;
    }
    w[k] = s0;
    w[k + 1] = s1;
    w[k + 2] = s2;
    w[k + 3] = s3;
  }
  for (; k < nb; k++) {
    const r = k0 + k;
    const o = r * m;
    let acc = 0;
    for (let i = r; i < m; i++) acc += a[o + i] * c[cOff + i];
    w[k] = acc;
  }
}

/**
 * c[cOff + i] ← c[cOff + i] − Σ_k v_{k0+k}[i]·z[k], four reflectors per pass (each reflector
 * only from its own first row on).
 * @internal
 */
function panelUpdate(c: Float64Array, cOff: number, a: Float64Array, z: Float64Array, k0: number, nb: number, m: number): void {
  let k = 0;
  for (; k + 3 < nb; k += 4) {
    const r0 = k0 + k;
    const o0 = r0 * m;
    const o1 = o0 + m;
    const o2 = o1 + m;
    const o3 = o2 + m;
    const z0 = z[k];
    const z1 = z[k + 1];
    const z2 = z[k + 2];
    const z3 = z[k + 3];
    c[cOff + r0] -= a[o0 + r0] * z0;
    c[cOff + r0 + 1] -= a[o0 + r0 + 1] * z0 + a[o1 + r0 + 1] * z1;
    c[cOff + r0 + 2] -= a[o0 + r0 + 2] * z0 + a[o1 + r0 + 2] * z1 + a[o2 + r0 + 2] * z2;
    for (let i = r0 + 3; i < m; i++) {
      c[cOff + i] -= a[o0 + i] * z0 + a[o1 + i] * z1 + a[o2 + i] * z2 + a[o3 + i] * z3;
    }
  }
  for (; k < nb; k++) {
    const r = k0 + k;
    const o = r * m;
    const zk = z[k];
    for (let i = r; i < m; i++) c[cOff + i] -= a[o + i] * zk;
  }
}

/**
 * x[xOff + k..m) ← x − β·(vᵀx)·v for one reflector v at `v[vOff + k..m)` (used inside a panel).
 * Four partial sums shorten the floating-point dependency chain of the dot product; their order
 * is fixed, so the result stays deterministic.
 * @internal
 */
function applyReflector(x: Float64Array, xOff: number, v: Float64Array, vOff: number, k: number, m: number, beta: number): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = k;
  for (; i + 3 < m; i += 4) {
    s0 += v[vOff + i] * x[xOff + i];
    s1 += v[vOff + i + 1] * x[xOff + i + 1];
    s2 += v[vOff + i + 2] * x[xOff + i + 2];
    s3 += v[vOff + i + 3] * x[xOff + i + 3];
  }
  for (; i < m; i++) s0 += v[vOff + i] * x[xOff + i];
  const tau = beta * (s0 + s1 + (s2 + s3));
  if (tau === 0) return;
  for (i = k; i < m; i++) x[xOff + i] -= tau * v[vOff + i];
}
