/**
 * Weight initialisers. Each one fills a caller-owned Float32Array (out-parameter first, returns
 * `out`) and draws from an explicit {@link Rng}, so the same seed gives the same bits.
 *
 * | function            | distribution                                   | PyTorch counterpart            |
 * | ------------------- | ---------------------------------------------- | ------------------------------ |
 * | `glorotUniform`     | U(−a, a), a = gain·√(6 / (fanIn + fanOut))     | `xavier_uniform_`              |
 * | `glorotNormal`      | N(0, σ²), σ = gain·√(2 / (fanIn + fanOut))     | `xavier_normal_`               |
 * | `kaimingUniform`    | U(−b, b), b = gain·√(3 / fanIn)                | `kaiming_uniform_` (fan_in)    |
 * | `kaimingNormal`     | N(0, σ²), σ = gain / √fanIn                    | `kaiming_normal_` (fan_in)     |
 * | `pytorchRnnUniform` | U(−k, k), k = 1 / √H                           | `nn.RNN/LSTM/GRU` defaults     |
 * | `orthogonal`        | (semi-)orthogonal Q of a Gaussian matrix, ·gain | `orthogonal_`                  |
 *
 * The streams differ from PyTorch's (different generator), so only the distributions match.
 * Initialisers run once per model build, not in hot loops, so they validate every argument.
 * @module
 */
import { ConfigError } from '../errors.js';
import { checkNumber, checkPositiveInt, describe } from '../shapes.js';
import type { Rng } from './rng.js';

/**
 * Fills `out` with zeros.
 * @param out - destination, every element is written.
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array.
 * @example
 * ```ts
 * const bias = initZeros(new Float32Array(4 * hiddenSize));
 * ```
 * @category Kernel
 */
export function initZeros(out: Float32Array): Float32Array {
  checkOut('initZeros', out);
  out.fill(0);
  return out;
}

/**
 * Fills `out` with one value (e.g. a forget-gate bias of 1).
 * @param out - destination, every element is written.
 * @param value - the value; any number, including NaN or ±Infinity (useful as a sentinel in tests).
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array or `value` is not a number.
 * @example
 * ```ts
 * initConstant(forgetBias, 1);
 * ```
 * @category Kernel
 */
export function initConstant(out: Float32Array, value: number): Float32Array {
  checkOut('initConstant', out);
  if (typeof value !== 'number') {
    throw new ConfigError(`initConstant: value must be a number, got ${typeof value}.`);
  }
  out.fill(value);
  return out;
}

/**
 * Fills `out` with independent draws from U(low, high): `low + (high − low)·u`, u ∈ [0, 1). After
 * rounding to float32 a value may equal `high`.
 * @param out - destination, every element is written (one `rng.uniform()` per element, in order).
 * @param low - lower bound (finite).
 * @param high - upper bound (finite, ≥ low).
 * @param rng - the generator to draw from.
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array, a bound is not finite, `low > high`
 *   or `rng` is not an Rng.
 * @example
 * ```ts
 * initUniform(weights, -0.1, 0.1, createRng(1));
 * ```
 * @category Kernel
 */
export function initUniform(out: Float32Array, low: number, high: number, rng: Rng): Float32Array {
  checkOut('initUniform', out);
  checkNumber('initUniform', 'low', low);
  checkNumber('initUniform', 'high', high);
  if (low > high) {
    throw new ConfigError(`initUniform: low must be <= high, got low = ${low}, high = ${high}.`);
  }
  checkRng('initUniform', rng);
  fillUniform(out, low, high, rng);
  return out;
}

/**
 * Fills `out` with independent draws from N(mean, std²).
 * @param out - destination, every element is written (one `rng.normal()` per element, in order).
 * @param mean - the mean (finite).
 * @param std - the standard deviation (finite, ≥ 0).
 * @param rng - the generator to draw from.
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array, `mean` is not finite, `std` is
 *   negative or not finite, or `rng` is not an Rng.
 * @example
 * ```ts
 * initNormal(embedding, 0, 1, createRng(1)); // PyTorch's nn.Embedding default
 * ```
 * @category Kernel
 */
