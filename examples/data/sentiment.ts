/**
 * Review-sentiment loader for the many-to-one example.
 *
 * Dataset: "Sentiment Labelled Sentences" (UCI), D. Kotzias, M. Denil, N. de Freitas, P. Smyth,
 * "From Group to Individual Labels using Deep Features", KDD 2015. Licence CC BY 4.0. Shipped as
 * the test fixtures of the npm package `sentiment@5.0.2` (devDependency, pinned; package MIT):
 * `test/fixtures/{imdb,amazon,yelp}.json`, each `{ text, class: 0 | 1 }[]` with 1,000 sentences
 * (500 per class) plus a trailing empty record whose class is `null`, which is dropped here.
 * Texts are returned as published (some IMDB lines end in two spaces).
 *
 * Split (DATA.md §2): test = index i % 5 === 4 within each file (600), train = the rest (2,400).
 * Baselines on that test set: majority 0.515, the package's AFINN scorer 0.728, multinomial naive
 * Bayes on bag-of-words 0.830. Targets: ≥ 0.75 in a short run, ≥ 0.80 in the example.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The three source files. */
export const SENTIMENT_SOURCES = ['imdb', 'amazon', 'yelp'] as const;

/** One of the three sources. */
export type SentimentSource = (typeof SENTIMENT_SOURCES)[number];

/** One labelled sentence. */
export interface Review {
  /** The sentence, as published. */
  readonly text: string;
  /** 0 negative, 1 positive. */
  readonly label: 0 | 1;
  /** The file it came from. */
  readonly source: SentimentSource;
  /** Its index within that file (after dropping the null record). */
  readonly index: number;
}

let cache: { train: readonly Review[]; test: readonly Review[] } | undefined;

/**
 * The 3 × 1,000 sentences split into train (2,400) and test (600), read once and cached.
 * @returns `{ train, test }`, each in file order (imdb, amazon, yelp).
 */
export function loadSentiment(): { train: readonly Review[]; test: readonly Review[] } {
  if (cache !== undefined) return cache;
  const require = createRequire(import.meta.url);
  const train: Review[] = [];
  const test: Review[] = [];
  for (const source of SENTIMENT_SOURCES) {
    const path = require.resolve(`sentiment/test/fixtures/${source}.json`);
    const raw = JSON.parse(readFileSync(path, 'utf8')) as { text: string; class: 0 | 1 | null }[];
    const records = raw.filter((r) => r.class !== null);
    if (records.length !== 1000) throw new Error(`sentiment: ${source} has ${records.length} labelled records, expected 1000`);
    records.forEach((r, index) => {
      if (r.class !== 0 && r.class !== 1) throw new Error(`sentiment: ${source}[${index}] has class ${String(r.class)}`);
      const review: Review = { text: r.text, label: r.class, source, index };
      (index % 5 === 4 ? test : train).push(review);
    });
  }
  cache = { train, test };
  return cache;
}
