/**
 * `Seq2Seq`: an {@link Encoder}, a {@link Bridge} and a {@link Decoder} wired together with their
 * vocabularies — the many-to-many model of unequal lengths (translation, transliteration,
 * grapheme → phoneme, summarisation). It is a `Module` the Trainer trains directly through
 * {@link Seq2Seq.stepFunction}, decodes with greedy search, sampling or beam search, and saves
 * as one safetensors checkpoint holding its config and both vocabularies in the metadata.
 * @module
 */
import { ConfigError, FormatError, ShapeError } from '../errors.js';
import { checkpointFromBytes, checkpointToBytes, loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import { createRng, type Rng } from '../kernel/rng.js';
import { loadStateDictInto, prefixed, prefixedGenerators, type Module, type Parameter } from '../layers/param-store.js';
import { Vocab } from '../data/vocab.js';
import { padSequences } from '../data/batch.js';
import { checkKnownKeys, checkNumber, checkPositiveInt, describe, fmtShape } from '../shapes.js';
import { checkIndexTensor, type IndexTensor } from '../tensor.js';
import { crossEntropy } from '../train/losses.js';
import type { StepFn, StepOutput } from '../train/trainer-types.js';
import { beamSearch } from './beam-search.js';
import type { Hypothesis } from './decode-options.js';
import { greedyDecode } from './greedy-decode.js';
import { Bridge, type DecoderInitialState } from './bridge.js';
import { Decoder, type DecoderForwardOptions, type DecoderOutput } from './decoder.js';
import { Encoder, type EncoderForwardOptions, type EncoderOutput } from './encoder.js';
import type { Seq2SeqBatch } from './seq2seq-batch.js';
import type {
  Seq2SeqConfig,
  Seq2SeqForwardOptions,
  Seq2SeqOptions,
  Seq2SeqStepOptions,
  TranslateOptions,
  Translation,
} from './seq2seq-options.js';

const MODEL_KEYS: readonly string[] = ['sourceVocab', 'targetVocab', 'encoder', 'decoder', 'bridge', 'seed'];
const FORMAT = 'seq2seq';

/**
 * An encoder-decoder model with attention, trained by the Trainer and decoded by greedy search,
 * sampling or beam search.
 * @example
 * ```ts
 * const model = new Seq2Seq({
 *   sourceVocab, targetVocab, seed: 1,
 *   encoder: { embeddingDim: 32, hiddenSize: 64, bidirectional: true },
 *   decoder: { embeddingDim: 32, hiddenSize: 128, attention: 'general' },
 * });
 * const data = seq2seqDataset(pairs);
 * const trainer = new Trainer({ model, optimizer: new Adam(model, { lr: 3e-3 }), step: model.stepFunction(), lengthOf: data.lengthOf });
 * await trainer.fit(data, { epochs: 10 });
 * const [out] = model.translate([['c', 'a', 't']], { beamWidth: 4 }); // out.tokens: ['K', 'AE', 'T']
 * await model.save('g2p.safetensors');
 * ```
 * @category Seq2Seq
 */
export class Seq2Seq implements Module {
  /** Source vocabulary. */
  readonly sourceVocab: Vocab;
  /** Target vocabulary. */
  readonly targetVocab: Vocab;
  /** The encoder (`encoder.*` parameters). */
  readonly encoder: Encoder;
  /** The bridge (`bridge.*` parameters). */
  readonly bridge: Bridge;
  /** The decoder (`decoder.*` parameters). */
  readonly decoder: Decoder;
  /** The serializable options this model was built from. */
  readonly config: Seq2SeqConfig;
  /** The scheduled-sampling generators of the step functions made so far (see `generators`). */
  private readonly samplers: Rng[] = [];

  /**
   * @param opts - vocabularies, encoder and decoder options, bridge mode, seed.
   * @throws ConfigError on a missing, unknown or invalid option.
   */
  constructor(opts: Seq2SeqOptions) {
    const where = 'Seq2Seq';
    if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${where}: options must be an object.`);
    checkKnownKeys(where, opts, MODEL_KEYS);
    if (!(opts.sourceVocab instanceof Vocab)) throw new ConfigError(`${where}: sourceVocab must be a Vocab, got ${describe(opts.sourceVocab)}.`);
    if (!(opts.targetVocab instanceof Vocab)) throw new ConfigError(`${where}: targetVocab must be a Vocab, got ${describe(opts.targetVocab)}.`);
    for (const side of ['encoder', 'decoder'] as const) {
      const o: unknown = opts[side];
      if (typeof o !== 'object' || o === null) throw new ConfigError(`${where}: ${side} options must be an object, got ${describe(o)}.`);
      for (const k of ['vocabSize', 'memorySize', 'seed', 'rng']) {
        if (k in o) throw new ConfigError(`${where}: ${side}.${k} is set by the model (vocabularies, encoder size, seed); remove it.`);
      }
    }
    const seed = checkNumber(where, 'seed', opts.seed ?? 0);
    const bridgeMode = opts.bridge ?? 'concat-linear';
    const rng = createRng(seed);
    this.sourceVocab = opts.sourceVocab;
    this.targetVocab = opts.targetVocab;
    this.encoder = new Encoder({ ...opts.encoder, vocabSize: opts.sourceVocab.size, rng });
    const enc = this.encoder;
    const decCell = opts.decoder.cell ?? 'lstm';
    this.bridge = new Bridge({
      mode: bridgeMode,
      encoder: { numLayers: enc.numLayers, numDirections: enc.numDirections, hiddenSize: enc.hiddenSize, hasCellState: enc.cell === 'lstm' },
      decoder: { numLayers: opts.decoder.numLayers ?? 1, hiddenSize: opts.decoder.hiddenSize, hasCellState: decCell === 'lstm' },
      rng,
    });
    this.decoder = new Decoder({ ...opts.decoder, vocabSize: opts.targetVocab.size, memorySize: enc.outputSize, rng });
    this.config = JSON.parse(JSON.stringify({ encoder: opts.encoder, decoder: opts.decoder, bridge: bridgeMode, seed })) as Seq2SeqConfig;
  }

  /**
   * Encodes a source batch and bridges to the decoder's initial state.
   * @param source - `[S, B]` source ids.
   * @param opts - `lengths`, `tape`, `training`.
   * @returns `{ encoder: EncoderOutput, init: { h0, c0 } }`.
   * @throws ShapeError on a bad source or lengths.
   */
  encode(source: IndexTensor, opts: EncoderForwardOptions = {}): { encoder: EncoderOutput; init: DecoderInitialState } {
    const encoder = this.encoder.forward(source, opts);
    const init = this.bridge.forward(encoder.hN, encoder.cN, opts.tape);
    return { encoder, init };
  }

  /**
   * Teacher-forced (or scheduled-sampling) pass over a batch.
   * @param batch - from `makeSeq2SeqBatch` / `seq2seqDataset`.
   * @param opts - `tape`, `teacherForcing`, `rng`, `returnAttention`, `training`.
   * @returns the decoder output: logits `[T, B, V]`, attention `[T, B, S]` or null, inputs.
   * @throws ShapeError when the batch parts disagree or ids are out of range.
   */
  forward(batch: Seq2SeqBatch, opts: Seq2SeqForwardOptions = {}): DecoderOutput {
    const where = 'Seq2Seq.forward';
    checkKnownKeys(where, opts, ['tape', 'teacherForcing', 'rng', 'returnAttention', 'training', 'labelSmoothing']);
    this.checkBatch(where, batch);
    const tape = opts.tape;
    const { encoder, init } = this.encode(batch.source, {
      lengths: batch.sourceLengths,
      ...(tape ? { tape } : {}),
      ...(opts.training !== undefined ? { training: opts.training } : {}),
    });
    const dOpts: DecoderForwardOptions = {};
    if (tape) dOpts.tape = tape;
    if (opts.teacherForcing !== undefined) dOpts.teacherForcing = opts.teacherForcing;
    if (opts.rng !== undefined) dOpts.rng = opts.rng;
    if (opts.returnAttention !== undefined) dOpts.returnAttention = opts.returnAttention;
    return this.decoder.forward(batch.targetIn, encoder, init, dOpts);
  }

  /**
   * Mean cross-entropy per target token (PAD ignored); with a tape, seeds the backward pass.
   * @param batch - the batch.
   * @param opts - as {@link Seq2Seq.forward}, plus `labelSmoothing`.
   * @returns `{ loss, count, correct }`: count = target tokens (EOS included), correct = tokens
   *   whose argmax equals the target.
   * @throws ShapeError when the batch parts disagree or ids are out of range.
   */
  loss(batch: Seq2SeqBatch, opts: Seq2SeqForwardOptions = {}): StepOutput & { correct: number } {
    const { logits } = this.forward(batch, opts);
    const r = crossEntropy(logits, batch.targetOut, {
      ignoreIndex: Vocab.PAD,
      ...(opts.labelSmoothing !== undefined ? { labelSmoothing: opts.labelSmoothing } : {}),
      ...(opts.tape ? { tape: opts.tape } : {}),
    });
    const V = this.decoder.vocabSize, z = logits.data, y = batch.targetOut.data;
    let correct = 0;
    for (let n = 0; n < y.length; n++) {
      const target = y[n] as number;
      if (target === Vocab.PAD) continue;
      let best = 0;
      for (let k = 1; k < V; k++) if ((z[n * V + k] as number) > (z[n * V + best] as number)) best = k;
      if (best === target) correct++;
    }
    return { loss: r.loss, count: r.count, correct, sequences: batch.sourceLengths.length };
  }

  /**
   * log p(target | source) of every pair of a batch under teacher forcing (EOS included).
   * @param batch - the batch.
   * @returns `[B]` summed log-probabilities.
   * @throws ShapeError when the batch parts disagree.
   */
  logProbs(batch: Seq2SeqBatch): Float64Array {
    const { logits } = this.forward(batch);
    const [T, B] = batch.targetOut.shape as [number, number];
    const V = this.decoder.vocabSize, z = logits.data, y = batch.targetOut.data;
    const out = new Float64Array(B);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const target = y[t * B + b] as number;
        if (target === Vocab.PAD) continue;
        const o = (t * B + b) * V;
        let max = -Infinity;
        for (let k = 0; k < V; k++) if ((z[o + k] as number) > max) max = z[o + k] as number;
        let sum = 0;
        for (let k = 0; k < V; k++) sum += Math.exp((z[o + k] as number) - max);
        out[b] += (z[o + target] as number) - (max + Math.log(sum));
      }
    }
    return out;
  }

  /**
   * A Trainer step function: training batches run on the tape with the configured teacher
   * forcing; evaluation batches are pure teacher forcing without a tape. With teacher forcing
   * below 1 (or a schedule), the step function's sampling generator becomes one of the model's
   * {@link Seq2Seq.generators}, so training checkpoints restore its coins too.
   * @param opts - `teacherForcing` (number or epoch schedule), `seed`, `labelSmoothing`.
   * @returns the step function.
   * @throws ConfigError on an invalid option.
   */
  stepFunction(opts: Seq2SeqStepOptions = {}): StepFn<Seq2SeqBatch> {
    const where = 'Seq2Seq.stepFunction';
    checkKnownKeys(where, opts, ['teacherForcing', 'seed', 'labelSmoothing']);
    const tf = opts.teacherForcing ?? 1;
    if (typeof tf !== 'function') checkNumber(where, 'teacherForcing', tf, 0, 1);
    const rng = createRng(checkNumber(where, 'seed', opts.seed ?? 0));
    const smoothing = checkNumber(where, 'labelSmoothing', opts.labelSmoothing ?? 0, 0, 1);
    if (tf !== 1) this.samplers.push(rng); // a ratio of 1 never draws
    return (batch, ctx) => {
      if (!ctx.tape) return this.loss(batch, { training: false });
      const ratio = typeof tf === 'function' ? checkNumber(where, 'teacherForcing(epoch)', tf(ctx.epoch), 0, 1) : tf;
      return this.loss(batch, { tape: ctx.tape, training: ctx.training, teacherForcing: ratio, rng, labelSmoothing: smoothing });
    };
  }

  /**
   * Decodes token sequences end to end: encodes each with the source vocabulary (unknown tokens
   * become UNK), decodes greedily (beamWidth 1) or with beam search, and maps ids back to
   * target tokens.
   * @param sources - the source token sequences, each non-empty.
   * @param opts - `beamWidth`, `lengthPenalty`, `maxLength`, `returnAttention`, `batchSize`.
   * @returns one {@link Translation} per source, in order.
   * @throws ConfigError on an empty source or an invalid option.
   */
  translate(sources: readonly (readonly string[])[], opts: TranslateOptions = {}): Translation[] {
    const where = 'Seq2Seq.translate';
    checkKnownKeys(where, opts, ['beamWidth', 'lengthPenalty', 'maxLength', 'returnAttention', 'batchSize']);
    if (!Array.isArray(sources)) throw new ConfigError(`${where}: sources must be an array of token arrays, got ${describe(sources)}.`);
    const K = checkPositiveInt(where, 'beamWidth', opts.beamWidth ?? 1);
    const batchSize = checkPositiveInt(where, 'batchSize', opts.batchSize ?? 64);
    const out: Translation[] = [];
    for (let i = 0; i < sources.length; i += batchSize) {
      const chunk = sources.slice(i, i + batchSize).map((toks, j) => {
        if (!Array.isArray(toks) || toks.length === 0) throw new ConfigError(`${where}: sources[${i + j}] must be a non-empty array of tokens, got ${describe(toks)}.`);
        return this.sourceVocab.encode(toks);
      });
      const { ids, lengths, T } = padSequences(chunk, { padId: Vocab.PAD });
      const source: IndexTensor = { shape: [T, chunk.length], data: ids };
      const common = {
        lengths,
        ...(opts.maxLength !== undefined ? { maxLength: opts.maxLength } : {}),
        ...(opts.returnAttention !== undefined ? { returnAttention: opts.returnAttention } : {}),
      };
      const hyps =
        K === 1
          ? greedyDecode(this, source, common)
          : beamSearch(this, source, { ...common, beamWidth: K, ...(opts.lengthPenalty !== undefined ? { lengthPenalty: opts.lengthPenalty } : {}) }).map((h) => h[0] as Hypothesis);
      for (const h of hyps) out.push({ tokens: this.targetVocab.decode(h.tokens), hypothesis: h });
    }
    return out;
  }

  private checkBatch(where: string, batch: Seq2SeqBatch): void {
    if (typeof batch !== 'object' || batch === null) throw new ShapeError(`${where}: batch must be a Seq2SeqBatch (see makeSeq2SeqBatch), got ${describe(batch)}.`);
    const src = checkIndexTensor(where, 'batch.source', batch.source);
    const tin = checkIndexTensor(where, 'batch.targetIn', batch.targetIn);
    const tout = checkIndexTensor(where, 'batch.targetOut', batch.targetOut);
    if (src.shape.length !== 2) throw new ShapeError(`${where}: batch.source expected [S, B], got ${fmtShape(src.shape)}.`);
    const B = src.shape[1] as number;
    const same = tin.shape.length === 2 && tout.shape.length === 2 && tin.shape[0] === tout.shape[0] && tin.shape[1] === B && tout.shape[1] === B;
    if (!same) {
      throw new ShapeError(
        `${where}: batch.targetIn ${fmtShape(tin.shape)} and batch.targetOut ${fmtShape(tout.shape)} must both be [T, B=${B}] (B of batch.source ${fmtShape(src.shape, ['S', 'B'])}).`,
      );
    }
    const V = this.decoder.vocabSize;
    for (let i = 0; i < tout.data.length; i++) {
      const y = tout.data[i] as number;
      if (y < 0 || y >= V) {
        throw new ShapeError(`${where}: batch.targetOut[${Math.floor(i / B)}, ${i % B}] = ${y} is out of range, expected a target id in [0, V=${V}). Was it encoded with a different vocabulary?`);
      }
    }
  }

  /**
   * The parameters, prefixed `encoder.`, `bridge.` and `decoder.`.
   * @returns views into the flat buffers.
   */
  parameters(): Parameter[] {
    return [...prefixed('encoder.', this.encoder), ...prefixed('bridge.', this.bridge), ...prefixed('decoder.', this.decoder)];
  }

  /**
   * The generators training draws from, saved by training checkpoints: `encoder.rnn.rng` (the
   * model's shared generator, which draws the encoder's dropout masks) when the encoder has
   * dropout between layers, and `sampling.0`, `sampling.1`, ... for the scheduled-sampling coins
   * of each {@link Seq2Seq.stepFunction} made with teacher forcing below 1, in creation order.
   * @returns the live generators by name.
   */
  generators(): Record<string, Rng> {
    const out = prefixedGenerators('encoder.', this.encoder);
    this.samplers.forEach((rng, i) => (out[`sampling.${i}`] = rng));
    return out;
  }

  /**
   * Serializes weights, config and both vocabularies to safetensors bytes.
   * @returns the file bytes.
   */
  toBytes(): Uint8Array {
    return checkpointToBytes(this, { metadata: this.metadata() });
  }

  /**
   * Saves the model atomically to a safetensors file (Node only).
   * @param path - destination, conventionally `*.safetensors`.
   * @returns resolves when the file is in place.
   */
  async save(path: string): Promise<void> {
    await saveCheckpoint(path, this, { metadata: this.metadata() });
  }

  private metadata(): Record<string, unknown> {
    return {
      'rnnkit.format': FORMAT,
      'rnnkit.config': this.config,
      'rnnkit.sourceVocab': this.sourceVocab.toJSON(),
      'rnnkit.targetVocab': this.targetVocab.toJSON(),
    };
  }

  /**
   * Rebuilds a model from {@link Seq2Seq.toBytes} output.
   * @param bytes - the file bytes.
   * @returns the model with its weights, config and vocabularies.
   * @throws FormatError when the bytes are not a seq2seq checkpoint; ShapeError when a tensor is
   *   missing, unexpected or mis-shaped (e.g. the vocabularies do not match the weights).
   */
  static fromBytes(bytes: Uint8Array): Seq2Seq {
    return fromCheckpoint('Seq2Seq.fromBytes', checkpointFromBytes(bytes));
  }

  /**
   * Loads a model saved with {@link Seq2Seq.save} (Node only).
   * @param path - the file.
   * @returns the model.
   * @throws FormatError / ShapeError as {@link Seq2Seq.fromBytes}.
   */
  static async load(path: string): Promise<Seq2Seq> {
    return fromCheckpoint(`Seq2Seq.load(${JSON.stringify(path)})`, await loadCheckpoint(path));
  }
}

function fromCheckpoint(where: string, ck: { tensors: Parameters<typeof loadStateDictInto>[1]; metadata: Record<string, unknown> }): Seq2Seq {
  const md = ck.metadata;
  if (md['rnnkit.format'] !== FORMAT) {
    throw new FormatError(`${where}: not a seq2seq checkpoint (metadata "rnnkit.format" is ${describe(md['rnnkit.format'])}, expected "${FORMAT}").`);
  }
  const config = md['rnnkit.config'] as Seq2SeqConfig | undefined;
  if (typeof config !== 'object' || config === null) throw new FormatError(`${where}: metadata "rnnkit.config" is missing or not an object.`);
  const sourceVocab = Vocab.fromJSON(md['rnnkit.sourceVocab']);
  const targetVocab = Vocab.fromJSON(md['rnnkit.targetVocab']);
  let model: Seq2Seq;
  try {
    model = new Seq2Seq({ sourceVocab, targetVocab, encoder: config.encoder, decoder: config.decoder, bridge: config.bridge, seed: config.seed });
  } catch (e) {
    throw new FormatError(`${where}: the stored config does not build a model: ${(e as Error).message}`);
  }
  loadStateDictInto(model.parameters(), ck.tensors, true, where);
  return model;
}
