/**
 * RMSprop, exactly as `torch.optim.RMSprop`. With g the gradient, θ the parameter:
 *
 * ```
 * g ← −g                                   if maximize
 * g ← g + λ·θ                              if weightDecay λ ≠ 0
 * s ← α·s + (1 − α)·g²                     square_avg
 * ḡ ← α·ḡ + (1 − α)·g                      grad_avg (centered only)
 * d ← √(s − ḡ²) + ε  if centered,  else  d ← √s + ε
 * b ← μ·b + g/d;  θ ← θ − γ·b              if momentum μ > 0   (momentum_buffer)
 * θ ← θ − γ·g/d                            otherwise
 * ```
 * ε is added after the square root, as PyTorch does.
 * @module
 */
import type { Module, Parameter } from '../../layers/param-store.js';
import { boolOption, numberOption, Optimizer, optionsRecord } from './optimizer.js';

/**
 * Options of {@link RMSprop} (PyTorch's names in camelCase).
 * @category Training
 */
export interface RMSpropOptions {
  /**
   * Learning rate γ.
   * @defaultValue 1e-2
   */
  lr?: number;
  /**
   * Smoothing constant α of the squared-gradient average, in [0, 1].
   * @defaultValue 0.99
   */
  alpha?: number;
  /**
   * ε added to the denominator (after the square root).
   * @defaultValue 1e-8
   */
  eps?: number;
  /**
   * L2 penalty λ, added to the gradient.
   * @defaultValue 0
   */
  weightDecay?: number;
  /**
   * Momentum factor μ (0 disables the momentum buffer).
   * @defaultValue 0
   */
  momentum?: number;
  /**
   * Normalise by an estimate of the gradient's variance instead of its second moment.
   * @defaultValue false
   */
  centered?: boolean;
  /**
   * Maximise the objective instead of minimising it.
   * @defaultValue false
   */
  maximize?: boolean;
}

const RMSPROP_KEYS: readonly string[] = ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'maximize'];

/**
 * RMSprop (`torch.optim.RMSprop`), with optional momentum and the centered variant.
 * @example
 * ```ts
 * const opt = new RMSprop(model, { lr: 1e-2, alpha: 0.99, centered: true });
 * opt.zeroGrad();
 * model.backward(dy);
 * opt.step();
 * ```
 * @category Training
 */
export class RMSprop extends Optimizer<Required<RMSpropOptions>> {
  /** Always `'RMSprop'`. */
  readonly kind: 'RMSprop' = 'RMSprop';
  protected readonly hyper: Required<RMSpropOptions>;
  private readonly squareAvg: Float32Array[]; // per parameter: [n] s
  private readonly gradAvg: Float32Array[]; // per parameter: [n] ḡ (centered only)
  private readonly momentumBuffers: Float32Array[]; // per parameter: [n] b (momentum > 0 only)

  /**
   * @param params - the parameters to update, or a module whose `parameters()` are used.
   * @param opts - see {@link RMSpropOptions}.
   * @returns a new optimizer with its buffers allocated.
   * @throws ConfigError for an unknown option, an option out of range, or an empty /
   * duplicate-named parameter list.
   */
  constructor(params: readonly Parameter[] | Module, opts?: RMSpropOptions) {
    super('RMSprop', params);
    this.hyper = this.resolve('RMSprop', optionsRecord('RMSprop', opts, RMSPROP_KEYS));
    this.squareAvg = this.allocBuffers('square_avg');
    this.momentumBuffers = this.hyper.momentum > 0 ? this.allocBuffers('momentum_buffer') : [];
    this.gradAvg = this.hyper.centered ? this.allocBuffers('grad_avg') : [];
  }

  protected resolve(where: string, raw: Readonly<Record<string, unknown>>): Required<RMSpropOptions> {
    const o = optionsRecord(where, raw, RMSPROP_KEYS);
    return {
      lr: numberOption(where, o, 'lr', 1e-2, 0),
      alpha: numberOption(where, o, 'alpha', 0.99, 0, 1),
      eps: numberOption(where, o, 'eps', 1e-8, 0),
      weightDecay: numberOption(where, o, 'weightDecay', 0, 0),
      momentum: numberOption(where, o, 'momentum', 0, 0),
      centered: boolOption(where, o, 'centered', false),
      maximize: boolOption(where, o, 'maximize', false),
    };
  }

  protected bufferPrefixes(hyper: Required<RMSpropOptions>): readonly string[] {
    const out = ['square_avg'];
    if (hyper.momentum > 0) out.push('momentum_buffer');
    if (hyper.centered) out.push('grad_avg');
    return out;
  }

  protected structuralOptions(): string {
    return 'momentum (zero or non-zero) and centered';
  }

  protected update(): void {
    const h = this.hyper;
    const lr = h.lr, alpha = h.alpha, eps = h.eps, wd = h.weightDecay, mu = h.momentum;
    const centered = h.centered, sign = h.maximize ? -1 : 1;
    const params = this.params;
    for (let k = 0; k < params.length; k++) {
      const w = params[k].value, grad = params[k].grad, n = w.length;
      const s = this.squareAvg[k];
      const ga = centered ? this.gradAvg[k] : s;
      const buf = mu > 0 ? this.momentumBuffers[k] : s;
      for (let i = 0; i < n; i++) {
        const g = wd === 0 ? sign * grad[i] : sign * grad[i] + wd * w[i];
        const si = alpha * s[i] + (1 - alpha) * g * g;
        s[i] = si;
        let d: number;
        if (centered) {
          const gi = alpha * ga[i] + (1 - alpha) * g;
          ga[i] = gi;
          d = Math.sqrt(si - gi * gi) + eps;
        } else {
          d = Math.sqrt(si) + eps;
        }
        if (mu > 0) {
          const b = mu * buf[i] + g / d;
          buf[i] = b;
          w[i] = w[i] - lr * b;
        } else {
          w[i] = w[i] - (lr * g) / d;
        }
      }
    }
  }
}
