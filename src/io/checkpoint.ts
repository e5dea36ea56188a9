/**
 * Checkpoints: a model's parameters, optional extra tensors (optimizer moments) and JSON metadata
 * in one safetensors file, readable by `safetensors.torch.load_file`.
 *
 * File layout conventions on top of safetensors:
 * - model tensors keep their state-dict names (`weight_ih_l0`, `encoder.weight_hh_l1_reverse`);
 * - extra tensors are stored as `optim.` + name ({@link CHECKPOINT_OPTIMIZER_PREFIX});
 * - metadata keys starting with `rnnkit.` (`rnnkit.config`, `rnnkit.version`, `rnnkit.optimizer`,
 *   `rnnkit.trainer`, `rnnkit.random`) hold any JSON value, stored JSON-stringified; other keys hold plain strings,
 *   stored verbatim, for interoperability (`format: 'pt'`).
 *
 * {@link checkpointToBytes} and {@link checkpointFromBytes} are pure and run in browsers. The file
 * functions import `node:fs/promises` lazily, inside the call, so bundling for browsers works.
 * @module
 */
import { ConfigError, FormatError } from '../errors.js';
import type { Module, Parameter, StateDict } from '../layers/param-store.js';
import { loadStateDictInto } from '../layers/param-store.js';
import { decodeSafetensorsAs, encodeSafetensorsAs } from './safetensors.js';

/**
 * Name prefix under which extra tensors (optimizer state) are stored in a checkpoint file.
 * @category IO
 */
export const CHECKPOINT_OPTIMIZER_PREFIX = 'optim.';

/** Metadata keys with this prefix are JSON values; others are plain strings. @internal */
const JSON_KEY_PREFIX = 'rnnkit.';

/**
 * Options of {@link saveCheckpoint} and {@link checkpointToBytes}.
 * @category IO
 */
export interface SaveCheckpointOptions {
  /**
   * Metadata. Values of keys starting with `rnnkit.` may be any JSON-serializable value and are
   * stored JSON-stringified (e.g. `{ 'rnnkit.config': lstmOptions, 'rnnkit.version': '0.1.0' }`);
   * values of other keys must be strings and are stored verbatim.
   * @defaultValue `{}`
   */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /**
   * Extra tensors saved alongside the model, typically optimizer moments, stored as
   * `optim.` + name and returned by {@link loadCheckpoint} as `optimizerState`.
   * @defaultValue `{}`
   */
  readonly optimizerState?: StateDict;
}

/**
 * A decoded checkpoint.
 * @category IO
 */
export interface Checkpoint {
  /** The model tensors (every name without the `optim.` prefix). */
  readonly tensors: StateDict;
  /** The extra tensors, with the `optim.` prefix removed (empty when none were saved). */
  readonly optimizerState: StateDict;
  /** Metadata: `rnnkit.*` values JSON-parsed, other values as stored strings. */
  readonly metadata: Record<string, unknown>;
}

/**
 * Options of {@link loadStateDictFromFile}.
 * @category IO
 */
export interface LoadStateDictFromFileOptions {
  /**
   * When true, tensors missing from the file and unexpected tensors in it are errors.
   * @defaultValue `true`
   */
  readonly strict?: boolean;
}

/** Counter that keeps temp names of concurrent saves from one process apart. @internal */
let tmpCounter = 0;

/**
 * `node:fs/promises`, imported on first use. The specifier is a variable so that bundlers leave the
 * import alone (esbuild fails a browser build on a literal `node:` import, even a dynamic one);
 * browser builds then carry the pure functions and never reach this line.
 * @internal
 */
export async function nodeFs(): Promise<typeof import('node:fs/promises')> {
  const specifier = 'node:fs/promises';
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as typeof import('node:fs/promises');
}

