/**
 * The optimizer contract shared by SGD, Adam, AdamW, RMSprop and Adagrad.
 *
 * An optimizer owns its moment buffers (allocated once, in the constructor, one per parameter and
 * kind) and updates parameter values in place from the gradients that backward passes have
 * accumulated. `step()` allocates nothing. State round-trips through {@link OptimizerState}:
 * JSON-serialisable metadata plus named Float32Array buffers (`exp_avg.<paramName>`, ...), using
 * PyTorch's state keys.
 * @module
 */
import { ConfigError, FormatError } from '../../errors.js';
import { allocFloat32 } from '../../kernel/alloc.js';
import type { Module, Parameter } from '../../layers/param-store.js';
import { checkKnownKeys, checkNumber, describe } from '../../shapes.js';

/**
 * The optimizer families, as stored in {@link OptimizerState.kind}.
 * @category Training
 */
export type OptimizerKind = 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';

/**
 * One hyperparameter value in a saved state: a number, a flag, or a pair such as Adam's `betas`.
 * @category Training
 */
export type HyperValue = number | boolean | readonly number[];

/**
 * A snapshot of an optimizer, as returned by {@link Optimizer.stateDict}.
 *
 * Everything except `buffers` is JSON-serialisable; the buffers are named after PyTorch's state
 * keys and the parameter name: `exp_avg.weight_ih_l0`, `momentum_buffer.bias`, `sum.weight`.
 * @example
 * ```ts
 * const state = adam.stateDict();
 * const meta = JSON.stringify({ kind: state.kind, step: state.step, hyper: state.hyper });
 * ```
 * @category Training
 */
export interface OptimizerState {
  /** Which optimizer wrote the state. */
  readonly kind: OptimizerKind;
  /** Number of `step()` calls so far (Adam's bias correction, Adagrad's lr decay). */
  readonly step: number;
  /** Every resolved option, camelCase, including the current `lr`. */
  readonly hyper: Readonly<Record<string, HyperValue>>;
  /** Moment buffers by name (copies, `[n]` each, n = the parameter's size). */
  readonly buffers: Readonly<Record<string, Float32Array>>;
}

/**
 * Base class of every optimizer: holds the parameter list, the step count, the resolved options
 * and the named moment buffers, and implements `zeroGrad`, `lr`, `stateDict` and `loadStateDict`.
 * Subclasses implement the update rule in {@link Optimizer.update}.
 * @example
 * ```ts
 * const opt: Optimizer = new Adam(model, { lr: 1e-3 });
 * opt.zeroGrad(); model.backward(dy); opt.step();
 * ```
 * @category Training
 */
export abstract class Optimizer<THyper extends { lr: number } = { lr: number }> {
  /** Which optimizer this is (also the prefix of its error messages). */
  abstract readonly kind: OptimizerKind;
  /** The parameters updated by `step()`, fixed at construction. */
  readonly params: readonly Parameter[];
  /** The resolved options; `lr` is changed by schedules through {@link Optimizer.lr}. */
  protected abstract readonly hyper: THyper;
  private steps = 0;
  private readonly buffers: Map<string, Float32Array> = new Map();
  private readonly prefixes: string[] = [];

  /**
   * @param where - the class name, for messages.
   * @param params - a parameter list or a module.
   * @throws ConfigError for an empty list, a duplicate name, or a gradient whose size differs
   * from its value's.
   */
  protected constructor(where: string, params: readonly Parameter[] | Module) {
    this.params = resolveParams(where, params);
  }

  /** The current learning rate (read and written by schedules). */
  get lr(): number {
    return this.hyper.lr;
  }

  set lr(value: number) {
    this.hyper.lr = checkNumber(`${this.kind}.lr`, 'lr', value, 0);
  }

  /**
   * How many times `step()` has run.
   * @returns the step count.
   */
  get stepCount(): number {
    return this.steps;
  }

  /** Applies one update to every parameter from its accumulated gradient. Allocates nothing. */
  step(): void {
    this.steps += 1;
    this.update(this.steps);
  }

  /** Sets every parameter's gradient to zero (once per batch; backward passes accumulate). */
  zeroGrad(): void {
    const params = this.params;
    for (let k = 0; k < params.length; k++) params[k].grad.fill(0);
  }

