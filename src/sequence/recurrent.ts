/**
 * The shared implementation of the RNN / LSTM / GRU layers: stacking, directions, lengths,
 * inter-layer dropout, batch-first conversion, workspaces and the backward closure.
 * @module
 */
import type { CellCore, CellKind } from '../cells/cell-core.js';
import { cellParamSpecs } from '../cells/cell-base.js';
import { ConfigError, ShapeError } from '../errors.js';
import { allocFloat32 } from '../kernel/alloc.js';
import type { Rng } from '../kernel/rng.js';
import { ParamStore, StoreModule } from '../layers/param-store.js';
import type { Tape } from '../layers/tape.js';
import { fmtShape } from '../shapes.js';
import { checkTensor, type Tensor } from '../tensor.js';
import { addSwapLeadingAxes, swapLeadingAxes } from './layout.js';
import { resolveLengths } from './mask.js';
import type { ResolvedRecurrentOptions, SequenceForwardOptions } from './options.js';
import { unrollBackward, unrollForward } from './unroll.js';
import { SequenceWorkspace, WorkspacePool } from './workspace.js';

/**
 * What `forward` returns for RNN and GRU layers.
 * @category Sequence
 */
export interface RecurrentOutput {
  /** `[T, B, D·H]` top-layer outputs (`[B, T, D·H]` with batchFirst); padded steps are 0. */
  readonly output: Tensor;
  /** `[L·D, B, H]` final hidden state of every layer and direction (PyTorch order). */
  readonly hN: Tensor;
}

/**
 * What `forward` returns for LSTM layers.
 * @category Sequence
 */
export interface LstmOutput extends RecurrentOutput {
  /** `[L·D, B, H]` final cell state. */
  readonly cN: Tensor;
}

/**
 * Shared implementation of {@link RNN}, {@link LSTM} and {@link GRU}; use those classes.
 * @category Sequence
 */
export abstract class RecurrentBase<TOut extends RecurrentOutput> extends StoreModule {
  /** I: features per step. */
  readonly inputSize: number;
  /** H: hidden units per direction. */
  readonly hiddenSize: number;
  /** L: stacked layers. */
  readonly numLayers: number;
  /** Whether each layer has a reverse direction. */
  readonly bidirectional: boolean;
  /** Whether input and output are `[B, T, F]`. */
  readonly batchFirst: boolean;
  /** Inter-layer dropout probability. */
  readonly dropout: number;
  /** Whether the cells have biases. */
  readonly bias: boolean;
  /** All weights, named like `torch.nn.LSTM` (`weight_ih_l0`, `bias_hh_l1_reverse`, ...). */
  readonly params: ParamStore;
  /** Which cell this layer unrolls. */
  abstract readonly kind: CellKind;
  /** One cell core per (layer, direction), index `l·D + d` (advanced use). */
  readonly cores: readonly CellCore[];
  /** @internal */ protected readonly rng: Rng;
  /** @internal */ protected abstract readonly label: string;
  private readonly pool = new WorkspacePool(4);

  /** @internal */
  protected constructor(o: ResolvedRecurrentOptions, gates: number, makeCore: (store: ParamStore, suffix: string, I: number) => CellCore) {
    super();
    this.inputSize = o.inputSize;
    this.hiddenSize = o.hiddenSize;
    this.numLayers = o.numLayers;
    this.bidirectional = o.bidirectional;
    this.batchFirst = o.batchFirst;
    this.dropout = o.dropout;
    this.bias = o.bias;
    this.rng = o.rng;
    const D = o.bidirectional ? 2 : 1;
    const specs = [];
    const suffixes: [string, number][] = [];
    for (let l = 0; l < o.numLayers; l++) {
      const I = l === 0 ? o.inputSize : D * o.hiddenSize;
      for (let d = 0; d < D; d++) {
        const suffix = `_l${l}${d === 1 ? '_reverse' : ''}`;
        specs.push(...cellParamSpecs(I, o.hiddenSize, gates, o.bias, suffix));
        suffixes.push([suffix, I]);
      }
    }
    this.params = new ParamStore(specs);
    this.cores = suffixes.map(([suffix, I]) => makeCore(this.params, suffix, I));
  }

