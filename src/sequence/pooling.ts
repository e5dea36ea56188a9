/**
 * Many-to-one reducers: turn a time-major sequence output `[T, B, F]` into one row per sequence
 * `[B, F]`, respecting each sequence's length L_b (steps t ≥ L_b are padding and never read):
 *
 * | function                | y[b, f]                                                   | backward (accumulates into d output)      |
 * | ----------------------- | --------------------------------------------------------- | ----------------------------------------- |
 * | `lastStep`              | x[L_b − 1, b, f]                                          | dx[L_b − 1, b, f] += dy[b, f]             |
 * | `meanPool`              | (1/L_b) Σ_{t<L_b} x[t, b, f]                              | dx[t, b, f] += dy[b, f] / L_b for t < L_b |
 * | `maxPool`               | max_{t<L_b} x[t, b, f] (first maximum on ties)            | dx[argmax, b, f] += dy[b, f]              |
 * | `lastStepBidirectional` | [x[L_b − 1, b, :H] ‖ x[0, b, H:]]                         | the same two scatters                     |
 *
 * Lengths follow the semantics of `mask.ts` (B integers in [1, T]; omitted means all T).
 * @module
 */
import { ShapeError } from '../errors.js';
import { allocFloat32, allocInt32 } from '../kernel/alloc.js';
import type { Tape } from '../layers/tape.js';
import { checkPositiveInt, fmtShape, shapeMessage } from '../shapes.js';
import { checkTensor, type Tensor } from '../tensor.js';
import { resolveLengths } from './mask.js';

/** @internal Validated dimensions and lengths (a full Int32Array even when every length is T). */
interface Pooled {
  readonly T: number;
  readonly B: number;
  readonly F: number;
  readonly len: Int32Array; // [B]
}

function checkSequence(where: string, output: Tensor, lengths: ArrayLike<number> | undefined): Pooled {
  checkTensor(where, 'output', output);
  if (output.shape.length !== 3) {
    throw new ShapeError(
      shapeMessage(
        where,
        'output has the wrong shape',
        '[T, B, F]',
        fmtShape(output.shape),
        output.shape.length === 2 ? 'This is already one row per sequence; pooling needs the whole time-major sequence output.' : 'Pass the time-major sequence output of an RNN / LSTM / GRU.',
      ),
    );
  }
  const [T, B, F] = output.shape as [number, number, number];
  if (T < 1) {
    throw new ShapeError(shapeMessage(where, 'output has no time steps', '[T≥1, B, F]', fmtShape(output.shape, ['T', 'B', 'F']), 'Every sequence needs at least one step.'));
  }
  const resolved = resolveLengths(where, lengths, T, B);
  let len = resolved;
  if (len === null) {
    len = allocInt32(B);
    len.fill(T);
  }
  return { T, B, F, len };
}

/**
 * The output at each sequence's last valid step, `y[b] = output[lengths[b] − 1, b]`: the usual
 * many-to-one summary of a unidirectional RNN (for a bidirectional one see
 * {@link lastStepBidirectional}).
 * @param output - `[T, B, F]` time-major sequence output.
 * @param lengths - `[B]` lengths in [1, T] (an array or Int32Array); omitted means every sequence has T steps.
 * @param tape - records the backward pass when given.
 * @returns a new tensor `[B, F]`.
 * @throws ShapeError when `output` is not `[T, B, F]` with T ≥ 1 or a length is out of range.
 * @example
 * ```ts
 * const { output } = lstm.forward(x, { lengths, tape }); // [T, B, H]
 * const summary = lastStep(output, lengths, tape);       // [B, H]
 * ```
 * @category Sequence
 */
export function lastStep(output: Tensor, lengths?: ArrayLike<number>, tape?: Tape): Tensor {
  const { B, F, len } = checkSequence('lastStep', output, lengths);
  const x = output.data;
  const y: Tensor = { shape: [B, F], data: allocFloat32(B * F) };
  const yd = y.data;
  for (let b = 0; b < B; b++) {
    const src = (((len[b] as number) - 1) * B + b) * F, dst = b * F;
    for (let f = 0; f < F; f++) yd[dst + f] = x[src + f] as number;
  }
  if (tape) {
    tape.push(() => {
      const dy = tape.grad(y), dx = tape.grad(output);
      for (let b = 0; b < B; b++) {
        const dst = (((len[b] as number) - 1) * B + b) * F, src = b * F;
        for (let f = 0; f < F; f++) dx[dst + f] += dy[src + f] as number;
      }
    });
  }
  return y;
}

/**
 * The mean over each sequence's valid steps, `y[b] = (1/L_b) Σ_{t<L_b} output[t, b]`.
 * @param output - `[T, B, F]` time-major sequence output.
 * @param lengths - `[B]` lengths in [1, T] (an array or Int32Array); omitted means every sequence has T steps.
 * @param tape - records the backward pass when given.
 * @returns a new tensor `[B, F]`.
 * @throws ShapeError when `output` is not `[T, B, F]` with T ≥ 1 or a length is out of range.
 * @example
 * ```ts
 * const pooled = meanPool(output, lengths, tape); // [B, H]
 * ```
 * @category Sequence
 */
