/**
 * Vocabularies: a two-way map between string tokens and integer ids `[0, V)`.
 *
 * The four special tokens always occupy the first ids, so padding code can rely on them:
 * `PAD = 0`, `BOS = 1`, `EOS = 2`, `UNK = 3`. Only their strings are configurable. Regular tokens
 * follow from id 4 on, ordered by count (descending), ties by token (ascending UTF-16 code-unit
 * order, as `<` compares strings; never `localeCompare`, whose result depends on the locale), so a
 * corpus always yields the same ids on every machine.
 * @module
 */
import { ConfigError, FormatError } from '../errors.js';
import { checkKnownKeys, checkPositiveInt, describe } from '../shapes.js';

/**
 * The strings of the four special tokens.
 * @category Data
 */
export interface VocabSpecials {
  /** Padding token, id 0. */
  readonly pad: string;
  /** Beginning-of-sequence token, id 1. */
  readonly bos: string;
  /** End-of-sequence token, id 2. */
  readonly eos: string;
  /** Unknown-token replacement, id 3. */
  readonly unk: string;
}

/**
 * Options of {@link Vocab.build}.
 * @category Data
 */
export interface VocabBuildOptions {
  /**
   * Keep only tokens seen at least this many times.
   * @defaultValue 1
   */
  readonly minCount?: number;
  /**
   * Largest vocabulary size V, **including** the four special tokens (at least 4). The most
   * frequent tokens are kept; "top-5,000 words + specials" is `maxSize: 5004`.
   * @defaultValue Infinity (no limit)
   */
  readonly maxSize?: number;
  /**
   * Special-token strings; missing fields take the defaults `'<pad>'`, `'<bos>'`, `'<eos>'`,
   * `'<unk>'`. The four strings must be distinct and non-empty.
   * @defaultValue `{ pad: '<pad>', bos: '<bos>', eos: '<eos>', unk: '<unk>' }`
   */
  readonly specials?: Partial<VocabSpecials>;
}

/**
 * Options of {@link Vocab.encode}.
 * @category Data
 */
export interface VocabEncodeOptions {
  /**
   * Prepend the BOS id.
   * @defaultValue false
   */
  readonly bos?: boolean;
  /**
   * Append the EOS id.
   * @defaultValue false
   */
  readonly eos?: boolean;
}

/**
 * Options of {@link Vocab.decode}.
 * @category Data
 */
export interface VocabDecodeOptions {
  /**
   * Drop PAD, BOS and EOS ids. UNK is kept: it stands for a real token of the input.
   * @defaultValue false
   */
  readonly stripSpecials?: boolean;
}

/**
 * The serialized form of a {@link Vocab} (see {@link Vocab.toJSON}). `tokens[i]` is the token of
 * id `i`; the first four are the special tokens, in the order pad, bos, eos, unk.
 * @category Data
 */
export interface VocabJSON {
  /** Always `'rnnkit.vocab'`. */
  readonly format: 'rnnkit.vocab';
  /** Format version, currently 1. */
  readonly version: 1;
  /** The special-token strings. */
  readonly specials: VocabSpecials;
  /** All V tokens, by id. */
  readonly tokens: readonly string[];
}

const DEFAULT_SPECIALS: VocabSpecials = { pad: '<pad>', bos: '<bos>', eos: '<eos>', unk: '<unk>' };
const BUILD_KEYS: readonly string[] = ['minCount', 'maxSize', 'specials'];
const SPECIAL_KEYS: readonly string[] = ['pad', 'bos', 'eos', 'unk'];

/**
 * A token ↔ id map with fixed special ids (PAD 0, BOS 1, EOS 2, UNK 3).
 *
 * Build one from a corpus with {@link Vocab.build}, or from a known token list with the
 * constructor. Save it with `JSON.stringify(vocab)` and restore it with {@link Vocab.fromJSON}.
 * @example
 * ```ts
 * const vocab = Vocab.build([['the', 'whale'], ['the', 'sea']]);
 * vocab.size;                                   // 7: 4 specials + the, sea, whale
 * const ids = vocab.encode(['the', 'squid'], { bos: true, eos: true }); // [1, 4, 3, 2]
 * vocab.decode(ids, { stripSpecials: true });  // ['the', '<unk>']
 * const copy = Vocab.fromJSON(JSON.parse(JSON.stringify(vocab)));
 * ```
 * @category Data
 */
