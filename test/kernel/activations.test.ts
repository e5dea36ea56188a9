import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  hardSigmoid,
  hardSigmoidBackward,
  logSoftmaxRows,
  relu,
  reluBackward,
  sigmoid,
  sigmoidBackward,
  sigmoidScalar,
  softmaxRows,
  tanh,
  tanhBackward,
} from '../../src/kernel/activations.js';

fc.configureGlobal({ seed: 42, numRuns: 100 });

type Forward = (out: Float32Array, x: Float32Array, n: number) => Float32Array;
type Backward = (dx: Float32Array, y: Float32Array, dy: Float32Array, n: number) => Float32Array;

/** Step of the central difference; x ± H is rounded to float32 and the actual step is used. */
const H = 1 / 64;

interface Activation {
  name: string;
  forward: Forward;
  backward: Backward;
  /** Points where the forward has a kink; central differences stay 2H away from them. */
  kinks: number[];
}

const activations: Activation[] = [
  { name: 'sigmoid', forward: sigmoid, backward: sigmoidBackward, kinks: [] },
  { name: 'tanh', forward: tanh, backward: tanhBackward, kinks: [] },
  { name: 'relu', forward: relu, backward: reluBackward, kinks: [0] },
  { name: 'hardSigmoid', forward: hardSigmoid, backward: hardSigmoidBackward, kinks: [-2.5, 2.5] },
];

const inputs = (kinks: number[]) =>
  fc.array(
    fc
      .float({ min: -4, max: 4, noNaN: true })
      .filter((v) => kinks.every((k) => Math.abs(v - k) > 2 * H)),
    { minLength: 1, maxLength: 24 },
  );
const gradients = (n: number) =>
  fc.float32Array({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true, minLength: n, maxLength: n });
const inputsWithGrad = (kinks: number[]) =>
  inputs(kinks).chain((xs) => fc.tuple(fc.constant(Float32Array.from(xs)), gradients(xs.length)));

describe.each(activations)('$name', ({ forward, backward, kinks }) => {
  test.prop([inputsWithGrad(kinks)])('backward equals a central difference of forward, times dy', ([x, dy]) => {
    const n = x.length;
    const y = forward(new Float32Array(n), x, n);
    const dx = backward(new Float32Array(n), y, dy, n);
    const xp = new Float32Array(n);
    const xm = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      xp[i] = x[i] + H;
      xm[i] = x[i] - H;
    }
    const yp = forward(new Float32Array(n), xp, n);
    const ym = forward(new Float32Array(n), xm, n);
    for (let i = 0; i < n; i++) {
      // Float64 difference quotient over the float32-rounded step actually taken.
      const slope = (yp[i] - ym[i]) / (xp[i] - xm[i]);
      const expected = slope * dy[i];
      // Truncation (H²/6·|f'''|) and float32 rounding are below 1e-4·|dy|; a wrong sign or
      // factor is off by |f'·dy|.
      expect(Math.abs(dx[i] - expected)).toBeLessThanOrEqual(2e-4 * Math.abs(dy[i]) + 1e-7);
    }
  });

  test.prop([inputsWithGrad(kinks)])('backward accumulates into dx (+=) instead of overwriting', ([x, dy]) => {
    const n = x.length;
    const y = forward(new Float32Array(n), x, n);
    const contribution = backward(new Float32Array(n), y, dy, n);
    const dx0 = Float32Array.from({ length: n }, (_, i) => 1 + (i % 5));
    const once = backward(dx0.slice(), y, dy, n);
    const twice = backward(once.slice(), y, dy, n);
    for (let i = 0; i < n; i++) {
      expect(once[i]).toBeCloseTo(dx0[i] + contribution[i], 5);
      expect(twice[i]).toBeCloseTo(dx0[i] + 2 * contribution[i], 5);
    }
  });

  test.prop([inputsWithGrad(kinks)])('forward and backward are alias-safe', ([x, dy]) => {
    const n = x.length;
    const y = forward(new Float32Array(n), x, n);
    const inPlace = x.slice();
    expect(forward(inPlace, inPlace, n)).toBe(inPlace);
    expect(inPlace).toEqual(y);
    // dx may be dy: each element is read before it is written.
    const separate = backward(dy.slice(), y, dy, n);
    const shared = dy.slice();
    expect(backward(shared, y, shared, n)).toBe(shared);
    expect(shared).toEqual(separate);
  });

  it('writes only the first n elements', () => {
    const out = new Float32Array([9, 9, 9]);
    forward(out, new Float32Array([1, 2, 3]), 2);
    expect(out[2]).toBe(9);
    const dx = new Float32Array([0, 0, 0]);
    backward(dx, new Float32Array([0.5, 0.5, 0.5]), new Float32Array([1, 1, 1]), 0);
    expect([...dx]).toEqual([0, 0, 0]);
  });
});