export function initNormal(out: Float32Array, mean: number, std: number, rng: Rng): Float32Array {
  checkOut('initNormal', out);
  checkNumber('initNormal', 'mean', mean);
  checkNumber('initNormal', 'std', std, 0);
  checkRng('initNormal', rng);
  fillNormal(out, mean, std, rng);
  return out;
}

/**
 * Glorot / Xavier uniform: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)), which keeps the
 * variance of activations and of gradients roughly constant across a linear layer.
 * @param out - destination, every element is written; for a weight `[out, in]` pass the whole matrix.
 * @param fanIn - inputs per unit (the `in` of `[out, in]`), a positive integer.
 * @param fanOut - outputs per input (the `out` of `[out, in]`), a positive integer.
 * @param rng - the generator to draw from.
 * @param gain - scale factor (finite, ≥ 0); default 1 (linear / sigmoid), 5/3 suits tanh.
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array, a fan is not a positive integer,
 *   `gain` is negative or not finite, or `rng` is not an Rng.
 * @example
 * ```ts
 * const w = new Float32Array(V * H);          // [V, H]
 * glorotUniform(w, H, V, createRng(1));
 * ```
 * @category Kernel
 */
export function glorotUniform(out: Float32Array, fanIn: number, fanOut: number, rng: Rng, gain: number = 1): Float32Array {
  checkOut('glorotUniform', out);
  checkPositiveInt('glorotUniform', 'fanIn', fanIn);
  checkPositiveInt('glorotUniform', 'fanOut', fanOut);
  checkNumber('glorotUniform', 'gain', gain, 0);
  checkRng('glorotUniform', rng);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  fillUniform(out, -a, a, rng);
  return out;
}

/**
 * Glorot / Xavier normal: N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)).
 * @param out - destination, every element is written.
 * @param fanIn - inputs per unit, a positive integer.
 * @param fanOut - outputs per input, a positive integer.
 * @param rng - the generator to draw from.
 * @param gain - scale factor (finite, ≥ 0); default 1.
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array, a fan is not a positive integer,
 *   `gain` is negative or not finite, or `rng` is not an Rng.
 * @example
 * ```ts
 * glorotNormal(w, inputSize, outputSize, createRng(1));
 * ```
 * @category Kernel
 */
export function glorotNormal(out: Float32Array, fanIn: number, fanOut: number, rng: Rng, gain: number = 1): Float32Array {
  checkOut('glorotNormal', out);
  checkPositiveInt('glorotNormal', 'fanIn', fanIn);
  checkPositiveInt('glorotNormal', 'fanOut', fanOut);
  checkNumber('glorotNormal', 'gain', gain, 0);
  checkRng('glorotNormal', rng);
  fillNormal(out, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), rng);
  return out;
}

/**
 * Kaiming / He uniform (fan-in mode): U(−b, b) with b = gain·√(3 / fanIn). The default gain √2
 * suits ReLU; pass 1 for linear units.
 * @param out - destination, every element is written.
 * @param fanIn - inputs per unit, a positive integer.
 * @param rng - the generator to draw from.
 * @param gain - scale factor (finite, ≥ 0); default √2.
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array, `fanIn` is not a positive
 *   integer, `gain` is negative or not finite, or `rng` is not an Rng.
 * @example
 * ```ts
 * kaimingUniform(w, inputSize, createRng(1));
 * ```
 * @category Kernel
 */
export function kaimingUniform(out: Float32Array, fanIn: number, rng: Rng, gain: number = Math.SQRT2): Float32Array {
  checkOut('kaimingUniform', out);
  checkPositiveInt('kaimingUniform', 'fanIn', fanIn);
  checkNumber('kaimingUniform', 'gain', gain, 0);
  checkRng('kaimingUniform', rng);
  const b = gain * Math.sqrt(3 / fanIn);
  fillUniform(out, -b, b, rng);
  return out;
}

