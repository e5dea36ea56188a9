/**
 * The example datasets load and have the sizes documented in DATA.md (one load each; cached).
 */
import { describe, expect, it } from 'vitest';
import { BIRTHS_TEST_FROM_YEAR, birthsForecastSplit, loadBirths, mape } from '../../examples/data/births.js';
import { PHONES, loadCmudict } from '../../examples/data/cmudict.js';
import { fnv1a32 } from '../../examples/data/fnv1a.js';
import { loadMobyDick, mobyChapter, mobySplit } from '../../examples/data/moby-dick.js';
import { loadNames } from '../../examples/data/names.js';
import { QUATRAIN_PATTERN, loadQuatrains } from '../../examples/data/poems.js';
import { loadSentiment } from '../../examples/data/sentiment.js';

describe('example datasets (DATA.md counts)', () => {
  it('fnv1a32 matches the reference vectors (UTF-8)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    // 'é' is hashed as its two UTF-8 bytes c3 a9, not as the char code 0xe9.
    expect(fnv1a32('é')).toBe(Math.imul(Math.imul(0x811c9dc5 ^ 0xc3, 0x01000193) ^ 0xa9, 0x01000193) >>> 0);
  });

  it('Moby Dick: 139 sections, chapter n at index n + 2, 89 distinct characters', () => {
    const book = loadMobyDick();
    expect(book.length).toBe(139);
    expect(book.map((s) => s.chapter).slice(0, 4)).toEqual(['Contents', 'Etymology', 'Extracts', '1']);
    expect(book[138]?.chapter).toBe('Epilogue');
    expect(mobyChapter(1).title).toBe('Loomings.');
    const chars = book.reduce((n, s) => n + s.text.length, 0);
    expect(chars).toBeGreaterThan(1.2e6);
    expect(chars).toBeLessThan(1.22e6);
    expect(new Set(book.map((s) => s.text).join('')).size).toBe(89);
    const small = mobySplit('small');
    expect(small.test).toBe(mobyChapter(4).text);
    expect(small.train.startsWith('Call me Ishmael.')).toBe(true);
    expect(mobySplit('full').test.length).toBeGreaterThan(0);
  });

  it('sentiment: 3 × 1000 balanced sentences, 2,400 train / 600 test', () => {
    const { train, test } = loadSentiment();
    expect(train.length).toBe(2400);
    expect(test.length).toBe(600);
    for (const source of ['imdb', 'amazon', 'yelp']) {
      const all = [...train, ...test].filter((r) => r.source === source);
      expect(all.length).toBe(1000);
      expect(all.filter((r) => r.label === 1).length).toBe(500);
    }
    expect(test.every((r) => r.index % 5 === 4)).toBe(true);
    // Majority baseline on the test set: 0.515.
    const ones = test.filter((r) => r.label === 1).length;
    expect(Math.max(ones, 600 - ones) / 600).toBeCloseTo(0.515, 3);
  });

  it('births: 7,305 days, 731 test days, and the documented baselines', () => {
    const days = loadBirths();
    expect(days.length).toBe(7305);
    expect(days[0]).toMatchObject({ year: 1969, month: 1, dateOfMonth: 1 });
    expect(days.filter((d) => d.year >= BIRTHS_TEST_FROM_YEAR).length).toBe(731);
    const { train, test } = birthsForecastSplit(28);
    expect(test.targets.length).toBe(731);
    expect(train.targets.length).toBe(7305 - 731 - 28);
    expect(test.inputs[0]?.length).toBe(28);
    const last = (k: number): number[] => test.inputs.map((w) => w[w.length - k] as number);
    expect(mape(last(1), test.targets)).toBeCloseTo(9.11, 2);
    expect(mape(last(7), test.targets)).toBeCloseTo(3.0, 2);
    const weekdays = test.inputs.map((w) => [7, 14, 21, 28].reduce((s, k) => s + (w[w.length - k] as number), 0) / 4);
    expect(mape(weekdays, test.targets)).toBeCloseTo(2.9, 2);
  });

  it('names: 8,008 after dropping shared names, 1,581 held out', () => {
    const { train, test } = loadNames();
    expect(test.length).toBe(1581);
    expect(train.filter((n) => n.gender === 'female').length + test.filter((n) => n.gender === 'female').length).toBe(4530);
    expect(train.length + test.length).toBe(8008);
    expect([...train, ...test].every((n) => n.name === n.name.toLowerCase())).toBe(true);
  });

  it('CMUdict: 114,589 pairs over 39 phones, 5,730 held out', async () => {
    const { train, test } = await loadCmudict();
    expect(train.length + test.length).toBe(114589);
    expect(test.length).toBe(5730);
    expect(new Set([...train, ...test].flatMap((p) => p.phones)).size).toBe(PHONES.length);
    expect(PHONES.length).toBe(39);
    expect([...train, ...test].find((p) => p.word === 'cat')?.phones).toEqual(['K', 'AE', 'T']);
  });

  it('Tang quatrains: 3,885 entries (3,707 distinct), every 10th held out', () => {
    const raw = loadQuatrains({ dedupe: false });
    expect(raw.train.length + raw.test.length).toBe(3885);
    expect(raw.test.length).toBe(388);
    expect([...raw.train, ...raw.test].every((q) => QUATRAIN_PATTERN.test(q.text) && q.lines.join('') === q.chars)).toBe(true);
    const { train, test } = loadQuatrains();
    expect(train.length + test.length).toBe(3707);
    expect(test.length).toBe(370);
    const seen = new Set(train.map((q) => q.chars));
    expect(test.some((q) => seen.has(q.chars))).toBe(false);
  });
});
