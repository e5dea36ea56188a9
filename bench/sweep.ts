/**
 * Sequence-length sweep of rnnkit side by side with TensorFlow.js (cpu and wasm backends),
 * brain.js and, when installed, PyTorch — all in one run, so every ratio compares numbers
 * measured minutes apart on the same machine.
 *
 *   npm run bench                 # full default sweep (see bench/README.md)
 *   npm run bench -- --quick      # tiny T and few repeats: under a minute, for CI
 *   npm run bench -- --help       # every option
 *
 * Each implementation runs in its own worker process (one per series and implementation; one
 * per implementation in quick mode), in the order rnnkit, TF.js cpu, TF.js wasm, brain.js,
 * PyTorch for each series. A peer that cannot be installed or loaded becomes a note, never a
 * crash. Writes a markdown report on stdout, every sample to bench/results/<name>.json and a
 * log-log chart to bench/results/<name>.svg; progress goes to stderr.
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parsePlan, type Plan } from './lib/plan.js';
import { exponents, exponentTable, gridTable, IMPL_LABEL, memoryTable, ordered, ResultIndex, standardTable } from './lib/report.js';
import { renderSvg } from './lib/svg.js';
import { seriesLabel, WIRE_PREFIX, type ImplName, type Job, type PointResult, type Series, type WireMessage } from './lib/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

interface ImplInfo {
  version: string;
  detail: string;
}

const started = performance.now();
const results: PointResult[] = [];
const info = new Map<ImplName, ImplInfo>();
const unavailable = new Map<ImplName, string>();
const notes: string[] = [];
let done = 0;
let total = 0;
// Ctrl-C (or SIGTERM) stops the running worker and still writes the report of what was measured.
let interrupted = false;
let current: ChildProcess | null = null;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\nbench: ${sig}: stopping; writing a partial report (again to quit at once)\n`);
    current?.kill('SIGKILL');
  });
}

const tty = process.stderr.isTTY === true;
function progress(line: string, final: boolean): void {
  const el = (performance.now() - started) / 1000;
  const text = `[${String(done).padStart(String(total).length)}/${total} ${Math.floor(el / 60)}m${String(Math.floor(el % 60)).padStart(2, '0')}s] ${line}`;
  if (tty) process.stderr.write(`\r\x1b[2K${text}${final ? '\n' : ''}`);
  else process.stderr.write(text + '\n');
}

function labelOf(seriesId: string, series: readonly Series[]): string {
  const s = series.find((x) => x.id === seriesId);
  return s ? seriesLabel(s) : seriesId;
}

/** Runs one worker (Node or Python) to completion; every point it does not report is marked failed. */
function runJob(job: Job, cmd: string, args: string[], plan: Plan): Promise<void> {
  return new Promise((resolve) => {
    const expected = new Set(job.series.flatMap((s) => s.Ts.map((T) => `${s.id}|${T}`)));
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    current = child;
    let log = '';
    const keep = (s: string): void => {
      log = (log + s).slice(-4000);
    };
    // Generous: every point may take a first run, warm-up and a few samples of up to maxRunMs.
    const budgetMs = 60_000 + expected.size * 6 * job.timing.maxRunMs;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, budgetMs);
    child.stderr.on('data', (d: Buffer) => keep(d.toString()));
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      if (!line.startsWith(WIRE_PREFIX)) {
        keep(line + '\n');
        return;
      }
      const m = JSON.parse(line.slice(WIRE_PREFIX.length)) as WireMessage;
      if (m.kind === 'info') info.set(m.impl, { version: m.version, detail: m.detail });
      else if (m.kind === 'unavailable') unavailable.set(m.impl, m.note);
      else if (m.kind === 'start') progress(`${IMPL_LABEL[m.impl]}: ${labelOf(m.seriesId, plan.series)} T=${m.T} …`, false);
      else {
        const r = m.result;
        expected.delete(`${r.seriesId}|${r.T}`);
        results.push(r);
        done++;
        const what = r.status === 'ok' && r.stats ? `${r.stats.median.toPrecision(3)} ms/step` : (r.note ?? r.status);
        progress(`${IMPL_LABEL[r.impl]}: ${labelOf(r.seriesId, plan.series)} T=${r.T}: ${what}`, true);
      }
    });
    child.on('error', (e) => keep(`spawn failed: ${e.message}\n`));
    child.on('close', (code) => {
      clearTimeout(timer);
      current = null;
      const missing = [...expected];
      if (missing.length > 0 && !unavailable.has(job.impl) && !interrupted) {
        const why = timedOut ? `worker timed out after ${(budgetMs / 1000).toFixed(0)} s` : `worker exited with code ${code}`;
        const tail = log.trim().split('\n').slice(-3).join(' / ');
        notes.push(`${IMPL_LABEL[job.impl]}: ${why}; ${missing.length} point(s) not measured.${tail ? ` Last output: ${tail}` : ''}`);
        for (const key of missing) {
          const [seriesId, T] = key.split('|') as [string, string];
          results.push({ impl: job.impl, seriesId, T: Number(T), status: 'failed', note: why });
          done++;
        }
      }
      resolve();
    });
  });
}