export class Vocab {
  /** Id of the padding token. */
  static readonly PAD = 0;
  /** Id of the beginning-of-sequence token. */
  static readonly BOS = 1;
  /** Id of the end-of-sequence token. */
  static readonly EOS = 2;
  /** Id of the unknown token. */
  static readonly UNK = 3;

  /** The special-token strings. */
  readonly specials: VocabSpecials;
  private readonly itos: readonly string[]; // [V] token of each id
  private readonly stoi: ReadonlyMap<string, number>;

  /**
   * Creates a vocabulary from an explicit token list.
   * @param tokens - the regular tokens in id order; they get ids 4, 5, ... Must be distinct strings
   *   that differ from the special strings.
   * @param specials - special-token strings; missing fields take the defaults.
   * @throws ConfigError on a non-string or duplicate token, or invalid specials.
   * @example
   * ```ts
   * const vocab = new Vocab(['a', 'b', 'c']);
   * vocab.id('b'); // 5
   * ```
   */
  constructor(tokens: readonly string[], specials?: Partial<VocabSpecials>) {
    const where = 'new Vocab';
    this.specials = resolveSpecials(where, specials);
    if (!Array.isArray(tokens)) throw new ConfigError(`${where}: tokens must be an array of strings, got ${describe(tokens)}.`);
    const s = this.specials;
    const itos: string[] = [s.pad, s.bos, s.eos, s.unk];
    const stoi = new Map<string, number>();
    for (let i = 0; i < 4; i++) stoi.set(itos[i] as string, i);
    for (let i = 0; i < tokens.length; i++) {
      const token: unknown = tokens[i];
      if (typeof token !== 'string') {
        throw new ConfigError(`${where}: tokens[${i}] must be a string, got ${describe(token)}.`);
      }
      const prev = stoi.get(token);
      if (prev !== undefined) {
        throw new ConfigError(
          prev < 4
            ? `${where}: tokens[${i}] = ${JSON.stringify(token)} is a special token; list regular tokens only.`
            : `${where}: tokens[${i}] = ${JSON.stringify(token)} duplicates tokens[${prev - 4}].`,
        );
      }
      stoi.set(token, itos.length);
      itos.push(token);
    }
    this.itos = itos;
    this.stoi = stoi;
  }

  /**
   * Counts tokens and builds a vocabulary with deterministic ids: the four specials, then tokens by
   * count descending, ties by token ascending (UTF-16 code-unit order). Occurrences of the special
   * strings in the data are not counted (they already have ids).
   * @param data - a flat token list, or a list of token sequences (sentences, documents).
   * @param options - `minCount`, `maxSize` (V including specials), `specials`.
   * @returns the new vocabulary.
   * @throws ConfigError on a non-string token, an unknown option, `minCount < 1`, `maxSize < 4`
   *   or invalid specials.
   * @example
   * ```ts
   * const vocab = Vocab.build(sentences, { minCount: 2, maxSize: 5004 });
   * ```
   */
  static build(data: readonly string[] | readonly (readonly string[])[], options: VocabBuildOptions = {}): Vocab {
    const where = 'Vocab.build';
    if (typeof options !== 'object' || options === null) {
      throw new ConfigError(`${where}: options must be an object, got ${describe(options)}.`);
    }
    checkKnownKeys(where, options, BUILD_KEYS);
    const minCount = options.minCount === undefined ? 1 : checkPositiveInt(where, 'minCount', options.minCount);
    const maxSize = options.maxSize === undefined ? Infinity : options.maxSize;
    if (maxSize !== Infinity && (typeof maxSize !== 'number' || !Number.isInteger(maxSize) || maxSize < 4)) {
      throw new ConfigError(
        `${where}: maxSize must be an integer ≥ 4 (it counts the 4 special tokens) or Infinity, got ${describe(maxSize)}.`,
      );
    }
    const specials = resolveSpecials(where, options.specials);
    if (!Array.isArray(data)) {
      throw new ConfigError(`${where}: data must be an array of tokens or of token sequences, got ${describe(data)}.`);
    }
    const skip = new Set<string>([specials.pad, specials.bos, specials.eos, specials.unk]);
    const counts = new Map<string, number>();
    const add = (token: unknown, path: string): void => {
      if (typeof token !== 'string') throw new ConfigError(`${where}: data${path} must be a string, got ${describe(token)}.`);
      if (!skip.has(token)) counts.set(token, (counts.get(token) ?? 0) + 1);
    };
    for (let i = 0; i < data.length; i++) {
      const item: unknown = data[i];
      if (Array.isArray(item)) {
        for (let j = 0; j < item.length; j++) add(item[j], `[${i}][${j}]`);
      } else {
        add(item, `[${i}]`);
      }
    }
    const kept: [string, number][] = [];
    for (const entry of counts) if (entry[1] >= minCount) kept.push(entry);
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const limit = Math.min(kept.length, maxSize - 4);
    const tokens: string[] = new Array<string>(limit);
    for (let i = 0; i < limit; i++) tokens[i] = (kept[i] as [string, number])[0];
    return new Vocab(tokens, specials);
  }

