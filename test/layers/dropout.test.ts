import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/kernel/rng.js';
import { Dropout } from '../../src/layers/dropout.js';
import { Tape } from '../../src/layers/tape.js';
import { gradCheck } from '../../src/train/grad-check.js';
import { randTensor, weightedSum } from '../helpers/fixtures.js';

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('Dropout', () => {
  it('is the identity (the same tensor) outside training and for p = 0', () => {
    const x = randTensor([3, 4], 1);
    const drop = new Dropout({ p: 0.5, seed: 1 });
    expect(drop.forward(x)).toBe(x);
    expect(drop.forward(x, { training: false })).toBe(x);
    const tape = new Tape();
    expect(new Dropout({ p: 0 }).forward(x, { training: true, tape })).toBe(x);
    expect(tape.length).toBe(0);
  });

  it('zeroes about p of the elements and scales the rest by 1/(1 − p) exactly', () => {
    const p = 0.3;
    const x = randTensor([200, 100], 2);
    const y = new Dropout({ p, seed: 4 }).forward(x, { training: true });
    expect(y).not.toBe(x);
    expect(y.shape).toEqual(x.shape);
    let dropped = 0, wrong = 0;
    for (let i = 0; i < x.data.length; i++) {
      const v = y.data[i] as number;
      if (v === 0) dropped++;
      else if (v !== Math.fround((x.data[i] as number) * (1 / (1 - p)))) wrong++;
    }
    expect(wrong).toBe(0);
    expect(Math.abs(dropped / x.data.length - p)).toBeLessThan(0.02);
  });

  it('is deterministic by seed and advances its generator', () => {
    const x = randTensor([5, 7], 3);
    const a = new Dropout({ p: 0.5, seed: 9 }), b = new Dropout({ p: 0.5, seed: 9 });
    const a1 = a.forward(x, { training: true }), b1 = b.forward(x, { training: true });
    expect(Array.from(a1.data)).toEqual(Array.from(b1.data));
    const a2 = a.forward(x, { training: true });
    expect(Array.from(a2.data)).not.toEqual(Array.from(a1.data));
    const c = new Dropout({ p: 0.5, seed: 10 }).forward(x, { training: true });
    expect(Array.from(c.data)).not.toEqual(Array.from(a1.data));
    // A shared rng is advanced by one uniform draw per element.
    const rng = createRng(9);
    new Dropout({ p: 0.5, rng }).forward(x, { training: true });
    const ref = createRng(9);
    for (let i = 0; i < x.data.length; i++) ref.uniform();
    expect(rng.uniform()).toBe(ref.uniform());
  });

  test.prop([fc.integer({ min: 1, max: 20 }), fc.double({ min: 0.05, max: 0.9, noNaN: true }), fc.integer({ min: 0, max: 1e6 })], { numRuns: 10, seed: 2 })(
    'backward passes dy through the same mask (central differences)',
    (n, p, seed) => {
      const x = randTensor([n], seed);
      const w = randTensor([n], seed + 1);
      const dx = new Float32Array(n);
      // A fresh layer per call replays the same mask, so the loss is a fixed linear function of x.
      const run = (tape?: Tape) => new Dropout({ p, seed }).forward(x, tape ? { training: true, tape } : { training: true });
      const r = gradCheck({
        targets: [{ name: 'x', value: x.data, grad: dx }],
        loss: () => weightedSum(run().data, w.data),
        backward: () => {
          const tape = new Tape();
          tape.grad(run(tape)).set(w.data);
          tape.backward();
          dx.set(tape.grad(x));
        },
        eps: 1e-2,
        atol: 2e-3,
        rtol: 2e-2,
      });
      expect(r.ok, JSON.stringify(r)).toBe(true);
    },
  );

  it.each([
    [{ p: 1 }, 'p must be in [0, 1), got 1'],
    [{ p: -0.1 }, 'p must be a number in [0, 1]'],
    [{ p: Number.NaN }, 'p must be a number in [0, 1]'],
    [{ p: 0.1, prob: 0.2 }, 'unknown option "prob"'],
    [{ p: 0.1, seed: 1, rng: createRng(1) }, 'either seed or rng'],
  ])('options %#', (opts, msg) => {
    const e = thrown(() => new Dropout(opts as never));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toContain(msg);
  });

  it('forward options are checked', () => {
    const drop = new Dropout({ p: 0.1 });
    const x = randTensor([2], 1);
    expect(thrown(() => drop.forward(x, { train: true } as never)).message).toContain('unknown option "train"');
    expect(thrown(() => drop.forward(x, { training: 1 } as never)).message).toContain('training must be a boolean');
    expect(thrown(() => drop.forward({ shape: [3], data: new Float32Array(2) })).code).toBe('E_SHAPE');
  });
});
