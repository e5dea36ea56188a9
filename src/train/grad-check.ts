/**
 * Gradient checking by central finite differences, for any composition with a hand-written
 * backward pass.
 * @module
 */
import { ConfigError } from '../errors.js';

/**
 * A tensor to check: its values are perturbed, its gradient buffer is compared.
 * Any {@link Parameter} fits, and so does `{ name: 'x', value: x.data, grad: tape.grad(x) }`.
 * @category Training
 */
export interface GradCheckTarget {
  /** Name used in the report. */
  readonly name: string;
  /** Values to perturb in place (restored afterwards). */
  readonly value: Float32Array;
  /** Analytic gradient, filled by `backward`. */
  readonly grad: Float32Array;
}

/**
 * Options of {@link gradCheck}.
 * @category Training
 */
export interface GradCheckOptions {
  /** The tensors whose gradients are checked. */
  readonly targets: readonly GradCheckTarget[];
  /** Runs the forward pass at the current values and returns the scalar loss. */
  readonly loss: () => number;
  /** Zeroes the gradient buffers, then runs forward + backward so that `grad`s hold dLoss/dvalue. */
  readonly backward: () => void;
  /**
   * Finite-difference step.
   * @defaultValue 1e-3
   */
  readonly eps?: number;
  /**
   * Absolute tolerance used for `ok`.
   * @defaultValue 1e-3
   */
  readonly atol?: number;
  /**
   * Relative tolerance used for `ok`.
   * @defaultValue 1e-2
   */
  readonly rtol?: number;
}

/**
 * The worst disagreement found by {@link gradCheck}.
 * @category Training
 */
export interface GradCheckResult {
  /** Largest |analytic − numeric| over every checked element. */
  readonly maxAbsError: number;
  /** Largest |analytic − numeric| / max(|analytic|, |numeric|, 1e-8) over elements above atol. */
  readonly maxRelError: number;
  /** Where the largest excess over the tolerance occurred (or the largest absolute error). */
  readonly worst: { readonly name: string; readonly index: number; readonly analytic: number; readonly numeric: number };
  /** Number of elements checked. */
  readonly checked: number;
  /** True when every element satisfies |a − n| ≤ atol + rtol · max(|a|, |n|). */
  readonly ok: boolean;
}

/**
 * Compares analytic gradients with central finite differences, element by element:
 * numeric = (L(v + ε) − L(v − ε)) / 2ε. Values are restored exactly afterwards.
 *
 * Use small shapes: the cost is two forward passes per element.
 * @param opts - targets, loss, backward, eps and tolerances.
 * @returns the worst absolute and relative errors and where they occurred.
 * @throws ConfigError when a target's value and grad lengths differ or eps is not positive.
 * @example
 * Property-test your own composition with fast-check:
 * ```ts
 * import { test, fc } from '@fast-check/vitest';
 * test.prop([fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 1000 })])('my layer', (B, seed) => {
 *   const cell = new GRUCell({ inputSize: 3, hiddenSize: 4, seed });
 *   const x = randomTensor([B, 3], seed), h = randomTensor([B, 4], seed + 1), w = randomTensor([B, 4], seed + 2);
 *   const cache = cell.createCache(B);
 *   const loss = () => dot(cell.step(x, { h }).h.data, w.data, B * 4);
 *   const r = gradCheck({
 *     targets: cell.parameters(),
 *     loss,
 *     backward: () => { cell.zeroGrad(); cell.stepTrain(x, { h }, cache); cell.backward({ h: w }, cache); },
 *   });
 *   expect(r.ok).toBe(true);
 * });
 * ```
 * @category Training
 */
export function gradCheck(opts: GradCheckOptions): GradCheckResult {
  const eps = opts.eps ?? 1e-3;
  const atol = opts.atol ?? 1e-3;
  const rtol = opts.rtol ?? 1e-2;
  if (!(eps > 0)) throw new ConfigError(`gradCheck: eps must be positive, got ${eps}.`);
  for (const t of opts.targets) {
    if (t.value.length !== t.grad.length) {
      throw new ConfigError(`gradCheck: target "${t.name}" has ${t.value.length} values but ${t.grad.length} gradients.`);
    }
  }
  opts.backward();
  const analytic = opts.targets.map((t) => Float64Array.from(t.grad));
  let maxAbs = 0;
  let maxRel = 0;
  let worstExcess = -Infinity;
  let worst = { name: '', index: -1, analytic: 0, numeric: 0 };
  let checked = 0;
  let ok = true;
  opts.targets.forEach((t, ti) => {
    const v = t.value;
    const a = analytic[ti] as Float64Array;
    for (let i = 0; i < v.length; i++) {
      const orig = v[i] as number;
      v[i] = orig + eps;
      const up = v[i] as number; // the float32 value actually used
      const lp = opts.loss();
      v[i] = orig - eps;
      const down = v[i] as number;
      const lm = opts.loss();
      v[i] = orig;
      const numeric = (lp - lm) / (up - down);
      const an = a[i] as number;
      const err = Math.abs(an - numeric);
      const scale = Math.max(Math.abs(an), Math.abs(numeric));
      const tol = atol + rtol * scale;
      checked++;
      if (err > maxAbs) maxAbs = err;
      if (err > atol) maxRel = Math.max(maxRel, err / Math.max(scale, 1e-8));
      if (!(err <= tol)) ok = false;
      const excess = err - tol;
      if (excess > worstExcess || Number.isNaN(err)) {
        worstExcess = Number.isNaN(err) ? Infinity : excess;
        worst = { name: t.name, index: i, analytic: an, numeric };
      }
    }
  });
  return { maxAbsError: maxAbs, maxRelError: maxRel, worst, checked, ok };
}
