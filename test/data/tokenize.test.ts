import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { charTokenize, wordTokenize } from '../../src/data/tokenize.js';
import { ConfigError } from '../../src/errors.js';

const RUNS = { seed: 20240602, numRuns: 200 };

describe('charTokenize', () => {
  it('splits by code point (CJK and astral characters stay whole)', () => {
    expect(charTokenize('床前明月光')).toEqual(['床', '前', '明', '月', '光']);
    expect(charTokenize('a𠀀b😀')).toEqual(['a', '𠀀', 'b', '😀']);
    expect(charTokenize('')).toEqual([]);
  });

  test.prop([fc.string({ unit: 'binary', maxLength: 40 })], RUNS)('joining the tokens gives the text back', (s) => {
    const tokens = charTokenize(s);
    expect(tokens.join('')).toBe(s);
    for (const t of tokens) expect([...t].length).toBe(1);
  });

  it('rejects non-strings', () => {
    expect(() => charTokenize(42 as unknown as string)).toThrow(/charTokenize: text must be a string, got 42/);
  });
});

describe('wordTokenize', () => {
  it('uses the data guide pattern on lower-cased text by default', () => {
    expect(wordTokenize('Call me Ishmael. Some years ago—never mind how long')).toEqual([
      'call', 'me', 'ishmael', 'some', 'years', 'ago', 'never', 'mind', 'how', 'long',
    ]);
    expect(wordTokenize("The whale's jaw; 'tis 1851, o'er")).toEqual(['the', "whale's", 'jaw', 'tis', "o'er"]);
  });

  it('accepts a custom pattern, with or without the g flag, without touching its lastIndex', () => {
    expect(wordTokenize('Ahab 1851', { lowercase: false, pattern: /\w+/g })).toEqual(['Ahab', '1851']);
    const re = /\d+/;
    expect(wordTokenize('a1b22c333', { pattern: re })).toEqual(['1', '22', '333']);
    const g = /[a-z]+/g;
    g.lastIndex = 3;
    expect(wordTokenize('abc def', { pattern: g })).toEqual(['abc', 'def']);
    expect(g.lastIndex).toBe(3);
    expect(wordTokenize('ab', { pattern: /x*/g })).toEqual([]);
  });

  test.prop([fc.string({ maxLength: 60 })], RUNS)('tokens match the pattern and appear in order', (s) => {
    const lower = s.toLowerCase();
    let from = 0;
    for (const t of wordTokenize(s)) {
      expect(t).toMatch(/^[a-z]+('[a-z]+)?$/);
      const at = lower.indexOf(t, from);
      expect(at).toBeGreaterThanOrEqual(from);
      from = at + t.length;
    }
  });

  it('rejects bad input', () => {
    expect(() => wordTokenize(null as unknown as string)).toThrow(ConfigError);
    expect(() => wordTokenize('a', { pattern: '[a-z]+' as unknown as RegExp })).toThrow(/pattern must be a RegExp/);
    expect(() => wordTokenize('a', { lowercase: 'yes' as unknown as boolean })).toThrow(/lowercase must be a boolean/);
    expect(() => wordTokenize('a', { lower: true } as never)).toThrow(/unknown option "lower"/);
  });
});
