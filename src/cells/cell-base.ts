/**
 * What RNNCell, LSTMCell and GRUCell share: options, parameters, the one-step API for users
 * who write their own loops, and the training form (`stepTrain` + `backward`).
 * @module
 */
import { ConfigError, ShapeError } from '../errors.js';
import { allocFloat32 } from '../kernel/alloc.js';
import { createRng, type Rng } from '../kernel/rng.js';
import { ParamStore, StoreModule } from '../layers/param-store.js';
import { checkKnownKeys, checkPositiveInt, fmtShape } from '../shapes.js';
import { checkTensor, type Tensor } from '../tensor.js';
import type { CellCore, CellKind } from './cell-core.js';
import { checkInitScheme, type InitScheme } from './init-scheme.js';

/**
 * Options shared by every cell.
 * @category Cells
 */
export interface CellOptions {
  /** I: features per input row. */
  inputSize: number;
  /** H: hidden units. */
  hiddenSize: number;
  /**
   * Whether the cell has `bias_ih` and `bias_hh`.
   * @defaultValue true
   */
  bias?: boolean;
  /**
   * Weight initialisation scheme.
   * @defaultValue 'keras'
   */
  init?: InitScheme;
  /**
   * Seed for initialisation (ignored when `rng` is given).
   * @defaultValue 0
   */
  seed?: number;
  /** A generator to draw the initial weights from (advances it). */
  rng?: Rng;
}

/**
 * The state of an RNN or GRU cell.
 * @category Cells
 */
export interface HiddenState {
  /** `[B, H]` hidden state. */
  readonly h: Tensor;
}

/**
 * The state of an LSTM cell.
 * @category Cells
 */
export interface LstmState extends HiddenState {
  /** `[B, H]` cell state. */
  readonly c: Tensor;
}

/**
 * Gradients returned by a cell's `backward`.
 * @category Cells
 */
export interface CellGradients<TState extends HiddenState> {
  /** `[B, I]` gradient of the step input. */
  readonly dx: Tensor;
  /** Gradient of the previous state. */
  readonly dState: TState;
}

/**
 * Everything one training step of a cell needs for its backward pass, allocated once per batch
 * size by `createCache(batch)` and reused (no allocation per step). The state returned by
 * `stepTrain` and the gradients returned by `backward` live in the cache and are overwritten by
 * the next call with the same cache.
 * @category Cells
 */
export class CellCache<TState extends HiddenState> {
  /** B: the batch size this cache was made for. */
  readonly batch: number;
  /** The new state written by `stepTrain`. */
  readonly state: TState;
  /** `dx` and `dState` written by `backward`. */
  readonly grads: CellGradients<TState>;
  /** @internal */ readonly x: Float32Array; // [B, I] copy of the input
  /** @internal */ readonly xg: Float32Array; // [B, G] projected input, then its gradient
  /** @internal */ readonly hPrev: Float32Array; // [B, H]
  /** @internal */ readonly cPrev: Float32Array; // [B, H] (LSTM) or empty
  /** @internal */ readonly h: Float32Array; // [B, H]
  /** @internal */ readonly c: Float32Array; // [B, H] (LSTM) or empty
  /** @internal */ readonly cache: Float32Array; // [B, cacheCols]
  /** @internal */ readonly dh: Float32Array; // [B, H]
  /** @internal */ readonly dc: Float32Array; // [B, H] (LSTM) or empty
  /** @internal */ readonly dx: Float32Array; // [B, I]
  /** @internal */ readonly dhPrev: Float32Array; // [B, H]
  /** @internal */ readonly dcPrev: Float32Array; // [B, H] (LSTM) or empty
  /** @internal */ filled = false;

  /** @internal */
  constructor(core: CellCore, batch: number, wrap: (h: Tensor, c: Tensor) => TState) {
    const I = core.inputSize, H = core.hiddenSize, B = batch;
    const cs = core.hasCellState ? B * H : 0;
    this.batch = B;
    this.x = allocFloat32(B * I);
    this.xg = allocFloat32(B * core.gateSize);
    this.hPrev = allocFloat32(B * H);
    this.cPrev = allocFloat32(cs);
    this.h = allocFloat32(B * H);
    this.c = allocFloat32(cs);
    this.cache = allocFloat32(B * core.cacheCols);
    this.dh = allocFloat32(B * H);
    this.dc = allocFloat32(cs);
    this.dx = allocFloat32(B * I);
    this.dhPrev = allocFloat32(B * H);
    this.dcPrev = allocFloat32(cs);
    const shapeH = [B, H];
    const shapeC = core.hasCellState ? [B, H] : [0];
    this.state = wrap({ shape: shapeH, data: this.h }, { shape: shapeC, data: this.c });
    this.grads = {
      dx: { shape: [B, I], data: this.dx },
      dState: wrap({ shape: shapeH, data: this.dhPrev }, { shape: shapeC, data: this.dcPrev }),
    };
  }
}

