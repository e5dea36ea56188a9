/**
 * GFLOP/s of the tuned `gemm` against the `gemmNaive` specification, on the shapes the LSTM
 * actually runs (B = 32, I = 128, H = 128, G = 4H = 512), plus a large batched projection and 512³.
 *
 *   npm run bench:gemm             # full run
 *   npm run bench:gemm -- --quick  # fewer, shorter repeats (under ~10 s)
 *
 *   npm run bench:gemm -- --wall   # time with the wall clock instead of process CPU time
 *
 * Each kernel is warmed up, then timed in repeats of enough calls to last a minimum time; the
 * median repeat is reported. Both kernels run in the same process on the same buffers.
 * By default a repeat is timed with the process's CPU time (user + system), so that other
 * processes competing for the cores (parallel test runs on a shared machine) do not count
 * against the kernel; gemm is single-threaded, so on an idle machine both clocks agree.
 */
import { cpus, loadavg } from 'node:os';
import { gemm, gemmNaive } from '../src/kernel/gemm.js';
import { createRng } from '../src/kernel/rng.js';

type GemmFn = typeof gemm;

interface Shape {
  /** What the shape is in the LSTM. */
  readonly label: string;
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

const quick = process.argv.includes('--quick');
const repeats = quick ? 3 : 7;
const minRepeatMs = quick ? 30 : 150;
const warmupMs = quick ? 60 : 300;
const wall = process.argv.includes('--wall');

/** Milliseconds on the chosen clock. */
function now(): number {
  if (wall) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const shapes: readonly Shape[] = [
  { label: 'x·Wᵀ: [32×128]·[512×128]ᵀ (B, I → G)', M: 32, N: 512, K: 128, transA: false, transB: true },
  { label: 'dH·W: [32×512]·[512×128] (B, G → H)', M: 32, N: 128, K: 512, transA: false, transB: false },
  { label: 'X·Wᵀ all steps: [2048×64]·[512×64]ᵀ (T·B, I → G)', M: 2048, N: 512, K: 64, transA: false, transB: true },
  { label: 'dW = dGᵀ·X: [32×512]ᵀ·[32×128] (G, B → I)', M: 512, N: 128, K: 32, transA: true, transB: false },
  { label: '512³: [512×512]·[512×512]', M: 512, N: 512, K: 512, transA: false, transB: false },
];

function fillRandom(x: Float32Array, seed: number): Float32Array {
  const rng = createRng(seed);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform() * 2 - 1;
  return x;
}

interface Rates {
  /** Median GFLOP/s over the repeats. */
  readonly median: number;
  /** Best repeat: closest to what an otherwise idle core would give. */
  readonly best: number;
}

/**
 * Warms up each kernel, sizes a batch of calls per kernel to last at least `minRepeatMs`, then
 * times `repeats` batches of each, alternating between the kernels so that both see the same
 * background load. Returns GFLOP/s per kernel.
 */
function measure(fns: readonly GemmFn[], s: Shape, outs: readonly Float32Array[], a: Float32Array, b: Float32Array): Rates[] {
  const flops = 2 * s.M * s.N * s.K;
  const batches = fns.map((fn, f) => {
    let calls = 0;
    const t0 = now();
    do {
      fn(outs[f], a, b, s.M, s.N, s.K, s.transA, s.transB, 1, 0);
      calls++;
    } while (now() - t0 < warmupMs);
    const perCallMs = (now() - t0) / calls;
    return Math.max(1, Math.ceil(minRepeatMs / perCallMs));
  });
  const rates = fns.map((): number[] => []);
  for (let r = 0; r < repeats; r++) {
    fns.forEach((fn, f) => {
      const t0 = now();
      for (let c = 0; c < batches[f]; c++) fn(outs[f], a, b, s.M, s.N, s.K, s.transA, s.transB, 1, 0);
      const sec = (now() - t0) / 1000;
      rates[f].push((flops * batches[f]) / sec / 1e9);
    });
  }
  return rates.map((xs) => {
    xs.sort((x, y) => x - y);
    return { median: xs[xs.length >> 1], best: xs[xs.length - 1] };
  });
}

function maxRelDiff(x: Float32Array, y: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    num = Math.max(num, Math.abs(x[i] - y[i]));
    den = Math.max(den, Math.abs(y[i]));
  }
  return den === 0 ? num : num / den;
}

const loadBefore = loadavg()[0];
const rows: string[] = [];
let allMeetTarget = true;
for (const s of shapes) {
  const a = fillRandom(new Float32Array(s.M * s.K), 1);
  const b = fillRandom(new Float32Array(s.K * s.N), 2);
  const outFast = new Float32Array(s.M * s.N);
  const outNaive = new Float32Array(s.M * s.N);
  const [fast, naive] = measure([gemm, gemmNaive], s, [outFast, outNaive], a, b);
  const diff = maxRelDiff(outFast, outNaive);
  const ratio = fast.median / naive.median;
  const ok = ratio >= 3 && fast.median >= 3.5;
  if (!ok) allMeetTarget = false;
  const trans = `${s.transA ? 'T' : 'N'}${s.transB ? 'T' : 'N'}`;
  rows.push(
    `| ${s.label} | ${s.M}×${s.N}×${s.K} | ${trans} | ${fast.median.toFixed(2)} | ${fast.best.toFixed(2)} | ${naive.median.toFixed(2)} | ${ratio.toFixed(1)}× | ${diff.toExponential(1)} | ${ok ? 'yes' : 'no'} |`,
  );
}

const clock = wall ? 'wall clock' : 'process CPU time';
const load = `${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)}`;
console.log(
  `gemm vs gemmNaive, Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${quick ? 'quick' : 'full'} run: ` +
    `median of ${repeats} interleaved repeats, ${clock}, 1-min load average ${load}\n`,
);
console.log('| shape | M×N×K | op | gemm GFLOP/s | gemm best | naive GFLOP/s | ratio | max rel diff | ≥3× and ≥3.5 GFLOP/s |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |');
for (const r of rows) console.log(r);
console.log(`\ntarget (gemm ≥ 3× naive and ≥ 3.5 GFLOP/s on every shape): ${allMeetTarget ? 'met' : 'NOT met'}`);
