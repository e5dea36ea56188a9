/**
 * rnnkit itself, through its public layer classes: `LSTM` / `GRU` / `RNN` with `init: 'pytorch'`,
 * a `Tape` for BPTT and `SGD` for the update.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Tape } from '../../src/layers/tape.js';
import { GRU, LSTM, RNN } from '../../src/sequence/layers.js';
import type { Tensor } from '../../src/tensor.js';
import { SGD } from '../../src/train/optim/sgd.js';
import { LR, type Impl, type Point, type Runner } from './impl.js';

function prepare(p: Point, data: Float32Array): Runner {
  const opts = { inputSize: p.I, hiddenSize: p.H, init: 'pytorch' as const, seed: 1 };
  const layer = p.cell === 'lstm' ? new LSTM(opts) : p.cell === 'gru' ? new GRU(opts) : new RNN(opts);
  const x: Tensor = { shape: [p.T, p.B, p.I], data };
  // Named functions, so that bench/profile.ts can find the steps in a CPU profile.
  if (p.mode === 'infer') {
    return {
      step: function rnnkitInferStep(): void {
        layer.forward(x);
      },
      dispose: () => {},
    };
  }
  const sgd = new SGD(layer, { lr: LR });
  return {
    step: function rnnkitTrainStep(): void {
      const tape = new Tape();
      const r = layer.forward(x, { tape });
      tape.grad(r.output).fill(1); // dL/dy = 1: L = Σ output
      tape.backward();
      sgd.step();
      sgd.zeroGrad();
    },
    dispose: () => {},
  };
}

/** @returns the rnnkit implementation (never fails to load: it is the code under test). */
export function loadRnnkit(): Impl {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    name: 'rnnkit',
    version: pkg.version,
    detail: "rnnkit `LSTM`/`GRU`/`RNN` layers (init: 'pytorch'), one batched [T, B, I] call; training: new `Tape`, dL/dy = 1, `backward()`, `SGD.step()`, `zeroGrad()`.",
    prepare,
  };
}
