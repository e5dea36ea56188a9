/**
 * `Bridge`: turns the encoder's final states `[Lₑ·D, B, Hₑ]` into the decoder's initial states
 * `[L_d, B, H_d]`. Layers are aligned from the top: decoder layer l takes encoder layer
 * e = l + Lₑ − L_d; when the decoder is deeper (e < 0) that layer starts at zero. Per mode:
 *
 *   'concat-linear'   h0_l = tanh(W_h,l [h_e,fwd ; h_e,bwd] + b_h,l)     W_h,l = `weight_h_l{l} [H_d, D·Hₑ]`
 *                     c0_l =      W_c,l [c_e,fwd ; c_e,bwd] + b_c,l      (LSTM → LSTM only)
 *   'sum'             h0_l = Σ_d h_e,d,   c0_l = Σ_d c_e,d               (needs Hₑ = H_d)
 *   'zeros'           h0 = c0 = 0                                        (no information passes)
 *
 * When only the decoder is an LSTM, its c0 is zero. Backward accumulates into the tape gradients
 * of the encoder's hN and cN:
 *
 *   concat-linear   dz = dh0 ⊙ (1 − h0²);  d[h_fwd; h_bwd] += dz · W_h;  dW_h += dzᵀ x;  db_h += Σ dz
 *   sum             dh_e,d += dh0
 * @module
 */
import { ConfigError, ShapeError } from '../errors.js';
import { allocFloat32 } from '../kernel/alloc.js';
import { gemm } from '../kernel/gemm.js';
import { glorotUniform, initZeros } from '../kernel/init.js';
import { addColumnSums } from '../kernel/reduce.js';
import { createRng, type Rng } from '../kernel/rng.js';
import { ParamStore, type Module, type Parameter } from '../layers/param-store.js';
import type { Tape } from '../layers/tape.js';
import { checkKnownKeys, checkPositiveInt, describe, fmtShape } from '../shapes.js';
import { checkTensor, type Tensor } from '../tensor.js';

/**
 * How the encoder's final states initialise the decoder; see {@link Bridge}.
 * @category Seq2Seq
 */
export type BridgeMode = 'concat-linear' | 'sum' | 'zeros';

/**
 * Options of {@link Bridge}.
 * @category Seq2Seq
 */
export interface BridgeOptions {
  /** The mapping. */
  mode: BridgeMode;
  /** Encoder side: Lₑ layers, D directions, Hₑ hidden units, and whether it has a cell state. */
  encoder: { numLayers: number; numDirections: number; hiddenSize: number; hasCellState: boolean };
  /** Decoder side: L_d layers, H_d hidden units, and whether it has a cell state. */
  decoder: { numLayers: number; hiddenSize: number; hasCellState: boolean };
  /**
   * Seed for initialisation (ignored when `rng` is given; passing both is an error).
   * @defaultValue 0
   */
  seed?: number;
  /** A generator for initialisation. */
  rng?: Rng;
}

/**
 * The decoder's initial state.
 * @category Seq2Seq
 */
export interface DecoderInitialState {
  /** `[L, B, H]` initial hidden state of each decoder layer. */
  readonly h0: Tensor;
  /** `[L, B, H]` initial cell state (LSTM decoders), else null. */
  readonly c0: Tensor | null;
}

const BRIDGE_KEYS: readonly string[] = ['mode', 'encoder', 'decoder', 'seed', 'rng'];
const MODES: readonly BridgeMode[] = ['concat-linear', 'sum', 'zeros'];

/**
 * Maps encoder final states to decoder initial states, with its backward on the tape.
 * @example
 * ```ts
 * const bridge = new Bridge({
 *   mode: 'concat-linear',
 *   encoder: { numLayers: 2, numDirections: 2, hiddenSize: 64, hasCellState: true },
 *   decoder: { numLayers: 1, hiddenSize: 128, hasCellState: true },
 *   seed: 1,
 * });
 * const { h0, c0 } = bridge.forward(enc.hN, enc.cN, tape); // [1, B, 128] each
 * ```
 * @category Seq2Seq
 */
export class Bridge implements Module {
  /** The mapping. */
  readonly mode: BridgeMode;
  /** The flat parameters (`weight_h_l{l}`, `bias_h_l{l}`, `weight_c_l{l}`, `bias_c_l{l}`; concat-linear only). */
  readonly params: ParamStore;
  private readonly Le: number;
  private readonly D: number;
  private readonly He: number;
  private readonly encC: boolean;
  private readonly Ld: number;
  private readonly Hd: number;
  private readonly decC: boolean;
  private readonly mapC: boolean; // c0 comes from the encoder's cN

