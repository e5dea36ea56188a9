/**
 * Part 3 of the Moby Dick example (examples/lm.ts): fill-in-the-blank. Sentences (split at . ! ?)
 * of the test chapters, one in-vocabulary word per sentence replaced by a <mask> token, predicted
 * from both sides by a bidirectional LSTM trained with random masking (15 % of the words of each
 * sentence, loss only at masked positions); a unidirectional model of the same size on the same
 * task sees only the left context. See examples/lm.ts for the dataset and docs/fill-in-the-blank.md.
 */
import {
  Adam,
  CosineWithWarmup,
  crossEntropy,
  createRng,
  ManyToMany,
  ProgressBar,
  Trainer,
  Vocab,
  wordTokenize,
  type IndexTensor,
  type Tape,
  type Tensor,
  type TrainDataset,
} from '../../src/index.js';
import { mobyChapters } from '../data/moby-dick.js';
import { countParams, pct, stopwatch } from './common.js';

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

/** Configuration of the fill-in-the-blank part. */
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
