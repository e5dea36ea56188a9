/**
 * The single allocator for every internal buffer (parameters, gradients, workspaces, caches).
 *
 * Everything rnnkit keeps goes through these functions, so a later backend (WebAssembly SIMD)
 * can place all buffers in one `WebAssembly.Memory` and run kernels zero-copy without any caller
 * changing. Buffers are always zero-filled.
 * @module
 */

/**
 * Allocates a zero-filled Float32Array of `n` elements.
 * @param n - element count (a non-negative integer).
 * @returns a fresh zero-filled buffer.
 * @example
 * ```ts
 * const h = allocFloat32(batch * hiddenSize);
 * ```
 * @category Kernel
 */
export function allocFloat32(n: number): Float32Array {
  allocated++;
  return new Float32Array(n);
}

/**
 * Allocates a zero-filled Int32Array of `n` elements (token ids, lengths, indices).
 * @param n - element count (a non-negative integer).
 * @returns a fresh zero-filled buffer.
 * @example
 * ```ts
 * const ids = allocInt32(T * B);
 * ```
 * @category Kernel
 */
export function allocInt32(n: number): Int32Array {
  allocated++;
  return new Int32Array(n);
}

let allocated = 0;

/**
 * Number of buffers created through this allocator so far (for allocation tests and
 * diagnostics: a loop that allocates shows up as a count that grows with T).
 * @returns the running count.
 * @example
 * ```ts
 * const before = allocationCount(); lstm.forward(x); console.log(allocationCount() - before);
 * ```
 * @category Kernel
 */
export function allocationCount(): number {
  return allocated;
}
