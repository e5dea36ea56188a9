/**
 * Weight initialisers. Each one fills a caller-owned Float32Array (out-parameter first, returns
 * `out`) and draws from an explicit {@link Rng}, so the same seed gives the same bits.
 *
 * | function            | distribution                                     | PyTorch counterpart         |
 * | ------------------- | ------------------------------------------------ | --------------------------- |
 * | `glorotUniform`     | U(−a, a), a = gain·√(6 / (fanIn + fanOut))       | `xavier_uniform_`           |
 * | `glorotNormal`      | N(0, σ²), σ = gain·√(2 / (fanIn + fanOut))       | `xavier_normal_`            |
 * | `kaimingUniform`    | U(−b, b), b = gain·√(3 / fanIn)                  | `kaiming_uniform_` (fan_in) |
 * | `kaimingNormal`     | N(0, σ²), σ = gain / √fanIn                      | `kaiming_normal_` (fan_in)  |
 * | `pytorchRnnUniform` | U(−k, k), k = 1 / √H                             | `nn.RNN/LSTM/GRU` defaults  |
 * | `orthogonal`        | gain · (semi-)orthogonal Q of a Gaussian matrix  | `orthogonal_` (orthogonal.ts) |
 *
 * The streams differ from PyTorch's (different generator), so only the distributions match.
 * Initialisers run once per model build, not in hot loops, so they validate every argument.
 * @module
 */
import { ConfigError } from '../errors.js';
import { checkNumber, checkPositiveInt, describe } from '../shapes.js';
import type { Rng } from './rng.js';

/**
 * Fills `out` with zeros.
 * @param out - destination, every element is written.
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array.
 * @example
 * ```ts
 * const bias = initZeros(new Float32Array(4 * hiddenSize));
 * ```
 * @category Kernel
 */
export function initZeros(out: Float32Array): Float32Array {
  checkOut('initZeros', out);
  out.fill(0);
  return out;
}

/**
 * Fills `out` with one value (e.g. a forget-gate bias of 1).
 * @param out - destination, every element is written.
 * @param value - the value; any number, including NaN or ±Infinity (useful as a sentinel in tests).
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array or `value` is not a number.
 * @example
 * ```ts
 * initConstant(forgetBias, 1);
 * ```
 * @category Kernel
 */
export function initConstant(out: Float32Array, value: number): Float32Array {
  checkOut('initConstant', out);
  if (typeof value !== 'number') {
    throw new ConfigError(`initConstant: value must be a number, got ${typeof value}.`);
  }
  out.fill(value);
  return out;
}

/**
 * Fills `out` with independent draws from U(low, high): `low + (high − low)·u`, u ∈ [0, 1). After
 * rounding to float32 a value may equal `high`.
 * @param out - destination, every element is written (one `rng.uniform()` per element, in order).
 * @param low - lower bound (finite).
 * @param high - upper bound (finite, ≥ low).
 * @param rng - the generator to draw from.
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array, a bound is not finite, `low > high`
 *   or `rng` is not an Rng.
 * @example
 * ```ts
 * initUniform(weights, -0.1, 0.1, createRng(1));
 * ```
 * @category Kernel
 */
export function initUniform(out: Float32Array, low: number, high: number, rng: Rng): Float32Array {
  checkOut('initUniform', out);
  checkNumber('initUniform', 'low', low);
  checkNumber('initUniform', 'high', high);
  if (low > high) {
    throw new ConfigError(`initUniform: low must be <= high, got low = ${low}, high = ${high}.`);
  }
  checkRng('initUniform', rng);
  fillUniform(out, low, high, rng);
  return out;
}

/**
 * Fills `out` with independent draws from N(mean, std²).
 * @param out - destination, every element is written (one `rng.normal()` per element, in order).
 * @param mean - the mean (finite).
 * @param std - the standard deviation (finite, ≥ 0).
 * @param rng - the generator to draw from.
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array, `mean` is not finite, `std` is
 *   negative or not finite, or `rng` is not an Rng.
 * @example
 * ```ts
 * initNormal(embedding, 0, 1, createRng(1)); // PyTorch's nn.Embedding default
 * ```
 * @category Kernel
 */
