/**
 * Reductions over Float32Arrays. Sums accumulate in a float64 local.
 * @module
 */

/**
 * Accumulates column sums of a row-major `[rows, cols]` matrix: out[j] ← out[j] + Σ_r a[r, j].
 * This is the bias gradient of a broadcast bias add. `out` must not alias `a`. @returns out
 * @param out - `[cols]`, accumulated into. @param a - `[rows, cols]`.
 * @param rows - row count. @param cols - column count.
 * @example
 * ```ts
 * addColumnSums(dBias, dGates, batch, 4 * hidden);
 * ```
 * @category Kernel
 */
export function addColumnSums(out: Float32Array, a: Float32Array, rows: number, cols: number): Float32Array {
  for (let j = 0; j < cols; j++) {
    let acc = 0;
    for (let r = 0; r < rows; r++) acc += a[r * cols + j];
    out[j] += acc;
  }
  return out;
}

/**
 * Dot product Σ a[i]·b[i] over i < n.
 * @param a - left. @param b - right. @param n - element count.
 * @returns the dot product (float64 accumulation).
 * @example
 * ```ts
 * const d = dot(a, b, a.length);
 * ```
 * @category Kernel
 */
export function dot(a: Float32Array, b: Float32Array, n: number): number {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += a[i] * b[i];
  return acc;
}

/**
 * Sum of squares Σ a[i]² over i < n.
 * @param a - source. @param n - element count.
 * @returns the sum of squares (float64 accumulation).
 * @example
 * ```ts
 * const norm = Math.sqrt(sumSquares(grads, grads.length));
 * ```
 * @category Kernel
 */
export function sumSquares(a: Float32Array, n: number): number {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += a[i] * a[i];
  return acc;
}

/**
 * Euclidean norm √(Σ a[i]²) over i < n.
 * @param a - source. @param n - element count.
 * @returns the L2 norm.
 * @example
 * ```ts
 * const n2 = l2Norm(v, v.length);
 * ```
 * @category Kernel
 */
export function l2Norm(a: Float32Array, n: number): number {
  return Math.sqrt(sumSquares(a, n));
}

/**
 * Largest absolute value over i < n (0 for n = 0; NaN if any element is NaN).
 * @param a - source. @param n - element count.
 * @returns max |a[i]|.
 * @example
 * ```ts
 * const m = maxAbs(grads, grads.length);
 * ```
 * @category Kernel
 */
export function maxAbs(a: Float32Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(a[i]);
    if (v > m || v !== v) m = v;
    if (m !== m) return m;
  }
  return m;
}

/**
 * Index of the first non-finite element (NaN or ±Infinity) among i < n, or −1 when all are finite.
 * @param a - source. @param n - element count.
 * @returns the first bad index, or −1.
 * @example
 * ```ts
 * if (firstNonFinite(grads, grads.length) >= 0) throw new Error('bad gradient');
 * ```
 * @category Kernel
 */
export function firstNonFinite(a: Float32Array, n: number): number {
  for (let i = 0; i < n; i++) {
    const v = a[i];
    if (v - v !== 0) return i; // NaN - NaN and Inf - Inf are NaN
  }
  return -1;
}

/**
 * True when every element among i < n is finite.
 * @param a - source. @param n - element count.
 * @returns whether all are finite.
 * @example
 * ```ts
 * allFinite(loss, 1);
 * ```
 * @category Kernel
 */
export function allFinite(a: Float32Array, n: number): boolean {
  return firstNonFinite(a, n) < 0;
}