  /**
   * Copies the optimizer's state out.
   * @returns kind, step count, every option and copies of the moment buffers.
   */
  stateDict(): OptimizerState {
    const hyper: Record<string, HyperValue> = {};
    for (const [key, value] of Object.entries(this.hyper as Record<string, HyperValue>)) {
      hyper[key] = Array.isArray(value) ? [...(value as readonly number[])] : value;
    }
    const buffers: Record<string, Float32Array> = {};
    for (const [name, buf] of this.buffers) {
      const copy = allocFloat32(buf.length);
      copy.set(buf);
      buffers[name] = copy;
    }
    return { kind: this.kind, step: this.steps, hyper, buffers };
  }

  /**
   * Restores a state written by {@link Optimizer.stateDict}: step count, options (including
   * `lr`, as in PyTorch) and buffers. Everything is checked first; nothing changes on error.
   * @param state - a saved state for the same optimizer kind and the same parameter names.
   * @throws FormatError when the state is malformed (wrong types, missing or unknown option keys).
   * @throws ConfigError when it is for another optimizer kind, an option is out of range, it was
   * made with other structural options (`amsgrad`, `momentum`, `centered`), or its buffers do not
   * match this optimizer's parameters (names, sizes).
   */
  loadStateDict(state: OptimizerState): void {
    const where = `${this.kind}.loadStateDict`;
    if (!isRecord(state)) throw new FormatError(`${where}: state must be an object, got ${describe(state)}.`);
    const { kind, step, hyper, buffers } = state as Partial<Record<keyof OptimizerState, unknown>>;
    if (typeof kind !== 'string') throw new FormatError(`${where}: state.kind must be a string, got ${describe(kind)}.`);
    if (kind !== this.kind) {
      throw new ConfigError(`${where}: state is for ${kind}, expected ${this.kind}. Load it into a ${kind} optimizer.`);
    }
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) {
      throw new FormatError(`${where}: state.step must be a non-negative integer, got ${describe(step)}.`);
    }
    if (!isRecord(hyper)) throw new FormatError(`${where}: state.hyper must be an object, got ${describe(hyper)}.`);
    if (!isRecord(buffers)) throw new FormatError(`${where}: state.buffers must be an object, got ${describe(buffers)}.`);

    const own = Object.keys(this.hyper);
    const missingKeys = own.filter((k) => !Object.hasOwn(hyper, k));
    const extraKeys = Object.keys(hyper).filter((k) => !own.includes(k));
    if (missingKeys.length > 0 || extraKeys.length > 0) {
      const parts = [];
      if (missingKeys.length > 0) parts.push(`missing ${missingKeys.join(', ')}`);
      if (extraKeys.length > 0) parts.push(`unknown ${extraKeys.join(', ')}`);
      throw new FormatError(`${where}: state.hyper keys do not match ${this.kind}'s options: ${parts.join('; ')}.`);
    }
    const resolved = this.resolve(where, hyper);

    const needed = this.bufferPrefixes(resolved);
    if (needed.length !== this.prefixes.length || needed.some((p) => !this.prefixes.includes(p))) {
      throw new ConfigError(
        `${where}: the state needs buffers [${needed.join(', ')}], this ${this.kind} has [${this.prefixes.join(', ')}]. ` +
          `Construct the optimizer with the same ${this.structuralOptions()} as the saved one.`,
      );
    }
    const problems: string[] = [];
    for (const [name, buf] of this.buffers) {
      const saved: unknown = buffers[name];
      if (saved === undefined) problems.push(`missing "${name}"`);
      else if (!(saved instanceof Float32Array)) problems.push(`"${name}" is ${describe(saved)}, expected a Float32Array`);
      else if (saved.length !== buf.length) problems.push(`"${name}" has ${saved.length} values, expected ${buf.length}`);
    }
    for (const name of Object.keys(buffers)) if (!this.buffers.has(name)) problems.push(`unexpected "${name}"`);
    if (problems.length > 0) {
      throw new ConfigError(
        `${where}: buffers do not match this optimizer's parameters: ${problems.join('; ')}. ` +
          'Was the state saved for a model with other parameter names or sizes?',
      );
    }

