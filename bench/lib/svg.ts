/**
 * A hand-written SVG chart (no dependencies): one log-log panel per series, time per step
 * against T, one line per implementation, with p25–p75 bars. Skipped points are left out.
 * @module
 */
import { seriesLabel, type ImplName, type PointResult, type Series } from './types.js';

const STYLE: Record<ImplName, { color: string; dash: string; width: number; label: string }> = {
  rnnkit: { color: '#d62728', dash: '', width: 2.6, label: 'rnnkit' },
  'tfjs-cpu': { color: '#1f77b4', dash: '7 4', width: 1.6, label: 'TF.js cpu' },
  'tfjs-wasm': { color: '#17becf', dash: '2 3', width: 1.8, label: 'TF.js wasm' },
  brain: { color: '#ff7f0e', dash: '9 3 2 3', width: 1.6, label: 'brain.js' },
  torch: { color: '#2ca02c', dash: '', width: 1.4, label: 'PyTorch' },
};

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f = (x: number): string => x.toFixed(1);

function msLabel(ms: number): string {
  const n = (x: number): string => String(Number(x.toPrecision(3)));
  if (ms >= 1000) return `${n(ms / 1000)} s`;
  if (ms >= 1) return `${n(ms)} ms`;
  return `${n(ms * 1000)} µs`;
}

/**
 * @param series - panels, in order.
 * @param results - every point (only `ok` ones are drawn).
 * @param impls - lines, in legend order.
 * @param title - heading line.
 * @returns the SVG document.
 */
export function renderSvg(series: readonly Series[], results: readonly PointResult[], impls: readonly ImplName[], title: string): string {
  const PW = 380, PH = 270, ML = 62, MR = 14, MT = 30, MB = 42;
  const cols = Math.min(3, series.length);
  const rows = Math.ceil(series.length / cols);
  const TOP = 64;
  const W = cols * PW, H = TOP + rows * PH + 10;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="12" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`);
  // Legend.
  let lx = 12;
  for (const impl of impls) {
    const s = STYLE[impl];
    out.push(`<line x1="${lx}" y1="42" x2="${lx + 28}" y2="42" stroke="${s.color}" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<circle cx="${lx + 14}" cy="42" r="2.6" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 34}" y="46">${esc(s.label)}</text>`);
    lx += 44 + s.label.length * 6.5;
  }
  out.push(`<text x="${lx + 10}" y="46" fill="#666">time per step (median, p25–p75 bars) vs T, log-log; a missing point was skipped (too slow) or failed</text>`);

  series.forEach((s, idx) => {
    const ox = (idx % cols) * PW, oy = TOP + Math.floor(idx / cols) * PH;
    const x0 = ox + ML, x1 = ox + PW - MR, y0 = oy + MT, y1 = oy + PH - MB;
    const pts = results.filter((r) => r.seriesId === s.id && r.status === 'ok' && r.stats);
    const tMin = Math.min(...s.Ts), tMax = Math.max(...s.Ts);
    const lt0 = Math.log2(tMin) - (tMin === tMax ? 1 : 0.25), lt1 = Math.log2(tMax) + (tMin === tMax ? 1 : 0.25);
    const vals = pts.flatMap((r) => [r.stats?.p25 ?? NaN, r.stats?.p75 ?? NaN]).filter((v) => v > 0);
    let d0 = vals.length ? Math.floor(Math.log10(Math.min(...vals))) : -1;
    let d1 = vals.length ? Math.ceil(Math.log10(Math.max(...vals))) : 2;
    if (d1 - d0 < 2) d1 = d0 + 2;
    if (d1 === d0) d0 -= 1;
    const X = (T: number): number => x0 + ((Math.log2(T) - lt0) / (lt1 - lt0)) * (x1 - x0);
    const Y = (ms: number): number => y1 - ((Math.log10(ms) - d0) / (d1 - d0)) * (y1 - y0);
    const tagSet = [...new Set(Object.values(s.tags))];
    out.push(`<text x="${ox + ML}" y="${oy + 18}" font-size="12" font-weight="bold">${esc(seriesLabel(s) + (tagSet.length ? `  (${tagSet.join(', ')})` : ''))}</text>`);
    out.push(`<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="none" stroke="#999"/>`);
    for (let d = d0; d <= d1; d++) {
      const y = Y(10 ** d);
      out.push(`<line x1="${x0}" y1="${f(y)}" x2="${x1}" y2="${f(y)}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${x0 - 4}" y="${f(y + 4)}" text-anchor="end">${esc(msLabel(10 ** d))}</text>`);
      if (d < d1) {
        for (const m of [2, 5]) {
          const ym = Y(m * 10 ** d);
          out.push(`<line x1="${x0}" y1="${f(ym)}" x2="${x0 + 4}" y2="${f(ym)}" stroke="#999"/>`);
        }
      }
    }
    for (const T of s.Ts) {
      const x = X(T);
      out.push(`<line x1="${f(x)}" y1="${y0}" x2="${f(x)}" y2="${y1}" stroke="#eee"/>`);
      out.push(`<text x="${f(x)}" y="${y1 + 14}" text-anchor="middle">${T}</text>`);
    }
    out.push(`<text x="${(x0 + x1) / 2}" y="${y1 + 30}" text-anchor="middle" fill="#444">T (steps)</text>`);
    out.push(`<text transform="translate(${ox + 14} ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle" fill="#444">time per step</text>`);
    for (const impl of impls) {
      const st = STYLE[impl];
      const mine = pts.filter((r) => r.impl === impl).sort((a, b) => a.T - b.T);
      if (mine.length === 0) continue;
      const path = mine.map((r, i) => `${i === 0 ? 'M' : 'L'}${f(X(r.T))} ${f(Y(r.stats?.median ?? 1))}`).join(' ');
      out.push(`<path d="${path}" fill="none" stroke="${st.color}" stroke-width="${st.width}"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}/>`);
      for (const r of mine) {
        const x = X(r.T);
        out.push(`<line x1="${f(x)}" y1="${f(Y(r.stats?.p25 ?? 1))}" x2="${f(x)}" y2="${f(Y(r.stats?.p75 ?? 1))}" stroke="${st.color}" stroke-width="1.2"/>`);
        out.push(`<circle cx="${f(x)}" cy="${f(Y(r.stats?.median ?? 1))}" r="3" fill="${st.color}"><title>${esc(`${st.label} T=${r.T}: ${(r.stats?.median ?? 0).toPrecision(3)} ms`)}</title></circle>`);
      }
    }
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
