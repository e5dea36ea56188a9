/**
 * Named initialisation schemes for recurrent weights.
 *
 * - `'keras'` (the default): Glorot-uniform `weight_ih` (fan-in I, fan-out G), an orthogonal
 *   `[H, H]` block per gate in `weight_hh`, zero biases, and forget-gate bias 1 for the LSTM.
 *   Chosen as the default because it is the sound one for long sequences: an orthogonal
 *   recurrent matrix has all singular values 1, so at initialisation the recurrent Jacobian
 *   neither shrinks nor blows up gradients (Saxe et al., 2014), and a forget bias of 1 keeps
 *   the cell state flowing early in training (Jozefowicz et al., 2015).
 * - `'pytorch'`: every weight and bias U(−1/√H, 1/√H), PyTorch's default for RNN/LSTM/GRU.
 *   Pick it to reproduce PyTorch's initial statistics (values differ: the generators differ).
 * @module
 */
import { ConfigError } from '../errors.js';
import { glorotUniform, initZeros, pytorchRnnUniform } from '../kernel/init.js';
import { orthogonal } from '../kernel/orthogonal.js';
import type { Rng } from '../kernel/rng.js';
import type { CellKind, CellWeights } from './cell-core.js';

/**
 * Initialisation scheme name; see the module notes for what each does and why `'keras'` is the
 * default.
 * @category Cells
 */
export type InitScheme = 'keras' | 'pytorch';

const SCHEMES: readonly InitScheme[] = ['keras', 'pytorch'];

/** @internal */
export function checkInitScheme(where: string, value: unknown): InitScheme {
  if (typeof value !== 'string' || !(SCHEMES as readonly string[]).includes(value)) {
    throw new ConfigError(`${where}: unknown init ${JSON.stringify(value)}, expected one of ${SCHEMES.map((s) => `'${s}'`).join(', ')}.`);
  }
  return value as InitScheme;
}

/** @internal */
export function initCellWeights(w: CellWeights, kind: CellKind, I: number, H: number, scheme: InitScheme, rng: Rng): void {
  const gates = kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
  const G = gates * H;
  if (scheme === 'pytorch') {
    pytorchRnnUniform(w.weightIh, H, rng);
    pytorchRnnUniform(w.weightHh, H, rng);
    if (w.biasIh) pytorchRnnUniform(w.biasIh, H, rng);
    if (w.biasHh) pytorchRnnUniform(w.biasHh, H, rng);
    return;
  }
  glorotUniform(w.weightIh, I, G, rng);
  for (let g = 0; g < gates; g++) orthogonal(w.weightHh.subarray(g * H * H, (g + 1) * H * H), H, H, rng);
  if (w.biasIh) initZeros(w.biasIh);
  if (w.biasHh) initZeros(w.biasHh);
  if (kind === 'lstm' && w.biasIh) w.biasIh.fill(1, H, 2 * H);
}