/**
 * Kaiming / He normal (fan-in mode): N(0, σ²) with σ = gain / √fanIn.
 * @param out - destination, every element is written.
 * @param fanIn - inputs per unit, a positive integer.
 * @param rng - the generator to draw from.
 * @param gain - scale factor (finite, ≥ 0); default √2 (ReLU).
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array, `fanIn` is not a positive
 *   integer, `gain` is negative or not finite, or `rng` is not an Rng.
 * @example
 * ```ts
 * kaimingNormal(w, inputSize, createRng(1));
 * ```
 * @category Kernel
 */
export function kaimingNormal(out: Float32Array, fanIn: number, rng: Rng, gain: number = Math.SQRT2): Float32Array {
  checkOut('kaimingNormal', out);
  checkPositiveInt('kaimingNormal', 'fanIn', fanIn);
  checkNumber('kaimingNormal', 'gain', gain, 0);
  checkRng('kaimingNormal', rng);
  fillNormal(out, 0, gain / Math.sqrt(fanIn), rng);
  return out;
}

/**
 * PyTorch's default for every weight and bias of `nn.RNN`, `nn.LSTM`, `nn.GRU` and their cells:
 * U(−k, k) with k = 1 / √H.
 * @param out - destination, every element is written (`weight_ih [G·H, I]`, `weight_hh [G·H, H]`,
 *   `bias_ih [G·H]` or `bias_hh [G·H]`).
 * @param hiddenSize - H, a positive integer.
 * @param rng - the generator to draw from.
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array, `hiddenSize` is not a positive
 *   integer, or `rng` is not an Rng.
 * @example
 * ```ts
 * const weightHh = new Float32Array(4 * H * H); // [4H, H], gates i|f|g|o
 * pytorchRnnUniform(weightHh, H, createRng(1));
 * ```
 * @category Kernel
 */
export function pytorchRnnUniform(out: Float32Array, hiddenSize: number, rng: Rng): Float32Array {
  checkOut('pytorchRnnUniform', out);
  checkPositiveInt('pytorchRnnUniform', 'hiddenSize', hiddenSize);
  checkRng('pytorchRnnUniform', rng);
  const k = 1 / Math.sqrt(hiddenSize);
  fillUniform(out, -k, k, rng);
  return out;
}

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
 * allocation of 2·m·n doubles per call; 1024×1024 takes on the order of a second in V8.
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
  // Both matrices are stored column by column (column j at offset j·m) so that every reflector
  // touches contiguous memory.
  const scratch = new Float64Array(2 * m * n);
  const a = scratch.subarray(0, m * n); // Aᵀ as [n, m]; after the loop, column k holds reflector v_k in rows k..m−1
  const q = scratch.subarray(m * n); //    Qᵀ as [n, m]
  const betas = new Float64Array(n); //    [n] reflector scales: H_k = I − β_k·v_k·v_kᵀ
  const signs = new Float64Array(n); //    [n] sign(R_kk)

  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) a[j * m + i] = rng.normal();
  }

  householderQr(a, m, n, betas, signs);
  formQ(q, a, m, n, betas);

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
 * Reflectors per panel in {@link householderQr} and {@link formQ}. Each trailing column is pushed
 * through a whole panel of reflectors while it sits in L1 cache, and the panel (PANEL·m doubles,
 * 256 KiB for m = 1024) stays in L2; applying one reflector to the whole trailing matrix at a time
 * instead streams the full matrix from memory n times and was several times slower at 1024×1024.
 * @internal
 */
const PANEL = 32;

