/**
 * Elementwise kernels over the first `n` elements of Float32Arrays. All are alias-safe: `out`
 * may be the same array as any input (each element is read before it is written).
 * @module
 */

/**
 * out[i] ← a[i] + b[i] for i < n. Alias-safe. @returns out
 * @param out - destination (length ≥ n). @param a - left operand. @param b - right operand.
 * @param n - element count.
 * @example
 * ```ts
 * add(out, a, b, a.length);
 * ```
 * @category Kernel
 */
export function add(out: Float32Array, a: Float32Array, b: Float32Array, n: number): Float32Array {
  for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
  return out;
}

/**
 * out[i] ← a[i] − b[i] for i < n. Alias-safe. @returns out
 * @param out - destination. @param a - left operand. @param b - right operand. @param n - element count.
 * @example
 * ```ts
 * sub(out, a, b, n);
 * ```
 * @category Kernel
 */
export function sub(out: Float32Array, a: Float32Array, b: Float32Array, n: number): Float32Array {
  for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
  return out;
}

/**
 * Hadamard product: out[i] ← a[i] · b[i] for i < n. Alias-safe. @returns out
 * @param out - destination. @param a - left operand. @param b - right operand. @param n - element count.
 * @example
 * ```ts
 * mul(out, gate, value, n);
 * ```
 * @category Kernel
 */
export function mul(out: Float32Array, a: Float32Array, b: Float32Array, n: number): Float32Array {
  for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
  return out;
}

/**
 * out[i] ← s · a[i] for i < n. Alias-safe. @returns out
 * @param out - destination. @param a - source. @param s - scalar. @param n - element count.
 * @example
 * ```ts
 * scale(grads, grads, 0.5, grads.length);
 * ```
 * @category Kernel
 */
export function scale(out: Float32Array, a: Float32Array, s: number, n: number): Float32Array {
  for (let i = 0; i < n; i++) out[i] = s * a[i];
  return out;
}

/**
 * y[i] ← y[i] + alpha · x[i] for i < n (BLAS axpy). Alias-safe. @returns y
 * @param y - accumulator, updated in place. @param alpha - scalar. @param x - source. @param n - element count.
 * @example
 * ```ts
 * axpy(values, -lr, grads, values.length); // plain SGD step
 * ```
 * @category Kernel
 */
export function axpy(y: Float32Array, alpha: number, x: Float32Array, n: number): Float32Array {
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
  return y;
}

/**
 * Broadcast-adds a bias row to every row: out[r, j] ← out[r, j] + bias[j], for a row-major
 * `[rows, cols]` matrix. @returns out
 * @param out - matrix `[rows, cols]`, updated in place. @param bias - `[cols]`.
 * @param rows - row count. @param cols - column count.
 * @example
 * ```ts
 * addBiasRows(y, linearBias, batch, outFeatures);
 * ```
 * @category Kernel
 */
export function addBiasRows(out: Float32Array, bias: Float32Array, rows: number, cols: number): Float32Array {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) out[o + j] += bias[j];
  }
  return out;
}

/**
 * out[i] ← value for i < n. @returns out
 * @param out - destination. @param value - fill value. @param n - element count.
 * @example
 * ```ts
 * fill(grads, 0, grads.length);
 * ```
 * @category Kernel
 */
export function fill(out: Float32Array, value: number, n: number): Float32Array {
  out.fill(value, 0, n);
  return out;
}

/**
 * out[i] ← a[i] for i < n. Alias-safe (same array is a no-op). @returns out
 * @param out - destination. @param a - source. @param n - element count.
 * @example
 * ```ts
 * copy(hPrev, h, B * H);
 * ```
 * @category Kernel
 */
export function copy(out: Float32Array, a: Float32Array, n: number): Float32Array {
  if (out !== a) {
    for (let i = 0; i < n; i++) out[i] = a[i];
  }
  return out;
}