/** Defines an own enumerable property, so names such as `__proto__` stay plain keys. @internal */
function setOwn<V>(target: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A module has a `parameters()` method; a state dict's values are plain objects. @internal */
function isModule(source: Module | StateDict): source is Module {
  return typeof (source as { parameters?: unknown }).parameters === 'function';
}

/** Views (not copies) of a module's parameters as a state dict. @internal */
function viewsOf(where: string, params: readonly Parameter[]): StateDict {
  const out: StateDict = {};
  for (const p of params) {
    if (Object.hasOwn(out, p.name)) throw new ConfigError(`${where}: the module has two parameters named "${p.name}"; names must be unique.`);
    setOwn(out, p.name, { shape: p.shape, data: p.value });
  }
  return out;
}

/**
 * Serializes a model (and optional optimizer state and metadata) to safetensors bytes.
 * @param source - a {@link Module} (its `parameters()` are saved) or a state dict.
 * @param opts - metadata and extra tensors; see {@link SaveCheckpointOptions}.
 * @returns the file bytes.
 * @throws ConfigError when a model tensor name starts with `optim.`, a `rnnkit.*` metadata value is
 *   not JSON-serializable, another metadata value is not a string, or a name is reserved/unencodable.
 * @throws ShapeError when a tensor's data does not match its shape.
 * @example
 * ```ts
 * const bytes = checkpointToBytes(lstm, { metadata: { 'rnnkit.config': { inputSize: 4, hiddenSize: 5 } } });
 * ```
 * @category IO
 */
export function checkpointToBytes(source: Module | StateDict, opts: SaveCheckpointOptions = {}): Uint8Array {
  return checkpointToBytesAs('checkpointToBytes', source, opts);
}

/** {@link checkpointToBytes} with the public function name used in messages. @internal */
function checkpointToBytesAs(where: string, source: Module | StateDict, opts: SaveCheckpointOptions): Uint8Array {
  if (typeof source !== 'object' || source === null) {
    throw new ConfigError(`${where}: expected a Module or a state dict, got ${source === null ? 'null' : typeof source}.`);
  }
  const model = isModule(source) ? viewsOf(where, source.parameters()) : source;
  const all: StateDict = {};
  for (const name of Object.keys(model)) {
    if (name.startsWith(CHECKPOINT_OPTIMIZER_PREFIX)) {
      throw new ConfigError(
        `${where}: model tensor "${name}" starts with "${CHECKPOINT_OPTIMIZER_PREFIX}", which is reserved for optimizer state. Rename the submodule.`,
      );
    }
    setOwn(all, name, model[name] as StateDict[string]);
  }
  const extra = opts.optimizerState ?? {};
  if (typeof extra !== 'object' || extra === null) throw new ConfigError(`${where}: optimizerState must be a state dict.`);
  for (const name of Object.keys(extra)) setOwn(all, CHECKPOINT_OPTIMIZER_PREFIX + name, extra[name] as StateDict[string]);
  return encodeSafetensorsAs(where, all, stringifyMetadata(where, opts.metadata ?? {}));
}

/** `rnnkit.*` → JSON text, others must already be strings. @internal */
function stringifyMetadata(where: string, metadata: Readonly<Record<string, unknown>>): Record<string, string> {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new ConfigError(`${where}: metadata must be an object, got ${metadata === null ? 'null' : typeof metadata}.`);
  }
  const out: Record<string, string> = {};
  for (const key of Object.keys(metadata)) {
    const value = metadata[key];
    if (!key.startsWith(JSON_KEY_PREFIX)) {
      if (typeof value !== 'string') {
        throw new ConfigError(
          `${where}: metadata "${key}" is a ${typeof value}; only keys starting with "${JSON_KEY_PREFIX}" may hold non-string values (they are stored as JSON).`,
        );
      }
      setOwn(out, key, value);
      continue;
    }
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (e) {
      throw new ConfigError(`${where}: metadata "${key}" is not JSON-serializable (${e instanceof Error ? e.message : String(e)}).`);
    }
    if (text === undefined) throw new ConfigError(`${where}: metadata "${key}" is ${typeof value}, which JSON cannot represent.`);
    setOwn(out, key, text);
  }
  return out;
}

/**
 * Decodes checkpoint bytes written by {@link checkpointToBytes} (or any safetensors file).
 * @param bytes - the file bytes.
 * @returns `{ tensors, optimizerState, metadata }`.
 * @throws FormatError when the bytes are not a valid safetensors file or a `rnnkit.*` metadata
 *   value is not valid JSON.
 * @example
 * ```ts
 * const { tensors, metadata } = checkpointFromBytes(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 * ```
 * @category IO
 */
export function checkpointFromBytes(bytes: Uint8Array): Checkpoint {
  return checkpointFromBytesAs('checkpointFromBytes', bytes);
}

