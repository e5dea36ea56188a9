/**
 * Command line → the list of series to measure and the timing settings.
 *
 * The default run is a grid over cells × modes × B × I × H × T plus the two standard
 * workloads of issue 7, merged where they coincide:
 *   W1: LSTM train, B=32, I=64, H=128, T ∈ {16, 64, 256}
 *   W2: LSTM infer, B=1, I=64, H=256, T ∈ {16, 128, 1024}
 * @module
 */
import { IMPLS, seriesId, type CellType, type Clock, type ImplName, type Mode, type Series, type Timing } from './types.js';

export interface Plan {
  readonly quick: boolean;
  readonly name: string;
  readonly series: readonly Series[];
  readonly impls: readonly ImplName[];
  readonly timing: Timing;
  /** One worker per (series, implementation) — or one per implementation in quick mode. */
  readonly isolate: boolean;
}

export const USAGE = `Sequence-length sweep of rnnkit against TensorFlow.js (cpu, wasm), brain.js and PyTorch.

  npm run bench [-- options]        full default sweep (several minutes)
  npm run bench -- --quick          tiny T, few repeats, well under a minute (CI)

Options (lists are comma-separated):
  --T 16,64,256,1024       sequence lengths of the grid
  --cells rnn,lstm,gru     cell types of the grid
  --modes infer,train      inference forward and/or one training step (forward + BPTT + SGD)
  --B 32  --I 64  --H 128  batch, input and hidden sizes of the grid (lists sweep them too)
  --impls rnnkit,tfjs-cpu,tfjs-wasm,brain,torch
  --no-grid                only the standard workloads W1 and W2
  --no-standard            only the grid
  --clock cpu|wall         judge samples by process CPU time (default) or wall time
  --max-run-s 30           skip a point when one step takes (or is predicted to take) longer
                           (default 30, or 5 with --quick)
  --min-reps N             minimum timed samples per point
  --name NAME              results go to bench/results/NAME.json and NAME.svg
                           (default: sweep, or quick with --quick)
  --help`;

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function ints(flag: string, v: string): number[] {
  return list(v).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new Error(`bench: ${flag} expects positive integers, got "${s}"`);
    return n;
  });
}

function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T[] {
  return list(v).map((s) => {
    if (!(allowed as readonly string[]).includes(s)) throw new Error(`bench: ${flag} expects one of ${allowed.join(', ')}, got "${s}"`);
    return s as T;
  });
}

/** Adds a series, merging it with an existing one of the same (cell, mode, B, I, H). */
function addSeries(out: Series[], s: Omit<Series, 'id' | 'Ts' | 'tags'>, Ts: readonly number[], tag: string | null): void {
  const id = seriesId(s);
  const tags: Record<number, string> = {};
  if (tag) for (const T of Ts) tags[T] = tag;
  const i = out.findIndex((o) => o.id === id);
  if (i < 0) {
    out.push({ ...s, id, Ts: [...new Set(Ts)].sort((a, b) => a - b), tags });
    return;
  }
  const o = out[i] as Series;
  out[i] = { ...o, Ts: [...new Set([...o.Ts, ...Ts])].sort((a, b) => a - b), tags: { ...o.tags, ...tags } };
}

/**
 * @param argv - the arguments after the script name.
 * @returns the plan, or `null` after printing the usage for --help.
 * @throws Error on an unknown flag or a bad value.
 */
export function parsePlan(argv: readonly string[]): Plan | null {
  const flags = new Map<string, string>();
  const bools = new Set<string>();
  const BOOL = ['--quick', '--no-grid', '--no-standard', '--help'];
  const VALUE = ['--T', '--cells', '--modes', '--B', '--I', '--H', '--impls', '--clock', '--max-run-s', '--min-reps', '--name'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(0, eq) : a;
    if (BOOL.includes(key)) bools.add(key);
    else if (VALUE.includes(key)) {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new Error(`bench: ${key} needs a value`);
      flags.set(key, v);
    } else throw new Error(`bench: unknown option "${a}". Run with --help for the options.`);
  }
  if (bools.has('--help')) {
    console.log(USAGE);
    return null;
  }
  const quick = bools.has('--quick');
  const get = (k: string, d: string): string => flags.get(k) ?? d;
  const Ts = ints('--T', get('--T', quick ? '4,8' : '16,64,256,1024'));
  const cells = oneOf<CellType>('--cells', get('--cells', quick ? 'rnn,gru' : 'rnn,lstm,gru'), ['rnn', 'lstm', 'gru']);
  const modes = oneOf<Mode>('--modes', get('--modes', 'infer,train'), ['infer', 'train']);
  const Bs = ints('--B', get('--B', quick ? '4' : '32'));
  const Is = ints('--I', get('--I', quick ? '16' : '64'));
  const Hs = ints('--H', get('--H', quick ? '32' : '128'));
  const impls = oneOf<ImplName>('--impls', get('--impls', IMPLS.join(',')), IMPLS);
  const clock = oneOf<Clock>('--clock', get('--clock', 'cpu'), ['cpu', 'wall'])[0] as Clock;
  const maxRunS = Number(get('--max-run-s', quick ? '5' : '30'));
  if (!(maxRunS > 0)) throw new Error(`bench: --max-run-s expects a positive number, got "${get('--max-run-s', '')}"`);

  const series: Series[] = [];
  if (!bools.has('--no-standard')) {
    // W1 and W2 at their issue-7 lengths; quick mode keeps their shapes at tiny T.
    addSeries(series, { cell: 'lstm', mode: 'train', B: 32, I: 64, H: 128 }, quick ? [2, 4] : [16, 64, 256], 'W1');
    addSeries(series, { cell: 'lstm', mode: 'infer', B: 1, I: 64, H: 256 }, quick ? [4, 8] : [16, 128, 1024], 'W2');
  }
  if (!bools.has('--no-grid')) {
    for (const cell of cells) for (const mode of modes) for (const B of Bs) for (const I of Is) for (const H of Hs) addSeries(series, { cell, mode, B, I, H }, Ts, null);
  }
  if (series.length === 0) throw new Error('bench: nothing to run (both --no-grid and --no-standard).');

  const timing: Timing = quick
    ? { warmupMs: 0, minReps: 2, maxReps: 2, targetMs: 20, minSampleMs: 2, maxRunMs: maxRunS * 1000, clock }
    : { warmupMs: 400, minReps: 5, maxReps: 25, targetMs: 2000, minSampleMs: 10, maxRunMs: maxRunS * 1000, clock };
  const minReps = flags.has('--min-reps') ? (ints('--min-reps', get('--min-reps', '')))[0] as number : timing.minReps;
  return {
    quick,
    name: get('--name', quick ? 'quick' : 'sweep'),
    series,
    impls,
    timing: { ...timing, minReps, maxReps: Math.max(timing.maxReps, minReps) },
    isolate: !quick,
  };
}
