/**
 * One-file training checkpoints: model tensors, optimizer moments (as `optim.*` tensors), and
 * the optimizer, schedule and trainer counters and the model's generator states (`rnnkit.random`)
 * in `__metadata__`, so a run resumes bit-exactly, dropout masks included.
 * @module
 */
import { FormatError } from '../errors.js';
import { checkpointFromBytes, checkpointToBytes, nodeFs, saveCheckpoint } from '../io/checkpoint.js';
import { createRng, type RngState } from '../kernel/rng.js';
import type { RandomState, StateDict } from '../layers/param-store.js';
import { VERSION } from '../version.js';
import type { HyperValue, OptimizerKind, OptimizerState } from './optim/optimizer.js';
import type { ScheduleState } from './schedules.js';
import type { Trainer } from './trainer.js';
import type { TrainerState, TrainingSnapshot } from './trainer-types.js';

function toBytesArgs(s: TrainingSnapshot, metadata: Readonly<Record<string, unknown>>) {
  const optimizerState: StateDict = {};
  for (const [name, buf] of Object.entries(s.optimizer.buffers)) optimizerState[name] = { shape: [buf.length], data: buf };
  return {
    optimizerState,
    metadata: {
      ...metadata,
      'rnnkit.version': VERSION,
      'rnnkit.optimizer': { kind: s.optimizer.kind, step: s.optimizer.step, hyper: s.optimizer.hyper },
      'rnnkit.schedule': s.schedule,
      'rnnkit.trainer': s.trainer,
      ...(s.random ? { 'rnnkit.random': s.random } : {}),
    },
  };
}

/** Reads `rnnkit.random`: absent (older files) → null; otherwise every state must be well formed. */
function parseRandom(where: string, value: unknown): RandomState | null {
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FormatError(`${where}: metadata "rnnkit.random" must be an object of generator states, got ${JSON.stringify(value)}.`);
  }
  const scratch = createRng(0);
  const out: RandomState = {};
  for (const [name, state] of Object.entries(value as Record<string, unknown>)) {
    try {
      scratch.setState(state as RngState);
    } catch (e) {
      throw new FormatError(`${where}: metadata "rnnkit.random" generator "${name}" is malformed: ${(e as Error).message}`);
    }
    out[name] = state as RngState;
  }
  return out;
}

/**
 * Serialises a training snapshot to safetensors bytes.
 * @param s - from `trainer.snapshot()`.
 * @param metadata - extra metadata (`rnnkit.*` keys JSON values, others strings), e.g. the model config.
 * @returns the file bytes.
 * @example
 * ```ts
 * const bytes = snapshotToBytes(trainer.snapshot(), { 'rnnkit.config': config });
 * ```
 * @category Training
 */
export function snapshotToBytes(s: TrainingSnapshot, metadata: Readonly<Record<string, unknown>> = {}): Uint8Array {
  return checkpointToBytes(s.model, toBytesArgs(s, metadata));
}

/**
 * Parses bytes written by {@link snapshotToBytes}. A file without generator states (written
 * before rnnkit saved them) gives `random: null`, which restores nothing.
 * @param bytes - the file bytes.
 * @returns the snapshot (load it with `trainer.loadSnapshot`) and all metadata.
 * @throws FormatError when the file or its training metadata (generator states included) is malformed.
 * @example
 * ```ts
 * trainer.loadSnapshot(snapshotFromBytes(bytes).snapshot);
 * ```
 * @category Training
 */
export function snapshotFromBytes(bytes: Uint8Array): { snapshot: TrainingSnapshot; metadata: Record<string, unknown> } {
  const where = 'snapshotFromBytes';
  const ck = checkpointFromBytes(bytes);
  const md = ck.metadata;
  const opt = md['rnnkit.optimizer'] as { kind?: unknown; step?: unknown; hyper?: unknown } | undefined;
  const tr = md['rnnkit.trainer'] as Partial<TrainerState> | undefined;
  if (!opt || typeof opt !== 'object' || typeof opt.kind !== 'string' || typeof opt.step !== 'number' || typeof opt.hyper !== 'object' || opt.hyper === null) {
    throw new FormatError(`${where}: metadata "rnnkit.optimizer" is missing or malformed; is this a training checkpoint?`);
  }
  if (!tr || typeof tr !== 'object' || !['step', 'epoch', 'batchInEpoch', 'seed'].every((k) => typeof (tr as Record<string, unknown>)[k] === 'number')) {
    throw new FormatError(`${where}: metadata "rnnkit.trainer" is missing or malformed.`);
  }
  const buffers: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(ck.optimizerState)) buffers[name] = t.data;
  const optimizer: OptimizerState = {
    kind: opt.kind as OptimizerKind,
    step: opt.step,
    hyper: opt.hyper as Record<string, HyperValue>,
    buffers,
  };
  const schedule = (md['rnnkit.schedule'] ?? null) as ScheduleState | null;
  const random = parseRandom(where, md['rnnkit.random']);
  return { snapshot: { model: ck.tensors, optimizer, schedule, trainer: tr as TrainerState, random }, metadata: md };
}

/**
 * Saves a resumable training checkpoint (atomically: temporary file, then rename).
 * @param path - destination file.
 * @param trainer - the trainer (its model's weights and random generators, optimizer, schedule
 *   and counters are saved).
 * @param metadata - extra metadata, e.g. `{ 'rnnkit.config': config }`.
 * @example
 * ```ts
 * await saveTrainingCheckpoint('run.safetensors', trainer);
 * ```
 * @category Training
 */
export async function saveTrainingCheckpoint<TBatch>(path: string, trainer: Trainer<TBatch>, metadata: Readonly<Record<string, unknown>> = {}): Promise<void> {
  const s = trainer.snapshot();
  await saveCheckpoint(path, s.model, toBytesArgs(s, metadata));
}

/**
 * Loads a checkpoint written by {@link saveTrainingCheckpoint} into a trainer built the same
 * way; the next `fit` continues exactly where the saved run stopped, drawing the same dropout
 * masks (the model's generator states are restored, whatever seed the fresh model was built with).
 * @param path - the file.
 * @param trainer - a trainer with the same model structure, optimizer kind, schedule and seed.
 * @returns the checkpoint's metadata.
 * @throws FormatError for a malformed file; ShapeError / ConfigError when it does not match
 *   (ConfigError when the saved generator names differ from the model's).
 * @example
 * ```ts
 * await loadTrainingCheckpoint('run.safetensors', trainer);
 * await trainer.fit(data, { epochs: 10 });
 * ```
 * @category Training
 */
export async function loadTrainingCheckpoint<TBatch>(path: string, trainer: Trainer<TBatch>): Promise<Record<string, unknown>> {
  const fs = await nodeFs();
  const { snapshot, metadata } = snapshotFromBytes(new Uint8Array(await fs.readFile(path)));
  trainer.loadSnapshot(snapshot);
  return metadata;
}
