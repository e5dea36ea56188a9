/**
 * Seeded random numbers: xoshiro128** (Blackman & Vigna, 2018) seeded through splitmix32.
 * All arithmetic is 32-bit integer (`Math.imul`, `>>> 0`), so the same seed gives the same stream
 * on every JavaScript engine. State, including the Box-Muller spare, lives in the instance.
 * @module
 */
import { ConfigError } from '../errors.js';

/**
 * A seeded random number generator. Every function in rnnkit that initialises, drops out,
 * shuffles or samples takes one of these.
 * @category Kernel
 */
export interface Rng {
  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform float in [0, 1) with 32 bits of resolution. */
  uniform(): number;
  /** Standard normal N(0, 1) by Box-Muller (the second value is kept as a spare). */
  normal(): number;
  /** Uniform integer in [0, n) without modulo bias. */
  int(n: number): number;
  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<TItem>(items: TItem[]): TItem[];
  /** Snapshot of the full state, for checkpoints. */
  getState(): RngState;
  /** Restores a snapshot taken with `getState`. */
  setState(state: RngState): void;
}

/**
 * Serializable generator state: four 32-bit words and the Box-Muller spare (or null).
 * @category Kernel
 */
export interface RngState {
  /** xoshiro128** state words. */
  readonly s: readonly [number, number, number, number];
  /** Cached second normal deviate, or null. */
  readonly spare: number | null;
}

/**
 * Creates a seeded generator.
 * @param seed - any finite number. Its float64 bit pattern (read little-endian on every platform) is
 *   folded to 32 bits and expanded with splitmix32, so fractional seeds work too (`0` and `-0` differ).
 * @returns a new generator whose stream depends only on `seed`.
 * @throws ConfigError when `seed` is not a finite number.
 * @example
 * ```ts
 * const rng = createRng(42);
 * const u = rng.uniform(), z = rng.normal();
 * ```
 * @category Kernel
 */
export function createRng(seed: number): Rng {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new ConfigError(`createRng: seed must be a finite number, got ${String(seed)}.`);
  }
  return new Xoshiro128(seedWords(seed));
}

function seedWords(seed: number): [number, number, number, number] {
  // Fold the float64 bits of the seed into 32 bits, then expand with splitmix32. A DataView with an
  // explicit byte order keeps the words identical on big-endian hosts (a Uint32Array view over a
  // Float64Array would swap them there).
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, seed, true);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  let x = (lo ^ Math.imul(hi, 0x9e3779b9)) >>> 0;
  const out: [number, number, number, number] = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    out[i] = z;
  }
  if ((out[0] | out[1] | out[2] | out[3]) === 0) out[0] = 1; // the all-zero state is a fixed point
  return out;
}

class Xoshiro128 implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(s: readonly [number, number, number, number]) {
    this.s0 = s[0] >>> 0;
    this.s1 = s[1] >>> 0;
    this.s2 = s[2] >>> 0;
    this.s3 = s[3] >>> 0;
  }

  nextUint32(): number {
    const s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    do u = this.uniform(); while (u === 0);
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * v;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) {
      throw new ConfigError(`Rng.int: n must be an integer in [1, 2^32], got ${String(n)}.`);
    }
    // Rejection sampling removes modulo bias.
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  shuffle<TItem>(items: TItem[]): TItem[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as TItem;
      items[i] = items[j] as TItem;
      items[j] = tmp;
    }
    return items;
  }

  getState(): RngState {
    return { s: [this.s0, this.s1, this.s2, this.s3], spare: this.spare };
  }

  setState(state: RngState): void {
    if (typeof state !== 'object' || state === null) {
      throw new ConfigError(`Rng.setState: state must be an object from getState(), got ${String(state)}.`);
    }
    const s = state.s;
    if (!Array.isArray(s) || s.length !== 4 || s.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new ConfigError(`Rng.setState: state.s must be four unsigned 32-bit integers, got ${describeWords(s)}.`);
    }
    if ((s[0] | s[1] | s[2] | s[3]) === 0) {
      // xoshiro's all-zero state is a fixed point: the generator would return 0 forever.
      throw new ConfigError('Rng.setState: state.s must not be all zero (xoshiro128** would output only zeros).');
    }
    const spare: unknown = state.spare;
    if (spare !== null && (typeof spare !== 'number' || !Number.isFinite(spare))) {
      throw new ConfigError(`Rng.setState: state.spare must be a finite number or null, got ${String(spare)}.`);
    }
    this.s0 = s[0];
    this.s1 = s[1];
    this.s2 = s[2];
    this.s3 = s[3];
    this.spare = state.spare;
  }
}

function describeWords(s: unknown): string {
  return Array.isArray(s) ? `[${s.map((w) => String(w)).join(', ')}]` : String(s);
}
