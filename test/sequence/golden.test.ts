import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/layers/tape.js';
import { GRU, LSTM, RNN } from '../../src/sequence/layers.js';
import type { RecurrentBase, RecurrentOutput } from '../../src/sequence/recurrent.js';
import type { Tensor } from '../../src/tensor.js';
import { expectClose, fxParams, fxTensor, loadFixture } from '../helpers/fixtures.js';

const CASES = [
  'seq_rnn_tanh',
  'seq_rnn_relu_2layer',
  'seq_lstm',
  'seq_lstm_2layer_bidir',
  'seq_gru_2layer',
  'seq_gru_bidir',
  'seq_lstm_bidir_lengths',
  'seq_gru_lengths',
  'seq_rnn_bidir_lengths',
];

function build(meta: Record<string, unknown>): RecurrentBase<RecurrentOutput & { cN?: Tensor }> {
  const common = {
    inputSize: meta.inputSize as number,
    hiddenSize: meta.hiddenSize as number,
    numLayers: meta.numLayers as number,
    bidirectional: meta.bidirectional as boolean,
  };
  switch (meta.module) {
    case 'RNN':
      return new RNN({ ...common, nonlinearity: meta.nonlinearity as 'tanh' | 'relu' });
    case 'LSTM':
      return new LSTM(common) as unknown as RecurrentBase<RecurrentOutput & { cN?: Tensor }>;
    case 'GRU':
      return new GRU(common);
    default:
      throw new Error(`unknown module ${String(meta.module)}`);
  }
}

describe('sequence layers match PyTorch (float64 references, 1e-5)', () => {
  for (const name of CASES) {
    it(name, () => {
      const fx = loadFixture(name);
      const m = build(fx.meta);
      m.loadStateDict(fxParams(fx));
      const x = fxTensor(fx, 'input.x');
      const h0 = fxTensor(fx, 'input.h0');
      const hasC = 'input.c0' in fx.tensors;
      const c0 = hasC ? fxTensor(fx, 'input.c0') : undefined;
      const lengths = 'input.lengths' in fx.tensors ? Array.from(fxTensor(fx, 'input.lengths').data) : undefined;
      const opts = { h0, ...(c0 ? { c0 } : {}), ...(lengths ? { lengths } : {}) };

      // Inference path (no caches).
      const inf = m.forward(x, opts);
      expectClose(inf.output.data, fxTensor(fx, 'output.y').data, `${name} y`);
      expectClose(inf.hN.data, fxTensor(fx, 'output.hn').data, `${name} hn`);
      if (hasC) expectClose(inf.cN!.data, fxTensor(fx, 'output.cn').data, `${name} cn`);

      // Training path: same numbers, then gradients of Σ y·gy + Σ hn·ghn (+ Σ cn·gcn).
      const tape = new Tape();
      const r = m.forward(x, { ...opts, tape });
      expectClose(r.output.data, fxTensor(fx, 'output.y').data, `${name} y (train)`);
      tape.grad(r.output).set(fxTensor(fx, 'seed.gy').data);
      tape.grad(r.hN).set(fxTensor(fx, 'seed.ghn').data);
      if (hasC) tape.grad(r.cN!).set(fxTensor(fx, 'seed.gcn').data);
      m.zeroGrad();
      tape.backward();
      expectClose(tape.grad(x), fxTensor(fx, 'grad.x').data, `${name} grad.x`);
      expectClose(tape.grad(h0), fxTensor(fx, 'grad.h0').data, `${name} grad.h0`);
      if (c0) expectClose(tape.grad(c0), fxTensor(fx, 'grad.c0').data, `${name} grad.c0`);
      const params = m.parameters();
      expect(params.length).toBeGreaterThan(0);
      for (const p of params) expectClose(p.grad, fxTensor(fx, `grad.${p.name}`).data, `${name} grad.${p.name}`);
    });
  }
});
