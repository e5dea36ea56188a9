/**
 * Where does rnnkit's time go? Profiles training steps of standard workload W1 (LSTM, B=32,
 * I=64, H=128; T=64 by default) with V8's sampling profiler and prints the self time by
 * category (gemm kernel, gate loops in the cells, elementwise/reduce kernels, sequence
 * plumbing, tape and optimizer, GC), by phase (forward, backward, optimizer) and the top
 * functions.
 *
 *   node --import tsx bench/profile.ts [--T 64] [--seconds 6] [--cell lstm] [--mode train] [--B 32] [--I 64] [--H 128]
 *
 * It re-runs itself under `node --cpu-prof` and then reads the .cpuprofile it wrote to
 * bench/results/ (git-ignored). `--summarize FILE` only summarises an existing profile.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CellType, Mode } from './lib/types.js';
import { stepFlops } from './lib/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const argv = process.argv.slice(2);
const opt = (name: string, d: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? d) : d;
};
const T = Number(opt('T', '64')), B = Number(opt('B', '32')), I = Number(opt('I', '64')), H = Number(opt('H', '128'));
const cell = opt('cell', 'lstm') as CellType;
const mode = opt('mode', 'train') as Mode;
const seconds = Number(opt('seconds', '6'));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Runs the workload for `seconds` after a 1 s warm-up (inside the profiled child). */
async function child(): Promise<void> {
  const { loadRnnkit } = await import('./impl/rnnkit.js');
  const x = new Float32Array(T * B * I);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37);
  const r = loadRnnkit().prepare({ cell, mode, T, B, I, H }, x);
  const w0 = performance.now();
  while (performance.now() - w0 < 1000) r.step();
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    r.step();
    n++;
  }
  const c = process.cpuUsage(c0);
  const ms = (c.user + c.system) / 1000 / n;
  console.log(`${n} steps, ${ms.toFixed(2)} ms CPU per step (${(stepFlops(cell, mode, T, B, I, H) / (ms * 1e6)).toFixed(2)} effective GFLOP/s, profiler on)`);
}

function category(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)' || fn === '(idle)' || fn === '(root)') return 'V8 / runtime (program, idle)';
  if (/src\/kernel\/gemm/.test(url)) return 'gemm kernel (src/kernel/gemm*.ts)';
  if (/src\/cells\/|src\/kernel\/activations/.test(url)) return 'gate loops (src/cells, activations: fused gates, cache)';
  if (/src\/kernel\/(elementwise|reduce)/.test(url)) return 'bias add / column sums (src/kernel elementwise, reduce)';
  if (/src\/sequence\//.test(url)) return 'sequence plumbing (unroll copies, masks, workspace)';
  if (/src\/train\//.test(url)) return 'optimizer (SGD update, zeroGrad)';
  if (/src\/layers\/|src\/kernel\/alloc/.test(url)) return 'tape, param store, allocation';
  if (/bench\//.test(url)) return 'bench harness';
  return 'other (Node internals, fill, typed-array builtins)';
}

function phase(stack: readonly string[]): string {
  if (stack.includes('update') || stack.includes('zeroGrad')) return 'optimizer';
  if (stack.includes('unrollBackward') || stack.includes('backward')) return 'backward (BPTT)';
  if (stack.includes('unrollForward')) return 'forward';
  return 'other';
}

function summarize(file: string): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const selfFn = new Map<string, number>();
  const selfCat = new Map<string, number>();
  const byPhase = new Map<string, number>();
  const phaseCache = new Map<number, string>();
  const gemmCaller = new Map<string, number>();
  const callerCache = new Map<number, string>();
  let total = 0;
  const add = (m: Map<string, number>, k: string, v: number): void => {
    m.set(k, (m.get(k) ?? 0) + v);
  };
  // Only samples taken inside the timed step (rnnkitTrainStep / rnnkitInferStep): no module loading.
  const inStep = new Map<number, boolean>();
  const stackOf = (id: number): ProfileNode[] => {
    const stack: ProfileNode[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n) stack.push(n);
    }
    return stack;
  };
  let outside = 0;
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    const n = byId.get(id);
    if (!n) return;
    const { functionName, url } = n.callFrame;
    let ok = inStep.get(id);
    if (ok === undefined) {
      const stack = stackOf(id);
      ok = stack.some((f) => /^rnnkit(Train|Infer)Step$/.test(f.callFrame.functionName));
      inStep.set(id, ok);
      phaseCache.set(id, phase(stack.map((f) => f.callFrame.functionName)));
    }
    if (!ok) {
      // GC pauses are attributed to no stack; count them, they are caused by the steps.
      if (functionName !== '(garbage collector)') {
        outside += dt;
        return;
      }
    }
    total += dt;
    const short = url.startsWith('file:') ? relative(root, fileURLToPath(url)) : url.startsWith('/') ? relative(root, url) : url;
    add(selfFn, `${functionName || '(anonymous)'}${short ? ` (${short})` : ''}`, dt);
    add(selfCat, category(url, functionName), dt);
    add(byPhase, ok ? (phaseCache.get(id) as string) : 'GC (no stack)', dt);
    if (/src\/kernel\/gemm/.test(url)) {
      // Which call of gemm: the nearest frame outside the gemm files.
      let caller = callerCache.get(id);
      if (caller === undefined) {
        const f = stackOf(id).find((x) => !/src\/kernel\/gemm/.test(x.callFrame.url));
        caller = f ? f.callFrame.functionName || '(anonymous)' : '?';
        callerCache.set(id, caller);
      }
      add(gemmCaller, caller, dt);
    }
  });
  const table = (title: string, m: Map<string, number>, limit: number): void => {
    console.log(`\n| ${title} | ms | share |\n|---|---:|---:|`);
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .forEach(([k, v]) => console.log(`| ${k} | ${v.toFixed(0)} | ${((100 * v) / total).toFixed(1)}% |`));
  };
  console.log(`\nProfile ${relative(root, file)}: ${total.toFixed(0)} ms sampled inside training/inference steps (warm-up included; ${outside.toFixed(0)} ms of start-up and harness left out).`);
  table('self time by category', selfCat, 20);
  table('self time by phase (by stack)', byPhase, 10);
  table('gemm time by caller', gemmCaller, 10);
  table('top functions (self time)', selfFn, 15);
}

async function main(): Promise<void> {
  if (argv.includes('--child')) return child();
  const existing = argv.indexOf('--summarize');
  if (existing >= 0) return summarize(argv[existing + 1] as string);
  const dir = join(here, 'results', 'profile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`Profiling rnnkit ${cell.toUpperCase()} ${mode} T=${T} B=${B} I=${I} H=${H} for ${seconds} s (after 1 s warm-up)…`);
  const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--import', 'tsx', fileURLToPath(import.meta.url), '--child', ...argv], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`profiled run failed with status ${r.status}`);
  // tsx's loader thread writes a profile too: take the one that contains the steps.
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .find((f) => /rnnkit(Train|Infer)Step/.test(readFileSync(f, 'utf8')));
  if (!file) throw new Error(`no .cpuprofile with rnnkit steps in ${relative(root, dir)}`);
  summarize(file);
}

await main();
