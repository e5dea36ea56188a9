/**
 * Gradient clipping, the standard answer to exploding gradients in RNNs (PyTorch's
 * `clip_grad_norm_` and `clip_grad_value_`). Norms are taken over all gradients together, as if
 * they were one vector, and accumulated in float64.
 * @module
 */
import { ConfigError } from '../errors.js';
import type { Module, Parameter } from '../layers/param-store.js';
import { describe } from '../shapes.js';

/**
 * The total p-norm of every gradient, taken as one vector: (Σ |g|ᵖ)^(1/p), or max |g| for
 * p = Infinity. Accumulates in float64. NaN anywhere gives NaN.
 * @param params - the parameters (or a module) whose `grad` buffers are measured.
 * @param normType - p, a positive number or `Infinity`.
 * @returns the norm (0 when there are no gradients).
 * @throws ConfigError when `normType` is not a positive number.
 * @example
 * ```ts
 * const norm = gradNorm(model);
 * if (!Number.isFinite(norm)) throw new Error('gradient overflow');
 * ```
 * @category Training
 */
export function gradNorm(params: readonly Parameter[] | Module, normType: number = 2): number {
  const list = paramList('gradNorm', params);
  checkNormType('gradNorm', normType);
  return totalNorm(list, normType);
}

/**
 * Rescales all gradients together so that their total norm is at most `maxNorm`, with PyTorch's
 * `clip_grad_norm_` semantics: scale = maxNorm / (total + 1e-6), applied only when scale < 1.
 *
 * When the total norm is NaN or infinite the gradients are left untouched (PyTorch would turn
 * them into NaN), so a non-finite guard can still find the offending parameter.
 * @param params - the parameters (or a module) whose `grad` buffers are clipped in place.
 * @param maxNorm - the largest allowed total norm (≥ 0; `Infinity` never clips).
 * @param normType - p of the p-norm, a positive number or `Infinity`.
 * @returns the total norm before clipping.
 * @throws ConfigError when `maxNorm` is negative or not a number, or `normType` is not positive.
 * @example
 * ```ts
 * model.backward(dy);
 * const before = clipGradNorm(model, 1.0);
 * opt.step();
 * ```
 * @category Training
 */
export function clipGradNorm(params: readonly Parameter[] | Module, maxNorm: number, normType: number = 2): number {
  const list = paramList('clipGradNorm', params);
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm < 0) {
    throw new ConfigError(`clipGradNorm: maxNorm must be a number >= 0, got ${describe(maxNorm)}.`);
  }
  checkNormType('clipGradNorm', normType);
  const total = totalNorm(list, normType);
  if (!Number.isFinite(total)) return total;
  const scale = maxNorm / (total + 1e-6);
  if (scale < 1) {
    for (let k = 0; k < list.length; k++) {
      const g = list[k].grad;
      for (let i = 0; i < g.length; i++) g[i] = g[i] * scale;
    }
  }
  return total;
}

/**
 * Clamps every gradient element to [−clipValue, clipValue] in place (PyTorch's
 * `clip_grad_value_`). NaN stays NaN.
 * @param params - the parameters (or a module) whose `grad` buffers are clamped.
 * @param clipValue - the bound (≥ 0; `Infinity` never clamps).
 * @throws ConfigError when `clipValue` is negative or not a number.
 * @example
 * ```ts
 * clipGradValue(model, 5);
 * ```
 * @category Training
 */
export function clipGradValue(params: readonly Parameter[] | Module, clipValue: number): void {
  const list = paramList('clipGradValue', params);
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue) || clipValue < 0) {
    throw new ConfigError(`clipGradValue: clipValue must be a number >= 0, got ${describe(clipValue)}.`);
  }
  const lo = -clipValue;
  for (let k = 0; k < list.length; k++) {
    const g = list[k].grad;
    for (let i = 0; i < g.length; i++) {
      const v = g[i];
      if (v > clipValue) g[i] = clipValue;
      else if (v < lo) g[i] = lo;
    }
  }
}

/** @internal */
function paramList(where: string, params: readonly Parameter[] | Module): readonly Parameter[] {
  if (Array.isArray(params)) return params as readonly Parameter[];
  if (typeof params === 'object' && params !== null && typeof (params as Partial<Module>).parameters === 'function') {
    return (params as Module).parameters();
  }
  throw new ConfigError(`${where}: params must be a Parameter[] or a Module, got ${describe(params)}.`);
}

/** @internal */
function checkNormType(where: string, normType: number): void {
  if (typeof normType !== 'number' || Number.isNaN(normType) || normType <= 0) {
    throw new ConfigError(`${where}: normType must be a positive number or Infinity, got ${describe(normType)}.`);
  }
}

/** @internal */
function totalNorm(list: readonly Parameter[], p: number): number {
  if (p === Infinity) {
    let max = 0;
    for (let k = 0; k < list.length; k++) {
      const g = list[k].grad;
      for (let i = 0; i < g.length; i++) {
        const a = Math.abs(g[i]);
        if (a > max) max = a;
        else if (a !== a) return NaN; // NaN: the norm is undefined, as in PyTorch
      }
    }
    return max;
  }
  let acc = 0;
  if (p === 2) {
    for (let k = 0; k < list.length; k++) {
      const g = list[k].grad;
      for (let i = 0; i < g.length; i++) acc += g[i] * g[i];
    }
    return Math.sqrt(acc);
  }
  if (p === 1) {
    for (let k = 0; k < list.length; k++) {
      const g = list[k].grad;
      for (let i = 0; i < g.length; i++) acc += Math.abs(g[i]);
    }
    return acc;
  }
  for (let k = 0; k < list.length; k++) {
    const g = list[k].grad;
    for (let i = 0; i < g.length; i++) acc += Math.pow(Math.abs(g[i]), p);
  }
  return Math.pow(acc, 1 / p);
}