describe('sigmoid', () => {
  test.prop([fc.double({ min: -60, max: 60, noNaN: true })])('σ(−x) = 1 − σ(x) in float64', (x) => {
    expect(Math.abs(sigmoidScalar(-x) - (1 - sigmoidScalar(x)))).toBeLessThanOrEqual(2 ** -52);
    expect(Math.abs(sigmoidScalar(x) - 1 / (1 + Math.exp(-x)))).toBeLessThanOrEqual(2 ** -52);
  });

  test.prop([fc.float32Array({ min: -20, max: 20, noNaN: true, minLength: 1, maxLength: 16 })])(
    'σ(−x) = 1 − σ(x) on Float32Arrays, to float32 precision',
    (x) => {
      const n = x.length;
      const pos = sigmoid(new Float32Array(n), x, n);
      const neg = sigmoid(new Float32Array(n), x.map((v) => -v), n);
      for (let i = 0; i < n; i++) expect(Math.abs(neg[i] - (1 - pos[i]))).toBeLessThanOrEqual(2 ** -24);
    },
  );

  it('saturates without overflow or NaN', () => {
    const y = sigmoid(new Float32Array(5), new Float32Array([-1000, 1000, -Infinity, Infinity, 0]), 5);
    expect([...y]).toEqual([0, 1, 0, 1, 0.5]);
    expect(sigmoid(new Float32Array(1), new Float32Array([NaN]), 1)[0]).toBeNaN();
  });
});

describe('tanh, relu, hardSigmoid values', () => {
  it('match their definitions at chosen points', () => {
    const x = new Float32Array([-3, -2.5, -1, 0, 1, 2.5, 3]);
    expect([...relu(new Float32Array(7), x, 7)]).toEqual([0, 0, 0, 0, 1, 2.5, 3]);
    expect([...hardSigmoid(new Float32Array(7), x, 7)]).toEqual([0, 0, 0.30000001192092896, 0.5, 0.699999988079071, 1, 1]);
    expect([...tanh(new Float32Array(3), new Float32Array([-Infinity, 0, 40]), 3)]).toEqual([-1, 0, 1]);
  });

  it('relu and hardSigmoid backward pass no gradient where the output is flat', () => {
    const dy = new Float32Array([5, 5, 5]);
    expect([...reluBackward(new Float32Array(3), new Float32Array([0, 0, 2]), dy, 3)]).toEqual([0, 0, 5]);
    expect([...hardSigmoidBackward(new Float32Array(3), new Float32Array([0, 1, 0.5]), dy, 3)]).toEqual([0, 0, 1]);
  });
});

// Row-major [rows, cols] logits of exact multiples of 1/64 in [-10, 10].
const logits = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 12 }))
  .chain(([rows, cols]) =>
    fc.tuple(
      fc.constant(rows),
      fc.constant(cols),
      fc.array(fc.integer({ min: -640, max: 640 }), { minLength: rows * cols, maxLength: rows * cols }),
    ),
  )
  .map(([rows, cols, ks]) => ({ rows, cols, x: Float32Array.from(ks, (k) => k / 64) }));

describe('softmaxRows', () => {
  test.prop([logits])('gives rows of probabilities summing to 1', ({ rows, cols, x }) => {
    const p = softmaxRows(new Float32Array(rows * cols), x, rows, cols);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let j = 0; j < cols; j++) {
        const v = p[r * cols + j];
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        sum += v;
      }
      expect(Math.abs(sum - 1)).toBeLessThanOrEqual(1e-6);
    }
  });

  test.prop([logits, fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 5, maxLength: 5 })])(
    'is invariant to adding a constant to a row',
    ({ rows, cols, x }, shifts) => {
      // Logits are multiples of 1/64 and shifts are integers, so x + c is exact in float32 and
      // the max-shifted exponents are the same numbers: the outputs agree bit for bit.
      const shifted = x.map((v, i) => v + shifts[Math.floor(i / cols)]);
      const p = softmaxRows(new Float32Array(rows * cols), x, rows, cols);
      const q = softmaxRows(new Float32Array(rows * cols), shifted, rows, cols);
      expect(q).toEqual(p);
    },
  );

  test.prop([logits])('is alias-safe', ({ rows, cols, x }) => {
    const separate = softmaxRows(new Float32Array(rows * cols), x, rows, cols);
    const inPlace = x.slice();
    expect(softmaxRows(inPlace, inPlace, rows, cols)).toBe(inPlace);
    expect(inPlace).toEqual(separate);
  });

  it('is stable for huge logits and exact for one column', () => {
    const p = softmaxRows(new Float32Array(3), new Float32Array([1000, 1000, -1000]), 1, 3);
    expect([...p]).toEqual([0.5, 0.5, 0]);
    expect([...softmaxRows(new Float32Array(2), new Float32Array([-50, 80]), 2, 1)]).toEqual([1, 1]);
  });
});

describe('logSoftmaxRows', () => {
  test.prop([logits])('equals log(softmax) and exponentiates to rows summing to 1', ({ rows, cols, x }) => {
    const p = softmaxRows(new Float32Array(rows * cols), x, rows, cols);
    const lp = logSoftmaxRows(new Float32Array(rows * cols), x, rows, cols);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let j = 0; j < cols; j++) {
        const i = r * cols + j;
        expect(lp[i]).toBeLessThanOrEqual(0);
        expect(Math.abs(lp[i] - Math.log(p[i]))).toBeLessThanOrEqual(1e-5);
        sum += Math.exp(lp[i]);
      }
      expect(Math.abs(sum - 1)).toBeLessThanOrEqual(1e-5);
    }
  });

  test.prop([logits])('is alias-safe', ({ rows, cols, x }) => {
    const separate = logSoftmaxRows(new Float32Array(rows * cols), x, rows, cols);
    const inPlace = x.slice();
    logSoftmaxRows(inPlace, inPlace, rows, cols);
    expect(inPlace).toEqual(separate);
  });

  it('stays finite where log(softmax) would underflow', () => {
    const lp = logSoftmaxRows(new Float32Array(2), new Float32Array([0, 200]), 1, 2);
    expect([...lp]).toEqual([-200, 0]);
  });
});