  /** D: 1, or 2 when bidirectional. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /**
   * The generator inter-layer dropout draws from, for training checkpoints (see
   * {@link Module.generators}); empty when the layer has no dropout (dropout = 0 or one layer),
   * since its generator then only served initialisation.
   * @returns `{ rng }`, the live generator, or `{}`.
   * @example
   * ```ts
   * new LSTM({ inputSize: 8, hiddenSize: 16, numLayers: 2, dropout: 0.3 }).generators(); // { rng }
   * ```
   */
  generators(): Record<string, Rng> {
    return this.dropout > 0 && this.numLayers > 1 ? { rng: this.rng } : {};
  }

  /** @internal Builds the public output object. */
  protected abstract wrap(output: Tensor, hN: Tensor, cN: Tensor | null): TOut;

  /**
   * Runs the layer over a whole sequence batch.
   * @param x - `[T, B, I]` (or `[B, T, I]` with batchFirst).
   * @param opts - initial states `[L·D, B, H]`, `lengths`, a `tape` for training, `training`.
   * @returns `output` `[T, B, D·H]`, `hN` (and `cN`) `[L·D, B, H]`, each freshly allocated.
   * @throws ShapeError on a wrong shape or length; ConfigError on an unknown option.
   */
  forward(x: Tensor, opts: SequenceForwardOptions = {}): TOut {
    const where = `${this.label}.forward`;
    const known = ['h0', 'c0', 'lengths', 'tape', 'training'];
    for (const k of Object.keys(opts)) {
      if (!known.includes(k)) throw new ConfigError(`${where}: unknown option "${k}". Known options: ${known.join(', ')}.`);
    }
    checkTensor(where, 'input', x);
    const I = this.inputSize, H = this.hiddenSize, L = this.numLayers, D = this.numDirections;
    const letters = this.batchFirst ? ['B', 'T', 'I'] : ['T', 'B', 'I'];
    if (x.shape.length !== 3) {
      throw new ShapeError(
        `${where}: input expected a 3-D tensor ${this.batchFirst ? '[B, T, I]' : '[T, B, I]'} with I=${I}, got ${fmtShape(x.shape)}.` +
          (x.shape.length === 2 ? ' For one time step use a cell, or add a T=1 axis.' : ''),
      );
    }
    const T = (this.batchFirst ? x.shape[1] : x.shape[0]) as number;
    const B = (this.batchFirst ? x.shape[0] : x.shape[1]) as number;
    if (x.shape[2] !== I) {
      const hint =
        !this.batchFirst && x.shape[0] === I
          ? ' Did you pass feature-first data?'
          : !this.batchFirst
            ? ' Did you pass batch-first data without batchFirst: true?'
            : '';
      throw new ShapeError(
        `${where}: input has ${x.shape[2]} features per step, expected inputSize = ${I} (input ${fmtShape(x.shape, letters)}).${hint}`,
      );
    }
    if (B < 1) throw new ShapeError(`${where}: input has batch B=0 (input ${fmtShape(x.shape, letters)}).`);
    const lengths = resolveLengths(where, opts.lengths, T, B);
    const h0 = opts.h0 !== undefined ? this.checkState(where, 'h0', opts.h0, B) : null;
    const c0 = this.checkC0(where, opts.c0, B);
    const tape = opts.tape;
    const train = tape !== undefined;
    const dropoutOn = (opts.training ?? train) && this.dropout > 0 && L > 1;
    const ws = this.pool.acquire(T, B, train, () => new SequenceWorkspace(T, B, train, this.cores, L, D, I, H, this.batchFirst, this.dropout > 0));
    if (train) ws.inUse = true;

    const BH = B * H;
    const hN = { shape: [L * D, B, H], data: allocFloat32(L * D * BH) };
    const cN = this.cores[0]?.hasCellState ? { shape: [L * D, B, H], data: allocFloat32(L * D * BH) } : null;
    let input = x.data;
    if (this.batchFirst) input = swapLeadingAxes(ws.xTimeMajor, x.data, B, T, I);
    const xTM = input;
    for (let l = 0; l < L; l++) {
      if (l > 0) {
        input = ws.layerOut[l - 1] as Float32Array;
        if (dropoutOn) input = this.applyDropout(ws, l, input);
      }
      for (let d = 0; d < D; d++) {
        const idx = l * D + d;
        const core = this.cores[idx] as CellCore;
        const buf = ws.dirs[idx] as (typeof ws.dirs)[number];
        const s0 = buf.hSlots[0] as Float32Array;
        if (h0) s0.set(h0.data.subarray(idx * BH, (idx + 1) * BH));
        else s0.fill(0);
        if (core.hasCellState) {
          const c0s = buf.cSlots[0] as Float32Array;
          if (c0) c0s.set(c0.data.subarray(idx * BH, (idx + 1) * BH));
          else c0s.fill(0);
        }
        if (T > 0) unrollForward(core, buf, input, ws.layerOut[l] as Float32Array, T, B, D, d, lengths, train);
        const fin = buf.finalSlot(T, train);
        hN.data.set(buf.hSlots[fin] as Float32Array, idx * BH);
        if (cN) cN.data.set(buf.cSlots[fin] as Float32Array, idx * BH);
      }
    }
    const top = ws.layerOut[L - 1] as Float32Array;
    const outData = allocFloat32(T * B * D * H);
    if (this.batchFirst) swapLeadingAxes(outData, top, T, B, D * H);
    else outData.set(top);
    const output: Tensor = { shape: this.batchFirst ? [B, T, D * H] : [T, B, D * H], data: outData };
    const result = this.wrap(output, hN, cN);
    if (tape) {
      const usedDropout = dropoutOn;
      tape.push(() => {
        this.backward(tape, ws, x, xTM, output, hN, cN, opts.h0, opts.c0, lengths, usedDropout);
        ws.inUse = false;
      });
    }
    return result;
  }

