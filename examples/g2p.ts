/**
 * Grapheme → phoneme (many-to-many of unequal length): an attention encoder-decoder learns to
 * pronounce English words, e.g. "thought" → TH AO T.
 *
 * Dataset: The CMU Pronouncing Dictionary (Carnegie Mellon University, BSD-style licence), via
 * the npm package `cmu-pronouncing-dictionary@3.0.0` (devDependency; package ISC). Loading,
 * filtering and the train/test split (test = FNV-1a(word) % 20 === 0) follow DATA.md §4; see
 * `examples/data/cmudict.ts`.
 *
 * Model: a bidirectional LSTM encoder over letters, a concat-linear bridge, and an LSTM decoder
 * over phones with Luong 'general' attention and input feeding, trained with Adam by the
 * Trainer, decoded with beam search. The same model without attention (equal layer sizes) is
 * trained as the baseline, and a classical baseline copies the pronunciation of the nearest
 * training word by letter edit distance.
 *
 * Metrics on held-out words: PER = phone edit distance / reference phones (summed over words),
 * WER = fraction of words not pronounced exactly right.
 *
 * Run:
 *   npm run example:g2p -- --quick     2k training words of ≤ 5 letters, 200 test words (< 1 min)
 *   npm run example:g2p                20k training words of ≤ 8 letters, every held-out word of ≤ 8 letters
 * Flags: --epochs N, --words N, --test N, --seed N, --beam K, --no-compare / --compare, --serial.
 * From the command line the compared models train at the same time in two worker threads.
 */
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Vocab } from '../src/data/vocab.js';
import { createRng } from '../src/kernel/rng.js';
import type { AttentionKind } from '../src/seq2seq/attention.js';
import type { Hypothesis } from '../src/seq2seq/decode-options.js';
import { Seq2Seq } from '../src/seq2seq/seq2seq.js';
import type { Seq2SeqOptions } from '../src/seq2seq/seq2seq-options.js';
import { seq2seqDataset, type Seq2SeqPair } from '../src/seq2seq/seq2seq-batch.js';
import { Adam } from '../src/train/optim/adam.js';
import { ProgressBar, type ProgressInfo } from '../src/train/progress-bar.js';
import { CosineWithWarmup } from '../src/train/schedules.js';
import { Trainer } from '../src/train/trainer.js';
import { loadCmudict, type G2PPair } from './data/cmudict.js';
import { editDistance, formatAlignment, nearestNeighbourBaseline } from './g2p-helpers.js';

/** Options of {@link run}. */
export interface G2PRunOptions {
  /** 'quick': 2k words of ≤ 5 letters; 'full': 20k words of ≤ 8 letters. */
  readonly mode: 'quick' | 'full';
  /** Training epochs (default: 6 quick, 5 full). */
  readonly epochs?: number;
  /** Training words (default: 2000 quick, 20000 full). */
  readonly trainWords?: number;
  /** Held-out words scored (default: 200 quick, every held-out word of the length limit in full). */
  readonly testWords?: number;
  /** Also train the equal-size model without attention (default: false quick, true full). */
  readonly compare?: boolean;
  /** Beam width for the final decoding (default 4). */
  readonly beamWidth?: number;
  /** Seed of sampling the words, initialisation and shuffling (default 1). */
  readonly seed?: number;
  /** Where lines go (default: console.log). */
  readonly log?: (line: string) => void;
  /** Decoded examples with alignments printed (default 4). */
  readonly examples?: number;
  /**
   * Train the compared models at the same time, one worker thread each (default: true when
   * comparing in full mode from the command line; the in-process `run` of the tests is serial).
   */
  readonly parallel?: boolean;
}

/** Held-out scores of one model. */
export interface G2PScore {
  /** Phone error rate in [0, 1]. */
  readonly per: number;
  /** Word error rate in [0, 1]. */
  readonly wer: number;
}

/** One trained model's report. */
export interface G2PModelReport extends G2PScore {
  /** The attention score used. */
  readonly attention: AttentionKind;
  /** Trainable parameters. */
  readonly parameters: number;
  /** Training seconds (wall clock). */
  readonly trainSeconds: number;
  /** CPU seconds of the process while this model trained (NaN when trained in a parallel worker, where threads mix). */
  readonly trainCpuSeconds: number;
  /** Last epoch's training loss per phone. */
  readonly trainLoss: number;
}

/** What {@link run} returns. */
export interface G2PResult {
  /** Training and test words used. */
  readonly trainWords: number;
  readonly testWords: number;
  /** The attention model. */
  readonly attention: G2PModelReport;
  /** The equal-size model without attention, when compared. */
  readonly noAttention: G2PModelReport | null;
  /** Nearest training word (letter edit distance) baseline. */
  readonly nearestNeighbour: G2PScore;
  /** Wall-clock seconds of the whole run. */
  readonly seconds: number;
}

