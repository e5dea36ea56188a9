/**
 * Losses with fused backward passes. Each returns `{ loss, count }` and, when given a tape,
 * writes d(loss)/d(input) into `tape.grad(input)` (accumulating, with upstream scale 1) at the
 * moment it is computed, the way llm.c fuses the classifier: no probabilities are kept. Call
 * `tape.backward()` afterwards to carry the gradient into the layers that produced the input.
 *
 * | loss            | per element / row                                              | gradient                              |
 * | --------------- | -------------------------------------------------------------- | ------------------------------------- |
 * | `crossEntropy`  | (1 − ε)·(−log p_y) + ε·mean_c(−log p_c),  p = softmax(z)       | p − (1 − ε)·onehot(y) − ε/C           |
 * | `mseLoss`       | (x − t)²                                                       | 2(x − t)                              |
 * | `bceWithLogits` | w·t·softplus(−z) + (1 − t)·softplus(z)                         | σ(z)·(w·t + 1 − t) − w·t              |
 *
 * With `reduction: 'mean'` the sum is divided by `count` (and so is the gradient); with `'sum'`
 * it is not. Targets are constants: no gradient is produced for them.
 * @module
 */
import { ConfigError, ShapeError } from '../errors.js';
import type { Tape } from '../layers/tape.js';
import { checkKnownKeys, checkNumber, describe, fmtShape, shapeMessage } from '../shapes.js';
import { checkIndexTensor, checkTensor, shapeSize, unravel, type IndexTensor, type Tensor } from '../tensor.js';

/**
 * How per-element losses are combined.
 * - `'mean'`: divided by `count` (the number of non-ignored targets or elements).
 * - `'sum'`: summed.
 * @category Training
 */
export type LossReduction = 'mean' | 'sum';

/**
 * What every loss returns.
 * @category Training
 */
export interface LossResult {
  /** The reduced loss (0 when `count` is 0). */
  readonly loss: number;
  /** How many targets (crossEntropy: non-ignored rows) or elements entered the loss. */
  readonly count: number;
}

/**
 * Options of {@link crossEntropy}.
 * @category Training
 */
export interface CrossEntropyOptions {
  /**
   * Target value that is skipped: it adds nothing to the loss, to `count` or to the gradient.
   * @defaultValue -100 (PyTorch's default)
   */
  ignoreIndex?: number;
  /**
   * ε in [0, 1): the target distribution becomes (1 − ε)·onehot + ε/C, as in PyTorch.
   * @defaultValue 0
   */
  labelSmoothing?: number;
  /**
   * How rows are combined.
   * @defaultValue 'mean'
   */
  reduction?: LossReduction;
  /** When given, d(loss)/d(logits) is accumulated into `tape.grad(logits)`. */
  tape?: Tape;
}

/**
 * Options of {@link mseLoss}.
 * @category Training
 */
export interface MseLossOptions {
  /**
   * How elements are combined.
   * @defaultValue 'mean'
   */
  reduction?: LossReduction;
  /** When given, d(loss)/d(pred) is accumulated into `tape.grad(pred)`. */
  tape?: Tape;
}

/**
 * Options of {@link bceWithLogits}.
 * @category Training
 */
export interface BceWithLogitsOptions {
  /**
   * How elements are combined.
   * @defaultValue 'mean'
   */
  reduction?: LossReduction;
  /**
   * Weight w of the positive term, one number or a tensor `[C]` broadcast over the last
   * dimension (PyTorch's `pos_weight`). Use #negatives / #positives to balance classes.
   * @defaultValue 1
   */
  posWeight?: number | Tensor;
  /** When given, d(loss)/d(logits) is accumulated into `tape.grad(logits)`. */
  tape?: Tape;
}

const CE_KEYS: readonly string[] = ['ignoreIndex', 'labelSmoothing', 'reduction', 'tape'];
const MSE_KEYS: readonly string[] = ['reduction', 'tape'];
const BCE_KEYS: readonly string[] = ['reduction', 'posWeight', 'tape'];

/**
 * Softmax cross-entropy over the last dimension, PyTorch's `F.cross_entropy` (log-softmax +
 * NLL, computed stably in float64 per row), with `ignoreIndex` and label smoothing.
 *
 * Leading dimensions are flattened: logits `[N, C]` with targets `[N]`, or `[T, B, C]` with
 * targets `[T, B]` (per-step tagging / next-token prediction).
 * When every target is ignored the loss is 0 with `count` 0 and no gradient (PyTorch returns NaN
 * for the mean there; 0 lets an all-padding batch contribute nothing).
 * @param logits - `[*, C]` unnormalised scores.
 * @param targets - `[*]` class ids in [0, C), or `ignoreIndex`; the leading shape of `logits`.
 * @param opts - ignoreIndex, labelSmoothing, reduction and tape.
 * @returns `{ loss, count }`, count = number of non-ignored targets.
 * @throws ShapeError when the shapes disagree or a target is outside [0, C) and not
 *   `ignoreIndex` (the message names its position and value); ConfigError on a bad option.
 * @example
 * ```ts
 * const tape = new Tape();
 * const logits = head.forward(embed.forward(ids, tape), tape); // [T, B, V]
 * const { loss } = crossEntropy(logits, nextIds, { tape, ignoreIndex: PAD }); // nextIds [T, B]
 * tape.backward();
 * ```
 * @category Training
 */
