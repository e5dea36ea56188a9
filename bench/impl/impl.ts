/**
 * What every implementation under test provides: build a model for one point, then run one
 * step (inference forward, or forward + BPTT + SGD update) as often as the harness asks.
 * @module
 */
import type { CellType, ImplName, Mode } from '../lib/types.js';

/** One point of the sweep. */
export interface Point {
  readonly cell: CellType;
  readonly mode: Mode;
  readonly T: number;
  readonly B: number;
  readonly I: number;
  readonly H: number;
}

/** A built model bound to its input, ready to time. */
export interface Runner {
  /** One inference forward or one training step over the whole [T, B, I] input. */
  step(): void;
  /** Frees what the model holds outside the JS heap (tensors, wasm memory). */
  dispose(): void;
}

/** An implementation under test. */
export interface Impl {
  readonly name: ImplName;
  /** Version of the package that was loaded. */
  readonly version: string;
  /** How the work is mapped onto this implementation (printed in the report's notes). */
  readonly detail: string;
  /**
   * @param p - the point.
   * @param x - `[T, B, I]` time-major input, identical for every implementation.
   */
  prepare(p: Point, x: Float32Array): Runner;
}

/** Learning rate of the SGD update in every training step (its value does not affect timing). */
export const LR = 0.01;