  /**
   * Runs the layer over sequences of different lengths, packing them internally.
   * @param seqs - B tensors `[T_b, I]`, each T_b ≥ 1.
   * @param opts - as for `forward`, without `lengths`.
   * @returns the `forward` result on the padded batch (time-major `[T_max, B, D·H]`, or
   *   batch-first when configured) plus the `lengths` used.
   * @throws ShapeError when a sequence has the wrong width or is empty.
   */
  forwardRagged(seqs: readonly Tensor[], opts: Omit<SequenceForwardOptions, 'lengths'> = {}): TOut & { readonly lengths: Int32Array } {
    const where = `${this.label}.forwardRagged`;
    if (!Array.isArray(seqs) || seqs.length === 0) throw new ShapeError(`${where}: expected a non-empty array of [T_b, I] tensors.`);
    const I = this.inputSize;
    const B = seqs.length;
    const lengths = new Int32Array(B);
    let T = 0;
    seqs.forEach((s, b) => {
      checkTensor(where, `seqs[${b}]`, s);
      if (s.shape.length !== 2 || s.shape[1] !== I || (s.shape[0] as number) < 1) {
        throw new ShapeError(`${where}: seqs[${b}] expected shape [T_b ≥ 1, I=${I}], got ${fmtShape(s.shape)}.`);
      }
      lengths[b] = s.shape[0] as number;
      T = Math.max(T, lengths[b] as number);
    });
    const data = allocFloat32(T * B * I);
    seqs.forEach((s, b) => {
      for (let t = 0; t < (lengths[b] as number); t++) {
        const dst = this.batchFirst ? (b * T + t) * I : (t * B + b) * I;
        data.set(s.data.subarray(t * I, (t + 1) * I), dst);
      }
    });
    const x: Tensor = { shape: this.batchFirst ? [B, T, I] : [T, B, I], data };
    return { ...this.forward(x, { ...opts, lengths }), lengths };
  }

  private applyDropout(ws: SequenceWorkspace, l: number, input: Float32Array): Float32Array {
    const mask = ws.masks[l] as Float32Array;
    const out = ws.layerIn[l] as Float32Array;
    const keep = 1 - this.dropout;
    const scale = 1 / keep;
    for (let i = 0; i < input.length; i++) {
      const m = this.rng.uniform() < keep ? scale : 0;
      mask[i] = m;
      out[i] = (input[i] as number) * m;
    }
    return out;
  }

