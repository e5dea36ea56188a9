/**
 * Small statistics for the sweep: quantiles, and the least-squares slope of log(time) against
 * log(T) (the scaling exponent: 1 means time per step grows linearly in T).
 * @module
 */
import type { Stats } from './types.js';

/** Linear-interpolated quantile q ∈ [0, 1] of an ascending array (R type 7, numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo] as number;
  return a + ((sorted[hi] as number) - a) * (pos - lo);
}

/** Median, quartiles and range of `xs`. */
export function summarize(xs: readonly number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  return {
    median: quantile(s, 0.5),
    p25: quantile(s, 0.25),
    p75: quantile(s, 0.75),
    min: s[0] ?? NaN,
    max: s[s.length - 1] ?? NaN,
  };
}

/** Least-squares fit y = a + k·x on (ln T, ln ms); needs two distinct T. */
export function logLogFit(points: readonly { readonly T: number; readonly ms: number }[]): { k: number; r2: number } | null {
  const ps = points.filter((p) => p.T > 0 && p.ms > 0);
  if (new Set(ps.map((p) => p.T)).size < 2) return null;
  const xs = ps.map((p) => Math.log(p.T));
  const ys = ps.map((p) => Math.log(p.ms));
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx, dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const k = sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { k, r2 };
}
