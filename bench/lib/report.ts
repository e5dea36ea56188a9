/**
 * Markdown tables of a sweep: the standard workloads with ratios and targets, the full grid
 * (ms, spread, tokens/s, GFLOP/s, memory), memory of every implementation, and the fitted
 * exponent of time per step against T.
 * @module
 */
import { logLogFit } from './stats.js';
import { IMPLS, seriesLabel, stepFlops, type ImplName, type PointResult, type Series } from './types.js';

export const IMPL_LABEL: Record<ImplName, string> = {
  rnnkit: 'rnnkit',
  'tfjs-cpu': 'TF.js cpu',
  'tfjs-wasm': 'TF.js wasm',
  brain: 'brain.js',
  torch: 'PyTorch',
};

/** Issue 7's targets: rnnkit must be at least this many times faster than the peer. */
const TARGETS: Record<string, Partial<Record<ImplName, number>>> = {
  W1: { 'tfjs-cpu': 3, brain: 3, 'tfjs-wasm': 1 },
  W2: { 'tfjs-cpu': 3, brain: 3 },
};

/** Milliseconds with about three significant digits. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

function fmtRate(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}

function fmtRatio(x: number): string {
  return x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(2);
}

/** Lookup of results by (impl, series, T). */
export class ResultIndex {
  private readonly map = new Map<string, PointResult>();
  constructor(results: readonly PointResult[]) {
    for (const r of results) this.map.set(`${r.impl}|${r.seriesId}|${r.T}`, r);
  }
  get(impl: ImplName, seriesId: string, T: number): PointResult | undefined {
    return this.map.get(`${impl}|${seriesId}|${T}`);
  }
  /** Median ms of an ok point, else NaN. */
  median(impl: ImplName, seriesId: string, T: number): number {
    const r = this.get(impl, seriesId, T);
    return r?.status === 'ok' && r.stats ? r.stats.median : NaN;
  }
}

function cellText(r: PointResult | undefined): string {
  if (!r) return 'not run';
  if (r.status === 'ok' && r.stats) return `${fmtMs(r.stats.median)}`;
  if (r.status === 'skipped') return 'skipped (too slow)';
  if (r.status === 'unavailable') return 'unavailable';
  return 'failed';
}

function peerCell(idx: ResultIndex, peer: ImplName, s: Series, T: number): string {
  const r = idx.get(peer, s.id, T);
  const base = cellText(r);
  const mine = idx.median('rnnkit', s.id, T);
  const theirs = idx.median(peer, s.id, T);
  return Number.isFinite(mine) && Number.isFinite(theirs) ? `${base} (${fmtRatio(mine / theirs)})` : base;
}

function spread(r: PointResult | undefined): string {
  return r?.status === 'ok' && r.stats ? `${fmtMs(r.stats.p25)}–${fmtMs(r.stats.p75)}` : '–';
}

/** The table of W1 / W2 with every peer, ratios and the targets. */
export function standardTable(series: readonly Series[], idx: ResultIndex, impls: readonly ImplName[]): string {
  const peers: ImplName[] = impls.filter((i) => i !== 'rnnkit');
  const head = ['workload', 'T', 'rnnkit ms (p25–p75)', ...peers.map((p) => `${IMPL_LABEL[p]} ms (rnnkit/peer)`), 'targets (speed-up ≥ goal)'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const tag of ['W1', 'W2']) {
    for (const s of series) {
      for (const T of s.Ts) {
        if (s.tags[T] !== tag) continue;
        const r = idx.get('rnnkit', s.id, T);
        const verdicts: string[] = [];
        for (const [peer, goal] of Object.entries(TARGETS[tag] ?? {}) as [ImplName, number][]) {
          if (!peers.includes(peer)) continue;
          const sp = idx.median(peer, s.id, T) / idx.median('rnnkit', s.id, T);
          verdicts.push(Number.isFinite(sp) ? `${sp >= goal ? '✓' : '✗'} ${IMPL_LABEL[peer]} ×${fmtRatio(sp)} (≥${goal})` : `? ${IMPL_LABEL[peer]}`);
        }
        lines.push(
          `| ${tag} ${seriesLabel(s)} | ${T} | ${cellText(r)} (${spread(r)}) | ${peers.map((p) => peerCell(idx, p, s, T)).join(' | ')} | ${verdicts.join(', ') || '–'} |`,
        );
      }
    }
  }
  return lines.join('\n');
}