interface Sizes {
  embeddingDim: number;
  encoderHidden: number;
  decoderHidden: number;
  batchSize: number;
  lr: number;
  epochs: number;
}

const SIZES: Record<'quick' | 'full', Sizes> = {
  quick: { embeddingDim: 24, encoderHidden: 48, decoderHidden: 96, batchSize: 32, lr: 6e-3, epochs: 6 },
  full: { embeddingDim: 32, encoderHidden: 64, decoderHidden: 128, batchSize: 64, lr: 5e-3, epochs: 5 },
};

/** The words, vocabularies and settings of one run, rebuilt identically in every worker. */
interface Prepared {
  readonly trainSet: readonly G2PPair[];
  readonly testSet: readonly G2PPair[];
  readonly sourceVocab: Vocab;
  readonly targetVocab: Vocab;
  readonly pairs: Seq2SeqPair[];
  readonly maxLetters: number;
  readonly sizes: Sizes;
  readonly epochs: number;
  readonly seed: number;
  readonly beamWidth: number;
}

async function prepare(opts: G2PRunOptions): Promise<Prepared> {
  const quick = opts.mode === 'quick';
  const maxLetters = quick ? 5 : 8;
  const seed = opts.seed ?? 1;
  const sizes = SIZES[opts.mode];
  const { train, test } = await loadCmudict();
  const fits = (p: G2PPair): boolean => p.word.length <= maxLetters;
  const trainPool = createRng(seed).shuffle(train.filter(fits));
  const testPool = createRng(seed + 1).shuffle(test.filter(fits));
  const trainSet = trainPool.slice(0, opts.trainWords ?? (quick ? 2000 : 20000));
  const testSet = testPool.slice(0, opts.testWords ?? (quick ? 200 : testPool.length));
  const sourceVocab = Vocab.build(trainSet.map((p) => [...p.word]));
  const targetVocab = Vocab.build(trainSet.map((p) => p.phones as string[]));
  const pairs = trainSet.map((p) => ({ source: sourceVocab.encode([...p.word]), target: targetVocab.encode(p.phones as string[]) }));
  return { trainSet, testSet, sourceVocab, targetVocab, pairs, maxLetters, sizes, epochs: opts.epochs ?? sizes.epochs, seed, beamWidth: opts.beamWidth ?? 4 };
}

/** Trains one model and scores it on the held-out words; `lines` are its decoded examples. */
async function trainAndEvaluate(
  prep: Prepared,
  attention: AttentionKind,
  nExamples: number,
  log: (line: string) => void,
  onProgress: (p: ProgressInfo) => void,
): Promise<{ report: G2PModelReport; lines: string[] }> {
  const { sizes, epochs, seed, sourceVocab, targetVocab, testSet, beamWidth } = prep;
  const data = seq2seqDataset(prep.pairs);
  const config: Seq2SeqOptions = {
    sourceVocab,
    targetVocab,
    seed,
    encoder: { embeddingDim: sizes.embeddingDim, hiddenSize: sizes.encoderHidden, bidirectional: true },
    decoder: { embeddingDim: sizes.embeddingDim, hiddenSize: sizes.decoderHidden, attention },
    bridge: 'concat-linear',
  };
  const model = new Seq2Seq(config);
  const nParams = model.parameters().reduce((n, p) => n + p.value.length, 0);
  const optimizer = new Adam(model, { lr: sizes.lr });
  const stepsPerEpoch = Math.ceil(data.length / sizes.batchSize);
  const warmupSteps = Math.ceil(stepsPerEpoch / 2);
  const schedule = new CosineWithWarmup(optimizer, { warmupSteps, totalSteps: Math.max(warmupSteps + 1, epochs * stepsPerEpoch), minLr: sizes.lr / 30 });
  const trainer = new Trainer({
    model,
    optimizer,
    schedule,
    scheduleEvery: 'batch',
    batchSize: sizes.batchSize,
    clipNorm: 5,
    seed,
    lengthOf: data.lengthOf,
    step: model.stepFunction(),
  });
  const label = attention === 'none' ? 'no attention' : `attention '${attention}'`;
  log(`${label}: ${nParams.toLocaleString('en-US')} parameters, ${epochs} epochs of ${stepsPerEpoch} batches`);
  const tTrain = performance.now();
  const cpu0 = process.cpuUsage();
  const fit = await trainer.fit(data, {
    epochs,
    onProgress,
    callbacks: {
      onEpochEnd: (r) =>
        log(`  epoch ${String(r.epoch + 1).padStart(2)}  loss ${r.train.loss.toFixed(4)}  phone acc ${((r.train.accuracy ?? 0) * 100).toFixed(1)}%  ${r.seconds.toFixed(1)} s`),
    },
  });
  const trainSeconds = (performance.now() - tTrain) / 1000;
  const trainCpuSeconds = process.cpuUsage(cpu0).user / 1e6;
  const hyps = model.translate(
    testSet.map((p) => [...p.word]),
    { beamWidth, returnAttention: true, batchSize: 128, maxLength: 2 * prep.maxLetters + 4 },
  );
  const score = scoreHypotheses(testSet, hyps.map((h) => h.tokens));
  log(`  held-out: PER ${(score.per * 100).toFixed(2)}%  WER ${(score.wer * 100).toFixed(2)}%  (beam ${beamWidth}; trained in ${trainSeconds.toFixed(0)} s, ${trainCpuSeconds.toFixed(0)} s CPU)`);
  const lines = attention === 'none' ? [] : exampleLines(testSet, hyps.map((h) => h.hypothesis), targetVocab, nExamples);
  const last = fit.history[fit.history.length - 1];
  return { report: { attention, parameters: nParams, trainSeconds, trainCpuSeconds, trainLoss: last ? last.train.loss : NaN, ...score }, lines };
}

