/**
 * AdamW, exactly as `torch.optim.AdamW`: Adam with decoupled weight decay. Each step first
 * shrinks the parameter, θ ← θ·(1 − γ·λ), then applies the Adam update of `adam.ts` with no L2
 * term in the gradient. Options and buffers are Adam's; only the `weightDecay` default differs
 * (1e-2).
 * @module
 */
import type { Module, Parameter } from '../../layers/param-store.js';
import type { AdamOptions } from './adam.js';
import { adamUpdate, resolveAdamOptions } from './adam.js';
import { Optimizer } from './optimizer.js';

/**
 * AdamW (`torch.optim.AdamW`): Adam with decoupled weight decay (Loshchilov & Hutter).
 * Takes {@link AdamOptions}; `weightDecay` defaults to 1e-2.
 * @example
 * ```ts
 * const opt = new AdamW(model, { lr: 3e-4, weightDecay: 0.01 });
 * opt.zeroGrad();
 * model.backward(dy);
 * opt.step();
 * ```
 * @category Training
 */
export class AdamW extends Optimizer<Required<AdamOptions>> {
  /** Always `'AdamW'`. */
  readonly kind: 'AdamW' = 'AdamW';
  protected readonly hyper: Required<AdamOptions>;
  private readonly expAvg: Float32Array[]; // per parameter: [n] first moment m
  private readonly expAvgSq: Float32Array[]; // per parameter: [n] second moment v
  private readonly maxExpAvgSq: Float32Array[]; // per parameter: [n] running max of v (amsgrad only)

  /**
   * @param params - the parameters to update, or a module whose `parameters()` are used.
   * @param opts - see {@link AdamOptions} (`weightDecay` defaults to 1e-2 here).
   * @returns a new optimizer with its moment buffers allocated.
   * @throws ConfigError for an unknown option, an option out of range, or an empty /
   * duplicate-named parameter list.
   */
  constructor(params: readonly Parameter[] | Module, opts?: AdamOptions) {
    super('AdamW', params);
    this.hyper = resolveAdamOptions('AdamW', opts, 1e-2);
    this.expAvg = this.allocBuffers('exp_avg');
    this.expAvgSq = this.allocBuffers('exp_avg_sq');
    this.maxExpAvgSq = this.hyper.amsgrad ? this.allocBuffers('max_exp_avg_sq') : [];
  }

  protected resolve(where: string, raw: Readonly<Record<string, unknown>>): Required<AdamOptions> {
    return resolveAdamOptions(where, raw, 1e-2);
  }

  protected bufferPrefixes(hyper: Required<AdamOptions>): readonly string[] {
    return hyper.amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'];
  }

  protected structuralOptions(): string {
    return 'amsgrad';
  }

  protected update(t: number): void {
    adamUpdate(this.params, this.expAvg, this.expAvgSq, this.maxExpAvgSq, this.hyper, t, true);
  }
}
