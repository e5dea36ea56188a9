/**
 * CMU Pronouncing Dictionary loader for the grapheme → phoneme (encoder-decoder) example.
 *
 * Dataset: The CMU Pronouncing Dictionary (Carnegie Mellon University), BSD-style licence, via the
 * npm package `cmu-pronouncing-dictionary@3.0.0` (devDependency, pinned; package ISC). The
 * package is ESM-only, hence the dynamic `import()`.
 *
 * Processing (DATA.md §4): drop `word(2)` alternates, strip inline `# ...` comments, keep words
 * matching /^[a-z]{2,12}$/ (114,589 pairs), strip stress digits (39 phones).
 * Split: test = FNV-1a(word) % 20 === 0 (5,730 words; train 108,859).
 * Report PER (phone edit distance / reference length) and WER (whole-word exact match). Strong
 * attention seq2seq models reach roughly 20–25 % WER / 5–6 % PER on the full dictionary.
 * Targets: 20k train words of ≤ 8 letters → PER ≤ 15 %, WER ≤ 50 % on held-out words of ≤ 8
 * letters; short run (2k words of ≤ 5 letters) → PER ≤ 35 % on 200 held-out words. Attention
 * must beat no attention at equal size.
 */
import { fnv1a32 } from './fnv1a.js';

/** The 39 ARPAbet phones without stress marks, sorted. */
export const PHONES: readonly string[] = [
  'AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'B', 'CH', 'D', 'DH', 'EH', 'ER', 'EY', 'F', 'G', 'HH', 'IH', 'IY', 'JH', 'K',
  'L', 'M', 'N', 'NG', 'OW', 'OY', 'P', 'R', 'S', 'SH', 'T', 'TH', 'UH', 'UW', 'V', 'W', 'Y', 'Z', 'ZH',
];

/** One dictionary entry. */
export interface G2PPair {
  /** Lower-case word, 2–12 letters a–z. */
  readonly word: string;
  /** Its phones without stress digits, e.g. `['K', 'AE', 'T']`. */
  readonly phones: readonly string[];
}

let cache: Promise<{ train: readonly G2PPair[]; test: readonly G2PPair[] }> | undefined;

/**
 * The filtered dictionary split into train and test, loaded once and cached.
 * @returns `{ train, test }` in dictionary (alphabetical) order.
 */
export function loadCmudict(): Promise<{ train: readonly G2PPair[]; test: readonly G2PPair[] }> {
  cache ??= (async () => {
    const { dictionary } = await import('cmu-pronouncing-dictionary');
    const phoneSet = new Set(PHONES);
    const train: G2PPair[] = [];
    const test: G2PPair[] = [];
    for (const [word, raw] of Object.entries(dictionary)) {
      if (!/^[a-z]{2,12}$/.test(word)) continue; // also drops 'word(2)' alternates
      const phones = raw.replace(/#.*$/, '').replace(/\d/g, '').trim().split(/\s+/);
      for (const p of phones) if (!phoneSet.has(p)) throw new Error(`cmudict: unexpected phone ${p} in ${word}`);
      (fnv1a32(word) % 20 === 0 ? test : train).push({ word, phones });
    }
    return { train, test };
  })();
  return cache;
}