  private backward(
    tape: Tape,
    ws: SequenceWorkspace,
    x: Tensor,
    xTM: Float32Array,
    output: Tensor,
    hN: Tensor,
    cN: Tensor | null,
    h0: Tensor | undefined,
    c0: Tensor | undefined,
    lengths: Int32Array | null,
    dropoutOn: boolean,
  ): void {
    const { T, B } = ws;
    const I = this.inputSize, H = this.hiddenSize, L = this.numLayers, D = this.numDirections;
    const BH = B * H;
    let dTop: Float32Array | null = tape.hasGrad(output) ? tape.grad(output) : null;
    if (dTop && this.batchFirst) {
      const tm = allocFloat32(T * B * D * H);
      swapLeadingAxes(tm, dTop, B, T, D * H);
      dTop = tm;
    }
    const dhN = tape.hasGrad(hN) ? tape.grad(hN) : null;
    const dcN = cN && tape.hasGrad(cN) ? tape.grad(cN) : null;
    const dh0 = h0 ? tape.grad(h0) : null;
    const dc0 = c0 ? tape.grad(c0) : null;
    // Layer 0's input gradient goes straight to the tape (via a time-major scratch if batch-first).
    const dx0 = this.batchFirst ? allocFloat32(T * B * I) : tape.grad(x);
    let dOut = dTop;
    for (let l = L - 1; l >= 0; l--) {
      const dIn = l === 0 ? dx0 : (ws.dLayer[l] as Float32Array);
      if (l > 0) dIn.fill(0);
      const input = l === 0 ? xTM : dropoutOn ? (ws.layerIn[l] as Float32Array) : (ws.layerOut[l - 1] as Float32Array);
      for (let d = 0; d < D; d++) {
        const idx = l * D + d;
        const sl = (a: Float32Array | null): Float32Array | null => (a ? a.subarray(idx * BH, (idx + 1) * BH) : null);
        if (T > 0) {
          unrollBackward(this.cores[idx] as CellCore, ws.dirs[idx] as (typeof ws.dirs)[number], input, dIn, dOut, sl(dhN), sl(dcN), sl(dh0), sl(dc0), T, B, D, d, lengths);
        } else {
          // No steps: the final state is the initial state.
          const a = sl(dh0), g = sl(dhN);
          if (a && g) for (let i = 0; i < BH; i++) a[i] += g[i] as number;
          const ac = sl(dc0), gc = sl(dcN);
          if (ac && gc) for (let i = 0; i < BH; i++) ac[i] += gc[i] as number;
        }
      }
      if (l > 0 && dropoutOn) {
        const mask = ws.masks[l] as Float32Array;
        for (let i = 0; i < dIn.length; i++) dIn[i] = (dIn[i] as number) * (mask[i] as number);
      }
      dOut = dIn;
    }
    if (this.batchFirst) addSwapLeadingAxes(tape.grad(x), dx0, T, B, I);
  }

  private checkState(where: string, name: string, t: Tensor, B: number): Tensor {
    checkTensor(where, name, t);
    const LD = this.numLayers * this.numDirections;
    const H = this.hiddenSize;
    if (t.shape.length !== 3 || t.shape[0] !== LD || t.shape[1] !== B || t.shape[2] !== H) {
      throw new ShapeError(
        `${where}: ${name} expected shape [L·D=${LD}, B=${B}, H=${H}], got ${fmtShape(t.shape)}.` +
          (t.shape.length === 2 ? ' Add the leading layers·directions axis (PyTorch layout).' : ''),
      );
    }
    return t;
  }

  private checkC0(where: string, c0: Tensor | undefined, B: number): Tensor | null {
    if (c0 === undefined) return null;
    if (!this.cores[0]?.hasCellState) throw new ConfigError(`${where}: c0 is only for LSTM layers; ${this.label} has no cell state.`);
    return this.checkState(where, 'c0', c0, B);
  }

}
