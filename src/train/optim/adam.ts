/**
 * Adam, exactly as `torch.optim.Adam` (L2 weight decay added to the gradient). With g the
 * gradient, θ the parameter, t the step (1-based):
 *
 * ```
 * g ← −g                                   if maximize
 * g ← g + λ·θ                              if weightDecay λ ≠ 0
 * m ← β1·m + (1 − β1)·g                    exp_avg
 * v ← β2·v + (1 − β2)·g²                   exp_avg_sq
 * v̂max ← max(v̂max, v);  u ← v̂max  if amsgrad, else  u ← v      max_exp_avg_sq
 * θ ← θ − (γ / (1 − β1ᵗ)) · m / (√u / √(1 − β2ᵗ) + ε)
 * ```
 * AdamW (`adamw.ts`) shares this update with decoupled decay (θ ← θ·(1 − γλ) first, no L2 term).
 * @module
 */
import { ConfigError } from '../../errors.js';
import type { Module, Parameter } from '../../layers/param-store.js';
import { describe } from '../../shapes.js';
import { boolOption, checkRange, numberOption, Optimizer, optionsRecord } from './optimizer.js';

/**
 * Options of {@link Adam} and {@link AdamW} (PyTorch's names in camelCase).
 * @category Training
 */
export interface AdamOptions {
  /**
   * Learning rate γ.
   * @defaultValue 1e-3
   */
  lr?: number;
  /**
   * Decay rates (β1, β2) of the first and second moment estimates, each in [0, 1).
   * @defaultValue [0.9, 0.999]
   */
  betas?: readonly [number, number];
  /**
   * ε added to the denominator for numerical stability.
   * @defaultValue 1e-8
   */
  eps?: number;
  /**
   * Weight decay λ: an L2 term added to the gradient for Adam, decoupled decay for AdamW.
   * @defaultValue 0 for Adam, 1e-2 for AdamW
   */
  weightDecay?: number;
  /**
   * Use the AMSGrad variant (keeps the running maximum of the second moment).
   * @defaultValue false
   */
  amsgrad?: boolean;
  /**
   * Maximise the objective instead of minimising it.
   * @defaultValue false
   */
  maximize?: boolean;
}

const ADAM_KEYS: readonly string[] = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize'];

/**
 * Validates Adam / AdamW options and fills in defaults.
 * @internal
 */
export function resolveAdamOptions(
  where: string,
  raw: unknown,
  defaultWeightDecay: number,
): Required<AdamOptions> {
  const o = optionsRecord(where, raw, ADAM_KEYS);
  let b1 = 0.9, b2 = 0.999;
  if (o.betas !== undefined) {
    const betas: unknown = o.betas;
    if (!Array.isArray(betas) || betas.length !== 2) {
      throw new ConfigError(`${where}: betas must be a pair [beta1, beta2], got ${describe(betas)}.`);
    }
    b1 = checkRange(where, 'betas[0]', betas[0], 0, 1, true);
    b2 = checkRange(where, 'betas[1]', betas[1], 0, 1, true);
  }
  return {
    lr: numberOption(where, o, 'lr', 1e-3, 0),
    betas: [b1, b2],
    eps: numberOption(where, o, 'eps', 1e-8, 0),
    weightDecay: numberOption(where, o, 'weightDecay', defaultWeightDecay, 0),
    amsgrad: boolOption(where, o, 'amsgrad', false),
    maximize: boolOption(where, o, 'maximize', false),
  };
}

/**
 * One Adam / AdamW step over every parameter; `decoupled` selects AdamW's weight decay.
 * `maxExpAvgSq` is empty unless amsgrad. Allocates nothing.
 * @internal
 */
export function adamUpdate(
  params: readonly Parameter[],
  expAvg: readonly Float32Array[],
  expAvgSq: readonly Float32Array[],
  maxExpAvgSq: readonly Float32Array[],
  h: Required<AdamOptions>,
  t: number,
  decoupled: boolean,
): void {
  const lr = h.lr, b1 = h.betas[0], b2 = h.betas[1], eps = h.eps, wd = h.weightDecay;
  const amsgrad = h.amsgrad, sign = h.maximize ? -1 : 1;
  const stepSize = lr / (1 - Math.pow(b1, t));
  const bc2Sqrt = Math.sqrt(1 - Math.pow(b2, t));
  const l2 = decoupled ? 0 : wd;
  const shrink = decoupled ? 1 - lr * wd : 1;
  for (let k = 0; k < params.length; k++) {
    const w = params[k].value, grad = params[k].grad, n = w.length;
    const m = expAvg[k], v = expAvgSq[k], vmax = amsgrad ? maxExpAvgSq[k] : v;
    for (let i = 0; i < n; i++) {
      const p = shrink === 1 ? w[i] : w[i] * shrink;
      const g = l2 === 0 ? sign * grad[i] : sign * grad[i] + l2 * p;
      const mi = b1 * m[i] + (1 - b1) * g;
      const vi = b2 * v[i] + (1 - b2) * g * g;
      m[i] = mi;
      v[i] = vi;
      let u = vi;
      if (amsgrad) {
        // Compare stored (float32) values, as PyTorch's torch.maximum on the buffers does.
        u = vmax[i] > v[i] ? vmax[i] : v[i];
        vmax[i] = u;
      }
      w[i] = p - (stepSize * mi) / (Math.sqrt(u) / bc2Sqrt + eps);
    }
  }
}

/**
 * Adam (`torch.optim.Adam`): adaptive moment estimation with bias correction, optional L2
 * weight decay and AMSGrad.
 * @example
 * ```ts
 * const opt = new Adam(model, { lr: 1e-3, betas: [0.9, 0.999] });
 * opt.zeroGrad();
 * model.backward(dy);
 * opt.step();
 * ```
 * @category Training
 */
export class Adam extends Optimizer<Required<AdamOptions>> {
  /** Always `'Adam'`. */
  readonly kind: 'Adam' = 'Adam';
  protected readonly hyper: Required<AdamOptions>;
  private readonly expAvg: Float32Array[]; // per parameter: [n] first moment m
  private readonly expAvgSq: Float32Array[]; // per parameter: [n] second moment v
  private readonly maxExpAvgSq: Float32Array[]; // per parameter: [n] running max of v (amsgrad only)

  /**
   * @param params - the parameters to update, or a module whose `parameters()` are used.
   * @param opts - see {@link AdamOptions}.
   * @returns a new optimizer with its moment buffers allocated.
   * @throws ConfigError for an unknown option, an option out of range, or an empty /
   * duplicate-named parameter list.
   */
  constructor(params: readonly Parameter[] | Module, opts?: AdamOptions) {
    super('Adam', params);
    this.hyper = this.resolve('Adam', optionsRecord('Adam', opts, ADAM_KEYS));
    this.expAvg = this.allocBuffers('exp_avg');
    this.expAvgSq = this.allocBuffers('exp_avg_sq');
    this.maxExpAvgSq = this.hyper.amsgrad ? this.allocBuffers('max_exp_avg_sq') : [];
  }

  protected resolve(where: string, raw: Readonly<Record<string, unknown>>): Required<AdamOptions> {
    return resolveAdamOptions(where, raw, 0);
  }

  protected bufferPrefixes(hyper: Required<AdamOptions>): readonly string[] {
    return hyper.amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'];
  }

  protected structuralOptions(): string {
    return 'amsgrad';
  }

  protected update(t: number): void {
    adamUpdate(this.params, this.expAvg, this.expAvgSq, this.maxExpAvgSq, this.hyper, t, false);
  }
}
