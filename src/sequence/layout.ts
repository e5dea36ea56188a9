/**
 * Batch-first ↔ time-major conversion, used only at the public boundary (`batchFirst: true`).
 * @module
 */

/**
 * out[t, b, :] ← x[b, t, :] (or the reverse, which is the same operation with T and B
 * swapped). `out` must not alias `x`.
 * @internal
 */
export function swapLeadingAxes(out: Float32Array, x: Float32Array, A: number, Bdim: number, F: number): Float32Array {
  // x is [A, Bdim, F]; out is [Bdim, A, F].
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < Bdim; b++) {
      const src = (a * Bdim + b) * F;
      const dst = (b * A + a) * F;
      for (let f = 0; f < F; f++) out[dst + f] = x[src + f] as number;
    }
  }
  return out;
}

/**
 * Accumulating variant: out[b, a, :] += x[a, b, :].
 * @internal
 */
export function addSwapLeadingAxes(out: Float32Array, x: Float32Array, A: number, Bdim: number, F: number): Float32Array {
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < Bdim; b++) {
      const src = (a * Bdim + b) * F;
      const dst = (b * A + a) * F;
      for (let f = 0; f < F; f++) out[dst + f] += x[src + f] as number;
    }
  }
  return out;
}
