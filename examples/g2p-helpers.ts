/**
 * Helpers of the grapheme → phoneme example (`examples/g2p.ts`): edit distance, the
 * nearest-neighbour baseline, and an attention alignment printer.
 */
import type { G2PPair } from './data/cmudict.js';

/**
 * Levenshtein distance between two sequences (unit costs).
 * @param a - first sequence (a string or an array of tokens).
 * @param b - second sequence.
 * @returns the number of insertions, deletions and substitutions turning a into b.
 */
export function editDistance(a: ArrayLike<string>, b: ArrayLike<string>): number {
  const n = a.length, m = b.length;
  let prev = new Int32Array(m + 1);
  let cur = new Int32Array(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    const ai = a[i - 1];
    for (let j = 1; j <= m; j++) {
      const sub = (prev[j - 1] as number) + (ai === b[j - 1] ? 0 : 1);
      const del = (prev[j] as number) + 1;
      const ins = (cur[j - 1] as number) + 1;
      cur[j] = sub < del ? (sub < ins ? sub : ins) : del < ins ? del : ins;
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[m] as number;
}

/**
 * The classical baseline: pronounce each test word like its nearest training word by letter edit
 * distance (ties: the earlier training word).
 * @param train - training pairs.
 * @param test - test pairs.
 * @returns corpus PER and WER of that lookup.
 */
export function nearestNeighbourBaseline(train: readonly G2PPair[], test: readonly G2PPair[]): { per: number; wer: number } {
  let edits = 0, phones = 0, wrong = 0;
  for (const t of test) {
    let best = Infinity;
    let bestPhones: readonly string[] = [];
    for (const w of train) {
      if (Math.abs(w.word.length - t.word.length) >= best) continue; // the distance is at least the length gap
      const d = editDistance(t.word, w.word);
      if (d < best) {
        best = d;
        bestPhones = w.phones;
        if (d === 0) break;
      }
    }
    const e = editDistance(t.phones, bestPhones);
    edits += e;
    phones += t.phones.length;
    if (e > 0) wrong++;
  }
  return { per: edits / phones, wer: wrong / test.length };
}

const SHADES: readonly [number, string][] = [
  [0.6, '█'],
  [0.35, '▓'],
  [0.15, '▒'],
  [0.05, '░'],
];

/**
 * Lines showing a decoded word and, when attention weights are given, one row per output phone
 * with a shade per letter (█ ≥ 0.6, ▓ ≥ 0.35, ▒ ≥ 0.15, ░ ≥ 0.05, · below).
 * @param word - the source word.
 * @param ref - the reference phones.
 * @param hyp - the decoded phones.
 * @param attention - `[hyp.length, word.length]` weights, or null.
 * @returns printable lines.
 */
export function formatAlignment(word: string, ref: readonly string[], hyp: readonly string[], attention: Float32Array | null): string[] {
  const ok = editDistance(ref, hyp) === 0;
  const lines = [`${word} → ${hyp.join(' ')}   (reference ${ref.join(' ')}) ${ok ? '✓' : '✗'}`];
  if (!attention) return lines;
  const n = word.length;
  lines.push('      ' + [...word].map((c) => c.padStart(2)).join(''));
  hyp.forEach((ph, i) => {
    let row = '';
    for (let s = 0; s < n; s++) {
      const w = attention[i * n + s] as number;
      const shade = SHADES.find(([min]) => w >= min);
      row += ' ' + (shade ? shade[1] : '·');
    }
    lines.push(`  ${ph.padEnd(4)}${row}`);
  });
  return lines;
}
