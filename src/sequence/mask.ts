/**
 * Variable-length semantics, defined once (they match PyTorch packed sequences):
 * - step t of sequence b is valid when t < lengths[b];
 * - on a padded step the state is carried unchanged and the output is 0;
 * - the gradient w.r.t. a carried state passes straight through a padded step;
 * - the reverse direction starts at each sequence's own last valid step;
 * - hN holds each sequence's state at its own length (forward) or at step 0 (reverse).
 * @module
 */
import { ShapeError } from '../errors.js';
import { allocInt32 } from '../kernel/alloc.js';

/**
 * Validates `lengths` (B integers in [1, T]) and returns them as an Int32Array, or null when
 * every sequence is full length (which takes the mask-free fast path).
 * @internal
 */
export function resolveLengths(where: string, lengths: ArrayLike<number> | undefined, T: number, B: number): Int32Array | null {
  if (lengths === undefined) return null;
  if (typeof lengths !== 'object' || lengths === null || typeof lengths.length !== 'number') {
    throw new ShapeError(`${where}: lengths must be an array or Int32Array of B=${B} integers.`);
  }
  if (lengths.length !== B) {
    throw new ShapeError(`${where}: lengths has ${lengths.length} entries, expected one per batch element (B=${B}).`);
  }
  const out = allocInt32(B);
  let full = true;
  for (let b = 0; b < B; b++) {
    const v = lengths[b] as number;
    if (!Number.isInteger(v) || v < 1 || v > T) {
      throw new ShapeError(
        `${where}: lengths[${b}] = ${v} is out of range; every length must be an integer in [1, T=${T}].` +
          (v > T ? ' Is the input batch-first ([B, T, I]) without batchFirst: true?' : ''),
      );
    }
    out[b] = v;
    if (v !== T) full = false;
  }
  return full ? null : out;
}

/**
 * Carries the previous state into rows whose step `t` is padding: dst[b] ← prev[b] when
 * t ≥ lengths[b].
 * @internal
 */
export function carryPadded(dst: Float32Array, prev: Float32Array, lengths: Int32Array, t: number, B: number, H: number): void {
  for (let b = 0; b < B; b++) {
    if (t >= (lengths[b] as number)) {
      const o = b * H;
      for (let j = 0; j < H; j++) dst[o + j] = prev[o + j] as number;
    }
  }
}
