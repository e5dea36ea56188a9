import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { LSTM } from '../../src/sequence/layers.js';
import { expectClose, fxTensor, loadFixture } from '../helpers/fixtures.js';

describe('a PyTorch state dict in safetensors loads into LSTM as is', () => {
  it('nn.LSTM(4, 5, num_layers=2, bidirectional=True) reproduces output.y', () => {
    const bytes = readFileSync(fileURLToPath(new URL('../fixtures/safetensors/lstm_2layer_bidir.safetensors', import.meta.url)));
    const { tensors } = decodeSafetensors(new Uint8Array(bytes));
    const lstm = new LSTM({ inputSize: 4, hiddenSize: 5, numLayers: 2, bidirectional: true });
    lstm.loadStateDict(tensors);
    const fx = loadFixture('seq_lstm_2layer_bidir');
    const r = lstm.forward(fxTensor(fx, 'input.x'), { h0: fxTensor(fx, 'input.h0'), c0: fxTensor(fx, 'input.c0') });
    expectClose(r.output.data, fxTensor(fx, 'output.y').data, 'y from safetensors weights');
    expectClose(r.hN.data, fxTensor(fx, 'output.hn').data, 'hn from safetensors weights');
  });
});