export function initNormal(out: Float32Array, mean: number, std: number, rng: Rng): Float32Array {
  checkOut('initNormal', out);
  checkNumber('initNormal', 'mean', mean);
  checkNumber('initNormal', 'std', std, 0);
  checkRng('initNormal', rng);
  fillNormal(out, mean, std, rng);
  return out;
}

/**
 * Glorot / Xavier uniform: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)), which keeps the
 * variance of activations and of gradients roughly constant across a linear layer.
 * @param out - destination, every element is written; for a weight `[out, in]` pass the whole matrix.
 * @param fanIn - inputs per unit (the `in` of `[out, in]`), a positive integer.
 * @param fanOut - outputs per input (the `out` of `[out, in]`), a positive integer.
 * @param rng - the generator to draw from.
 * @param gain - scale factor (finite, ≥ 0); default 1 (linear / sigmoid), 5/3 suits tanh.
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array, a fan is not a positive integer,
 *   `gain` is negative or not finite, or `rng` is not an Rng.
 * @example
 * ```ts
 * const w = new Float32Array(V * H);          // [V, H]
 * glorotUniform(w, H, V, createRng(1));
 * ```
 * @category Kernel
 */
export function glorotUniform(out: Float32Array, fanIn: number, fanOut: number, rng: Rng, gain: number = 1): Float32Array {
  checkOut('glorotUniform', out);
  checkPositiveInt('glorotUniform', 'fanIn', fanIn);
  checkPositiveInt('glorotUniform', 'fanOut', fanOut);
  checkNumber('glorotUniform', 'gain', gain, 0);
  checkRng('glorotUniform', rng);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  fillUniform(out, -a, a, rng);
  return out;
}

/**
 * Glorot / Xavier normal: N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)).
 * @param out - destination, every element is written.
 * @param fanIn - inputs per unit, a positive integer.
 * @param fanOut - outputs per input, a positive integer.
 * @param rng - the generator to draw from.
 * @param gain - scale factor (finite, ≥ 0); default 1.
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array, a fan is not a positive integer,
 *   `gain` is negative or not finite, or `rng` is not an Rng.
 * @example
 * ```ts
 * glorotNormal(w, inputSize, outputSize, createRng(1));
 * ```
 * @category Kernel
 */
export function glorotNormal(out: Float32Array, fanIn: number, fanOut: number, rng: Rng, gain: number = 1): Float32Array {
  checkOut('glorotNormal', out);
  checkPositiveInt('glorotNormal', 'fanIn', fanIn);
  checkPositiveInt('glorotNormal', 'fanOut', fanOut);
  checkNumber('glorotNormal', 'gain', gain, 0);
  checkRng('glorotNormal', rng);
  fillNormal(out, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), rng);
  return out;
}

/**
 * Kaiming / He uniform (fan-in mode): U(−b, b) with b = gain·√(3 / fanIn). The default gain √2
 * suits ReLU; pass 1 for linear units.
 * @param out - destination, every element is written.
 * @param fanIn - inputs per unit, a positive integer.
 * @param rng - the generator to draw from.
 * @param gain - scale factor (finite, ≥ 0); default √2.
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array, `fanIn` is not a positive
 *   integer, `gain` is negative or not finite, or `rng` is not an Rng.
 * @example
 * ```ts
 * kaimingUniform(w, inputSize, createRng(1));
 * ```
 * @category Kernel
 */
