/**
 * Adagrad, exactly as `torch.optim.Adagrad`. With g the gradient, θ the parameter, t the step
 * (1-based):
 *
 * ```
 * g ← −g                                   if maximize
 * g ← g + λ·θ                              if weightDecay λ ≠ 0
 * γ̃ ← γ / (1 + (t − 1)·η)                  lrDecay η
 * S ← S + g²                               sum, starts at initialAccumulatorValue
 * θ ← θ − γ̃·g / (√S + ε)
 * ```
 * @module
 */
import type { Module, Parameter } from '../../layers/param-store.js';
import { boolOption, numberOption, Optimizer, optionsRecord } from './optimizer.js';

/**
 * Options of {@link Adagrad} (PyTorch's names in camelCase).
 * @category Training
 */
export interface AdagradOptions {
  /**
   * Learning rate γ.
   * @defaultValue 1e-2
   */
  lr?: number;
  /**
   * Learning-rate decay η: step t uses γ / (1 + (t − 1)·η).
   * @defaultValue 0
   */
  lrDecay?: number;
  /**
   * L2 penalty λ, added to the gradient.
   * @defaultValue 0
   */
  weightDecay?: number;
  /**
   * Starting value of the sum of squared gradients.
   * @defaultValue 0
   */
  initialAccumulatorValue?: number;
  /**
   * ε added to the denominator (after the square root).
   * @defaultValue 1e-10
   */
  eps?: number;
  /**
   * Maximise the objective instead of minimising it.
   * @defaultValue false
   */
  maximize?: boolean;
}

const ADAGRAD_KEYS: readonly string[] = ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps', 'maximize'];

/**
 * Adagrad (`torch.optim.Adagrad`): per-coordinate learning rates from the running sum of squared
 * gradients.
 * @example
 * ```ts
 * const opt = new Adagrad(model, { lr: 0.1, lrDecay: 1e-3 });
 * opt.zeroGrad();
 * model.backward(dy);
 * opt.step();
 * ```
 * @category Training
 */
export class Adagrad extends Optimizer<Required<AdagradOptions>> {
  /** Always `'Adagrad'`. */
  readonly kind: 'Adagrad' = 'Adagrad';
  protected readonly hyper: Required<AdagradOptions>;
  private readonly sums: Float32Array[]; // per parameter: [n] S

  /**
   * @param params - the parameters to update, or a module whose `parameters()` are used.
   * @param opts - see {@link AdagradOptions}.
   * @returns a new optimizer with its accumulators allocated and set to `initialAccumulatorValue`.
   * @throws ConfigError for an unknown option, an option out of range, or an empty /
   * duplicate-named parameter list.
   */
  constructor(params: readonly Parameter[] | Module, opts?: AdagradOptions) {
    super('Adagrad', params);
    this.hyper = this.resolve('Adagrad', optionsRecord('Adagrad', opts, ADAGRAD_KEYS));
    this.sums = this.allocBuffers('sum', this.hyper.initialAccumulatorValue);
  }

  protected resolve(where: string, raw: Readonly<Record<string, unknown>>): Required<AdagradOptions> {
    const o = optionsRecord(where, raw, ADAGRAD_KEYS);
    return {
      lr: numberOption(where, o, 'lr', 1e-2, 0),
      lrDecay: numberOption(where, o, 'lrDecay', 0, 0),
      weightDecay: numberOption(where, o, 'weightDecay', 0, 0),
      initialAccumulatorValue: numberOption(where, o, 'initialAccumulatorValue', 0, 0),
      eps: numberOption(where, o, 'eps', 1e-10, 0),
      maximize: boolOption(where, o, 'maximize', false),
    };
  }

  protected bufferPrefixes(): readonly string[] {
    return ['sum'];
  }

  protected structuralOptions(): string {
    return 'options';
  }

  protected update(t: number): void {
    const h = this.hyper;
    const clr = h.lr / (1 + (t - 1) * h.lrDecay);
    const wd = h.weightDecay, eps = h.eps, sign = h.maximize ? -1 : 1;
    const params = this.params;
    for (let k = 0; k < params.length; k++) {
      const w = params[k].value, grad = params[k].grad, n = w.length;
      const sum = this.sums[k];
      for (let i = 0; i < n; i++) {
        const g = wd === 0 ? sign * grad[i] : sign * grad[i] + wd * w[i];
        const si = sum[i] + g * g;
        sum[i] = si;
        w[i] = w[i] - (clr * g) / (Math.sqrt(si) + eps);
      }
    }
  }
}