export function meanPool(output: Tensor, lengths?: ArrayLike<number>, tape?: Tape): Tensor {
  const { B, F, len } = checkSequence('meanPool', output, lengths);
  const x = output.data;
  const y: Tensor = { shape: [B, F], data: allocFloat32(B * F) };
  const yd = y.data;
  const BF = B * F;
  for (let b = 0; b < B; b++) {
    const L = len[b] as number, dst = b * F, inv = 1 / L;
    for (let f = 0; f < F; f++) {
      let acc = 0;
      for (let t = 0, src = b * F + f; t < L; t++, src += BF) acc += x[src] as number;
      yd[dst + f] = acc * inv;
    }
  }
  if (tape) {
    tape.push(() => {
      const dy = tape.grad(y), dx = tape.grad(output);
      for (let b = 0; b < B; b++) {
        const L = len[b] as number, src = b * F, inv = 1 / L;
        for (let t = 0; t < L; t++) {
          const dst = (t * B + b) * F;
          for (let f = 0; f < F; f++) dx[dst + f] += (dy[src + f] as number) * inv;
        }
      }
    });
  }
  return y;
}

/**
 * The elementwise maximum over each sequence's valid steps, `y[b, f] = max_{t<L_b} output[t, b, f]`.
 * The gradient goes to the step that attained the maximum (the first one on ties).
 * @param output - `[T, B, F]` time-major sequence output.
 * @param lengths - `[B]` lengths in [1, T] (an array or Int32Array); omitted means every sequence has T steps.
 * @param tape - records the backward pass when given.
 * @returns a new tensor `[B, F]`.
 * @throws ShapeError when `output` is not `[T, B, F]` with T ≥ 1 or a length is out of range.
 * @example
 * ```ts
 * const pooled = maxPool(output, lengths, tape); // [B, H]
 * ```
 * @category Sequence
 */
export function maxPool(output: Tensor, lengths?: ArrayLike<number>, tape?: Tape): Tensor {
  const { B, F, len } = checkSequence('maxPool', output, lengths);
  const x = output.data;
  const y: Tensor = { shape: [B, F], data: allocFloat32(B * F) };
  const yd = y.data;
  const arg = tape ? allocInt32(B * F) : null; // [B, F] flat index into output of each maximum
  const BF = B * F;
  for (let b = 0; b < B; b++) {
    const L = len[b] as number, dst = b * F;
    for (let f = 0; f < F; f++) {
      let src = b * F + f;
      let best = x[src] as number, at = src;
      for (let t = 1; t < L; t++) {
        src += BF;
        const v = x[src] as number;
        if (v > best) {
          best = v;
          at = src;
        }
      }
      yd[dst + f] = best;
      if (arg) arg[dst + f] = at;
    }
  }
  if (tape && arg) {
    tape.push(() => {
      const dy = tape.grad(y), dx = tape.grad(output);
      for (let i = 0; i < BF; i++) dx[arg[i] as number] += dy[i] as number;
    });
  }
  return y;
}

/**
 * The final states of both directions of a bidirectional output `[T, B, 2H]` (forward half
 * first, as PyTorch lays it out): the forward direction finishes at step L_b − 1, the reverse
 * direction at step 0, so `y[b] = [output[L_b − 1, b, :H] ‖ output[0, b, H:]]`. This equals
 * PyTorch's `cat(h_n[-2], h_n[-1])` for the last layer.
 * @param output - `[T, B, 2H]` time-major output of a bidirectional RNN / LSTM / GRU.
 * @param lengths - `[B]` lengths in [1, T], or undefined when every sequence has T steps.
 * @param hiddenSize - H, half the feature size.
 * @param tape - records the backward pass when given.
 * @returns a new tensor `[B, 2H]`.
 * @throws ShapeError when `output` is not `[T, B, 2H]` with T ≥ 1 or a length is out of range;
 *   ConfigError when hiddenSize is not a positive integer.
 * @example
 * ```ts
 * const { output } = gru.forward(x, { lengths, tape });             // [T, B, 2H]
 * const summary = lastStepBidirectional(output, lengths, H, tape);  // [B, 2H]
 * ```
 * @category Sequence
 */
export function lastStepBidirectional(output: Tensor, lengths: ArrayLike<number> | undefined, hiddenSize: number, tape?: Tape): Tensor {
  const where = 'lastStepBidirectional';
  const H = checkPositiveInt(where, 'hiddenSize', hiddenSize);
  const { B, F, len } = checkSequence(where, output, lengths);
  if (F !== 2 * H) {
    throw new ShapeError(
      shapeMessage(
        where,
        'output has the wrong shape',
        `[T, B, 2H=${2 * H}]`,
        fmtShape(output.shape, ['T', 'B', 'F']),
        F === H ? 'This looks like a unidirectional output; use lastStep.' : 'hiddenSize must be the per-direction hidden size H.',
      ),
    );
  }
  const x = output.data;
  const y: Tensor = { shape: [B, F], data: allocFloat32(B * F) };
  const yd = y.data;
  for (let b = 0; b < B; b++) {
    const fwd = (((len[b] as number) - 1) * B + b) * F, rev = b * F + H, dst = b * F; // rev: step 0, reverse half
    for (let j = 0; j < H; j++) {
      yd[dst + j] = x[fwd + j] as number;
      yd[dst + H + j] = x[rev + j] as number;
    }
  }
  if (tape) {
    tape.push(() => {
      const dy = tape.grad(y), dx = tape.grad(output);
      for (let b = 0; b < B; b++) {
        const fwd = (((len[b] as number) - 1) * B + b) * F, rev = b * F + H, src = b * F;
        for (let j = 0; j < H; j++) {
          dx[fwd + j] += dy[src + j] as number;
          dx[rev + j] += dy[src + H + j] as number;
        }
      }
    });
  }
  return y;
}
