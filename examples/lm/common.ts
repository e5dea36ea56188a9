/**
 * Small helpers shared by the parts of the Moby Dick example (examples/lm.ts).
 */
import type { ManyToMany } from '../../src/index.js';

/** CPU + wall clock of a stage. */
export function stopwatch(): () => { seconds: number; cpuSeconds: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
  };
}

/** Number of trainable values of a model. */
export function countParams(model: ManyToMany): number {
  let n = 0;
  for (const p of model.parameters()) n += p.value.length;
  return n;
}

/** A share as a percentage with one decimal. */
export const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
