/**
 * Shared vocabulary of the sequence-length sweep: what one measured point is, how it is timed,
 * and what a worker reports back. Shape letters follow the project table: T steps, B batch,
 * I input features, H hidden units, G gate rows (H, 3H or 4H).
 * @module
 */

/** The recurrent cell of a workload. */
export type CellType = 'rnn' | 'lstm' | 'gru';

/** `infer`: one forward over [T, B, I]. `train`: forward + BPTT + one SGD update. */
export type Mode = 'infer' | 'train';

/** Every implementation the sweep knows, in table order. */
export const IMPLS = ['rnnkit', 'tfjs-cpu', 'tfjs-wasm', 'brain', 'torch'] as const;
export type ImplName = (typeof IMPLS)[number];

/** One line of the sweep: a fixed (cell, mode, B, I, H) measured at several T. */
export interface Series {
  /** Stable key, e.g. `lstm-train-B32-I64-H128`. */
  readonly id: string;
  readonly cell: CellType;
  readonly mode: Mode;
  readonly B: number;
  readonly I: number;
  readonly H: number;
  /** Ascending sequence lengths. */
  readonly Ts: readonly number[];
  /** Standard-workload tags per T, e.g. { 16: 'W1' }. */
  readonly tags: Readonly<Record<number, string>>;
}

/** Which clock a sample is judged by. Both are always recorded. */
export type Clock = 'cpu' | 'wall';

/** How one point is timed (all durations in ms). */
export interface Timing {
  /** Keep warming up (after the first run) until this much time has passed. */
  readonly warmupMs: number;
  readonly minReps: number;
  readonly maxReps: number;
  /** Aim for this much measured time per point (reps × sample). */
  readonly targetMs: number;
  /** A sample repeats a fast step until it lasts at least this long. */
  readonly minSampleMs: number;
  /** A step that takes (or is predicted to take) longer than this is skipped as too slow. */
  readonly maxRunMs: number;
  readonly clock: Clock;
}

/** What a worker is asked to do: one implementation over one or more series. */
export interface Job {
  readonly impl: ImplName;
  readonly series: readonly Series[];
  readonly timing: Timing;
}

/** One timed sample, already divided by the number of steps it repeated. */
export interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** Median and spread of the per-step time on the chosen clock. */
export interface Stats {
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
  readonly min: number;
  readonly max: number;
}

/** Memory around one point, in MB. */
export interface Memory {
  /** heapUsed + external (typed arrays, wasm memory) after the runs minus before building the model (after GC). */
  readonly retainedMB: number;
  /** Process resident set after the runs. */
  readonly rssMB: number;
  /** Peak resident set of the worker process so far (points run in ascending T). */
  readonly peakRssMB: number;
}

export type Status = 'ok' | 'skipped' | 'failed' | 'unavailable';

/** One measured (or skipped) point, as written to the JSON file. */
export interface PointResult {
  readonly impl: ImplName;
  readonly seriesId: string;
  readonly T: number;
  readonly status: Status;
  readonly note?: string;
  /** Steps per sample (fast steps are repeated inside one sample). */
  readonly inner?: number;
  readonly warmupRuns?: number;
  readonly samples?: readonly Sample[];
  readonly stats?: Stats;
  readonly mem?: Memory;
}

/** Messages a worker prints on stdout, one JSON object per line after this prefix. */
export const WIRE_PREFIX = '@@bench ';

export type WireMessage =
  | { readonly kind: 'start'; readonly impl: ImplName; readonly seriesId: string; readonly T: number }
  | { readonly kind: 'result'; readonly result: PointResult }
  | { readonly kind: 'info'; readonly impl: ImplName; readonly version: string; readonly detail: string }
  | { readonly kind: 'unavailable'; readonly impl: ImplName; readonly note: string };

/** Gate rows per hidden unit. */
export function gatesPerUnit(cell: CellType): number {
  return cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
}

/**
 * The gemm flops of one step: forward 2·T·B·G·(I+H); a training step counts 3× forward
 * (forward, plus the two gemms per forward gemm of the backward pass: dX/dH and dW).
 */
export function stepFlops(cell: CellType, mode: Mode, T: number, B: number, I: number, H: number): number {
  const G = gatesPerUnit(cell) * H;
  const fwd = 2 * T * B * G * (I + H);
  return mode === 'train' ? 3 * fwd : fwd;
}

/** Human label of a series, e.g. `LSTM train B=32 I=64 H=128`. */
export function seriesLabel(s: Pick<Series, 'cell' | 'mode' | 'B' | 'I' | 'H'>): string {
  return `${s.cell.toUpperCase()} ${s.mode} B=${s.B} I=${s.I} H=${s.H}`;
}

/** Stable id of a series. */
export function seriesId(s: Pick<Series, 'cell' | 'mode' | 'B' | 'I' | 'H'>): string {
  return `${s.cell}-${s.mode}-B${s.B}-I${s.I}-H${s.H}`;
}
