import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { Vocab } from '../../src/data/vocab.js';
import { ConfigError, FormatError, isRnnError } from '../../src/errors.js';

const RUNS = { seed: 20240601, numRuns: 200 };
const token = fc.string({ minLength: 0, maxLength: 6, unit: 'grapheme' });
const corpus = fc.array(fc.array(token, { maxLength: 12 }), { maxLength: 12 });

describe('Vocab', () => {
  it('puts the specials first and orders tokens by count desc, then token asc', () => {
    const v = Vocab.build(['b', 'a', 'c', 'b', 'a', 'd', 'b', 'Z']);
    expect(v.toJSON().tokens).toEqual(['<pad>', '<bos>', '<eos>', '<unk>', 'b', 'a', 'Z', 'c', 'd']);
    expect([Vocab.PAD, Vocab.BOS, Vocab.EOS, Vocab.UNK]).toEqual([0, 1, 2, 3]);
    expect(v.size).toBe(9);
    expect(v.id('b')).toBe(4);
    expect(v.id('nope')).toBe(Vocab.UNK);
    expect(v.has('nope')).toBe(false);
    expect(v.has('<pad>')).toBe(true);
    expect(v.token(5)).toBe('a');
  });

  it('matches the class example', () => {
    const vocab = Vocab.build([['the', 'whale'], ['the', 'sea']]);
    expect(vocab.size).toBe(7);
    const ids = vocab.encode(['the', 'squid'], { bos: true, eos: true });
    expect(ids).toEqual([1, 4, 3, 2]);
    expect(vocab.decode(ids, { stripSpecials: true })).toEqual(['the', '<unk>']);
    expect(vocab.decode(ids)).toEqual(['<bos>', 'the', '<unk>', '<eos>']);
  });

  it('applies minCount and maxSize (which counts the specials)', () => {
    const data = ['a', 'a', 'a', 'b', 'b', 'c'];
    expect(Vocab.build(data, { minCount: 2 }).toJSON().tokens.slice(4)).toEqual(['a', 'b']);
    expect(Vocab.build(data, { maxSize: 5 }).toJSON().tokens.slice(4)).toEqual(['a']);
    expect(Vocab.build(data, { maxSize: 4 }).size).toBe(4);
    expect(Vocab.build(data, { maxSize: Infinity }).size).toBe(7);
  });

  it('uses custom special strings and does not count them in the data', () => {
    const v = Vocab.build(['[UNK]', 'x', '[UNK]'], { specials: { unk: '[UNK]', pad: '[PAD]' } });
    expect(v.toJSON().tokens).toEqual(['[PAD]', '<bos>', '<eos>', '[UNK]', 'x']);
    expect(v.encode(['[UNK]', 'y'])).toEqual([3, 3]);
    expect(v.decode([0, 4, 2, 3], { stripSpecials: true })).toEqual(['x', '[UNK]']);
  });

  it('handles astral tokens and prototype-like names', () => {
    const v = new Vocab(['𠀀', '__proto__', 'constructor']);
    expect(v.encode(['__proto__', '𠀀', 'toString'])).toEqual([5, 4, 3]);
  });

  test.prop([corpus], RUNS)('decode∘encode is the identity on in-vocabulary tokens', (seqs) => {
    const v = Vocab.build(seqs);
    for (const seq of seqs) expect(v.decode(v.encode(seq))).toEqual(seq);
    expect(v.size).toBe(4 + new Set(seqs.flat()).size);
  });

  test.prop([corpus, fc.array(token, { maxLength: 10 })], RUNS)(
    'encode maps out-of-vocabulary tokens to UNK and stays in range',
    (seqs, probe) => {
      const v = Vocab.build(seqs, { maxSize: 8 });
      const ids = v.encode(probe, { bos: true, eos: true });
      expect(ids.length).toBe(probe.length + 2);
      probe.forEach((t, i) => expect(ids[i + 1]).toBe(v.has(t) ? v.id(t) : Vocab.UNK));
      for (const id of ids) expect(id >= 0 && id < v.size).toBe(true);
    },
  );

  test.prop([corpus], RUNS)('build is deterministic and independent of sequence order', (seqs) => {
    const a = Vocab.build(seqs).toJSON();
    const b = Vocab.build([...seqs].reverse()).toJSON();
    expect(b).toEqual(a);
  });

  test.prop([corpus, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 4, max: 12 })], RUNS)(
    'JSON round trip preserves every id',
    (seqs, minCount, maxSize) => {
      const v = Vocab.build(seqs, { minCount, maxSize });
      const w = Vocab.fromJSON(JSON.parse(JSON.stringify(v)));
      expect(w.toJSON()).toEqual(v.toJSON());
      const text = JSON.stringify(v);
      expect(Vocab.fromJSON(text).toJSON()).toEqual(v.toJSON());
      for (let id = 0; id < v.size; id++) expect(w.id(v.token(id))).toBe(id);
    },
  );

  it('toJSON returns copies', () => {
    const v = new Vocab(['a']);
    const j = v.toJSON() as unknown as { tokens: string[] };
    j.tokens[4] = 'zzz';
    expect(v.token(4)).toBe('a');
  });

  describe('errors', () => {
    it('rejects bad build input and options with ConfigError', () => {
      expect(() => Vocab.build(['a', 3 as unknown as string])).toThrow(/Vocab.build: data\[1\] must be a string, got 3/);
      expect(() => Vocab.build([['a'], ['b', null as unknown as string]])).toThrow(/data\[1\]\[1\]/);
      expect(() => Vocab.build(['a'], { minCount: 0 })).toThrow(/minCount must be a positive integer, got 0/);
      expect(() => Vocab.build(['a'], { maxSize: 3 })).toThrow(/maxSize must be an integer ≥ 4/);
      expect(() => Vocab.build(['a'], { maxsize: 3 } as never)).toThrow(/unknown option "maxsize"/);
      expect(() => Vocab.build(['a'], { specials: { pad: '<x>', bos: '<x>' } })).toThrow(/distinct/);
      expect(() => Vocab.build(['a'], { specials: { unk: '' } })).toThrow(/specials.unk must be a non-empty string/);
      expect(() => Vocab.build('abc' as never)).toThrow(ConfigError);
    });

    it('rejects duplicate or special tokens in the constructor', () => {
      expect(() => new Vocab(['a', 'b', 'a'])).toThrow(/tokens\[2\] = "a" duplicates tokens\[0\]/);
      expect(() => new Vocab(['<unk>'])).toThrow(/is a special token/);
    });

    it('rejects out-of-range ids', () => {
      const v = new Vocab(['a']);
      expect(() => v.token(5)).toThrow(/Vocab.token: id must be an integer in \[0, V=5\), got 5/);
      expect(() => v.token(-1)).toThrow(ConfigError);
      expect(() => v.decode([0, 1.5])).toThrow(/ids\[1\] must be an integer in \[0, V=5\), got 1.5/);
      expect(() => v.decode(new Int32Array([9]))).toThrow(ConfigError);
    });

    it('validates fromJSON with FormatError', () => {
      const good = new Vocab(['a', 'b']).toJSON();
      const bad: [unknown, RegExp][] = [
        ['{not json', /not valid JSON/],
        [null, /expected an object/],
        [[], /expected an object/],
        [{ ...good, format: 'other' }, /format must be "rnnkit.vocab"/],
        [{ ...good, version: 2 }, /unsupported version 2/],
        [{ ...good, specials: 'x' }, /specials must be an object/],
        [{ ...good, specials: { ...good.specials, eos: 7 } }, /specials.eos must be a string/],
        [{ ...good, tokens: ['<pad>'] }, /at least the 4 special tokens/],
        [{ ...good, tokens: ['<pad>', '<eos>', '<bos>', '<unk>'] }, /tokens\[1\] must be the special token "<bos>"/],
        [{ ...good, tokens: [...good.tokens, 'a'] }, /tokens\[6\] = "a" duplicates tokens\[4\]/],
        [{ ...good, tokens: [...good.tokens, 5] }, /tokens\[6\] must be a string/],
        [{ ...good, specials: { ...good.specials, unk: '' }, tokens: ['<pad>', '<bos>', '<eos>', ''] }, /non-empty/],
      ];
      for (const [input, message] of bad) {
        let caught: unknown;
        try {
          Vocab.fromJSON(input);
        } catch (e) {
          caught = e;
        }
        expect(caught, String(message)).toBeInstanceOf(FormatError);
        expect(isRnnError(caught) && caught.code).toBe('E_FORMAT');
        expect((caught as Error).message).toMatch(/^Vocab.fromJSON: /);
        expect((caught as Error).message).toMatch(message);
      }
    });
  });
});