/**
 * In-place Householder QR of A `[m, n]` (m ≥ n) stored column-major in `a`. On return column k
 * holds the unnormalised reflector v_k in rows k..m−1 (the strict upper part is R's and is not
 * needed), `betas[k]` = 2 / (v_kᵀv_k) (0 when the column is already zero), and `signs[k]` =
 * sign(R_kk) with sign(0) = +1.
 *
 * Panels only reorder the work: every column still receives H_0, H_1, … in that order, with the
 * same arithmetic, so the result equals the unblocked algorithm bit for bit.
 * @internal
 */
function householderQr(a: Float64Array, m: number, n: number, betas: Float64Array, signs: Float64Array): void {
  for (let k0 = 0; k0 < n; k0 += PANEL) {
    const k1 = k0 + PANEL < n ? k0 + PANEL : n;
    // Factor the panel [k0, k1): each new reflector is applied to the panel's later columns.
    for (let k = k0; k < k1; k++) {
      const vOff = k * m;
      let norm2 = 0;
      for (let i = k; i < m; i++) norm2 += a[vOff + i] * a[vOff + i];
      const alpha = Math.sqrt(norm2);
      if (alpha === 0) {
        betas[k] = 0;
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
    // Push every trailing column through the panel's reflectors, in order.
    for (let j = k1; j < n; j++) {
      const xOff = j * m;
      for (let k = k0; k < k1; k++) {
        const beta = betas[k];
        if (beta !== 0) applyReflector(a, xOff, a, k * m, k, m, beta);
      }
    }
  }
}

/**
 * Forms the thin Q `[m, n]` = H_0·H_1·…·H_{n−1}·[I; 0] column-major in `q` by backward
 * accumulation. Column j of [I; 0] is e_j, which every H_k with k > j leaves unchanged, so column
 * j only needs H_j, H_{j−1}, …, H_0 (applied in that order); panels of reflectors are walked from
 * the last to the first, as in {@link householderQr}.
 * @internal
 */
function formQ(q: Float64Array, a: Float64Array, m: number, n: number, betas: Float64Array): void {
  q.fill(0);
  for (let j = 0; j < n; j++) q[j * m + j] = 1;
  const lastPanel = Math.floor((n - 1) / PANEL) * PANEL;
  for (let k0 = lastPanel; k0 >= 0; k0 -= PANEL) {
    const k1 = k0 + PANEL < n ? k0 + PANEL : n;
    for (let j = k0; j < n; j++) {
      const xOff = j * m;
      for (let k = (j < k1 ? j : k1 - 1); k >= k0; k--) {
        const beta = betas[k];
        if (beta !== 0) applyReflector(q, xOff, a, k * m, k, m, beta);
      }
    }
  }
}

/**
 * x[xOff + k..m) ← x − β·(vᵀx)·v for the reflector v at `v[vOff + k..m)`. Four partial sums
 * shorten the floating-point dependency chain of the dot product; their order is fixed, so the
 * result stays deterministic.
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
  const t = beta * (s0 + s1 + (s2 + s3));
  if (t === 0) return;
  for (i = k; i < m; i++) x[xOff + i] -= t * v[vOff + i];
}

/**
 * out[i] ← low + (high − low)·u_i, one uniform draw per element in index order.
 * @internal
 */
function fillUniform(out: Float32Array, low: number, high: number, rng: Rng): void {
  const width = high - low;
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = low + width * rng.uniform();
}

/**
 * out[i] ← mean + std·z_i, one normal draw per element in index order.
 * @internal
 */
function fillNormal(out: Float32Array, mean: number, std: number, rng: Rng): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = mean + std * rng.normal();
}

function checkOut(where: string, out: unknown): void {
  if (!(out instanceof Float32Array)) {
    throw new ConfigError(`${where}: out must be a Float32Array, got ${describe(out)}.`);
  }
}

function checkRng(where: string, rng: unknown): void {
  if (
    typeof rng !== 'object' ||
    rng === null ||
    typeof (rng as Rng).uniform !== 'function' ||
    typeof (rng as Rng).normal !== 'function'
  ) {
    throw new ConfigError(`${where}: rng must be an Rng from createRng(seed), got ${describe(rng)}.`);
  }
}
