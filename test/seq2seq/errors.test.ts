import { describe, expect, it } from 'vitest';
import { Vocab } from '../../src/data/vocab.js';
import { checkpointToBytes } from '../../src/io/checkpoint.js';
import { isRnnError } from '../../src/errors.js';
import { Attention } from '../../src/seq2seq/attention.js';
import { beamSearch } from '../../src/seq2seq/beam-search.js';
import { Bridge } from '../../src/seq2seq/bridge.js';
import { Decoder } from '../../src/seq2seq/decoder.js';
import { Encoder } from '../../src/seq2seq/encoder.js';
import { greedyDecode } from '../../src/seq2seq/greedy-decode.js';
import { sampleDecode } from '../../src/seq2seq/sample-decode.js';
import { Seq2Seq } from '../../src/seq2seq/seq2seq.js';
import { makeSeq2SeqBatch } from '../../src/seq2seq/seq2seq-batch.js';
import { SRC, TGT, sourceBlock, tinyModel } from './helpers.js';

/** Runs fn and returns the rnnkit error it throws (fails when it does not throw one). */
function caught(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isRnnError(e)) return e;
    throw e;
  }
  throw new Error('expected an rnnkit error');
}

describe('seq2seq errors name the function, the argument, the expected and the actual value', () => {
  const model = tinyModel({ attention: 'general', seed: 1 });
  const { source, lengths } = sourceBlock([[4, 5, 6], [7]]);

  it('maxLength < 1, beamWidth < 1, nBest > beamWidth, temperature ≤ 0 are ConfigErrors', () => {
    let e = caught(() => greedyDecode(model, source, { lengths, maxLength: 0 }));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toMatch(/^greedyDecode: maxLength must be a positive integer, got 0/);
    e = caught(() => beamSearch(model, source, { lengths, maxLength: -2 }));
    expect(e.message).toMatch(/^beamSearch: maxLength must be a positive integer, got -2/);
    e = caught(() => beamSearch(model, source, { lengths, beamWidth: 0 }));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toMatch(/^beamSearch: beamWidth must be a positive integer, got 0/);
    expect(caught(() => beamSearch(model, source, { lengths, beamWidth: 2.5 })).message).toMatch(/beamWidth must be a positive integer, got 2.5/);
    expect(caught(() => beamSearch(model, source, { lengths, beamWidth: 2, nBest: 3 })).message).toMatch(/nBest = 3 exceeds beamWidth = 2/);
    expect(caught(() => beamSearch(model, source, { lengths, lengthPenalty: -1 })).message).toMatch(/lengthPenalty must be a finite number >= 0, got -1/);
    expect(caught(() => sampleDecode(model, source, { lengths, temperature: 0 })).message).toMatch(/^sampleDecode: temperature must be > 0/);
    expect(caught(() => sampleDecode(model, source, { lengths, maxLength: 0 })).message).toMatch(/^sampleDecode: maxLength/);
    expect(caught(() => sampleDecode(model, source, { lengths, topK: -1 })).message).toMatch(/topK must be a non-negative integer/);
    expect(caught(() => greedyDecode(model, source, { lengths, beamWidth: 2 } as never)).message).toMatch(/unknown option "beamWidth"/);
  });

  it('source shape and vocabulary mismatches are ShapeErrors', () => {
    let e = caught(() => greedyDecode(model, { shape: [3], data: new Int32Array([4, 5, 6]) }));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toMatch(/^greedyDecode: source expected token ids \[S, B\].*got \[3\]\. One source is \[S, 1\]/);
    e = caught(() => beamSearch(model, sourceBlock([[4, 99]]).source));
    expect(e.message).toMatch(/^beamSearch: source\[1, 0\] = 99 is out of range, expected a source id in \[0, V=8\)/);
    e = caught(() => greedyDecode(model, source, { lengths: [3] }));
    expect(e.message).toMatch(/lengths must hold one length per source column \(B=2\)/);
    e = caught(() => greedyDecode(model, source, { lengths: [4, 1] }));
    expect(e.message).toMatch(/lengths\[0\] = 4 is out of range, expected an integer in \[1, S=3\]/);
  });

  it('batch mismatches: targets of another vocabulary, misaligned target shapes', () => {
    const batch = makeSeq2SeqBatch([{ source: [4, 5], target: [4, 9] }]);
    let e = caught(() => model.loss(batch));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toMatch(/^Seq2Seq\.forward: batch\.targetOut\[1, 0\] = 9 is out of range, expected a target id in \[0, V=6\)/);
    const ok = makeSeq2SeqBatch([{ source: [4, 5], target: [4] }]);
    e = caught(() => model.forward({ ...ok, targetOut: { shape: [3, 1], data: new Int32Array(3) } }));
    expect(e.message).toMatch(/batch\.targetIn \[2, 1\] and batch\.targetOut \[3, 1\] must both be \[T, B=1\]/);
    e = caught(() => model.forward(makeSeq2SeqBatch([{ source: [4, 42], target: [] }])));
    expect(e.message).toMatch(/^Encoder\.forward: source\[1, 0\] = 42 is out of range, expected a token id in \[0, V=8\)/);
  });

  it('a decoder fed the memory of a different encoder is a ShapeError with a hint', () => {
    const enc = new Encoder({ vocabSize: 8, embeddingDim: 3, hiddenSize: 5, bidirectional: true });
    const dec = new Decoder({ vocabSize: 6, embeddingDim: 3, hiddenSize: 4, memorySize: 6 });
    const out = enc.forward(source, { lengths });
    const init = { h0: { shape: [1, 2, 4], data: new Float32Array(8) }, c0: { shape: [1, 2, 4], data: new Float32Array(8) } };
    const e = caught(() => dec.forward({ shape: [1, 2], data: new Int32Array([1, 1]) }, out, init));
    expect(e.message).toMatch(/^Decoder\.forward: memory expected shape \[S, B=2, M=6\], got \[3, 2, 10\]\. The decoder was built for a different encoder/);
    const e2 = caught(() => dec.forward({ shape: [1, 2], data: new Int32Array([1, 1]) }, { memory: { shape: [3, 2, 6], data: new Float32Array(36) }, lengths: out.lengths }, { h0: init.h0, c0: null }));
    expect(e2.message).toMatch(/init\.c0 is null, but an LSTM decoder needs a cell state \[L=1, B=2, H=4\]/);
  });

  it('invalid configurations are ConfigErrors with the fix', () => {
    expect(caught(() => new Attention({ score: 'dot', querySize: 4, memorySize: 6 })).message).toMatch(/'dot' attention needs querySize = memorySize, got querySize H=4 and memorySize M=6\. Use 'general'/);
    expect(caught(() => new Decoder({ vocabSize: 6, embeddingDim: 2, hiddenSize: 4, memorySize: 4, attention: 'none', inputFeeding: true })).message).toMatch(/inputFeeding .* needs attention/);
    expect(caught(() => new Decoder({ vocabSize: 6, embeddingDim: 2, hiddenSize: 4, memorySize: 4, attention: 'luong' as never })).message).toMatch(/attention must be one of 'none', 'dot', 'general', 'additive', got "luong"/);
    expect(caught(() => new Decoder({ vocabSize: 3, embeddingDim: 2, hiddenSize: 4, memorySize: 4 })).message).toMatch(/vocabSize must be at least 4/);
    const e = caught(
      () => new Bridge({ mode: 'sum', encoder: { numLayers: 1, numDirections: 2, hiddenSize: 3, hasCellState: true }, decoder: { numLayers: 1, hiddenSize: 4, hasCellState: true } }),
    );
    expect(e.message).toMatch(/mode 'sum' .* needs encoder hiddenSize = decoder hiddenSize, got 3 and 4\. Use mode 'concat-linear'/);
    expect(caught(() => new Seq2Seq({ sourceVocab: SRC, targetVocab: TGT, encoder: { embeddingDim: 2, hiddenSize: 2, vocabSize: 5 } as never, decoder: { embeddingDim: 2, hiddenSize: 2 } })).message).toMatch(
      /encoder\.vocabSize is set by the model/,
    );
    expect(caught(() => new Encoder({ vocabSize: 5, embeddingDim: 2, hiddenSize: 2, cell: 'tree' as never })).message).toMatch(/cell must be 'lstm', 'gru' or 'rnn', got "tree"/);
    expect(caught(() => model.forward(makeSeq2SeqBatch([{ source: [4], target: [4] }]), { teacherForcing: 0.5 })).message).toMatch(/teacherForcing < 1 needs an rng/);
  });

  it('checkpoints: another format is a FormatError; weights of other vocabularies are a ShapeError', () => {
    const other = new Seq2Seq({
      sourceVocab: new Vocab(['a', 'b', 'c', 'd', 'e']),
      targetVocab: TGT,
      encoder: model.config.encoder,
      decoder: model.config.decoder,
      seed: 1,
    });
    expect(() => Seq2Seq.fromBytes(new Uint8Array([1, 2, 3]))).toThrow(expect.objectContaining({ code: 'E_FORMAT' }));
    // The weights of a model with a 9-token source vocabulary under this model's 8-token one.
    const metadata = { 'rnnkit.format': 'seq2seq', 'rnnkit.config': model.config, 'rnnkit.sourceVocab': SRC.toJSON(), 'rnnkit.targetVocab': TGT.toJSON() };
    const e = caught(() => Seq2Seq.fromBytes(checkpointToBytes(other, { metadata })));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toMatch(/^Seq2Seq\.fromBytes: state dict does not match: "encoder\.embedding\.weight" expected shape \[8, 3\], got \[9, 3\]/);
    const bad = caught(() => Seq2Seq.fromBytes(checkpointToBytes(other, { metadata: { ...metadata, 'rnnkit.sourceVocab': { format: 'nope' } } })));
    expect(bad.code).toBe('E_FORMAT');
  });
});

