/**
 * Module-level reverse-mode composition. A {@link Tape} records one backward closure per module
 * call (never per scalar) and owns one gradient buffer per tensor that flows through it.
 * Backward closures read the gradient of their outputs and **accumulate** into the gradient of
 * their inputs and parameters, so fan-out (a tensor used twice) is correct by construction.
 *
 * ```ts
 * const tape = new Tape();
 * const e = embedding.forward(ids, tape);               // [T, B, E]
 * const { output } = lstm.forward(e, { lengths, tape }); // [T, B, H]
 * const last = lastStep(output, lengths, tape);          // [B, H]
 * const logits = head.forward(last, tape);              // [B, C]
 * const loss = crossEntropy(logits, labels, { tape });  // seeds d(logits)
 * tape.backward();                                      // parameter grads accumulated
 * ```
 * @module
 */
import { StateError } from '../errors.js';
import { allocFloat32 } from '../kernel/alloc.js';
import type { Tensor } from '../tensor.js';

/**
 * Records backward closures during a training forward pass and runs them in reverse.
 * @example
 * ```ts
 * const tape = new Tape();
 * const y = linear.forward(x, tape);
 * tape.grad(y).fill(1);   // seed dL/dy by hand (a loss function does this for you)
 * tape.backward();
 * console.log(tape.grad(x)); // dL/dx
 * ```
 * @category Layers
 */
export class Tape {
  private readonly steps: (() => void)[] = [];
  private readonly grads = new Map<Tensor, Float32Array>();
  private done = false;

  /**
   * Records a backward closure; closures run in reverse order of recording.
   * @param backward - reads output gradients and accumulates input and parameter gradients.
   */
  push(backward: () => void): void {
    if (this.done) throw new StateError('Tape.push: this tape has already run backward; call reset() before reusing it.');
    this.steps.push(backward);
  }

  /**
   * The gradient buffer of `t` (same length as `t.data`), created zero-filled on first use.
   * @param t - a tensor produced or consumed on this tape.
   * @returns the live gradient buffer.
   */
  grad(t: Tensor): Float32Array {
    let g = this.grads.get(t);
    if (!g) {
      g = allocFloat32(t.data.length);
      this.grads.set(t, g);
    }
    return g;
  }

  /**
   * True when a gradient buffer exists for `t` (something wrote or asked for it).
   * @param t - the tensor.
   * @returns whether `t` has a gradient buffer.
   */
  hasGrad(t: Tensor): boolean {
    return this.grads.has(t);
  }

  /**
   * Number of recorded backward closures.
   * @returns the count.
   */
  get length(): number {
    return this.steps.length;
  }

  /**
   * Runs every recorded closure in reverse order, once.
   * @throws StateError when called twice without {@link Tape.reset}.
   */
  backward(): void {
    if (this.done) throw new StateError('Tape.backward: backward already ran on this tape; call reset() to record a new pass.');
    this.done = true;
    for (let i = this.steps.length - 1; i >= 0; i--) (this.steps[i] as () => void)();
  }

  /** Forgets every closure and gradient buffer so the tape can record a new pass. */
  reset(): void {
    this.steps.length = 0;
    this.grads.clear();
    this.done = false;
  }
}