  /**
   * @param opts - see {@link BridgeOptions}.
   * @throws ConfigError on an invalid option, or `'sum'` with Hₑ ≠ H_d.
   */
  constructor(opts: BridgeOptions) {
    const where = 'Bridge';
    if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object.`);
    checkKnownKeys(where, opts, BRIDGE_KEYS);
    if (!(MODES as readonly unknown[]).includes(opts.mode)) {
      throw new ConfigError(`${where}: mode must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${describe(opts.mode)}.`);
    }
    const e = opts.encoder, d = opts.decoder;
    if (typeof e !== 'object' || e === null || typeof d !== 'object' || d === null) {
      throw new ConfigError(`${where}: encoder and decoder must be objects describing both sides.`);
    }
    this.mode = opts.mode;
    this.Le = checkPositiveInt(where, 'encoder.numLayers', e.numLayers);
    this.D = checkPositiveInt(where, 'encoder.numDirections', e.numDirections);
    if (this.D > 2) throw new ConfigError(`${where}: encoder.numDirections must be 1 or 2, got ${this.D}.`);
    this.He = checkPositiveInt(where, 'encoder.hiddenSize', e.hiddenSize);
    this.encC = e.hasCellState === true;
    this.Ld = checkPositiveInt(where, 'decoder.numLayers', d.numLayers);
    this.Hd = checkPositiveInt(where, 'decoder.hiddenSize', d.hiddenSize);
    this.decC = d.hasCellState === true;
    this.mapC = this.encC && this.decC;
    if (this.mode === 'sum' && this.He !== this.Hd) {
      throw new ConfigError(
        `${where}: mode 'sum' adds encoder states into decoder states, so it needs encoder hiddenSize = decoder hiddenSize, got ${this.He} and ${this.Hd}. Use mode 'concat-linear'.`,
      );
    }
    if (opts.rng !== undefined && opts.seed !== undefined) throw new ConfigError(`${where}: pass either seed or rng, not both.`);
    const rng = opts.rng ?? createRng(opts.seed ?? 0);
    const specs: { name: string; shape: number[] }[] = [];
    if (this.mode === 'concat-linear') {
      const In = this.D * this.He;
      for (let l = 0; l < this.Ld; l++) {
        if (this.sourceLayer(l) < 0) continue;
        specs.push({ name: `weight_h_l${l}`, shape: [this.Hd, In] }, { name: `bias_h_l${l}`, shape: [this.Hd] });
        if (this.mapC) specs.push({ name: `weight_c_l${l}`, shape: [this.Hd, In] }, { name: `bias_c_l${l}`, shape: [this.Hd] });
      }
    }
    this.params = new ParamStore(specs);
    for (const p of this.params.parameters()) {
      if (p.shape.length === 2) glorotUniform(p.value, p.shape[1] as number, p.shape[0] as number, rng);
      else initZeros(p.value);
    }
  }

  /** The encoder layer feeding decoder layer l, or −1 (zero start). */
  private sourceLayer(l: number): number {
    return l + this.Le - this.Ld;
  }

  /**
   * Computes the decoder's initial states.
   * @param hN - `[Lₑ·D, B, Hₑ]` encoder final hidden states.
   * @param cN - `[Lₑ·D, B, Hₑ]` encoder final cell states (LSTM encoders), else null.
   * @param tape - records the backward pass (into `tape.grad(hN)`, `tape.grad(cN)`) when given.
   * @returns `{ h0 [L_d, B, H_d], c0 [L_d, B, H_d] or null }`, freshly allocated.
   * @throws ShapeError when `hN` / `cN` do not match the encoder described at construction.
   */
  forward(hN: Tensor, cN: Tensor | null, tape?: Tape): DecoderInitialState {
    const where = 'Bridge.forward';
    checkTensor(where, 'hN', hN);
    const LD = this.Le * this.D, He = this.He, Hd = this.Hd, D = this.D;
    if (hN.shape.length !== 3 || hN.shape[0] !== LD || hN.shape[2] !== He || (hN.shape[1] as number) < 1) {
      throw new ShapeError(
        `${where}: hN expected shape [L·D=${LD}, B, H=${He}] (the encoder's final states), got ${fmtShape(hN.shape)}. Was the bridge built for a different encoder?`,
      );
    }
    const B = hN.shape[1] as number;
    if (this.encC) {
      if (cN === null) throw new ShapeError(`${where}: cN is null, but the bridge was built for an LSTM encoder; pass the encoder's cN.`);
      checkTensor(where, 'cN', cN);
      if (cN.shape.length !== 3 || cN.shape[0] !== LD || cN.shape[1] !== B || cN.shape[2] !== He) {
        throw new ShapeError(`${where}: cN expected shape [L·D=${LD}, B=${B}, H=${He}], got ${fmtShape(cN.shape)}.`);
      }
    }
    const Ld = this.Ld, BHd = B * Hd, In = D * He;
    const h0: Tensor = { shape: [Ld, B, Hd], data: allocFloat32(Ld * BHd) };
    const c0: Tensor | null = this.decC ? { shape: [Ld, B, Hd], data: allocFloat32(Ld * BHd) } : null;
    if (this.mode === 'zeros') return { h0, c0 };
    // Gather [B, D·Hₑ] inputs per mapped layer: x[b, d·Hₑ + j] = state[e·D + d, b, j].
    const xh: (Float32Array | null)[] = [];
    const xc: (Float32Array | null)[] = [];
    for (let l = 0; l < Ld; l++) {
      const e = this.sourceLayer(l);
      xh.push(e < 0 ? null : gather(hN.data, e, D, B, He));
      xc.push(e < 0 || !this.mapC ? null : gather((cN as Tensor).data, e, D, B, He));
    }
    for (let l = 0; l < Ld; l++) {
      const x = xh[l];
      if (!x) continue;
      const ho = h0.data.subarray(l * BHd, (l + 1) * BHd);
      const co = c0 ? c0.data.subarray(l * BHd, (l + 1) * BHd) : null;
      if (this.mode === 'sum') {
        sumDirections(ho, x, D, B, He);
        if (co && xc[l]) sumDirections(co, xc[l] as Float32Array, D, B, He);
        continue;
      }
      gemm(ho, x, this.params.value(`weight_h_l${l}`), B, Hd, In, false, true, 1, 0);
      addBias(ho, this.params.value(`bias_h_l${l}`), B, Hd);
      for (let i = 0; i < BHd; i++) ho[i] = Math.tanh(ho[i] as number);
      if (co && xc[l]) {
        gemm(co, xc[l] as Float32Array, this.params.value(`weight_c_l${l}`), B, Hd, In, false, true, 1, 0);
        addBias(co, this.params.value(`bias_c_l${l}`), B, Hd);
      }
    }
    if (tape) {
      tape.push(() => {
        const dh0 = tape.hasGrad(h0) ? tape.grad(h0) : null;
        const dc0 = c0 && tape.hasGrad(c0) ? tape.grad(c0) : null;
        if (!dh0 && !dc0) return;
        const dhN = tape.grad(hN);
        const dcN = this.mapC && cN ? tape.grad(cN) : null;
        const dx = allocFloat32(B * In); // [B, D·Hₑ]
        const dz = allocFloat32(BHd); // [B, H_d]
        for (let l = 0; l < Ld; l++) {
          const e = this.sourceLayer(l);
          if (e < 0) continue;
          for (let part = 0; part < 2; part++) {
            const dOut = part === 0 ? dh0 : dc0;
            const dState = part === 0 ? dhN : dcN;
            const x = part === 0 ? xh[l] : xc[l];
            if (!dOut || !dState || !x) continue;
            const g = dOut.subarray(l * BHd, (l + 1) * BHd);
            dx.fill(0);
            if (this.mode === 'sum') {
              for (let b = 0; b < B; b++) for (let d = 0; d < D; d++) for (let j = 0; j < He; j++) dx[b * In + d * He + j] = g[b * Hd + j] as number;
            } else {
              const tag = part === 0 ? 'h' : 'c';
              if (part === 0) {
                const y = h0.data.subarray(l * BHd, (l + 1) * BHd);
                for (let i = 0; i < BHd; i++) dz[i] = (g[i] as number) * (1 - (y[i] as number) * (y[i] as number));
              } else dz.set(g);
              gemm(dx, dz, this.params.value(`weight_${tag}_l${l}`), B, In, Hd, false, false, 1, 1);
              gemm(this.params.grad(`weight_${tag}_l${l}`), dz, x, Hd, In, B, true, false, 1, 1);
              addColumnSums(this.params.grad(`bias_${tag}_l${l}`), dz, B, Hd);
            }
            scatter(dState, dx, e, D, B, He);
          }
        }
      });
    }
    return { h0, c0 };
  }

  /**
   * The parameters (empty for `'sum'` and `'zeros'`).
   * @returns views into the flat buffers.
   */
  parameters(): Parameter[] {
    return this.params.parameters();
  }
}

