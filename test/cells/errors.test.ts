import { describe, expect, it } from 'vitest';
import { GRUCell } from '../../src/cells/gru-cell.js';
import { LSTMCell } from '../../src/cells/lstm-cell.js';
import { RNNCell } from '../../src/cells/rnn-cell.js';
import { isRnnError } from '../../src/errors.js';
import { zerosTensor } from '../../src/tensor.js';

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('cell option and shape errors', () => {
  it('wrong input width names both shapes', () => {
    const cell = new LSTMCell({ inputSize: 8, hiddenSize: 4 });
    const e = thrown(() => cell.step(zerosTensor([2, 7]), cell.initialState(2)));
    expect(isRnnError(e)).toBe(true);
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toContain('LSTMCell.step');
    expect(e.message).toContain('[B, I=8]');
    expect(e.message).toContain('[2, 7]');
  });
  it('a whole sequence passed to a cell gets a hint', () => {
    const cell = new GRUCell({ inputSize: 3, hiddenSize: 4 });
    expect(thrown(() => cell.step(zerosTensor([5, 2, 3]), cell.initialState(2))).message).toContain('use RNN / LSTM / GRU');
  });
  it('wrong batch in the state', () => {
    const cell = new RNNCell({ inputSize: 3, hiddenSize: 4 });
    const e = thrown(() => cell.step(zerosTensor([2, 3]), cell.initialState(3)));
    expect(e.message).toContain('state.h expected shape [B=2, H=4], got [3, 4]');
  });
  it('missing c for the LSTM', () => {
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4 });
    const e = thrown(() => cell.step(zerosTensor([2, 3]), { h: zerosTensor([2, 4]) } as never));
    expect(e.message).toContain('state.c is missing');
  });
  it.each([
    [{ inputSize: 0, hiddenSize: 4 }, 'inputSize must be a positive integer, got 0'],
    [{ inputSize: 2.5, hiddenSize: 4 }, 'inputSize must be a positive integer, got 2.5'],
    [{ inputSize: 3, hiddenSize: -1 }, 'hiddenSize must be a positive integer, got -1'],
    [{ inputSize: 3, hiddenSize: 4, init: 'he' }, `unknown init "he", expected one of 'keras', 'pytorch'`],
    [{ inputSize: 3, hiddenSize: 4, hidenSize: 3 }, 'unknown option "hidenSize"'],
    [{ inputSize: 3, hiddenSize: 4, seed: 1, rng: {} }, 'either seed or rng'],
  ])('options %j', (opts, msg) => {
    const e = thrown(() => new LSTMCell(opts as never));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toContain(msg);
  });
  it('RNN nonlinearity is validated', () => {
    expect(thrown(() => new RNNCell({ inputSize: 1, hiddenSize: 1, nonlinearity: 'sigmoid' as never })).message).toContain(
      "nonlinearity must be 'tanh' or 'relu'",
    );
  });
  it('a state dict with a missing and a mis-shaped tensor reports both', () => {
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4 });
    const dict = cell.stateDict();
    delete (dict as Record<string, unknown>)['bias_hh'];
    dict['weight_ih'] = { shape: [16, 2], data: new Float32Array(32) };
    const before = Float32Array.from(cell.params.values);
    const e = thrown(() => cell.loadStateDict(dict));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toContain('missing "bias_hh" (expected shape [16])');
    expect(e.message).toContain('"weight_ih" expected shape [16, 3], got [16, 2]');
    expect(cell.params.values).toEqual(before); // nothing loaded
  });
  it('backward without stepTrain', () => {
    const cell = new GRUCell({ inputSize: 2, hiddenSize: 2 });
    const cache = cell.createCache(1);
    expect(thrown(() => cell.backward({ h: zerosTensor([1, 2]) }, cache)).message).toContain('call stepTrain');
  });
  it('step rejects out aliasing the state', () => {
    const cell = new RNNCell({ inputSize: 2, hiddenSize: 2 });
    const s = cell.initialState(1);
    expect(thrown(() => cell.step(zerosTensor([1, 2]), s, s)).message).toContain('must not be the same buffers');
  });
});

describe('determinism and initialisation', () => {
  it('same seed, same bits; different seed, different weights', () => {
    for (const make of [
      (seed: number) => new LSTMCell({ inputSize: 5, hiddenSize: 7, seed }),
      (seed: number) => new GRUCell({ inputSize: 5, hiddenSize: 7, seed, init: 'pytorch' }),
      (seed: number) => new RNNCell({ inputSize: 5, hiddenSize: 7, seed }),
    ]) {
      expect(make(3).params.values).toEqual(make(3).params.values);
      expect(make(3).params.values).not.toEqual(make(4).params.values);
    }
  });
  it("'keras' init: orthogonal recurrent blocks, zero biases, forget bias 1", () => {
    const H = 6;
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: H, seed: 9 });
    const whh = cell.params.value('weight_hh');
    for (let g = 0; g < 4; g++) {
      for (let a = 0; a < H; a++) {
        for (let b = 0; b < H; b++) {
          let d = 0;
          for (let k = 0; k < H; k++) d += whh[g * H * H + k * H + a]! * whh[g * H * H + k * H + b]!;
          expect(Math.abs(d - (a === b ? 1 : 0))).toBeLessThan(1e-5);
        }
      }
    }
    const bih = cell.params.value('bias_ih');
    expect([...bih.subarray(H, 2 * H)]).toEqual(Array(H).fill(1));
    expect([...bih.subarray(0, H)]).toEqual(Array(H).fill(0));
    expect([...cell.params.value('bias_hh')]).toEqual(Array(4 * H).fill(0));
  });
  it("'pytorch' init stays within ±1/√H", () => {
    const H = 16;
    const cell = new GRUCell({ inputSize: 3, hiddenSize: H, init: 'pytorch', seed: 2 });
    const bound = 1 / Math.sqrt(H);
    for (const v of cell.params.values) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(Math.max(...cell.params.values.map(Math.abs))).toBeGreaterThan(0.9 * bound);
  });
  it('step with a reused out state does not allocate new buffers', () => {
    const cell = new LSTMCell({ inputSize: 2, hiddenSize: 3 });
    let a = cell.initialState(2);
    let b = cell.initialState(2);
    const x = zerosTensor([2, 2]);
    const bufs = new Set([a.h.data, a.c.data, b.h.data, b.c.data]);
    for (let t = 0; t < 5; t++) {
      const next = cell.step(x, a, b);
      expect(bufs.has(next.h.data)).toBe(true);
      [a, b] = [next, a];
    }
  });
});
