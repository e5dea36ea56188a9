/**
 * Small helpers shared by the parts of the Moby Dick example (examples/lm.ts).
 */
import type { ManyToMany } from '../../src/index.js';

export { stopwatch } from '../cli.js';

/** Number of trainable values of a model. */
export function countParams(model: ManyToMany): number {
  let n = 0;
  for (const p of model.parameters()) n += p.value.length;
  return n;
}

/** A share as a percentage with one decimal. */
export const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