/** Every point of every series: rnnkit's details, then each peer's time and ratio. */
export function gridTable(series: readonly Series[], idx: ResultIndex, impls: readonly ImplName[]): string {
  const peers: ImplName[] = impls.filter((i) => i !== 'rnnkit');
  const head = ['series', 'T', 'rnnkit ms', 'p25–p75', 'min–max', 'tokens/s', 'GFLOP/s', ...peers.map((p) => `${IMPL_LABEL[p]} ms (ratio)`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const s of series) {
    for (const T of s.Ts) {
      const r = idx.get('rnnkit', s.id, T);
      const ms = idx.median('rnnkit', s.id, T);
      const tok = (T * s.B) / (ms / 1000);
      const gf = stepFlops(s.cell, s.mode, T, s.B, s.I, s.H) / (ms * 1e6);
      const mm = r?.status === 'ok' && r.stats ? `${fmtMs(r.stats.min)}–${fmtMs(r.stats.max)}` : '–';
      lines.push(
        `| ${seriesLabel(s)} | ${T} | ${cellText(r)} | ${spread(r)} | ${mm} | ${Number.isFinite(tok) ? fmtRate(tok) : '–'} | ${Number.isFinite(gf) ? gf.toFixed(2) : '–'} | ${peers.map((p) => peerCell(idx, p, s, T)).join(' | ')} |`,
      );
    }
  }
  return lines.join('\n');
}

/** Retained memory and peak RSS of every implementation at every point. */
export function memoryTable(series: readonly Series[], idx: ResultIndex, impls: readonly ImplName[]): string {
  const head = ['series', 'T', ...impls.map((p) => `${IMPL_LABEL[p]} retained / peak RSS MB`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const s of series) {
    for (const T of s.Ts) {
      const cells = impls.map((p) => {
        const m = idx.get(p, s.id, T)?.mem;
        return m ? `${m.retainedMB.toFixed(1)} / ${m.peakRssMB.toFixed(0)}` : '–';
      });
      lines.push(`| ${seriesLabel(s)} | ${T} | ${cells.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

/** Fitted exponent k of time ∝ T^k for every series and implementation. */
export function exponents(series: readonly Series[], idx: ResultIndex, impls: readonly ImplName[]): { seriesId: string; impl: ImplName; k: number; r2: number; n: number }[] {
  const out = [];
  for (const s of series) {
    for (const impl of impls) {
      const pts = s.Ts.map((T) => ({ T, ms: idx.median(impl, s.id, T) })).filter((p) => Number.isFinite(p.ms));
      const fit = logLogFit(pts);
      if (fit) out.push({ seriesId: s.id, impl, k: fit.k, r2: fit.r2, n: pts.length });
    }
  }
  return out;
}

export function exponentTable(series: readonly Series[], idx: ResultIndex, impls: readonly ImplName[]): string {
  const fits = exponents(series, idx, impls);
  const head = ['series', 'T range', ...impls.map((p) => `${IMPL_LABEL[p]} k (R²)`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const s of series) {
    const cells = impls.map((impl) => {
      const f = fits.find((x) => x.seriesId === s.id && x.impl === impl);
      return f ? `${f.k.toFixed(2)} (${f.r2.toFixed(3)}, n=${f.n})` : '–';
    });
    lines.push(`| ${seriesLabel(s)} | ${s.Ts[0]}–${s.Ts[s.Ts.length - 1]} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Implementations in table order, restricted to those requested. */
export function ordered(impls: readonly ImplName[]): ImplName[] {
  return IMPLS.filter((i) => impls.includes(i));
}
