/**
 * TensorFlow.js peers: `tf.layers.lstm` / `gru` / `simpleRNN` with `returnSequences: true`, on
 * the pure-JS `cpu` backend or the `wasm` backend (SIMD, single thread). Training is
 * `tf.train.sgd(lr).minimize(() => tf.sum(layer.apply(x)))`: forward, BPTT through the layer's
 * time loop, and the SGD update of every weight, with dL/dy = 1 as in the rnnkit runner.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LR, type Impl, type Point, type Runner } from './impl.js';

const require = createRequire(import.meta.url);

function pkgVersion(name: string): string {
  const file = join(dirname(require.resolve(`${name}/package.json`)), 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/**
 * Loads TF.js and switches to `backend`.
 * @throws when the package or the backend cannot be loaded (the caller turns it into a note).
 */
export async function loadTfjs(backend: 'cpu' | 'wasm'): Promise<Impl> {
  const tf = await import('@tensorflow/tfjs');
  let extra = '';
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // Node has no URL to fetch the .wasm binaries from; point the loader at the package's files.
    wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
    // One thread, like every other row (the threaded build needs workers and cross-origin isolation anyway).
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    extra = simd ? ', SIMD, 1 thread' : ', no SIMD, 1 thread';
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
  await tf.ready();
  if (tf.getBackend() !== backend) throw new Error(`TF.js backend is ${tf.getBackend()}, expected ${backend}`);

  function prepare(p: Point, data: Float32Array): Runner {
    const { T, B, I, H } = p;
    // Keras layers are batch-first: transpose [T, B, I] → [B, T, I] once, outside the timing.
    const xb = new Float32Array(B * T * I);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) xb.set(data.subarray((t * B + b) * I, (t * B + b + 1) * I), (b * T + t) * I);
    }
    const x = tf.tensor3d(xb, [B, T, I]);
    // Glorot for the recurrent kernel too: the default orthogonal initialiser is slow to build for
    // large H and makes no difference to the time of a step.
    const args = { units: H, returnSequences: true, kernelInitializer: 'glorotUniform', recurrentInitializer: 'glorotUniform' } as const;
    const layer = p.cell === 'lstm' ? tf.layers.lstm(args) : p.cell === 'gru' ? tf.layers.gru(args) : tf.layers.simpleRNN(args);
    const forward = (): import('@tensorflow/tfjs').Tensor => layer.apply(x, { training: p.mode === 'train' }) as import('@tensorflow/tfjs').Tensor;
    tf.tidy(() => {
      forward(); // builds the weights
    });
    if (p.mode === 'infer') {
      return {
        step: () => {
          const y = tf.tidy(forward);
          y.dataSync(); // read the output back, as rnnkit returns it in a Float32Array
          y.dispose();
        },
        dispose: () => {
          x.dispose();
          layer.dispose();
        },
      };
    }
    const opt = tf.train.sgd(LR);
    return {
      step: () => {
        opt.minimize(() => tf.sum(forward()) as import('@tensorflow/tfjs').Scalar, false);
      },
      dispose: () => {
        x.dispose();
        opt.dispose();
        layer.dispose();
      },
    };
  }

  return {
    name: backend === 'cpu' ? 'tfjs-cpu' : 'tfjs-wasm',
    version: pkgVersion('@tensorflow/tfjs'),
    detail:
      `@tensorflow/tfjs ${backend} backend${extra}: tf.layers.lstm/gru/simpleRNN({ returnSequences: true }) on a batch-first [B, T, I] tensor; ` +
      'training: tf.train.sgd().minimize(() => tf.sum(layer.apply(x))). TF.js GRU is the reset-before variant (rnnkit uses PyTorch reset-after; same gemm flops).',
    prepare,
  };
}
