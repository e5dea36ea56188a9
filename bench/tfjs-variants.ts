/**
 * Is `tf.layers.lstm` (what bench/sweep.ts measures for TF.js) TF.js at its best? Compares it,
 * on the W1 shape (LSTM, B=32, I=64, H=128), with a hand-written TF.js ops loop: one input
 * projection over all T·B rows, then per step one matMul, the gate math, `tf.stack` of the
 * outputs; training through `optimizer.minimize` over the three variables. rnnkit is timed in
 * the same process for reference.
 *
 *   node --import tsx bench/tfjs-variants.ts [--T 16] [--backends cpu,wasm] [--reps 4]
 *
 * Median process-CPU ms per step over --reps samples after two warm-up steps.
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { loadRnnkit } from './impl/rnnkit.js';
import { loadTfjs } from './impl/tfjs.js';
import { LR, type Point, type Runner } from './impl/impl.js';
import { summarize } from './lib/stats.js';

const argv = process.argv.slice(2);
const opt = (name: string, d: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? d) : d;
};
const T = Number(opt('T', '16'));
const reps = Number(opt('reps', '4'));
const backends = opt('backends', 'cpu,wasm').split(',') as ('cpu' | 'wasm')[];
const B = 32, I = 64, H = 128;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function time(r: Runner): number {
  r.step();
  r.step();
  const xs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = cpuMs();
    r.step();
    xs.push(cpuMs() - c0);
  }
  r.dispose();
  return summarize(xs).median;
}

/** LSTM written with TF.js ops, time-major, PyTorch gate order. */
function opsRunner(mode: 'infer' | 'train', data: Float32Array): Runner {
  const x = tf.tensor2d(data, [T * B, I]);
  const u = (shape: number[]): tf.Variable => tf.variable(tf.randomUniform(shape, -0.08, 0.08));
  const wIh = u([I, 4 * H]), wHh = u([H, 4 * H]), bias = u([4 * H]);
  const forward = (): tf.Tensor => {
    const xg = tf.add(tf.matMul(x, wIh), bias); // [T·B, 4H]
    let h: tf.Tensor = tf.zeros([B, H]), c: tf.Tensor = tf.zeros([B, H]);
    const outs: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const g = tf.add(tf.slice(xg, [t * B, 0], [B, 4 * H]), tf.matMul(h, wHh));
      const [gi, gf, gg, go] = tf.split(g, 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      c = tf.add(tf.mul(tf.sigmoid(gf), c), tf.mul(tf.sigmoid(gi), tf.tanh(gg)));
      h = tf.mul(tf.sigmoid(go), tf.tanh(c));
      outs.push(h);
    }
    return tf.stack(outs); // [T, B, H]
  };
  const opt = tf.train.sgd(LR);
  return {
    step:
      mode === 'infer'
        ? () => {
            const y = tf.tidy(forward);
            y.dataSync();
            y.dispose();
          }
        : () => {
            opt.minimize(() => tf.sum(forward()) as tf.Scalar, false, [wIh, wHh, bias]);
          },
    dispose: () => {
      tf.dispose([x, wIh, wHh, bias]);
      opt.dispose();
    },
  };
}

const data = new Float32Array(T * B * I).map((_, i) => Math.sin(i * 0.37));
console.log(`LSTM B=${B} I=${I} H=${H} T=${T}: median CPU ms per step (${reps} samples)\n`);
console.log('| implementation | infer | train |\n|---|---:|---:|');
const rk = loadRnnkit();
const p = (mode: 'infer' | 'train'): Point => ({ cell: 'lstm', mode, T, B, I, H });
console.log(`| rnnkit | ${time(rk.prepare(p('infer'), data)).toFixed(1)} | ${time(rk.prepare(p('train'), data)).toFixed(1)} |`);
for (const backend of backends) {
  const impl = await loadTfjs(backend);
  console.log(`| TF.js ${backend}, tf.layers.lstm (bench/sweep.ts) | ${time(impl.prepare(p('infer'), data)).toFixed(1)} | ${time(impl.prepare(p('train'), data)).toFixed(1)} |`);
  console.log(`| TF.js ${backend}, hand-written ops loop | ${time(opsRunner('infer', data)).toFixed(1)} | ${time(opsRunner('train', data)).toFixed(1)} |`);
}