export function crossEntropy(logits: Tensor, targets: IndexTensor, opts: CrossEntropyOptions = {}): LossResult {
  const where = 'crossEntropy';
  checkTensor(where, 'logits', logits);
  const tg = checkIndexTensor(where, 'targets', targets, 'an integer class id');
  checkOpts(where, opts, CE_KEYS);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  if (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex)) {
    throw new ConfigError(`${where}: ignoreIndex must be an integer, got ${describe(ignoreIndex)}.`);
  }
  const eps = checkNumber(where, 'labelSmoothing', opts.labelSmoothing ?? 0, 0, 1);
  if (eps === 1) throw new ConfigError(`${where}: labelSmoothing must be in [0, 1), got 1.`);
  const mean = checkReduction(where, opts.reduction);

  const rank = logits.shape.length;
  const lead = logits.shape.slice(0, rank - 1);
  const sameLead = rank >= 1 && tg.shape.length === lead.length && lead.every((d, i) => d === tg.shape[i]);
  if (!sameLead) {
    const hint =
      rank === 0
        ? 'logits need a class dimension last: [N, C] or [T, B, C].'
        : tg.shape.length === rank && tg.shape[rank - 1] === logits.shape[rank - 1]
          ? 'targets must be class ids, not one-hot rows.'
          : 'targets must have the leading shape of logits (logits [N, C] with targets [N], or [T, B, C] with [T, B]).';
    throw new ShapeError(
      shapeMessage(where, `targets ${fmtShape(tg.shape)} do not match logits ${fmtShape(logits.shape)}`, rank >= 1 ? fmtShape(lead) : '[*]', fmtShape(tg.shape), hint),
    );
  }
  const C = logits.shape[rank - 1] as number;
  const N = shapeSize(lead);
  const y = tg.data; // [N]

  let count = 0;
  for (let n = 0; n < N; n++) {
    const t = y[n] as number;
    if (t === ignoreIndex) continue;
    if (t < 0 || t >= C) {
      throw new ShapeError(
        `${where}: targets[${unravel(n, tg.shape).join(', ')}] = ${t} is out of range, expected a class id in [0, C=${C}) or ignoreIndex = ${ignoreIndex} (logits ${fmtShape(logits.shape)}).`,
      );
    }
    count++;
  }
  if (count === 0) return { loss: 0, count: 0 };

  const z = logits.data; // [N, C]
  const g = opts.tape ? opts.tape.grad(logits) : null; // [N, C]
  const scale = mean ? 1 / count : 1;
  const hit = 1 - eps; // weight of the target class
  const spread = eps / C; // weight of every class
  let total = 0;
  for (let n = 0; n < N; n++) {
    const t = y[n] as number;
    if (t === ignoreIndex) continue;
    const o = n * C;
    let max = -Infinity;
    for (let c = 0; c < C; c++) if ((z[o + c] as number) > max) max = z[o + c] as number;
    let sumExp = 0;
    let sumZ = 0;
    for (let c = 0; c < C; c++) {
      const v = z[o + c] as number;
      sumExp += Math.exp(v - max);
      sumZ += v;
    }
    const lse = max + Math.log(sumExp); // log Σ exp z
    // −log p_c = lse − z_c; the smoothing term is its mean over classes.
    total += hit * (lse - (z[o + t] as number)) + (eps > 0 ? eps * (lse - sumZ / C) : 0);
    if (g) {
      for (let c = 0; c < C; c++) g[o + c] += scale * (Math.exp((z[o + c] as number) - lse) - spread);
      g[o + t] -= scale * hit;
    }
  }
  return { loss: total * scale, count };
}

/**
 * Mean squared error, PyTorch's `F.mse_loss`: Σ (pred − target)² / count.
 * @param pred - predictions, any shape.
 * @param target - same shape as `pred`.
 * @param opts - reduction and tape.
 * @returns `{ loss, count }`, count = number of elements (loss 0 when there are none).
 * @throws ShapeError when the shapes differ; ConfigError on a bad option.
 * @example
 * ```ts
 * const { loss } = mseLoss(head.forward(h, tape), y, { tape }); // regression, y [B, 1]
 * ```
 * @category Training
 */
