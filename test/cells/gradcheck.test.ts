import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { CellBase, HiddenState } from '../../src/cells/cell-base.js';
import { GRUCell } from '../../src/cells/gru-cell.js';
import { LSTMCell } from '../../src/cells/lstm-cell.js';
import { RNNCell } from '../../src/cells/rnn-cell.js';
import { gradCheck, type GradCheckTarget } from '../../src/train/grad-check.js';
import type { Tensor } from '../../src/tensor.js';
import { randTensor, weightedSum } from '../helpers/fixtures.js';

type AnyCell = CellBase<HiddenState & { c?: Tensor }>;

const variants: [string, (I: number, H: number, seed: number) => AnyCell][] = [
  ['RNN tanh', (I, H, seed) => new RNNCell({ inputSize: I, hiddenSize: H, seed, init: 'pytorch' }) as AnyCell],
  ['RNN relu', (I, H, seed) => new RNNCell({ inputSize: I, hiddenSize: H, seed, nonlinearity: 'relu', init: 'pytorch' }) as AnyCell],
  ['LSTM', (I, H, seed) => new LSTMCell({ inputSize: I, hiddenSize: H, seed, init: 'pytorch' }) as unknown as AnyCell],
  ['GRU', (I, H, seed) => new GRUCell({ inputSize: I, hiddenSize: H, seed, init: 'pytorch' }) as AnyCell],
  ['GRU resetAfter=false', (I, H, seed) => new GRUCell({ inputSize: I, hiddenSize: H, seed, resetAfter: false, init: 'pytorch' }) as AnyCell],
  ['LSTM no bias', (I, H, seed) => new LSTMCell({ inputSize: I, hiddenSize: H, seed, bias: false }) as unknown as AnyCell],
];

/** Checks d(loss)/d(x, h, c, every parameter) for loss = Σ h'·wh + Σ c'·wc. */
function checkCell(cell: AnyCell, B: number, seed: number) {
  const I = cell.inputSize, H = cell.hiddenSize;
  const hasC = cell.kind === 'lstm';
  const x = randTensor([B, I], seed + 1);
  const h = randTensor([B, H], seed + 2, 0.8);
  const c = randTensor([B, H], seed + 3, 0.8);
  const wh = randTensor([B, H], seed + 4);
  const wc = randTensor([B, H], seed + 5);
  const state = (hasC ? { h, c } : { h }) as HiddenState & { c?: Tensor };
  const cache = cell.createCache(B);
  const dx = new Float32Array(B * I), dh = new Float32Array(B * H), dc = new Float32Array(B * H);
  const targets: GradCheckTarget[] = [
    ...cell.parameters(),
    { name: 'x', value: x.data, grad: dx },
    { name: 'h', value: h.data, grad: dh },
    ...(hasC ? [{ name: 'c', value: c.data, grad: dc }] : []),
  ];
  const loss = () => {
    const s = cell.step(x, state) as HiddenState & { c?: Tensor };
    return weightedSum(s.h.data, wh.data) + (hasC && s.c ? weightedSum(s.c.data, wc.data) : 0);
  };
  const backward = () => {
    cell.zeroGrad();
    cell.stepTrain(x, state, cache);
    const g = cell.backward((hasC ? { h: wh, c: wc } : { h: wh }) as HiddenState & { c?: Tensor }, cache);
    dx.set(g.dx.data);
    dh.set(g.dState.h.data);
    if (hasC && g.dState.c) dc.set(g.dState.c.data);
  };
  // ReLU has a kink at 0: a smaller step makes straddling it (where differences are meaningless) rare.
  const eps = cell.kind === 'rnn' && (cell as unknown as RNNCell).nonlinearity === 'relu' ? 1e-3 : 1e-2;
  return gradCheck({ targets, loss, backward, eps, atol: 2e-3, rtol: 2e-2 });
}

describe('cell gradients by central differences', () => {
  for (const [name, make] of variants) {
    test.prop([fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1e6 })], {
      numRuns: 12,
      seed: 7,
    })(name, (I, H, B, seed) => {
      const r = checkCell(make(I, H, seed), B, seed);
      expect(r.ok, JSON.stringify(r)).toBe(true);
    });
  }
});
