/**
 * One place that formats and checks shapes, so every error message reads the same way:
 * `Fn: arg has the wrong shape, expected [T, B, I=8], got [T=12, B=4, I=7]. <hint>`.
 * @internal
 * @module
 */
import { ConfigError, ShapeError } from './errors.js';

/**
 * Formats a shape, optionally with the project's dimension letters: `[T=3, B=2, I=4]`.
 * @internal
 */
export function fmtShape(shape: readonly number[], letters?: readonly string[]): string {
  const parts = shape.map((d, i) => (letters && letters[i] ? `${letters[i]}=${d}` : String(d)));
  return `[${parts.join(', ')}]`;
}

/**
 * Builds the standard message: `where: what, expected X, got Y. hint`.
 * @internal
 */
export function shapeMessage(where: string, what: string, expected: string, actual: string, hint?: string): string {
  return `${where}: ${what}, expected ${expected}, got ${actual}.${hint ? ' ' + hint : ''}`;
}

/**
 * Throws a ShapeError unless `shape` equals `expected` (null entries match anything).
 * @internal
 */
export function checkShape(
  where: string,
  arg: string,
  shape: readonly number[],
  expected: readonly (number | null)[],
  letters?: readonly string[],
  hint?: string,
): void {
  let ok = shape.length === expected.length;
  for (let i = 0; ok && i < expected.length; i++) {
    const e = expected[i];
    if (e !== null && e !== undefined && shape[i] !== e) ok = false;
  }
  if (!ok) {
    const exp = `[${expected.map((d, i) => (letters && letters[i] ? `${letters[i]}${d === null ? '' : '=' + d}` : d === null ? '*' : String(d))).join(', ')}]`;
    throw new ShapeError(shapeMessage(where, `${arg} has the wrong shape`, exp, fmtShape(shape, letters), hint));
  }
}

/**
 * Validates a positive integer option.
 * @internal
 */
export function checkPositiveInt(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${where}: ${name} must be a positive integer, got ${describe(value)}.`);
  }
  return value;
}

/**
 * Validates a non-negative integer option.
 * @internal
 */
export function checkNonNegativeInt(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ConfigError(`${where}: ${name} must be a non-negative integer, got ${describe(value)}.`);
  }
  return value;
}

/**
 * Validates a finite number option in [min, max].
 * @internal
 */
export function checkNumber(where: string, name: string, value: unknown, min: number = -Infinity, max: number = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range =
      min === -Infinity && max === Infinity
        ? 'a finite number'
        : max === Infinity
          ? `a finite number >= ${min}`
          : min === -Infinity
            ? `a finite number <= ${max}`
            : `a number in [${min}, ${max}]`;
    throw new ConfigError(`${where}: ${name} must be ${range}, got ${describe(value)}.`);
  }
  return value;
}

/**
 * Rejects option keys that the function does not know (typos must not be silently ignored).
 * @internal
 */
export function checkKnownKeys(where: string, opts: object, known: readonly string[]): void {
  for (const key of Object.keys(opts)) {
    if (!known.includes(key)) {
      throw new ConfigError(`${where}: unknown option "${key}". Known options: ${known.join(', ')}.`);
    }
  }
}

/**
 * Short description of a value for error messages.
 * @internal
 */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value instanceof Float32Array) return `a Float32Array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value;
}
