/**
 * 32-bit FNV-1a hash (Fowler–Noll–Vo, offset basis 0x811c9dc5, prime 0x01000193), used by the
 * example loaders for deterministic, order-independent train/test splits (see DATA.md).
 *
 * The hash runs over the **UTF-8 bytes** of the string (not UTF-16 char codes). For the ASCII
 * words of the names and CMUdict datasets the two are identical; UTF-8 is the choice that also
 * matches other languages' FNV-1a implementations on non-ASCII text.
 */

/**
 * FNV-1a 32-bit hash of the UTF-8 encoding of `text`.
 * @param text - any string (lone surrogates are encoded as U+FFFD, as TextEncoder does).
 * @returns an unsigned 32-bit integer.
 * @example
 * ```ts
 * fnv1a32('');  // 0x811c9dc5 = 2166136261
 * fnv1a32('a'); // 0xe40c292c
 * const isTest = fnv1a32(word) % 20 === 0;
 * ```
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      } else {
        cp = 0xfffd;
      }
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      cp = 0xfffd;
    }
    if (cp < 0x80) {
      h = Math.imul(h ^ cp, 0x01000193);
    } else if (cp < 0x800) {
      h = Math.imul(h ^ (0xc0 | (cp >> 6)), 0x01000193);
      h = Math.imul(h ^ (0x80 | (cp & 0x3f)), 0x01000193);
    } else if (cp < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (cp >> 12)), 0x01000193);
      h = Math.imul(h ^ (0x80 | ((cp >> 6) & 0x3f)), 0x01000193);
      h = Math.imul(h ^ (0x80 | (cp & 0x3f)), 0x01000193);
    } else {
      h = Math.imul(h ^ (0xf0 | (cp >> 18)), 0x01000193);
      h = Math.imul(h ^ (0x80 | ((cp >> 12) & 0x3f)), 0x01000193);
      h = Math.imul(h ^ (0x80 | ((cp >> 6) & 0x3f)), 0x01000193);
      h = Math.imul(h ^ (0x80 | (cp & 0x3f)), 0x01000193);
    }
  }
  return h >>> 0;
}
