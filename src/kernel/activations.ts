/**
 * Activations and their backward passes. Forward functions are alias-safe (`out` may be `x`).
 * Backward functions take the saved *output* `y` (so the input need not be kept) and
 * **accumulate** into `dx` (`dx += f'(·)·dy`), following the house rule that callers zero.
 * @module
 */

/**
 * Logistic sigmoid σ(x) = 1 / (1 + e^(−x)), computed without overflow for large |x|. Alias-safe.
 * @param out - destination. @param x - input. @param n - element count.
 * @returns out
 * @example
 * ```ts
 * sigmoid(gates, gates, 4 * H);
 * ```
 * @category Kernel
 */
export function sigmoid(out: Float32Array, x: Float32Array, n: number): Float32Array {
  for (let i = 0; i < n; i++) out[i] = sigmoidScalar(x[i]);
  return out;
}

/**
 * Scalar sigmoid, stable for both signs.
 * @param x - input.
 * @returns σ(x)
 * @example
 * ```ts
 * sigmoidScalar(0); // 0.5
 * ```
 * @category Kernel
 */
export function sigmoidScalar(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * Sigmoid backward from the saved output: dx += y(1 − y)·dy. Alias-safe.
 * @param dx - gradient of the input, accumulated into. @param y - saved sigmoid output.
 * @param dy - upstream gradient. @param n - element count.
 * @returns dx
 * @example
 * ```ts
 * sigmoidBackward(dz, gate, dGate, n);
 * ```
 * @category Kernel
 */
export function sigmoidBackward(dx: Float32Array, y: Float32Array, dy: Float32Array, n: number): Float32Array {
  for (let i = 0; i < n; i++) {
    const v = y[i];
    dx[i] += v * (1 - v) * dy[i];
  }
  return dx;
}

/**
 * Hyperbolic tangent. Alias-safe.
 * @param out - destination. @param x - input. @param n - element count.
 * @returns out
 * @example
 * ```ts
 * tanh(h, h, B * H);
 * ```
 * @category Kernel
 */
export function tanh(out: Float32Array, x: Float32Array, n: number): Float32Array {
  for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
  return out;
}

/**
 * Tanh backward from the saved output: dx += (1 − y²)·dy. Alias-safe.
 * @param dx - accumulated into. @param y - saved tanh output. @param dy - upstream gradient.
 * @param n - element count.
 * @returns dx
 * @example
 * ```ts
 * tanhBackward(dPre, h, dh, n);
 * ```
 * @category Kernel
 */
export function tanhBackward(dx: Float32Array, y: Float32Array, dy: Float32Array, n: number): Float32Array {
  for (let i = 0; i < n; i++) {
    const v = y[i];
    dx[i] += (1 - v * v) * dy[i];
  }
  return dx;
}

/**
 * Rectified linear unit max(0, x). Alias-safe.
 * @param out - destination. @param x - input. @param n - element count.
 * @returns out
 * @example
 * ```ts
 * relu(h, h, n);
 * ```
 * @category Kernel
 */
export function relu(out: Float32Array, x: Float32Array, n: number): Float32Array {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    out[i] = v > 0 ? v : 0;
  }
  return out;
}

/**
 * ReLU backward from the saved output: dx += (y > 0 ? dy : 0). Alias-safe.
 * @param dx - accumulated into. @param y - saved ReLU output. @param dy - upstream gradient.
 * @param n - element count.
 * @returns dx
 * @example
 * ```ts
 * reluBackward(dPre, h, dh, n);
 * ```
 * @category Kernel
 */
export function reluBackward(dx: Float32Array, y: Float32Array, dy: Float32Array, n: number): Float32Array {
  for (let i = 0; i < n; i++) if (y[i] > 0) dx[i] += dy[i];
  return dx;
}

/**
 * Hard sigmoid (the Keras definition): clip(0.2·x + 0.5, 0, 1). Alias-safe. Only used when
 * named explicitly; the default gates use {@link sigmoid}.
 * @param out - destination. @param x - input. @param n - element count.
 * @returns out
 * @example
 * ```ts
 * hardSigmoid(g, g, n);
 * ```
 * @category Kernel
 */
export function hardSigmoid(out: Float32Array, x: Float32Array, n: number): Float32Array {
  for (let i = 0; i < n; i++) {
    const v = 0.2 * x[i] + 0.5;
    out[i] = v <= 0 ? 0 : v >= 1 ? 1 : v;
  }
  return out;
}

/**
 * Hard sigmoid backward from the saved output: dx += (0 < y < 1 ? 0.2·dy : 0). Alias-safe.
 * @param dx - accumulated into. @param y - saved output. @param dy - upstream gradient.
 * @param n - element count.
 * @returns dx
 * @example
 * ```ts
 * hardSigmoidBackward(dx, y, dy, n);
 * ```
 * @category Kernel
 */
export function hardSigmoidBackward(dx: Float32Array, y: Float32Array, dy: Float32Array, n: number): Float32Array {
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (v > 0 && v < 1) dx[i] += 0.2 * dy[i];
  }
  return dx;
}

/**
 * Row-wise softmax of a row-major `[rows, cols]` matrix, shifted by the row maximum for
 * stability. Alias-safe (`out` may be `x`).
 * @param out - destination `[rows, cols]`. @param x - logits `[rows, cols]`.
 * @param rows - row count. @param cols - column count.
 * @returns out
 * @example
 * ```ts
 * softmaxRows(probs, logits, B, V);
 * ```
 * @category Kernel
 */
export function softmaxRows(out: Float32Array, x: Float32Array, rows: number, cols: number): Float32Array {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (x[o + j] > max) max = x[o + j];
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(x[o + j] - max);
      out[o + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < cols; j++) out[o + j] *= inv;
  }
  return out;
}

/**
 * Row-wise log-softmax of a row-major `[rows, cols]` matrix: x − max − log Σ exp(x − max).
 * Alias-safe.
 * @param out - destination `[rows, cols]`. @param x - logits `[rows, cols]`.
 * @param rows - row count. @param cols - column count.
 * @returns out
 * @example
 * ```ts
 * logSoftmaxRows(logp, logits, B, V);
 * ```
 * @category Kernel
 */
export function logSoftmaxRows(out: Float32Array, x: Float32Array, rows: number, cols: number): Float32Array {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (x[o + j] > max) max = x[o + j];
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[o + j] - max);
    const shift = max + Math.log(sum);
    for (let j = 0; j < cols; j++) out[o + j] = x[o + j] - shift;
  }
  return out;
}
