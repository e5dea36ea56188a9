/**
 * Tang quatrain loader for the N-to-N poem-bot example.
 *
 * Dataset: `tang-quatrains.json` next to this file, an extract of the npm package
 * `chinese-poetry@2.0.1` (https://github.com/chinese-poetry/chinese-poetry), MIT © 2016
 * JackeyGao; see TANG-LICENSE.md. Written by `make-poems-extract.mjs` (rnnkit does not depend on
 * the 347 MB package): the 3,885 five-character quatrains of `dist/quantangshi/poet.tang.*.json`
 * (traditional characters), each stored as its 20 characters without punctuation.
 *
 * Split (DATA.md §3): test = every 10th poem (index i % 10 === 9).
 * Duplicates: the extract holds 3,885 entries but only 3,707 distinct poems (173 poems appear 2–4
 * times in the source). With the raw split 34 of the 388 test poems also
 * occur verbatim in train, which flatters held-out bits/char. So by default the loader keeps the
 * first occurrence of each poem before splitting: 3,707 poems, test 370, train 3,337, disjoint.
 * `{ dedupe: false }` gives DATA.md's raw split (3,885: test 388, train 3,497).
 * Baselines (DATA.md, on the larger set of all 5-character 4- and 8-line poems, 18,180):
 * unigram 9.25, bigram 8.41 bits/char. Targets: < 8.2 bits/char held out; ≥ 95 % of 100 sampled
 * quatrains match QUATRAIN_PATTERN (≥ 80 % after a short run on 500 quatrains). An acrostic mode
 * (the first character of each line given) is a delightful extra.
 */
import { readFileSync } from 'node:fs';

/** The shape a generated quatrain must have (with punctuation). */
export const QUATRAIN_PATTERN: RegExp = /^([\u4e00-\u9fff]{5}，[\u4e00-\u9fff]{5}。){2}$/u;

/** One quatrain. */
export interface Quatrain {
  /** The 20 characters, no punctuation. */
  readonly chars: string;
  /** The four 5-character lines. */
  readonly lines: readonly [string, string, string, string];
  /** The punctuated 24-character form, e.g. `床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。`. */
  readonly text: string;
}

/**
 * Punctuates 20 characters as a quatrain: `AAAAA，BBBBB。CCCCC，DDDDD。`.
 * @param chars - exactly 20 characters.
 * @returns the 24-character text.
 */
export function formatQuatrain(chars: string): string {
  const c = Array.from(chars);
  if (c.length !== 20) throw new RangeError(`formatQuatrain: expected 20 characters, got ${c.length}`);
  const line = (k: number): string => c.slice(5 * k, 5 * k + 5).join('');
  return `${line(0)}，${line(1)}。${line(2)}，${line(3)}。`;
}

/** Options of {@link loadQuatrains}. */
export interface LoadQuatrainsOptions {
  /**
   * Keep only the first occurrence of each poem before splitting, so train and test are disjoint.
   * @defaultValue true
   */
  readonly dedupe?: boolean;
}

let raw: readonly string[] | undefined;

/**
 * The quatrains split into train and test (the file is read once and cached).
 * @param options - `dedupe` (default true).
 * @returns `{ train, test }` in source order.
 */
export function loadQuatrains(options: LoadQuatrainsOptions = {}): { train: readonly Quatrain[]; test: readonly Quatrain[] } {
  raw ??= JSON.parse(readFileSync(new URL('./tang-quatrains.json', import.meta.url), 'utf8')) as string[];
  const poems = options.dedupe === false ? raw : [...new Set(raw)];
  const train: Quatrain[] = [];
  const test: Quatrain[] = [];
  poems.forEach((chars, i) => {
    const text = formatQuatrain(chars);
    if (!QUATRAIN_PATTERN.test(text)) throw new Error(`poems: entry ${i} is not a 5-character quatrain`);
    const c = Array.from(chars);
    const lines = [0, 1, 2, 3].map((k) => c.slice(5 * k, 5 * k + 5).join('')) as [string, string, string, string];
    (i % 10 === 9 ? test : train).push({ chars, lines, text });
  });
  return { train, test };
}