/** x[b, d·H + j] ← state[e·D + d, b, j]. @internal */
function gather(state: Float32Array, e: number, D: number, B: number, H: number): Float32Array {
  const x = allocFloat32(B * D * H);
  for (let d = 0; d < D; d++) {
    const src = (e * D + d) * B * H;
    for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) x[b * D * H + d * H + j] = state[src + b * H + j] as number;
  }
  return x;
}

/** dState[e·D + d, b, j] += dx[b, d·H + j]. @internal */
function scatter(dState: Float32Array, dx: Float32Array, e: number, D: number, B: number, H: number): void {
  for (let d = 0; d < D; d++) {
    const dst = (e * D + d) * B * H;
    for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) dState[dst + b * H + j] += dx[b * D * H + d * H + j] as number;
  }
}

/** out[b, j] = Σ_d x[b, d·H + j]. @internal */
function sumDirections(out: Float32Array, x: Float32Array, D: number, B: number, H: number): void {
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      let acc = 0;
      for (let d = 0; d < D; d++) acc += x[b * D * H + d * H + j] as number;
      out[b * H + j] = acc;
    }
  }
}

/** out[b, :] += bias. @internal */
function addBias(out: Float32Array, bias: Float32Array, B: number, H: number): void {
  for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) out[b * H + j] += bias[j] as number;
}