    this.steps = step;
    Object.assign(this.hyper, resolved);
    for (const [name, buf] of this.buffers) buf.set(buffers[name] as Float32Array);
  }

  /**
   * The update rule. Called by `step()` after the step count is incremented.
   * @param t - the 1-based step number.
   */
  protected abstract update(t: number): void;

  /**
   * Validates a complete option object (from the constructor or a saved state).
   * @param where - the public function name, for messages.
   * @param raw - the options.
   * @returns the resolved options.
   */
  protected abstract resolve(where: string, raw: Readonly<Record<string, unknown>>): THyper;

  /**
   * Which buffer kinds (PyTorch state keys) a given set of options needs.
   * @param hyper - resolved options.
   * @returns the prefixes, e.g. `['exp_avg', 'exp_avg_sq']`.
   */
  protected abstract bufferPrefixes(hyper: THyper): readonly string[];

  /**
   * Names the options that decide which buffers exist, for the mismatch hint.
   * @returns e.g. `'amsgrad'`.
   */
  protected abstract structuralOptions(): string;

  /**
   * Allocates one zero-initialised (or `fill`-initialised) buffer per parameter under
   * `<prefix>.<paramName>`. Called only from subclass constructors.
   * @param prefix - the PyTorch state key, e.g. `exp_avg`.
   * @param fill - initial value.
   * @returns the buffers in parameter order.
   */
  protected allocBuffers(prefix: string, fill = 0): Float32Array[] {
    const out: Float32Array[] = [];
    for (const p of this.params) {
      const buf = allocFloat32(p.value.length);
      if (fill !== 0) buf.fill(fill);
      this.buffers.set(`${prefix}.${p.name}`, buf);
      out.push(buf);
    }
    this.prefixes.push(prefix);
    return out;
  }
}

/** @internal */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Normalises the `params` argument and checks it.
 * @internal
 */
function resolveParams(where: string, params: readonly Parameter[] | Module): readonly Parameter[] {
  let list: readonly Parameter[];
  if (Array.isArray(params)) list = params as readonly Parameter[];
  else if (isRecord(params) && typeof (params as Partial<Module>).parameters === 'function') list = (params as Module).parameters();
  else throw new ConfigError(`${where}: params must be a Parameter[] or a Module, got ${describe(params)}.`);
  if (list.length === 0) {
    throw new ConfigError(`${where}: params is empty. Pass model.parameters() or the model itself.`);
  }
  const seen = new Set<string>();
  for (const p of list) {
    if (!isRecord(p) || !(p.value instanceof Float32Array) || !(p.grad instanceof Float32Array)) {
      throw new ConfigError(`${where}: every parameter needs Float32Array value and grad, got ${describe(p)}.`);
    }
    if (p.grad.length !== p.value.length) {
      throw new ConfigError(`${where}: parameter "${p.name}" has ${p.value.length} values but ${p.grad.length} gradients.`);
    }
    if (seen.has(p.name)) {
      throw new ConfigError(`${where}: duplicate parameter name "${p.name}". Use prefixed() to give child modules unique names.`);
    }
    seen.add(p.name);
  }
  return [...list];
}

/**
 * Checks that `opts` is undefined or a plain object with known keys only.
 * @internal
 */
export function optionsRecord(where: string, opts: unknown, known: readonly string[]): Readonly<Record<string, unknown>> {
  if (opts === undefined) return {};
  if (!isRecord(opts)) throw new ConfigError(`${where}: options must be an object, got ${describe(opts)}.`);
  checkKnownKeys(where, opts, known);
  return opts;
}

/**
 * Reads a number option: `min ≤ value` and `value ≤ max` (or `< max` when `maxOpen`).
 * @internal
 */
export function numberOption(
  where: string,
  opts: Readonly<Record<string, unknown>>,
  name: string,
  fallback: number,
  min: number,
  max: number = Infinity,
  maxOpen = false,
): number {
  const value = opts[name] === undefined ? fallback : opts[name];
  return checkRange(where, name, value, min, max, maxOpen);
}

/**
 * Checks a finite number in `[min, max]` (the shared `checkNumber` message) or `[min, max)`.
 * @internal
 */
export function checkRange(where: string, name: string, value: unknown, min: number, max: number, maxOpen: boolean): number {
  if (!maxOpen) return checkNumber(where, name, value, min, max);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value >= max) {
    throw new ConfigError(`${where}: ${name} must be a number in [${min}, ${max}), got ${describe(value)}.`);
  }
  return value;
}

/**
 * Reads a boolean option.
 * @internal
 */
export function boolOption(where: string, opts: Readonly<Record<string, unknown>>, name: string, fallback: boolean): boolean {
  const value = opts[name] === undefined ? fallback : opts[name];
  if (typeof value !== 'boolean') throw new ConfigError(`${where}: ${name} must be a boolean, got ${describe(value)}.`);
  return value;
}
