/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
 * decay, exactly as `torch.optim.SGD`. With g the gradient, θ the parameter, t the step:
 *
 * ```
 * g ← −g                        if maximize
 * g ← g + λ·θ                   if weightDecay λ ≠ 0
 * b ← g  (t = 1),  b ← μ·b + (1 − τ)·g  (t > 1)      if momentum μ ≠ 0
 * g ← g + μ·b  if nesterov,  else  g ← b            if momentum μ ≠ 0
 * θ ← θ − γ·g
 * ```
 * @module
 */
import { ConfigError } from '../../errors.js';
import type { Module, Parameter } from '../../layers/param-store.js';
import { boolOption, numberOption, Optimizer, optionsRecord } from './optimizer.js';

/**
 * Options of {@link SGD} (PyTorch's names in camelCase).
 * @category Training
 */
export interface SGDOptions {
  /**
   * Learning rate γ.
   * @defaultValue 1e-3
   */
  lr?: number;
  /**
   * Momentum factor μ (0 disables the momentum buffer).
   * @defaultValue 0
   */
  momentum?: number;
  /**
   * Dampening τ applied to the gradient in the momentum update, in [0, 1].
   * @defaultValue 0
   */
  dampening?: number;
  /**
   * Nesterov momentum; needs `momentum > 0` and `dampening = 0`.
   * @defaultValue false
   */
  nesterov?: boolean;
  /**
   * L2 penalty λ, added to the gradient.
   * @defaultValue 0
   */
  weightDecay?: number;
  /**
   * Maximise the objective instead of minimising it.
   * @defaultValue false
   */
  maximize?: boolean;
}

const SGD_KEYS: readonly string[] = ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay', 'maximize'];

/**
 * Stochastic gradient descent (`torch.optim.SGD`).
 * @example
 * ```ts
 * const opt = new SGD(model, { lr: 0.1, momentum: 0.9, nesterov: true });
 * opt.zeroGrad();
 * model.backward(dy);
 * opt.step();
 * ```
 * @category Training
 */
export class SGD extends Optimizer<Required<SGDOptions>> {
  /** Always `'SGD'`. */
  readonly kind: 'SGD' = 'SGD';
  protected readonly hyper: Required<SGDOptions>;
  private readonly momentumBuffers: Float32Array[]; // per parameter: [n] momentum b

  /**
   * @param params - the parameters to update, or a module whose `parameters()` are used.
   * @param opts - see {@link SGDOptions}.
   * @returns a new optimizer; the momentum buffers are allocated here when `momentum > 0`.
   * @throws ConfigError for an unknown option, an option out of range, Nesterov without momentum
   * or with dampening, or an empty / duplicate-named parameter list.
   */
  constructor(params: readonly Parameter[] | Module, opts?: SGDOptions) {
    super('SGD', params);
    this.hyper = this.resolve('SGD', optionsRecord('SGD', opts, SGD_KEYS));
    this.momentumBuffers = this.hyper.momentum !== 0 ? this.allocBuffers('momentum_buffer') : [];
  }

  protected resolve(where: string, raw: Readonly<Record<string, unknown>>): Required<SGDOptions> {
    const o = optionsRecord(where, raw, SGD_KEYS);
    const h: Required<SGDOptions> = {
      lr: numberOption(where, o, 'lr', 1e-3, 0),
      momentum: numberOption(where, o, 'momentum', 0, 0),
      dampening: numberOption(where, o, 'dampening', 0, 0, 1),
      nesterov: boolOption(where, o, 'nesterov', false),
      weightDecay: numberOption(where, o, 'weightDecay', 0, 0),
      maximize: boolOption(where, o, 'maximize', false),
    };
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
      throw new ConfigError(
        `${where}: nesterov needs momentum > 0 and dampening = 0, got momentum = ${h.momentum}, dampening = ${h.dampening}.`,
      );
    }
    return h;
  }

  protected bufferPrefixes(hyper: Required<SGDOptions>): readonly string[] {
    return hyper.momentum !== 0 ? ['momentum_buffer'] : [];
  }

  protected structuralOptions(): string {
    return 'momentum (zero or non-zero)';
  }

  protected update(t: number): void {
    const h = this.hyper;
    const lr = h.lr, mu = h.momentum, damp = 1 - h.dampening, wd = h.weightDecay;
    const nesterov = h.nesterov, sign = h.maximize ? -1 : 1;
    const params = this.params;
    for (let k = 0; k < params.length; k++) {
      const w = params[k].value, grad = params[k].grad, n = w.length;
      if (mu === 0) {
        for (let i = 0; i < n; i++) {
          const g = wd === 0 ? sign * grad[i] : sign * grad[i] + wd * w[i];
          w[i] = w[i] - lr * g;
        }
        continue;
      }
      const buf = this.momentumBuffers[k];
      for (let i = 0; i < n; i++) {
        const g = wd === 0 ? sign * grad[i] : sign * grad[i] + wd * w[i];
        const b = t === 1 ? g : mu * buf[i] + damp * g;
        buf[i] = b;
        w[i] = w[i] - lr * (nesterov ? g + mu * b : b);
      }
    }
  }
}
