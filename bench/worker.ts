/**
 * Runs one implementation over one or more series and prints each point's samples on stdout
 * (one `@@bench {json}` line per message). Started by `sweep.ts` with `--expose-gc`; each worker
 * is a fresh process so that JIT state, allocator state and peak RSS belong to one
 * implementation only.
 *
 *   node --expose-gc --import tsx bench/worker.ts '<Job as JSON>'
 * @module
 */
import type { Impl } from './impl/impl.js';
import { measure } from './lib/measure.js';
import { summarize } from './lib/stats.js';
import { WIRE_PREFIX, type Job, type Memory, type PointResult, type WireMessage } from './lib/types.js';

function send(m: WireMessage): void {
  process.stdout.write(WIRE_PREFIX + JSON.stringify(m) + '\n');
}

async function load(name: Job['impl']): Promise<Impl> {
  switch (name) {
    case 'rnnkit':
      return (await import('./impl/rnnkit.js')).loadRnnkit();
    case 'tfjs-cpu':
      return (await import('./impl/tfjs.js')).loadTfjs('cpu');
    case 'tfjs-wasm':
      return (await import('./impl/tfjs.js')).loadTfjs('wasm');
    case 'brain':
      return (await import('./impl/brain.js')).loadBrain();
    case 'torch':
      throw new Error('PyTorch runs in bench/torch_ref.py, not in a Node worker');
  }
}

/** Deterministic input in [-1, 1) (mulberry32), the same bytes for every implementation. */
function input(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    x[i] = (((z ^ (z >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return x;
}

const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => {});
const MB = 1024 * 1024;
const retained = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as Job;
  let impl: Impl;
  try {
    impl = await load(job.impl);
  } catch (e) {
    send({ kind: 'unavailable', impl: job.impl, note: `${job.impl} could not be loaded: ${(e as Error).message.split('\n')[0]}` });
    return;
  }
  send({ kind: 'info', impl: job.impl, version: impl.version, detail: impl.detail });
  const { timing } = job;
  for (const s of job.series) {
    let prev: { T: number; ms: number } | null = null;
    let tooSlow = false;
    for (const T of s.Ts) {
      send({ kind: 'start', impl: job.impl, seriesId: s.id, T });
      const base = { impl: job.impl, seriesId: s.id, T };
      let result: PointResult;
      // Time per step is linear in T for every implementation here: predict from the last point.
      const predicted = prev ? (prev.ms * T) / prev.T : 0;
      if (tooSlow || predicted > timing.maxRunMs) {
        result = { ...base, status: 'skipped', note: `skipped (too slow): predicted ${(predicted / 1000).toFixed(0)} s per step > ${timing.maxRunMs / 1000} s` };
        tooSlow = true;
      } else {
        try {
          gc();
          const before = retained();
          const runner = impl.prepare({ cell: s.cell, mode: s.mode, T, B: s.B, I: s.I, H: s.H }, input(T * s.B * s.I, 12345));
          const m = measure(runner, timing);
          gc();
          const mem: Memory = {
            retainedMB: (retained() - before) / MB,
            rssMB: process.memoryUsage().rss / MB,
            peakRssMB: (process.resourceUsage().maxRSS * 1024) / MB,
          };
          runner.dispose();
          const pick = (x: { cpuMs: number; wallMs: number }): number => (timing.clock === 'cpu' ? x.cpuMs : x.wallMs);
          if (m.status === 'ok') {
            const stats = summarize(m.samples.map(pick));
            result = { ...base, status: 'ok', inner: m.inner, warmupRuns: m.warmupRuns, samples: m.samples, stats, mem };
            prev = { T, ms: stats.median };
          } else {
            result = { ...base, status: 'skipped', note: m.note, samples: m.samples, mem };
            tooSlow = true;
          }
        } catch (e) {
          result = { ...base, status: 'failed', note: `failed: ${(e as Error).message.split('\n')[0]}` };
        }
      }
      send({ kind: 'result', result });
    }
  }
}

await main();
