/**
 * Tokenizers: text → string tokens, to be mapped to ids by a {@link Vocab}.
 * @module
 */
import { ConfigError } from '../errors.js';
import { checkKnownKeys, describe } from '../shapes.js';

/**
 * Options of {@link wordTokenize}.
 * @category Data
 */
export interface WordTokenizeOptions {
  /**
   * Lower-case the text (`String.prototype.toLowerCase`, locale-independent) before matching.
   * @defaultValue true
   */
  readonly lowercase?: boolean;
  /**
   * The token pattern; every match is one token. The `g` flag is added when missing, and the
   * pattern's own `lastIndex` is never read or changed.
   * @defaultValue `/[a-z]+('[a-z]+)?/g` (English words with an optional apostrophe suffix, as in
   *   the Moby Dick baselines of the data guide). It only matches lower-case ASCII letters, so
   *   with `lowercase: false` pass a pattern of your own.
   */
  readonly pattern?: RegExp;
}

const WORD_KEYS: readonly string[] = ['lowercase', 'pattern'];

/**
 * Splits text into characters by Unicode code point, so astral characters (emoji, CJK extension
 * B) stay whole instead of splitting into UTF-16 surrogate halves. Combining sequences are not
 * merged: `'e\u0301'` gives two tokens.
 * @param text - any string.
 * @returns one token per code point, in order.
 * @throws ConfigError when `text` is not a string.
 * @example
 * ```ts
 * charTokenize('床前明月光');  // ['床', '前', '明', '月', '光']
 * charTokenize('a𠀀b');        // ['a', '𠀀', 'b'] (3 tokens, though 'a𠀀b'.length === 4)
 * ```
 * @category Data
 */
export function charTokenize(text: string): string[] {
  if (typeof text !== 'string') throw new ConfigError(`charTokenize: text must be a string, got ${describe(text)}.`);
  return Array.from(text);
}

/**
 * Splits text into word tokens: every match of `pattern` in the (by default lower-cased) text.
 * Anything the pattern does not match (spaces, punctuation, digits by default) is dropped.
 * @param text - any string.
 * @param options - `lowercase` (default true) and `pattern` (default `/[a-z]+('[a-z]+)?/g`).
 * @returns the matched tokens, in order.
 * @throws ConfigError when `text` is not a string, or on an unknown or ill-typed option.
 * @example
 * ```ts
 * wordTokenize("Call me Ishmael. Some years ago—never mind how long");
 * // ['call', 'me', 'ishmael', 'some', 'years', 'ago', 'never', 'mind', 'how', 'long']
 * wordTokenize("The whale's jaw");   // ['the', "whale's", 'jaw']
 * wordTokenize('Ahab 1851', { lowercase: false, pattern: /\w+/g }); // ['Ahab', '1851']
 * ```
 * @category Data
 */
export function wordTokenize(text: string, options: WordTokenizeOptions = {}): string[] {
  const where = 'wordTokenize';
  if (typeof text !== 'string') throw new ConfigError(`${where}: text must be a string, got ${describe(text)}.`);
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(`${where}: options must be an object, got ${describe(options)}.`);
  }
  checkKnownKeys(where, options, WORD_KEYS);
  const lowercase = options.lowercase ?? true;
  if (typeof lowercase !== 'boolean') {
    throw new ConfigError(`${where}: lowercase must be a boolean, got ${describe(lowercase)}.`);
  }
  let re: RegExp;
  if (options.pattern === undefined) {
    re = /[a-z]+('[a-z]+)?/g;
  } else {
    const p: unknown = options.pattern;
    if (!(p instanceof RegExp)) throw new ConfigError(`${where}: pattern must be a RegExp, got ${describe(p)}.`);
    // A fresh copy: never depend on, or disturb, the caller's lastIndex.
    re = new RegExp(p.source, p.flags.includes('g') ? p.flags : p.flags + 'g');
  }
  const source = lowercase ? text.toLowerCase() : text;
  const out: string[] = [];
  for (const m of source.matchAll(re)) {
    if (m[0].length > 0) out.push(m[0]); // a pattern that can match '' yields no empty tokens
  }
  return out;
}
