/**
 * A small terminal progress bar for the examples: one line on stderr, redrawn in place, and
 * silent when stderr is not a terminal (CI logs stay clean).
 * @module
 */

/**
 * What the Trainer reports after every batch.
 * @category Training
 */
export interface ProgressInfo {
  /** Optimizer steps taken so far (1-based after the first batch). */
  readonly step: number;
  /** Current epoch (0-based). */
  readonly epoch: number;
  /** Batch index within the epoch (0-based). */
  readonly batch: number;
  /** Batches per epoch. */
  readonly batchesPerEpoch: number;
  /** This batch's mean loss. */
  readonly loss: number;
  /** Running mean loss of the epoch so far. */
  readonly epochLoss: number;
  /** Learning rate used for this step. */
  readonly lr: number;
  /** Global gradient L2 norm before clipping. */
  readonly gradNorm: number;
  /** Sequences per second over the epoch so far. */
  readonly sequencesPerSecond: number;
  /** Tokens (loss terms) per second over the epoch so far. */
  readonly tokensPerSecond: number;
  /** Estimated seconds left in the whole fit. */
  readonly etaSeconds: number;
}

/**
 * Where a progress bar writes: anything with `write(string)` and an optional `isTTY`.
 * @category Training
 */
export interface ProgressSink {
  /** Whether the sink is a terminal (the bar stays silent otherwise). */
  readonly isTTY?: boolean;
  /** Writes text. */
  write(text: string): unknown;
}

/**
 * A one-line progress bar.
 * @example
 * ```ts
 * const bar = new ProgressBar({ label: 'train' });
 * await trainer.fit(data, { epochs: 3, onProgress: (p) => bar.update(p) });
 * bar.done();
 * ```
 * @category Training
 */
export class ProgressBar {
  private readonly sink: ProgressSink | null;
  private readonly label: string;
  private readonly width: number;
  private last = 0;

  /**
   * @param opts - `label` shown first, bar `width` in characters (default 24), and `sink`
   *   (default: process.stderr when it is a TTY, else nothing).
   */
  constructor(opts: { label?: string; width?: number; sink?: ProgressSink } = {}) {
    this.label = opts.label ?? '';
    this.width = opts.width ?? 24;
    const proc = (globalThis as { process?: { stderr?: ProgressSink } }).process;
    const sink = opts.sink ?? proc?.stderr ?? null;
    this.sink = sink && sink.isTTY ? sink : null;
  }

  /** Whether the bar draws anything (false when not attached to a terminal). */
  get enabled(): boolean {
    return this.sink !== null;
  }

  /**
   * Redraws the bar (at most every 100 ms, always on the last batch of an epoch).
   * @param p - the Trainer's progress report.
   */
  update(p: ProgressInfo): void {
    if (!this.sink) return;
    const now = Date.now();
    const last = p.batch + 1 === p.batchesPerEpoch;
    if (!last && now - this.last < 100) return;
    this.last = now;
    this.sink.write('\r' + formatProgress(p, this.label, this.width) + '\x1b[K');
  }

  /** Ends the line. */
  done(): void {
    if (this.sink) this.sink.write('\n');
  }
}

/**
 * Formats one progress line (used by {@link ProgressBar}; handy for logs).
 * @param p - the progress report.
 * @param label - text shown first.
 * @param width - bar width in characters.
 * @returns the line, without a newline.
 * @example
 * ```ts
 * console.log(formatProgress(p, 'train', 20));
 * ```
 * @category Training
 */
export function formatProgress(p: ProgressInfo, label: string = '', width: number = 24): string {
  const frac = p.batchesPerEpoch > 0 ? (p.batch + 1) / p.batchesPerEpoch : 1;
  const filled = Math.round(frac * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const eta = Number.isFinite(p.etaSeconds) ? `${Math.max(0, Math.round(p.etaSeconds))}s` : '?';
  return (
    `${label ? label + ' ' : ''}epoch ${p.epoch + 1} ${bar} ${p.batch + 1}/${p.batchesPerEpoch} ` +
    `loss ${p.epochLoss.toFixed(4)} lr ${p.lr.toExponential(2)} |g| ${p.gradNorm.toFixed(2)} ` +
    `${p.sequencesPerSecond.toFixed(0)} seq/s ${p.tokensPerSecond.toFixed(0)} tok/s eta ${eta}`
  );
}