function torchAvailable(): string | null {
  const r = spawnSync('python3', ['-c', 'import torch, sys; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  if (r.status === 0) return null;
  const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop() || `exit ${r.status}`;
  return `PyTorch reference skipped: \`python3 -c "import torch"\` failed (${why}). Install Debian's python3-torch to add the row.`;
}

async function main(): Promise<void> {
  let plan: Plan | null;
  try {
    plan = parsePlan(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 2;
    return;
  }
  if (!plan) return;
  const impls = ordered(plan.impls);
  if (impls.includes('torch')) {
    const why = torchAvailable();
    if (why) unavailable.set('torch', why);
  }

  const worker = join(here, 'worker.ts');
  const torchScript = join(here, 'torch_ref.py');
  const jobs: Job[] = [];
  if (plan.isolate) {
    for (const s of plan.series) for (const impl of impls) jobs.push({ impl, series: [s], timing: plan.timing });
  } else {
    for (const impl of impls) jobs.push({ impl, series: plan.series, timing: plan.timing });
  }
  total = jobs.filter((j) => !unavailable.has(j.impl)).reduce((n, j) => n + j.series.reduce((m, s) => m + s.Ts.length, 0), 0);
  const load0 = loadavg();
  process.stderr.write(
    `bench: ${plan.series.length} series × ${impls.length} implementations, ${total} points, clock=${plan.timing.clock}${plan.quick ? ' (quick)' : ''}; load average ${load0.map((x) => x.toFixed(2)).join(' ')}\n`,
  );
  for (const job of jobs) {
    if (interrupted) break;
    if (unavailable.has(job.impl)) continue;
    const before = total;
    if (job.impl === 'torch') await runJob(job, 'python3', [torchScript, JSON.stringify(job)], plan);
    else await runJob(job, process.execPath, ['--expose-gc', '--import', 'tsx', worker, JSON.stringify(job)], plan);
    if (unavailable.has(job.impl)) {
      // Its remaining jobs will not run: take them out of the progress count.
      const left = jobs.slice(jobs.indexOf(job)).filter((j) => j.impl === job.impl).reduce((n, j) => n + j.series.reduce((m, s) => m + s.Ts.length, 0), 0);
      total = before - left;
      process.stderr.write(`bench: ${unavailable.get(job.impl)}\n`);
    }
  }
  for (const [impl, note] of unavailable) {
    for (const s of plan.series) for (const T of s.Ts) if (!results.some((r) => r.impl === impl && r.seriesId === s.id && r.T === T)) results.push({ impl, seriesId: s.id, T, status: 'unavailable', note });
  }
  const load1 = loadavg();
  const elapsed = (performance.now() - started) / 1000;

  // Report.
  const idx = new ResultIndex(results);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const machine = `${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; Node ${process.version}; load average ${load0[0]?.toFixed(2)} at start, ${load1[0]?.toFixed(2)} at end`;
  const versions = impls.map((i) => `${IMPL_LABEL[i]} ${info.get(i)?.version ?? (unavailable.has(i) ? '(unavailable)' : '(not run)')}`).join(', ');
  const md: string[] = [];
  md.push(`# rnnkit sequence-length sweep${plan.quick ? ' (quick mode: tiny T, few repeats; not for comparison)' : ''}`);
  md.push('');
  if (interrupted) md.push(`**Interrupted after ${done} of ${total} points: cells marked "not run" were not measured.**\n`);
  md.push(`${new Date().toISOString()} · ${machine} · ${versions} · ${elapsed.toFixed(0)} s`);
  md.push('');
  md.push(
    `Median ms per step on the **${plan.timing.clock === 'cpu' ? 'process CPU' : 'wall'}** clock (a step: one forward over [T, B, I], or forward + BPTT + SGD update), ` +
      `after warm-up; ratio = rnnkit / peer (below 1: rnnkit is faster). Single thread everywhere.`,
  );
  md.push('');
  md.push('## Standard workloads');
  md.push('');
  md.push(standardTable(plan.series, idx, impls));
  md.push('');
  md.push('## Sweep');
  md.push('');
  md.push(gridTable(plan.series, idx, impls));
  md.push('');
  md.push('GFLOP/s counts gemm flops only: forward 2·T·B·G·(I+H), training 3× forward (G = H, 3H, 4H for RNN, GRU, LSTM).');
  md.push('');
  md.push('## Scaling: time per step ∝ T^k (least squares on log-log)');
  md.push('');
  md.push(exponentTable(plan.series, idx, impls));
  md.push('');
  md.push('## Memory');
  md.push('');
  md.push(memoryTable(plan.series, idx, impls));
  md.push('');
  md.push('retained: heap + external (typed arrays, wasm memory) still held after the timed steps, minus before the model was built (after GC). Peak RSS: of the worker process, which runs its points in ascending T.');
  md.push('');
  md.push('## Notes');
  md.push('');
  for (const impl of impls) {
    const i = info.get(impl);
    if (i) md.push(`- **${IMPL_LABEL[impl]} ${i.version}**: ${i.detail}`);
  }
  for (const [, note] of unavailable) md.push(`- ${note}`);
  const skipped = results.filter((r) => r.status === 'skipped' || r.status === 'failed');
  for (const r of skipped) md.push(`- ${IMPL_LABEL[r.impl]}, ${labelOf(r.seriesId, plan.series)}, T=${r.T}: ${r.note ?? r.status}`);
  for (const n of notes) md.push(`- ${n}`);
  const report = md.join('\n');
  console.log(report);

  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const jsonPath = join(dir, `${plan.name}.json`);
  const svgPath = join(dir, `${plan.name}.svg`);
  const fits = exponents(plan.series, idx, impls);
  writeFileSync(
    jsonPath,
    JSON.stringify(
      {
        meta: { date: new Date().toISOString(), interrupted, machine, node: process.version, cpu, cores: cpus().length, loadavgStart: load0, loadavgEnd: load1, elapsedS: elapsed, argv: process.argv.slice(2), quick: plan.quick, timing: plan.timing },
        impls: Object.fromEntries(impls.map((i) => [i, info.get(i) ?? { unavailable: unavailable.get(i) ?? 'not loaded' }])),
        series: plan.series,
        exponents: fits,
        notes,
        results,
      },
      null,
      1,
    ) + '\n',
  );
  const title = `rnnkit vs peers — time per step vs T (${plan.timing.clock} clock, 1 thread; ${new Date().toISOString().slice(0, 10)}; ${cpu}, ${cpus().length} cores)`;
  writeFileSync(svgPath, renderSvg(plan.series, results, impls.filter((i) => !unavailable.has(i)), title));
  process.stderr.write(`bench: wrote ${relative(root, jsonPath)} and ${relative(root, svgPath)} in ${elapsed.toFixed(0)} s\n`);
  // Peers failing are notes; rnnkit failing is a bug, and CI must see it (timings are never asserted).
  if (interrupted) process.exitCode = 130;
  const broken = results.filter((r) => r.impl === 'rnnkit' && r.status === 'failed');
  if (broken.length > 0) {
    process.stderr.write(`bench: rnnkit failed on ${broken.length} point(s): ${broken.map((r) => `${r.seriesId} T=${r.T}: ${r.note ?? ''}`).join('; ')}\n`);
    process.exitCode = 1;
  }
}

await main();
