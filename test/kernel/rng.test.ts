import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, isRnnError } from '../../src/errors.js';
import { createRng } from '../../src/kernel/rng.js';
import type { Rng, RngState } from '../../src/kernel/rng.js';

const N_STREAM = 1000;

function draws(rng: Rng, n: number): number[][] {
  const u: number[] = [];
  const z: number[] = [];
  const k: number[] = [];
  for (let i = 0; i < n; i++) {
    u.push(rng.uniform());
    z.push(rng.normal());
    k.push(rng.int(1000));
  }
  return [u, z, k];
}

function meanVar(xs: Float64Array): { mean: number; variance: number } {
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / xs.length;
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  return { mean, variance: ss / (xs.length - 1) };
}

function expectConfigError(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  expect(isRnnError(caught)).toBe(true);
  expect((caught as ConfigError).code).toBe('E_CONFIG');
  expect((caught as Error).message).toMatch(pattern);
}

describe('createRng: determinism', () => {
  it('gives identical uniform/normal/int streams for identical seeds', () => {
    for (const seed of [0, 1, 42, 2 ** 31 - 1, 0.25, -7]) {
      expect(draws(createRng(seed), N_STREAM)).toEqual(draws(createRng(seed), N_STREAM));
    }
  });

  it('gives different streams for different seeds', () => {
    const seeds = [0, -0, 1, 2, 3, 42, 0.5, 1e9, -1];
    const firsts = seeds.map((s) => {
      const rng = createRng(s);
      return [rng.nextUint32(), rng.nextUint32(), rng.nextUint32()].join(',');
    });
    expect(new Set(firsts).size).toBe(seeds.length);
    // Not just a shifted copy: the first 1000 uniforms of seeds 1 and 2 share almost nothing.
    const a = new Set(draws(createRng(1), N_STREAM)[0]);
    const shared = draws(createRng(2), N_STREAM)[0]!.filter((x) => a.has(x)).length;
    expect(shared).toBeLessThan(3);
  });

  it('pins the first uint32 values of createRng(1) (golden spec)', () => {
    // Spec values, not a snapshot of whatever the code does: computed once from the reference
    // xoshiro128** (Blackman & Vigna's C code) and an independent Python port of the seeding
    // (float64 bits of 1 read little-endian, folded, splitmix32-expanded to the state below).
    // If this fails, every seeded model in the wild changes: treat it as a breaking change.
    const rng = createRng(1);
    expect(rng.getState()).toEqual({ s: [740453879, 1871842469, 955303517, 1341809273], spare: null });
    const first = Array.from({ length: 6 }, () => rng.nextUint32());
    expect(first).toEqual([1444708678, 783209300, 2090663115, 455705636, 2189440867, 745307961]);
  });

  it('matches the reference xoshiro128** stream from state [1, 2, 3, 4]', () => {
    // Reference values from the authors' C code (xoshiro128starstar.c) seeded with s = {1, 2, 3, 4}.
    const rng = createRng(0);
    rng.setState({ s: [1, 2, 3, 4], spare: null });
    const got = Array.from({ length: 2000 }, () => rng.nextUint32());
    expect(got.slice(0, 6)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
    expect(got[1999]).toBe(1533879655);
  });

  it('uniform is nextUint32 / 2^32', () => {
    const a = createRng(9);
    const b = createRng(9);
    for (let i = 0; i < 100; i++) expect(a.uniform()).toBe(b.nextUint32() / 4294967296);
  });
});

describe('createRng: getState / setState', () => {
  it('round trip continues the exact stream', () => {
    const rng = createRng(5);
    draws(rng, 17);
    const state = rng.getState();
    const expected = draws(rng, 200);
    const restored = createRng(12345);
    restored.setState(state);
    expect(draws(restored, 200)).toEqual(expected);
    // The same generator can rewind too.
    rng.setState(state);
    expect(draws(rng, 200)).toEqual(expected);
  });

  it('round trip keeps a pending Box-Muller spare', () => {
    const rng = createRng(77);
    const first = rng.normal(); // draws a pair, keeps the second as the spare
    const state = rng.getState();
    expect(state.spare).not.toBeNull();
    expect(Number.isFinite(first)).toBe(true);
    const expected = [rng.normal(), rng.normal(), rng.normal(), rng.uniform()];
    expect(expected[0]).toBe(state.spare);

    const other = createRng(1);
    other.normal(); // give it a different spare that setState must overwrite
    other.setState(state);
    expect([other.normal(), other.normal(), other.normal(), other.uniform()]).toEqual(expected);
  });

  it('setState clears a spare when the snapshot has none', () => {
    const rng = createRng(3);
    const state = rng.getState();
    const expected = rng.normal();
    const other = createRng(3);
    other.normal(); // leaves a spare
    other.setState(state);
    expect(other.normal()).toBe(expected);
  });

  it('getState returns a snapshot, not a live view', () => {
    const rng = createRng(4);
    const state = rng.getState();
    const copy: RngState = { s: [...state.s] as [number, number, number, number], spare: state.spare };
    rng.nextUint32();
    expect(state).toEqual(copy);
  });

  it('survives JSON serialisation', () => {
    const rng = createRng(8);
    rng.normal();
    const json = JSON.stringify(rng.getState());
    const expected = draws(rng, 50);
    const restored = createRng(0);
    restored.setState(JSON.parse(json) as RngState);
    expect(draws(restored, 50)).toEqual(expected);
  });

  it('rejects malformed states', () => {
    const rng = createRng(1);
    expectConfigError(() => rng.setState({ s: [1, 2, 3], spare: null } as unknown as RngState), /Rng\.setState: state\.s/);
    expectConfigError(() => rng.setState({ s: [1, 2, 3, -1], spare: null }), /Rng\.setState: state\.s.*\[1, 2, 3, -1\]/);
    expectConfigError(() => rng.setState({ s: [1, 2, 3, 2 ** 32], spare: null }), /unsigned 32-bit/);
    expectConfigError(() => rng.setState({ s: [1, 2, 3, 0.5], spare: null }), /unsigned 32-bit/);
    expectConfigError(() => rng.setState({ s: [0, 0, 0, 0], spare: null }), /all zero/);
    expectConfigError(() => rng.setState({ s: [1, 2, 3, 4], spare: Number.NaN }), /state\.spare/);
    expectConfigError(() => rng.setState({ s: [1, 2, 3, 4] } as unknown as RngState), /state\.spare/);
    expectConfigError(() => rng.setState(null as unknown as RngState), /Rng\.setState: state must be an object/);
    // A failed setState leaves the generator untouched.
    const before = rng.getState();
    expect(() => rng.setState({ s: [0, 0, 0, 0], spare: null })).toThrow();
    expect(rng.getState()).toEqual(before);
  });
});

describe('createRng: distributions', () => {
  const N = 100_000;

  it('uniform draws lie in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = createRng(2024);
    const xs = new Float64Array(N);
    let outside = 0;
    for (let i = 0; i < N; i++) {
      const u = rng.uniform();
      if (!(u >= 0 && u < 1)) outside++;
      xs[i] = u;
    }
    expect(outside).toBe(0);
    const { mean, variance } = meanVar(xs);
    // Standard errors: mean ≈ 0.0009, variance ≈ 0.0003; the bounds are > 10 sigma.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.01);
  });

  it('normal draws have mean 0, variance 1 and plausible tails', () => {
    const rng = createRng(7);
    const xs = new Float64Array(N);
    let beyond2 = 0;
    let nonFinite = 0;
    for (let i = 0; i < N; i++) {
      const z = rng.normal();
      if (!Number.isFinite(z)) nonFinite++;
      xs[i] = z;
      if (Math.abs(z) > 2) beyond2++;
    }
    expect(nonFinite).toBe(0);
    const { mean, variance } = meanVar(xs);
    // Standard errors: mean ≈ 0.003, variance ≈ 0.0045.
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    // P(|Z| > 2) = 0.0455; sd of the count ≈ 66.
    expect(Math.abs(beyond2 / N - 0.0455)).toBeLessThan(0.004);
  });

  it('int(n) stays in [0, n) and is roughly uniform (chi-square)', () => {
    const rng = createRng(11);
    for (const n of [1, 2, 7, 10, 1000]) {
      for (let i = 0; i < 1000; i++) {
        const k = rng.int(n);
        expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
      }
    }
    const bins = 10;
    const counts = new Array<number>(bins).fill(0);
    const draws10 = 50_000;
    for (let i = 0; i < draws10; i++) counts[rng.int(bins)]!++;
    const expected = draws10 / bins;
    const chi2 = counts.reduce((acc, c) => acc + ((c - expected) * (c - expected)) / expected, 0);
    // 9 degrees of freedom: P(chi2 > 30) ≈ 0.0004, and a biased generator lands far above.
    expect(chi2).toBeLessThan(30);
  });

  it('int(n) handles n near 2^32 and n = 2^32', () => {
    const rng = createRng(13);
    for (const n of [2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32]) {
      for (let i = 0; i < 100; i++) {
        const k = rng.int(n);
        expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
      }
    }
  });
});

