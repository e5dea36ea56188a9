// The code samples of docs/cells.md, verbatim between the markers apart from the imports and the
// data they are given: the inference step must produce the documented state shapes, the training
// form's backward must match central differences (parameters and input), and the error a wrong
// input shape throws must read as the guide shows.
import { describe, expect, it } from 'vitest';
import { allocationCount, gradCheck, LSTMCell, ShapeError, tensor, type Tensor } from '../../src/index.js';

describe('docs/cells.md samples', () => {
  it('inference: one LSTMCell step from a zero state', () => {
    // --- begin docs sample ---
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 8, seed: 1 });
    let state = cell.initialState(2);              // { h: [2, 8], c: [2, 8] } zeros
    const x = tensor([[0.1, 0.2, 0.3], [0, 1, 0]]); // [B=2, I=3]
    state = cell.step(x, state);                    // a new state
    // --- end docs sample ---

    expect(state.h.shape).toEqual([2, 8]);
    expect(state.c.shape).toEqual([2, 8]);
    expect(cell.initialState(2).h.data.every((v) => v === 0)).toBe(true);
    expect(cell.initialState(2).c.data.every((v) => v === 0)).toBe(true);
    // The step really moved the state, and h = o ⊙ tanh(c) stays inside (−1, 1).
    expect(state.h.data.some((v) => v !== 0)).toBe(true);
    for (const v of state.h.data) expect(Math.abs(v)).toBeLessThan(1);
    // Rows are independent: the second row alone gives the same second row.
    const alone = cell.step(tensor([[0, 1, 0]]), cell.initialState(1));
    expect(Array.from(alone.h.data)).toEqual(Array.from(state.h.data.subarray(8, 16)));

    // `step(x, state, out)`: two states swapped, no allocation per step, same result.
    let a = cell.initialState(2), b = cell.initialState(2);
    let ref = cell.initialState(2);
    for (let t = 0; t < 3; t++) ref = cell.step(x, ref);
    const before = allocationCount();
    for (let t = 0; t < 3; t++) {
      cell.step(x, a, b);
      [a, b] = [b, a];
    }
    expect(allocationCount()).toBe(before);
    expect(Array.from(a.h.data)).toEqual(Array.from(ref.h.data));
    expect(Array.from(a.c.data)).toEqual(Array.from(ref.c.data));
  });

  it('training form: stepTrain + backward give the gradient of a loss on next.h / next.c', () => {
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 8, seed: 1 });
    let state = cell.initialState(2);
    const x = tensor([[0.1, 0.2, 0.3], [0, 1, 0]]);
    state = cell.step(x, state); // a non-zero previous state, as after the inference sample
    // The loss L = Σ a ⊙ next.h + Σ b ⊙ next.c, so dL/dh = a and dL/dc = b.
    const weights = (seed: number): Tensor => tensor(Array.from({ length: 16 }, (_, i) => Math.sin(seed * 7 + i * 1.3)), [2, 8]);
    const dh = weights(1), dc = weights(2);
    cell.zeroGrad();

    // --- begin docs sample ---
    const cache = cell.createCache(2);                  // once per batch size
    const next = cell.stepTrain(x, state, cache);       // like step, saves what backward needs
    // ... loss on next.h / next.c gives dh, dc ...
    const { dx, dState } = cell.backward({ h: dh, c: dc }, cache);
    // cell.params.grads now holds (+=) the parameter gradients
    // --- end docs sample ---

    expect(next.h.shape).toEqual([2, 8]);
    expect(dx.shape).toEqual([2, 3]);
    expect(dState.h.shape).toEqual([2, 8]);
    expect(dState.c.shape).toEqual([2, 8]);
    // stepTrain computes what step computes.
    expect(Array.from(next.h.data)).toEqual(Array.from(cell.step(x, state).h.data));

    const lossAt = (xIn: Tensor, s: typeof state): number => {
      const n = cell.step(xIn, s);
      let L = 0;
      for (let i = 0; i < 16; i++) L += (dh.data[i] as number) * (n.h.data[i] as number) + (dc.data[i] as number) * (n.c.data[i] as number);
      return L;
    };
    // dx and dState against central differences (in float64 around float32 values).
    const dxCopy = Float32Array.from(dx.data), dhPrev = Float32Array.from(dState.h.data), dcPrev = Float32Array.from(dState.c.data);
    const r = gradCheck({
      targets: [
        { name: 'x', value: x.data, grad: dxCopy },
        { name: 'h', value: state.h.data, grad: dhPrev },
        { name: 'c', value: state.c.data, grad: dcPrev },
      ],
      loss: () => lossAt(x, state),
      backward: () => {}, // the analytic gradients are fixed above
      eps: 1e-2,
      atol: 2e-3,
      rtol: 2e-2,
    });
    expect(r.ok, JSON.stringify(r)).toBe(true);

    // Parameter gradients, and their accumulation (+=): a second backward doubles them.
    const once = Float32Array.from(cell.params.grads);
    expect(once.some((v) => v !== 0)).toBe(true);
    const p = gradCheck({
      targets: cell.parameters(),
      loss: () => lossAt(x, state),
      backward: () => {
        cell.zeroGrad();
        const c2 = cell.createCache(2);
        cell.stepTrain(x, state, c2);
        cell.backward({ h: dh, c: dc }, c2);
      },
      eps: 1e-2,
      atol: 2e-3,
      rtol: 2e-2,
    });
    expect(p.ok, JSON.stringify(p)).toBe(true);
    cell.stepTrain(x, state, cache);
    cell.backward({ h: dh, c: dc }, cache);
    for (let i = 0; i < once.length; i++) expect(cell.params.grads[i]).toBeCloseTo(2 * (once[i] as number), 5);
    cell.zeroGrad();
    expect(cell.params.grads.every((v) => v === 0)).toBe(true);
  });

  it('a wrong input shape throws the ShapeError the guide quotes', () => {
    const cell = new LSTMCell({ inputSize: 8, hiddenSize: 4, seed: 1 });
    const x = tensor(new Float32Array(14), [2, 7]);
    let err: unknown;
    try {
      cell.step(x, cell.initialState(2));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as ShapeError).code).toBe('E_SHAPE');
    expect((err as Error).message).toBe('LSTMCell.step: x expected shape [B, I=8], got [2, 7].');
  });
});