export function kaimingUniform(out: Float32Array, fanIn: number, rng: Rng, gain: number = Math.SQRT2): Float32Array {
  checkOut('kaimingUniform', out);
  checkPositiveInt('kaimingUniform', 'fanIn', fanIn);
  checkNumber('kaimingUniform', 'gain', gain, 0);
  checkRng('kaimingUniform', rng);
  const b = gain * Math.sqrt(3 / fanIn);
  fillUniform(out, -b, b, rng);
  return out;
}

/**
 * Kaiming / He normal (fan-in mode): N(0, σ²) with σ = gain / √fanIn.
 * @param out - destination, every element is written.
 * @param fanIn - inputs per unit, a positive integer.
 * @param rng - the generator to draw from.
 * @param gain - scale factor (finite, ≥ 0); default √2 (ReLU).
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array, `fanIn` is not a positive
 *   integer, `gain` is negative or not finite, or `rng` is not an Rng.
 * @example
 * ```ts
 * kaimingNormal(w, inputSize, createRng(1));
 * ```
 * @category Kernel
 */
export function kaimingNormal(out: Float32Array, fanIn: number, rng: Rng, gain: number = Math.SQRT2): Float32Array {
  checkOut('kaimingNormal', out);
  checkPositiveInt('kaimingNormal', 'fanIn', fanIn);
  checkNumber('kaimingNormal', 'gain', gain, 0);
  checkRng('kaimingNormal', rng);
  fillNormal(out, 0, gain / Math.sqrt(fanIn), rng);
  return out;
}

/**
 * PyTorch's default for every weight and bias of `nn.RNN`, `nn.LSTM`, `nn.GRU` and their cells:
 * U(−k, k) with k = 1 / √H.
 * @param out - destination, every element is written (`weight_ih [G·H, I]`, `weight_hh [G·H, H]`,
 *   `bias_ih [G·H]` or `bias_hh [G·H]`).
 * @param hiddenSize - H, a positive integer.
 * @param rng - the generator to draw from.
 * @returns `out`.
 * @throws {@link ConfigError} when `out` is not a Float32Array, `hiddenSize` is not a positive
 *   integer, or `rng` is not an Rng.
 * @example
 * ```ts
 * const weightHh = new Float32Array(4 * H * H); // [4H, H], gates i|f|g|o
 * pytorchRnnUniform(weightHh, H, createRng(1));
 * ```
 * @category Kernel
 */
export function pytorchRnnUniform(out: Float32Array, hiddenSize: number, rng: Rng): Float32Array {
  checkOut('pytorchRnnUniform', out);
  checkPositiveInt('pytorchRnnUniform', 'hiddenSize', hiddenSize);
  checkRng('pytorchRnnUniform', rng);
  const k = 1 / Math.sqrt(hiddenSize);
  fillUniform(out, -k, k, rng);
  return out;
}


/**
 * out[i] ← low + (high − low)·u_i, one uniform draw per element in index order.
 * @internal
 */
function fillUniform(out: Float32Array, low: number, high: number, rng: Rng): void {
  const width = high - low;
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = low + width * rng.uniform();
}

/**
 * out[i] ← mean + std·z_i, one normal draw per element in index order.
 * @internal
 */
function fillNormal(out: Float32Array, mean: number, std: number, rng: Rng): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = mean + std * rng.normal();
}

/**
 * Throws a ConfigError naming `where` unless `out` is a Float32Array.
 * @internal
 */
export function checkOut(where: string, out: unknown): void {
  if (!(out instanceof Float32Array)) {
    throw new ConfigError(`${where}: out must be a Float32Array, got ${describe(out)}.`);
  }
}

/**
 * Throws a ConfigError naming `where` unless `rng` is an Rng.
 * @internal
 */
export function checkRng(where: string, rng: unknown): void {
  if (
    typeof rng !== 'object' ||
    rng === null ||
    typeof (rng as Rng).uniform !== 'function' ||
    typeof (rng as Rng).normal !== 'function'
  ) {
    throw new ConfigError(`${where}: rng must be an Rng from createRng(seed), got ${describe(rng)}.`);
  }
}