describe('createRng: shuffle', () => {
  it('is a deterministic permutation, in place', () => {
    const base = Array.from({ length: 100 }, (_, i) => i);
    const a = [...base];
    const returned = createRng(21).shuffle(a);
    expect(returned).toBe(a);
    expect([...a].sort((x, y) => x - y)).toEqual(base);
    expect(a).not.toEqual(base);
    expect(createRng(21).shuffle([...base])).toEqual(a);
    expect(createRng(22).shuffle([...base])).not.toEqual(a);
  });

  it('handles empty and single-element arrays without drawing', () => {
    const rng = createRng(1);
    const state = rng.getState();
    expect(rng.shuffle([])).toEqual([]);
    expect(rng.shuffle(['x'])).toEqual(['x']);
    expect(rng.getState()).toEqual(state);
  });

  it('puts each element in each position about equally often', () => {
    const rng = createRng(99);
    const n = 4;
    const trials = 24_000;
    const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let t = 0; t < trials; t++) {
      const p = rng.shuffle([0, 1, 2, 3]);
      for (let pos = 0; pos < n; pos++) counts[p[pos]!]![pos]!++;
    }
    for (const row of counts) for (const c of row) expect(Math.abs(c - trials / n)).toBeLessThan(400); // sd ≈ 67
  });
});

describe('createRng: errors', () => {
  it('rejects non-finite or non-number seeds with ConfigError', () => {
    for (const seed of [Number.NaN, Infinity, -Infinity, '1', undefined, null, 1n]) {
      expectConfigError(() => createRng(seed as unknown as number), /^createRng: seed must be a finite number, got /);
    }
  });

  it('rejects int(n) outside [1, 2^32] or non-integer n', () => {
    const rng = createRng(1);
    for (const n of [0, -1, 1.5, Number.NaN, Infinity, 2 ** 32 + 1]) {
      expectConfigError(() => rng.int(n), /^Rng\.int: n must be an integer in \[1, 2\^32\], got /);
    }
  });
});

describe('no Math.random in src/', () => {
  it('no file under src/ mentions Math.random', () => {
    const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
    const offenders: string[] = [];
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else {
          files.push(path);
          if (/Math\s*\.\s*random/.test(readFileSync(path, 'utf8'))) offenders.push(relative(srcDir, path));
        }
      }
    };
    walk(srcDir);
    expect(files.length).toBeGreaterThan(5); // the walk really found the sources
    expect(files.some((f) => f.endsWith('rng.ts'))).toBe(true);
    expect(offenders).toEqual([]);
  });
});