  /**
   * Restores a vocabulary saved with {@link Vocab.toJSON}, validating every field.
   * @param json - the parsed object, or its JSON text.
   * @returns the vocabulary.
   * @throws FormatError when the input is not valid JSON or not a well-formed {@link VocabJSON}.
   * @example
   * ```ts
   * const vocab = Vocab.fromJSON(readFileSync('vocab.json', 'utf8'));
   * ```
   */
  static fromJSON(json: unknown): Vocab {
    const where = 'Vocab.fromJSON';
    let obj: unknown = json;
    if (typeof json === 'string') {
      try {
        obj = JSON.parse(json);
      } catch (e) {
        throw new FormatError(`${where}: input is not valid JSON (${(e as Error).message}).`);
      }
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new FormatError(`${where}: expected an object { format, version, specials, tokens }, got ${describe(obj)}.`);
    }
    const o = obj as Record<string, unknown>;
    if (o['format'] !== 'rnnkit.vocab') {
      throw new FormatError(`${where}: format must be "rnnkit.vocab", got ${describe(o['format'])}.`);
    }
    if (o['version'] !== 1) {
      throw new FormatError(`${where}: unsupported version ${describe(o['version'])}, expected 1.`);
    }
    const sp = o['specials'];
    if (typeof sp !== 'object' || sp === null || Array.isArray(sp)) {
      throw new FormatError(`${where}: specials must be an object { pad, bos, eos, unk }, got ${describe(sp)}.`);
    }
    for (const key of SPECIAL_KEYS) {
      const v: unknown = (sp as Record<string, unknown>)[key];
      if (typeof v !== 'string') throw new FormatError(`${where}: specials.${key} must be a string, got ${describe(v)}.`);
    }
    const specials = sp as VocabSpecials;
    const tokens = o['tokens'];
    if (!Array.isArray(tokens) || tokens.length < 4) {
      throw new FormatError(`${where}: tokens must be an array of at least the 4 special tokens, got ${describe(tokens)}.`);
    }
    const expected = [specials.pad, specials.bos, specials.eos, specials.unk];
    for (let i = 0; i < 4; i++) {
      if (tokens[i] !== expected[i]) {
        throw new FormatError(
          `${where}: tokens[${i}] must be the special token ${JSON.stringify(expected[i])}, got ${describe(tokens[i])}.`,
        );
      }
    }
    const seen = new Map<string, number>();
    for (let i = 0; i < tokens.length; i++) {
      const token: unknown = tokens[i];
      if (typeof token !== 'string') throw new FormatError(`${where}: tokens[${i}] must be a string, got ${describe(token)}.`);
      const prev = seen.get(token);
      if (prev !== undefined) {
        throw new FormatError(`${where}: tokens[${i}] = ${JSON.stringify(token)} duplicates tokens[${prev}].`);
      }
      seen.set(token, i);
    }
    try {
      return new Vocab(tokens.slice(4) as string[], specials);
    } catch (e) {
      // Only the specials can still be rejected here (empty strings, unknown keys).
      throw new FormatError(`${where}: ${(e as Error).message.replace(/^new Vocab: /, '')}`);
    }
  }

  /** Vocabulary size V (special tokens included). */
  get size(): number {
    return this.itos.length;
  }

  /**
   * Id of a token, or `Vocab.UNK` when the token is not in the vocabulary.
   * @param token - a token.
   * @returns its id in `[0, V)`.
   */
  id(token: string): number {
    const id = this.stoi.get(token);
    return id === undefined ? Vocab.UNK : id;
  }

