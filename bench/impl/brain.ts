/**
 * brain.js peer: `recurrent.LSTMTimeStep` / `GRUTimeStep` / `RNNTimeStep`. These models hold one
 * sequence at a time (no batch axis), so a step over a batch of B sequences runs B sequences:
 *
 * - inference: B × `runArrayOfArray(seq_b)`, each seq_b being T vectors of I features;
 * - training: B × `trainPattern(seq_b)`, each seq_b being T + 1 vectors, so that the
 *   next-step-prediction loss brain.js trains runs exactly T steps forward and back. brain.js
 *   updates the weights after every sequence (its own RMSProp-style `adjustWeights`), so a
 *   training step is B small updates where the other rows make one batched SGD update.
 *
 * A TimeStep model also has an output layer (outputSize must equal inputSize = I): an extra
 * [I, H] matrix-vector product per step, which the flop count does not credit.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Impl, Point, Runner } from './impl.js';

const require = createRequire(import.meta.url);

/** The slice of brain.js's TimeStep model this runner uses. */
interface TimeStepNet {
  initialize(): void;
  bindEquation(): void;
  runArrayOfArray(input: Float32Array[]): Float32Array;
  trainPattern(input: Float32Array[], logErrorRate?: boolean): number;
}
type TimeStepCtor = new (opts: Record<string, unknown>) => TimeStepNet;

/**
 * Loads brain.js.
 * @throws when the package cannot be loaded (the caller turns it into a note).
 */
export async function loadBrain(): Promise<Impl> {
  const brain = (await import('brain.js')) as unknown as { recurrent: Record<string, TimeStepCtor> };
  const file = join(dirname(require.resolve('brain.js')), '..', 'package.json');
  const version = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  const rec = brain.recurrent;

  function prepare(p: Point, data: Float32Array): Runner {
    const { T, B, I, H } = p;
    const Ctor = (p.cell === 'lstm' ? rec['LSTMTimeStep'] : p.cell === 'gru' ? rec['GRUTimeStep'] : rec['RNNTimeStep']) as TimeStepCtor;
    const net = new Ctor({ inputSize: I, hiddenLayers: [H], outputSize: I, learningRate: 0.01 });
    net.initialize();
    net.bindEquation();
    // seqs[b][t] = x[t, b, :]; training sequences get one extra (zero) target vector.
    const steps = p.mode === 'train' ? T + 1 : T;
    const seqs: Float32Array[][] = [];
    for (let b = 0; b < B; b++) {
      const seq: Float32Array[] = [];
      for (let t = 0; t < steps; t++) seq.push(t < T ? data.slice((t * B + b) * I, (t * B + b + 1) * I) : new Float32Array(I));
      seqs.push(seq);
    }
    const step =
      p.mode === 'infer'
        ? () => {
            for (let b = 0; b < B; b++) net.runArrayOfArray(seqs[b] as Float32Array[]);
          }
        : () => {
            for (let b = 0; b < B; b++) net.trainPattern(seqs[b] as Float32Array[]);
          };
    return { step, dispose: () => {} };
  }

  return {
    name: 'brain',
    version,
    detail:
      'brain.js recurrent.LSTMTimeStep/GRUTimeStep/RNNTimeStep({ inputSize: I, hiddenLayers: [H], outputSize: I }). ' +
      'It has no batch axis, so one step over B sequences = B calls: runArrayOfArray(seq) for inference, trainPattern(seq of T + 1 vectors) for training ' +
      '(T steps forward and back, then brain.js\'s own RMSProp-style update, so B updates per step). Its per-step output layer [I×H] is extra work not counted in GFLOP/s.',
    prepare,
  };
}