/** Messages from a training worker. */
type WorkerMessage =
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'progress'; readonly info: ProgressInfo }
  | { readonly type: 'done'; readonly report: G2PModelReport; readonly lines: string[] };

/** Runs {@link trainAndEvaluate} in a worker thread (this same file, see the bottom). */
function inWorker(opts: G2PRunOptions, attention: AttentionKind, log: (line: string) => void, onProgress: (p: ProgressInfo) => void): Promise<{ report: G2PModelReport; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const { log: _log, ...plain } = opts;
    // Node 20 workers do not inherit the parent's tsx loader hooks: register them first, then
    // load this file, whose bottom lines run the job.
    const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`;
    const worker = new Worker(boot, { eval: true, workerData: { kind: 'g2p-job', opts: plain, attention } });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'log') log(m.line);
      else if (m.type === 'progress') onProgress(m.info);
      else resolve({ report: { ...m.report, trainCpuSeconds: NaN }, lines: m.lines }); // process CPU would mix the threads
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) reject(new Error(`g2p: the ${attention} worker exited with code ${code}`));
    });
  });
}

/**
 * Trains and evaluates grapheme → phoneme models.
 * @param opts - mode and overrides.
 * @returns held-out PER / WER of each model and of the nearest-neighbour baseline.
 */
export async function run(opts: G2PRunOptions): Promise<G2PResult> {
  const t0 = performance.now();
  const log = opts.log ?? ((line: string) => console.log(line));
  const quick = opts.mode === 'quick';
  const compare = opts.compare ?? !quick;
  const parallel = compare && (opts.parallel ?? false);
  const prep = await prepare(opts);
  log(`g2p (${opts.mode}): ${prep.trainSet.length} training words and ${prep.testSet.length} held-out words of ≤ ${prep.maxLetters} letters (CMUdict, FNV-1a split)`);
  const kinds: AttentionKind[] = compare ? ['general', 'none'] : ['general'];
  const bar = new ProgressBar({ label: 'attention' });
  const progress = (attention: AttentionKind) => (p: ProgressInfo): void => {
    if (attention !== 'none') bar.update(p);
  };
  const nExamples = opts.examples ?? 4;
  let results: { report: G2PModelReport; lines: string[] }[];
  let nn: G2PScore;
  if (parallel) {
    log(`training ${kinds.length} models in parallel worker threads...`);
    const jobs = kinds.map((k) => inWorker(opts, k, (l) => log(`[${k === 'none' ? 'no attention' : 'attention'}] ${l}`), progress(k)));
    nn = nearestNeighbourBaseline(prep.trainSet, prep.testSet); // meanwhile, on the main thread
    results = await Promise.all(jobs);
  } else {
    nn = nearestNeighbourBaseline(prep.trainSet, prep.testSet);
    results = [];
    for (const k of kinds) {
      log('');
      results.push(await trainAndEvaluate(prep, k, nExamples, log, progress(k)));
    }
  }
  bar.done();
  for (const r of results) {
    if (r.lines.length === 0) continue;
    log('\ndecoded held-out words with their attention (rows: output phones, columns: letters):');
    for (const line of r.lines) log('  ' + line);
  }
  const result: G2PResult = {
    trainWords: prep.trainSet.length,
    testWords: prep.testSet.length,
    attention: (results[0] as { report: G2PModelReport }).report,
    noAttention: results[1]?.report ?? null,
    nearestNeighbour: nn,
    seconds: (performance.now() - t0) / 1000,
  };
  printTable(log, result, quick);
  return result;
}

/** Corpus PER and WER of predicted phone sequences. */
function scoreHypotheses(refs: readonly G2PPair[], preds: readonly (readonly string[])[]): G2PScore {
  let edits = 0, phones = 0, wrong = 0;
  refs.forEach((r, i) => {
    const d = editDistance(r.phones, preds[i] as readonly string[]);
    edits += d;
    phones += r.phones.length;
    if (d > 0) wrong++;
  });
  return { per: edits / phones, wer: wrong / refs.length };
}

function exampleLines(testSet: readonly G2PPair[], hyps: readonly Hypothesis[], vocab: Vocab, n: number): string[] {
  const lines: string[] = [];
  const step = Math.max(1, Math.floor(testSet.length / Math.max(1, n)));
  for (let k = 0; k < n && k * step < testSet.length; k++) {
    const i = k * step;
    const pair = testSet[i] as G2PPair;
    const h = hyps[i] as Hypothesis;
    lines.push(...formatAlignment(pair.word, pair.phones, vocab.decode(h.tokens), h.attention));
  }
  return lines;
}

function printTable(log: (l: string) => void, r: G2PResult, quick: boolean): void {
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`.padStart(8);
  const target = quick ? 'PER ≤ 35%' : 'PER ≤ 15%, WER ≤ 50%';
  log(`\nresults on ${r.testWords} held-out words (${r.trainWords} training words), target ${target}:`);
  log(`  model                                      PER       WER   params   train s${r.noAttention && !Number.isFinite(r.noAttention.trainCpuSeconds) ? '' : ' (CPU s)'}`);
  const row = (name: string, s: G2PScore, m: G2PModelReport | null): void =>
    log(
      `  ${name.padEnd(39)}${pct(s.per)}  ${pct(s.wer)}  ${(m ? `${(m.parameters / 1000).toFixed(0)}k` : '-').padStart(7)}  ` +
        (m ? `${m.trainSeconds.toFixed(0).padStart(7)}${Number.isFinite(m.trainCpuSeconds) ? ` (${m.trainCpuSeconds.toFixed(0)})` : ''}` : '      -'),
    );
  row(`seq2seq + attention ('${r.attention.attention}')`, r.attention, r.attention);
  if (r.noAttention) row('seq2seq, no attention (equal sizes)', r.noAttention, r.noAttention);
  row('nearest training word (edit distance)', r.nearestNeighbour, null);
  log(`  ${'strong seq2seq, full dictionary [ref]'.padEnd(39)}   ~5-6%   ~20-25%`);
  const cpu = process.cpuUsage();
  log(`total ${r.seconds.toFixed(0)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU (all threads)`);
}