export function mseLoss(pred: Tensor, target: Tensor, opts: MseLossOptions = {}): LossResult {
  const where = 'mseLoss';
  checkTensor(where, 'pred', pred);
  checkTensor(where, 'target', target);
  checkOpts(where, opts, MSE_KEYS);
  const mean = checkReduction(where, opts.reduction);
  checkSameShape(where, 'target', target, 'pred', pred);
  const n = pred.data.length;
  if (n === 0) return { loss: 0, count: 0 };
  const p = pred.data, t = target.data;
  const scale = mean ? 1 / n : 1;
  const g = opts.tape ? opts.tape.grad(pred) : null;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const d = (p[i] as number) - (t[i] as number);
    total += d * d;
    if (g) g[i] += 2 * scale * d;
  }
  return { loss: total * scale, count: n };
}

/**
 * Binary cross-entropy on logits, PyTorch's `F.binary_cross_entropy_with_logits`, in the stable
 * form w·t·softplus(−z) + (1 − t)·softplus(z), softplus(a) = max(a, 0) + log1p(e^(−|a|)), which
 * never overflows and never takes log 0.
 * @param logits - scores z, any shape `[*, C]`.
 * @param targets - same shape, values in [0, 1] (hard 0/1 labels or soft labels).
 * @param opts - reduction, posWeight and tape.
 * @returns `{ loss, count }`, count = number of elements (loss 0 when there are none).
 * @throws ShapeError when the shapes differ, a target is outside [0, 1] (the message names its
 *   position) or posWeight does not match the last dimension; ConfigError on a bad option.
 * @example
 * ```ts
 * const { loss } = bceWithLogits(head.forward(last, tape), labels, { tape }); // multi-label [B, C]
 * ```
 * @category Training
 */
export function bceWithLogits(logits: Tensor, targets: Tensor, opts: BceWithLogitsOptions = {}): LossResult {
  const where = 'bceWithLogits';
  checkTensor(where, 'logits', logits);
  checkTensor(where, 'targets', targets);
  checkOpts(where, opts, BCE_KEYS);
  const mean = checkReduction(where, opts.reduction);
  checkSameShape(where, 'targets', targets, 'logits', logits);
  const n = logits.data.length;
  const rank = logits.shape.length;
  const C = rank > 0 ? (logits.shape[rank - 1] as number) : 1;

  let wScalar = 1;
  let wVec: Float32Array | null = null; // [C]
  const pw = opts.posWeight;
  if (typeof pw === 'number') {
    wScalar = checkNumber(where, 'posWeight', pw, 0);
  } else if (pw !== undefined) {
    checkTensor(where, 'posWeight', pw);
    if (pw.shape.length !== 1 || pw.shape[0] !== C) {
      throw new ShapeError(
        shapeMessage(where, 'posWeight has the wrong shape', `[C=${C}] (or a number)`, fmtShape(pw.shape), `It is broadcast over the last dimension of logits ${fmtShape(logits.shape)}.`),
      );
    }
    wVec = pw.data;
  }

  const t = targets.data;
  for (let i = 0; i < n; i++) {
    const v = t[i] as number;
    if (!(v >= 0 && v <= 1)) {
      throw new ShapeError(
        `${where}: targets[${unravel(i, targets.shape).join(', ')}] = ${v} is out of range, expected a probability in [0, 1] (targets ${fmtShape(targets.shape)}).`,
      );
    }
  }
  if (n === 0) return { loss: 0, count: 0 };

  const z = logits.data;
  const scale = mean ? 1 / n : 1;
  const g = opts.tape ? opts.tape.grad(logits) : null;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const zi = z[i] as number, ti = t[i] as number;
    const w = wVec ? (wVec[i % C] as number) : wScalar;
    const soft = Math.log1p(Math.exp(-Math.abs(zi))); // shared tail of softplus(z) and softplus(−z)
    const spPos = (zi > 0 ? zi : 0) + soft; // softplus(z)  = −log(1 − σ(z))
    const spNeg = (zi < 0 ? -zi : 0) + soft; // softplus(−z) = −log σ(z)
    total += w * ti * spNeg + (1 - ti) * spPos;
    if (g) {
      const s = zi >= 0 ? 1 / (1 + Math.exp(-zi)) : Math.exp(zi) / (1 + Math.exp(zi)); // σ(z), stable
      g[i] += scale * (s * (w * ti + 1 - ti) - w * ti);
    }
  }
  return { loss: total * scale, count: n };
}

function checkOpts(where: string, opts: unknown, keys: readonly string[]): void {
  if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object, got ${describe(opts)}.`);
  checkKnownKeys(where, opts, keys);
}

function checkReduction(where: string, r: unknown): boolean {
  if (r === undefined || r === 'mean') return true;
  if (r === 'sum') return false;
  throw new ConfigError(`${where}: reduction must be 'mean' or 'sum', got ${describe(r)}.`);
}

function checkSameShape(where: string, arg: string, a: Tensor, refName: string, ref: Tensor): void {
  const same = a.shape.length === ref.shape.length && a.shape.every((d, i) => d === ref.shape[i]);
  if (!same) {
    throw new ShapeError(shapeMessage(where, `${arg} has the wrong shape`, `${fmtShape(ref.shape)} (the shape of ${refName})`, fmtShape(a.shape)));
  }
}
