import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StateDict } from '../../src/layers/param-store.js';
import type { Tensor } from '../../src/tensor.js';

export interface TorchFixture {
  meta: Record<string, unknown>;
  tensors: Record<string, { shape: number[]; data: number[] }>;
}

/** Loads test/fixtures/torch/<name>.json; throws (so the test fails) when it is missing. */
export function loadFixture(name: string): TorchFixture {
  const path = fileURLToPath(new URL(`../fixtures/torch/${name}.json`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as TorchFixture;
}

export function fxTensor(fx: TorchFixture, key: string): Tensor {
  const t = fx.tensors[key];
  if (!t) throw new Error(`fixture has no tensor ${key}`);
  return { shape: t.shape, data: Float32Array.from(t.data) };
}

export function fxParams(fx: TorchFixture, prefix = 'param.'): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(fx.tensors)) {
    if (k.startsWith(prefix)) out[k.slice(prefix.length)] = { shape: v.shape, data: Float32Array.from(v.data) };
  }
  return out;
}

/** Asserts |a − e| ≤ atol + rtol·|e| elementwise; the message names the worst index. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, atol = 1e-5, rtol = 1e-5): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} vs expected ${expected.length}`);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number, e = expected[i] as number;
    const err = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(err <= 0) && (worst < 0 || err > worstErr || Number.isNaN(err))) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0) {
    throw new Error(`${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
  }
}

/** Deterministic pseudo-random tensor in [-1, 1) from a seed (test inputs only). */
export function randTensor(shape: number[], seed: number, scale = 1): Tensor {
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float32Array(n);
  let s = (seed * 2654435761 + 12345) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    data[i] = scale * ((s / 4294967296) * 2 - 1);
  }
  return { shape, data };
}

/** Σ a·w in float64. */
export function weightedSum(a: Float32Array, w: Float32Array): number {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc += (a[i] as number) * (w[i] as number);
  return acc;
}