function parseArgs(argv: readonly string[]): G2PRunOptions {
  const num = (flag: string): number | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v)) throw new Error(`g2p: ${flag} needs a number`);
    return v;
  };
  const o: { -readonly [K in keyof G2PRunOptions]: G2PRunOptions[K] } = { mode: argv.includes('--quick') ? 'quick' : 'full' };
  const epochs = num('--epochs'), words = num('--words'), testN = num('--test'), seed = num('--seed'), beam = num('--beam');
  if (epochs !== undefined) o.epochs = epochs;
  if (words !== undefined) o.trainWords = words;
  if (testN !== undefined) o.testWords = testN;
  if (seed !== undefined) o.seed = seed;
  if (beam !== undefined) o.beamWidth = beam;
  if (argv.includes('--no-compare')) o.compare = false;
  if (argv.includes('--compare')) o.compare = true;
  if (argv.includes('--serial')) o.parallel = false;
  return o;
}

if (isMainThread && process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const opts = parseArgs(process.argv.slice(2));
  await run({ parallel: true, ...opts });
} else if (!isMainThread && (workerData as { kind?: string } | null)?.kind === 'g2p-job') {
  const job = workerData as { opts: G2PRunOptions; attention: AttentionKind };
  const port = parentPort as NonNullable<typeof parentPort>;
  const send = (m: WorkerMessage): void => port.postMessage(m);
  const prep = await prepare(job.opts);
  let last = 0;
  const { report, lines } = await trainAndEvaluate(
    prep,
    job.attention,
    job.opts.examples ?? 4,
    (line) => send({ type: 'log', line }),
    (info) => {
      const now = Date.now();
      if (now - last < 100 && info.batch + 1 < info.batchesPerEpoch) return;
      last = now;
      send({ type: 'progress', info });
    },
  );
  send({ type: 'done', report, lines });
}