const CELL_KEYS = ['inputSize', 'hiddenSize', 'bias', 'init', 'seed', 'rng'] as const;

/** @internal Resolved common options. */
export interface ResolvedCellOptions {
  inputSize: number;
  hiddenSize: number;
  bias: boolean;
  init: InitScheme;
  rng: Rng;
}

/** @internal */
export function resolveCellOptions(where: string, opts: CellOptions, extraKeys: readonly string[]): ResolvedCellOptions {
  if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object.`);
  checkKnownKeys(where, opts, [...CELL_KEYS, ...extraKeys]);
  const inputSize = checkPositiveInt(where, 'inputSize', opts.inputSize);
  const hiddenSize = checkPositiveInt(where, 'hiddenSize', opts.hiddenSize);
  const bias = opts.bias ?? true;
  if (typeof bias !== 'boolean') throw new ConfigError(`${where}: bias must be a boolean, got ${typeof bias}.`);
  const init = checkInitScheme(where, opts.init ?? 'keras');
  if (opts.rng !== undefined && opts.seed !== undefined) {
    throw new ConfigError(`${where}: pass either seed or rng, not both.`);
  }
  const rng = opts.rng ?? createRng(opts.seed ?? 0);
  return { inputSize, hiddenSize, bias, init, rng };
}

/** @internal PyTorch cell parameter specs. */
export function cellParamSpecs(I: number, H: number, gates: number, bias: boolean, suffix = ''): { name: string; shape: number[] }[] {
  const G = gates * H;
  const specs = [
    { name: 'weight_ih' + suffix, shape: [G, I] },
    { name: 'weight_hh' + suffix, shape: [G, H] },
  ];
  if (bias) specs.push({ name: 'bias_ih' + suffix, shape: [G] }, { name: 'bias_hh' + suffix, shape: [G] });
  return specs;
}

/**
 * The shared implementation of the three cells. Use {@link RNNCell}, {@link LSTMCell} or
 * {@link GRUCell}.
 * @category Cells
 */
export abstract class CellBase<TState extends HiddenState> extends StoreModule {
  /** I: input features. */
  readonly inputSize: number;
  /** H: hidden units. */
  readonly hiddenSize: number;
  /** Whether the biases exist. */
  readonly bias: boolean;
  /** The flat parameters: `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh` (PyTorch names). */
  readonly params: ParamStore;
  /** The step math that `RNN` / `LSTM` / `GRU` unroll (advanced use). */
  abstract readonly core: CellCore;
  /** Which cell. */
  abstract readonly kind: CellKind;
  /** Class name used in messages. */
  protected abstract readonly label: string;

  /** @internal */
  protected constructor(o: ResolvedCellOptions, gates: number) {
    super();
    this.inputSize = o.inputSize;
    this.hiddenSize = o.hiddenSize;
    this.bias = o.bias;
    this.params = new ParamStore(cellParamSpecs(o.inputSize, o.hiddenSize, gates, o.bias));
  }

  /** @internal Wraps raw buffers into the public state type. */
  protected abstract wrap(h: Tensor, c: Tensor): TState;

  /**
   * A zero state for a batch.
   * @param batch - B.
   * @returns zero `h` (and `c`), each `[B, H]`.
   */
  initialState(batch: number): TState {
    checkPositiveInt(`${this.label}.initialState`, 'batch', batch);
    const H = this.hiddenSize;
    const c = this.core.hasCellState ? allocFloat32(batch * H) : allocFloat32(0);
    return this.wrap({ shape: [batch, H], data: allocFloat32(batch * H) }, { shape: this.core.hasCellState ? [batch, H] : [0], data: c });
  }

  /**
   * One inference step. Allocation-free when `out` is given (it must not be `state`).
   * @param x - `[B, I]` input.
   * @param state - previous state, each `[B, H]`.
   * @param out - optional destination state, each `[B, H]`.
   * @returns the new state (`out` when given).
   * @throws ShapeError when a shape does not match.
   */
  step(x: Tensor, state: TState, out?: TState): TState {
    const where = `${this.label}.step`;
    const B = this.checkStep(where, x, state);
    const dest = out ?? this.initialState(B);
    if (out) this.checkState(where, 'out', out, B);
    if (out && (out.h.data === state.h.data || (this.core.hasCellState && this.cOf(out) === this.cOf(state)))) {
      throw new ShapeError(`${where}: out must not be the same buffers as state; use two states and swap them.`);
    }
    const xg = this.stepScratch(B);
    this.core.projectInput(xg, x.data, B);
    this.core.stepForward(dest.h.data, this.cOf(dest), null, xg, state.h.data, this.cOf(state), B);
    return dest;
  }

  /**
   * Makes a reusable training cache for batch size B.
   * @param batch - B.
   * @returns a cache to pass to {@link CellBase.stepTrain} and {@link CellBase.backward}.
   */
  createCache(batch: number): CellCache<TState> {
    checkPositiveInt(`${this.label}.createCache`, 'batch', batch);
    return new CellCache<TState>(this.core, batch, (h, c) => this.wrap(h, c));
  }

  /**
   * One training step: like `step`, but saves what `backward` needs in `cache`.
   * @param x - `[B, I]` input (copied into the cache).
   * @param state - previous state (copied into the cache).
   * @param cache - from `createCache(B)`.
   * @returns the new state, owned by `cache` (overwritten by the next `stepTrain` on it).
   * @throws ShapeError when a shape does not match the cache.
   */
  stepTrain(x: Tensor, state: TState, cache: CellCache<TState>): TState {
    const where = `${this.label}.stepTrain`;
    const B = this.checkStep(where, x, state);
    if (B !== cache.batch) throw new ShapeError(`${where}: x has batch B=${B}, but the cache was made for B=${cache.batch}.`);
    cache.x.set(x.data);
    cache.hPrev.set(state.h.data);
    if (this.core.hasCellState) cache.cPrev.set(this.cOf(state));
    this.core.projectInput(cache.xg, cache.x, B);
    this.core.stepForward(cache.h, cache.c, cache.cache, cache.xg, cache.hPrev, cache.cPrev, B);
    cache.filled = true;
    return cache.state;
  }

  /**
   * Backward of the last `stepTrain` on `cache`: accumulates parameter gradients (`+=`) and
   * returns the gradients of the input and of the previous state.
   * @param dState - gradient of the loss w.r.t. the state `stepTrain` returned, each `[B, H]`.
   * @param cache - the cache `stepTrain` filled.
   * @returns `{ dx, dState }`, owned by `cache`.
   * @throws StateError-like ShapeError when shapes mismatch; ConfigError when the cache is empty.
   */
  backward(dState: TState, cache: CellCache<TState>): CellGradients<TState> {
    const where = `${this.label}.backward`;
    if (!cache.filled) throw new ConfigError(`${where}: the cache is empty; call stepTrain(x, state, cache) first.`);
    const B = cache.batch;
    this.checkState(where, 'dState', dState, B);
    cache.dh.set(dState.h.data);
    if (this.core.hasCellState) cache.dc.set(this.cOf(dState));
    cache.dhPrev.fill(0);
    cache.dcPrev.fill(0);
    cache.dx.fill(0);
    this.core.stepBackward(cache.xg, cache.dhPrev, cache.dcPrev, cache.dh, cache.dc, cache.cache, cache.h, cache.hPrev, cache.cPrev, B);
    this.core.projectInputBackward(cache.dx, cache.xg, cache.x, B);
    cache.filled = false; // xg now holds its gradient: a second backward would be wrong
    return cache.grads;
  }


  private scratch: Float32Array = allocFloat32(0);
  private stepScratch(B: number): Float32Array {
    const n = B * this.core.gateSize;
    if (this.scratch.length < n) this.scratch = allocFloat32(n);
    return this.scratch;
  }

  private cOf(state: TState): Float32Array {
    const c = (state as unknown as { c?: Tensor }).c;
    return c ? c.data : state.h.data; // non-LSTM cores ignore c
  }

  private checkStep(where: string, x: Tensor, state: TState): number {
    checkTensor(where, 'x', x);
    if (x.shape.length !== 2 || x.shape[1] !== this.inputSize) {
      throw new ShapeError(
        `${where}: x expected shape [B, I=${this.inputSize}], got ${fmtShape(x.shape)}.` +
          (x.shape.length === 3 ? ' A cell takes one time step; use RNN / LSTM / GRU for a whole sequence [T, B, I].' : ''),
      );
    }
    const B = x.shape[0] as number;
    if (B < 1) throw new ShapeError(`${where}: x has batch B=0; a step needs at least one row.`);
    this.checkState(where, 'state', state, B);
    return B;
  }

  private checkState(where: string, arg: string, state: TState, B: number): void {
    if (typeof state !== 'object' || state === null) throw new ShapeError(`${where}: ${arg} must be a state object.`);
    const H = this.hiddenSize;
    const parts: [string, Tensor | undefined][] = [['h', state.h]];
    if (this.core.hasCellState) parts.push(['c', (state as unknown as { c?: Tensor }).c]);
    for (const [name, t] of parts) {
      if (!t) throw new ShapeError(`${where}: ${arg}.${name} is missing; expected a tensor [B=${B}, H=${H}].`);
      checkTensor(where, `${arg}.${name}`, t);
      if (t.shape.length !== 2 || t.shape[0] !== B || t.shape[1] !== H) {
        throw new ShapeError(`${where}: ${arg}.${name} expected shape [B=${B}, H=${H}], got ${fmtShape(t.shape)}.`);
      }
    }
  }
}
