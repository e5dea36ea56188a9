import { describe, expect, it } from 'vitest';
import { GRUCell } from '../../src/cells/gru-cell.js';
import { LSTMCell } from '../../src/cells/lstm-cell.js';
import { RNNCell } from '../../src/cells/rnn-cell.js';
import { expectClose, fxParams, fxTensor, loadFixture } from '../helpers/fixtures.js';

const PARAMS = ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'];

describe('cells match PyTorch (float64 references, 1e-5)', () => {
  for (const [name, make] of [
    ['cell_rnn_tanh', (I: number, H: number) => new RNNCell({ inputSize: I, hiddenSize: H, nonlinearity: 'tanh' })],
    ['cell_rnn_relu', (I: number, H: number) => new RNNCell({ inputSize: I, hiddenSize: H, nonlinearity: 'relu' })],
    ['cell_gru', (I: number, H: number) => new GRUCell({ inputSize: I, hiddenSize: H })],
  ] as const) {
    it(name, () => {
      const fx = loadFixture(name);
      const I = fx.meta.inputSize as number, H = fx.meta.hiddenSize as number, B = fx.meta.batch as number;
      const cell = make(I, H);
      cell.loadStateDict(fxParams(fx));
      const x = fxTensor(fx, 'input.x');
      const h0 = fxTensor(fx, 'input.h0');
      expectClose(cell.step(x, { h: h0 }).h.data, fxTensor(fx, 'output.hn').data, `${name} hn (step)`);
      const cache = cell.createCache(B);
      const s = cell.stepTrain(x, { h: h0 }, cache);
      expectClose(s.h.data, fxTensor(fx, 'output.hn').data, `${name} hn (stepTrain)`);
      cell.zeroGrad();
      const g = cell.backward({ h: fxTensor(fx, 'seed.ghn') }, cache);
      expectClose(g.dx.data, fxTensor(fx, 'grad.x').data, `${name} grad.x`);
      expectClose(g.dState.h.data, fxTensor(fx, 'grad.h0').data, `${name} grad.h0`);
      for (const p of PARAMS) expectClose(cell.params.grad(p), fxTensor(fx, `grad.${p}`).data, `${name} grad.${p}`);
    });
  }

  it('cell_lstm', () => {
    const fx = loadFixture('cell_lstm');
    const I = fx.meta.inputSize as number, H = fx.meta.hiddenSize as number, B = fx.meta.batch as number;
    const cell = new LSTMCell({ inputSize: I, hiddenSize: H });
    cell.loadStateDict(fxParams(fx));
    const x = fxTensor(fx, 'input.x');
    const state = { h: fxTensor(fx, 'input.h0'), c: fxTensor(fx, 'input.c0') };
    const out = cell.step(x, state);
    expectClose(out.h.data, fxTensor(fx, 'output.hn').data, 'lstm hn');
    expectClose(out.c.data, fxTensor(fx, 'output.cn').data, 'lstm cn');
    const cache = cell.createCache(B);
    cell.stepTrain(x, state, cache);
    cell.zeroGrad();
    const g = cell.backward({ h: fxTensor(fx, 'seed.ghn'), c: fxTensor(fx, 'seed.gcn') }, cache);
    expectClose(g.dx.data, fxTensor(fx, 'grad.x').data, 'lstm grad.x');
    expectClose(g.dState.h.data, fxTensor(fx, 'grad.h0').data, 'lstm grad.h0');
    expectClose(g.dState.c.data, fxTensor(fx, 'grad.c0').data, 'lstm grad.c0');
    for (const p of PARAMS) expectClose(cell.params.grad(p), fxTensor(fx, `grad.${p}`).data, `lstm grad.${p}`);
  });

  it('fails loudly when a fixture is missing', () => {
    expect(() => loadFixture('no_such_fixture')).toThrow();
  });
});