/** {@link checkpointFromBytes} with the public function name used in messages. @internal */
function checkpointFromBytesAs(where: string, bytes: Uint8Array): Checkpoint {
  const decoded = decodeSafetensorsAs(where, bytes);
  const tensors: StateDict = {};
  const optimizerState: StateDict = {};
  for (const name of Object.keys(decoded.tensors)) {
    const t = decoded.tensors[name] as StateDict[string];
    if (name.startsWith(CHECKPOINT_OPTIMIZER_PREFIX)) setOwn(optimizerState, name.slice(CHECKPOINT_OPTIMIZER_PREFIX.length), t);
    else setOwn(tensors, name, t);
  }
  const metadata: Record<string, unknown> = {};
  for (const key of Object.keys(decoded.metadata)) {
    const text = decoded.metadata[key] as string;
    if (!key.startsWith(JSON_KEY_PREFIX)) {
      setOwn(metadata, key, text);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      const shown = JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
      throw new FormatError(`${where}: metadata "${key}" should hold JSON (keys starting with "${JSON_KEY_PREFIX}" do), found ${shown}.`);
    }
    setOwn(metadata, key, value);
  }
  return { tensors, optimizerState, metadata };
}

/**
 * Saves a checkpoint atomically: writes `path.tmp-<pid>-<time>-<n>`, flushes it to disk, then
 * renames it over `path`, so readers see either the old file or the new one, never a partial one.
 * The temp file is removed if anything fails. Node only.
 * @param path - destination file (conventionally `*.safetensors`).
 * @param source - a {@link Module} or a state dict.
 * @param opts - metadata and optimizer state; see {@link SaveCheckpointOptions}.
 * @returns resolves once the file is in place.
 * @throws ConfigError / ShapeError as {@link checkpointToBytes} (before any file is touched).
 * @throws the file system's error (e.g. `ENOENT` for a missing directory) when writing fails.
 * @example
 * ```ts
 * await saveCheckpoint('lstm.safetensors', lstm, {
 *   metadata: { 'rnnkit.config': options, 'rnnkit.optimizer': { name: 'adam', step: 100 } },
 *   optimizerState: adam.stateDict(),
 * });
 * ```
 * @category IO
 */
export async function saveCheckpoint(path: string, source: Module | StateDict, opts: SaveCheckpointOptions = {}): Promise<void> {
  const bytes = checkpointToBytesAs('saveCheckpoint', source, opts);
  const fs = await nodeFs();
  const pid = typeof process === 'undefined' ? 0 : process.pid;
  tmpCounter += 1;
  const tmp = `${path}.tmp-${pid}-${Date.now().toString(36)}-${tmpCounter}`;
  let handle: Awaited<ReturnType<typeof fs.open>> | undefined;
  try {
    handle = await fs.open(tmp, 'wx');
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, path);
  } catch (e) {
    if (handle) await handle.close().catch(() => undefined);
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/**
 * Loads a checkpoint file. Node only.
 * @param path - the file.
 * @returns `{ tensors, optimizerState, metadata }`, metadata `rnnkit.*` values JSON-parsed.
 * @throws FormatError when the file is not a valid safetensors file or its metadata is malformed.
 * @throws the file system's error (e.g. `ENOENT`) when reading fails.
 * @example
 * ```ts
 * const { tensors, metadata } = await loadCheckpoint('lstm.safetensors');
 * const lstm = new LSTM(metadata['rnnkit.config'] as LSTMOptions);
 * lstm.loadStateDict(tensors);
 * ```
 * @category IO
 */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  const fs = await nodeFs();
  const bytes = await fs.readFile(path);
  return checkpointFromBytesAs(`loadCheckpoint(${JSON.stringify(path)})`, bytes);
}

/**
 * Loads a checkpoint file's model tensors into a module's parameters, validating every name and
 * shape first (nothing is written unless all match). Node only.
 * @param path - the file.
 * @param module - the destination; its `parameters()` receive the values.
 * @param opts - `strict` (default true): missing or unexpected tensors are errors.
 * @returns the whole checkpoint, for its metadata and optimizer state.
 * @throws ShapeError listing every missing, unexpected or mis-shaped tensor.
 * @throws FormatError when the file is malformed.
 * @example
 * ```ts
 * const { metadata } = await loadStateDictFromFile('lstm.safetensors', lstm);
 * ```
 * @category IO
 */
export async function loadStateDictFromFile(
  path: string,
  module: Module,
  opts: LoadStateDictFromFileOptions = {},
): Promise<Checkpoint> {
  const fs = await nodeFs();
  const bytes = await fs.readFile(path);
  const checkpoint = checkpointFromBytesAs(`loadStateDictFromFile(${JSON.stringify(path)})`, bytes);
  loadStateDictInto(module.parameters(), checkpoint.tensors, opts.strict ?? true, `loadStateDictFromFile(${JSON.stringify(path)})`);
  return checkpoint;
}
