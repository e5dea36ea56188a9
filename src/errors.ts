/**
 * Typed errors. Every error thrown by rnnkit's public API is an {@link RnnError} with a stable
 * `code`, so callers can branch on `e.code` even when two copies of the library are loaded
 * (mixed `import` / `require`), where `instanceof` would fail.
 * @module
 */

/**
 * The stable error codes.
 * - `E_SHAPE`: a tensor has the wrong shape or size.
 * - `E_CONFIG`: an option is missing, unknown or out of range.
 * - `E_STATE`: an operation was called in the wrong state (e.g. backward before forward).
 * - `E_FORMAT`: a file or serialized object is malformed.
 * - `E_NUMERIC`: a loss or gradient became NaN or infinite during training.
 * @category Errors
 */
export type RnnErrorCode = 'E_SHAPE' | 'E_CONFIG' | 'E_STATE' | 'E_FORMAT' | 'E_NUMERIC';

/**
 * Base class of every error rnnkit throws on purpose.
 * @example
 * ```ts
 * try { lstm.forward(x); } catch (e) { if (isRnnError(e) && e.code === 'E_SHAPE') console.error(e.message); }
 * ```
 * @category Errors
 */
export class RnnError extends Error {
  /** Stable machine-readable code. */
  readonly code: RnnErrorCode;
  /**
   * @param code - the stable code.
   * @param message - the full message (function, argument, expected, actual, hint).
   */
  constructor(code: RnnErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'RnnError';
  }
}

/**
 * A tensor or buffer has the wrong shape, size or dtype.
 * @example
 * ```ts
 * throw new ShapeError('LSTM.forward: input has 7 features per step, expected inputSize = 8');
 * ```
 * @category Errors
 */
export class ShapeError extends RnnError {
  /** @param message - the full message. */
  constructor(message: string) {
    super('E_SHAPE', message);
    this.name = 'ShapeError';
  }
}

/**
 * An option is missing, unknown, of the wrong type or out of range.
 * @example
 * ```ts
 * throw new ConfigError('LSTMCell: hiddenSize must be a positive integer, got 0');
 * ```
 * @category Errors
 */
export class ConfigError extends RnnError {
  /** @param message - the full message. */
  constructor(message: string) {
    super('E_CONFIG', message);
    this.name = 'ConfigError';
  }
}

/**
 * An operation was called in the wrong state, such as backward without a training forward.
 * @example
 * ```ts
 * throw new StateError('LSTM.backward: call forward with { training: true } first');
 * ```
 * @category Errors
 */
export class StateError extends RnnError {
  /** @param message - the full message. */
  constructor(message: string) {
    super('E_STATE', message);
    this.name = 'StateError';
  }
}

/**
 * A file or serialized object is malformed (bad header, offsets, dtype, shape, truncation).
 * @example
 * ```ts
 * throw new FormatError('loadSafetensors: header length 9000 exceeds file size 120');
 * ```
 * @category Errors
 */
export class FormatError extends RnnError {
  /** @param message - the full message. */
  constructor(message: string) {
    super('E_FORMAT', message);
    this.name = 'FormatError';
  }
}

/**
 * A loss or gradient became NaN or infinite during training.
 * @example
 * ```ts
 * throw new NumericError('Trainer.fit: loss is NaN at step 12 (epoch 1, batch 3)');
 * ```
 * @category Errors
 */
export class NumericError extends RnnError {
  /** @param message - the full message. */
  constructor(message: string) {
    super('E_NUMERIC', message);
    this.name = 'NumericError';
  }
}

const CODES: ReadonlySet<string> = new Set<RnnErrorCode>(['E_SHAPE', 'E_CONFIG', 'E_STATE', 'E_FORMAT', 'E_NUMERIC']);

/**
 * True when `e` is an rnnkit error, judged by its `code` (works across duplicate library copies).
 * @param e - anything caught.
 * @returns whether `e` carries an rnnkit error code.
 * @example
 * ```ts
 * if (isRnnError(e)) console.log(e.code);
 * ```
 * @category Errors
 */
export function isRnnError(e: unknown): e is RnnError {
  if (!(e instanceof Error)) return false;
  const code: unknown = (e as { code?: unknown }).code;
  return typeof code === 'string' && CODES.has(code);
}