  /**
   * Whether the token has its own id (special tokens included).
   * @param token - a token.
   * @returns true when `id(token)` is not the UNK fallback.
   */
  has(token: string): boolean {
    return this.stoi.has(token);
  }

  /**
   * Token of an id.
   * @param id - an integer in `[0, V)`.
   * @returns the token.
   * @throws ConfigError when `id` is not an integer in `[0, V)`.
   */
  token(id: number): string {
    const token = Number.isInteger(id) ? this.itos[id] : undefined;
    if (token === undefined) {
      throw new ConfigError(`Vocab.token: id must be an integer in [0, V=${this.itos.length}), got ${describe(id)}.`);
    }
    return token;
  }

  /**
   * Maps tokens to ids; tokens not in the vocabulary become `Vocab.UNK`.
   * @param tokens - the tokens of one sequence.
   * @param options - `bos` / `eos` to add the boundary ids.
   * @returns a fresh array of ids, length `tokens.length` (+1 per boundary id).
   * @throws ConfigError when `tokens` is not an array.
   */
  encode(tokens: readonly string[], options: VocabEncodeOptions = {}): number[] {
    if (!Array.isArray(tokens)) {
      throw new ConfigError(`Vocab.encode: tokens must be an array of strings, got ${describe(tokens)}.`);
    }
    const out: number[] = [];
    if (options.bos === true) out.push(Vocab.BOS);
    for (let i = 0; i < tokens.length; i++) {
      const id = this.stoi.get(tokens[i] as string);
      out.push(id === undefined ? Vocab.UNK : id);
    }
    if (options.eos === true) out.push(Vocab.EOS);
    return out;
  }

  /**
   * Maps ids back to tokens.
   * @param ids - ids in `[0, V)` (an array or a typed array).
   * @param options - `stripSpecials` drops PAD, BOS and EOS (UNK is kept).
   * @returns a fresh array of tokens.
   * @throws ConfigError when an id is not an integer in `[0, V)`.
   */
  decode(ids: ArrayLike<number>, options: VocabDecodeOptions = {}): string[] {
    const strip = options.stripSpecials === true;
    const itos = this.itos;
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      const token = Number.isInteger(id) ? itos[id] : undefined;
      if (token === undefined) {
        throw new ConfigError(`Vocab.decode: ids[${i}] must be an integer in [0, V=${itos.length}), got ${describe(id)}.`);
      }
      if (strip && id < 3) continue; // PAD 0, BOS 1, EOS 2
      out.push(token);
    }
    return out;
  }

  /**
   * The serializable form: `JSON.stringify(vocab)` calls this.
   * @returns a plain object that {@link Vocab.fromJSON} accepts.
   */
  toJSON(): VocabJSON {
    return { format: 'rnnkit.vocab', version: 1, specials: { ...this.specials }, tokens: this.itos.slice() };
  }
}

function resolveSpecials(where: string, specials: Partial<VocabSpecials> | undefined): VocabSpecials {
  if (specials === undefined) return { ...DEFAULT_SPECIALS };
  if (typeof specials !== 'object' || specials === null) {
    throw new ConfigError(`${where}: specials must be an object { pad?, bos?, eos?, unk? }, got ${describe(specials)}.`);
  }
  checkKnownKeys(`${where}: specials`, specials, SPECIAL_KEYS);
  const out: VocabSpecials = {
    pad: specials.pad ?? DEFAULT_SPECIALS.pad,
    bos: specials.bos ?? DEFAULT_SPECIALS.bos,
    eos: specials.eos ?? DEFAULT_SPECIALS.eos,
    unk: specials.unk ?? DEFAULT_SPECIALS.unk,
  };
  const values = [out.pad, out.bos, out.eos, out.unk];
  for (let i = 0; i < 4; i++) {
    const v: unknown = values[i];
    if (typeof v !== 'string' || v.length === 0) {
      throw new ConfigError(`${where}: specials.${SPECIAL_KEYS[i]} must be a non-empty string, got ${describe(v)}.`);
    }
    if (values.indexOf(v) !== i) {
      throw new ConfigError(`${where}: special tokens must be distinct, but ${JSON.stringify(v)} is used twice.`);
    }
  }
  return out;
}
