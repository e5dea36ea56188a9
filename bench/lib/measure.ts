/**
 * Times one point: a first run (which also decides whether the point is too slow), warm-up
 * until `warmupMs` has passed since the first run began, then samples. A sample repeats a fast step until it lasts `minSampleMs`, so
 * that sub-millisecond steps are not lost in timer and scheduling noise. Wall and process CPU
 * time are both recorded for every sample.
 * @module
 */
import type { Runner } from '../impl/impl.js';
import type { Sample, Timing } from './types.js';

const SLOW_STEP_MS = 500;

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs `n` steps and returns the per-step times. */
function timeSteps(r: Runner, n: number): Sample {
  const w0 = performance.now(), c0 = cpuNow();
  for (let i = 0; i < n; i++) r.step();
  const c1 = cpuNow(), w1 = performance.now();
  return { wallMs: (w1 - w0) / n, cpuMs: (c1 - c0) / n };
}

export type Measured =
  | { readonly status: 'ok'; readonly inner: number; readonly warmupRuns: number; readonly samples: Sample[] }
  | { readonly status: 'skipped'; readonly note: string; readonly samples: Sample[] };

/**
 * @param r - the prepared runner.
 * @param timing - the harness settings.
 * @returns the samples, or a skip when the first step exceeded `timing.maxRunMs`.
 */
export function measure(r: Runner, timing: Timing): Measured {
  const pick = (s: Sample): number => (timing.clock === 'cpu' ? s.cpuMs : s.wallMs);
  const w0 = performance.now();
  const first = timeSteps(r, 1);
  if (pick(first) > timing.maxRunMs) {
    return { status: 'skipped', note: `skipped (too slow): one step took ${(pick(first) / 1000).toFixed(1)} s > ${timing.maxRunMs / 1000} s`, samples: [first] };
  }
  let warmupRuns = 1;
  let est = pick(first);
  // The first run counts towards the warm-up: a step of seconds needs no second warm-up step.
  while (performance.now() - w0 < timing.warmupMs && warmupRuns < 1000) {
    est = pick(timeSteps(r, 1));
    warmupRuns++;
  }
  const inner = Math.max(1, Math.ceil(timing.minSampleMs / Math.max(est, 1e-3)));
  // Steps of over half a second (slow peers, large T) get at least 3 samples rather than 5, or a
  // full run on a busy 2-core machine takes hours.
  const minReps = est > SLOW_STEP_MS ? Math.min(3, timing.minReps) : timing.minReps;
  const reps = Math.min(timing.maxReps, Math.max(minReps, Math.ceil(timing.targetMs / (est * inner))));
  const samples: Sample[] = [];
  for (let i = 0; i < reps; i++) samples.push(timeSteps(r, inner));
  return { status: 'ok', inner, warmupRuns, samples };
}
