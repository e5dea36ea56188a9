import type { CellKind } from '../../src/cells/cell-core.js';
import { Vocab } from '../../src/data/vocab.js';
import type { AttentionKind } from '../../src/seq2seq/attention.js';
import type { BridgeMode } from '../../src/seq2seq/bridge.js';
import { Seq2Seq } from '../../src/seq2seq/seq2seq.js';
import type { Seq2SeqPair } from '../../src/seq2seq/seq2seq-batch.js';
import type { IndexTensor } from '../../src/tensor.js';

/** Source vocabulary a, b, c, d (ids 4–7) and target vocabulary x, y (ids 4–5). */
export const SRC = new Vocab(['a', 'b', 'c', 'd']);
export const TGT = new Vocab(['x', 'y']);

export interface TinyConfig {
  attention?: AttentionKind;
  encCell?: CellKind;
  decCell?: CellKind;
  bridge?: BridgeMode;
  encLayers?: number;
  decLayers?: number;
  bidirectional?: boolean;
  inputFeeding?: boolean;
  seed?: number;
  tgt?: Vocab;
}

/** A small model; 'dot' attention gets a decoder as wide as the encoder memory. */
export function tinyModel(c: TinyConfig = {}): Seq2Seq {
  const bi = c.bidirectional ?? true;
  const He = 3;
  const attention = c.attention ?? 'general';
  const Hd = attention === 'dot' ? (bi ? 2 : 1) * He : 4;
  return new Seq2Seq({
    sourceVocab: SRC,
    targetVocab: c.tgt ?? TGT,
    seed: c.seed ?? 1,
    encoder: { embeddingDim: 3, hiddenSize: He, bidirectional: bi, numLayers: c.encLayers ?? 1, cell: c.encCell ?? 'lstm', init: 'pytorch' },
    decoder: {
      embeddingDim: 3,
      hiddenSize: c.bridge === 'sum' ? He : Hd,
      numLayers: c.decLayers ?? 1,
      cell: c.decCell ?? 'lstm',
      attention,
      attentionSize: 3,
      init: 'pytorch',
      ...(c.inputFeeding !== undefined ? { inputFeeding: c.inputFeeding } : {}),
    },
    bridge: c.bridge ?? 'concat-linear',
  });
}

/** Deterministic pseudo-random pairs over the tiny vocabularies. */
export function randomPairs(seed: number, B: number, maxS = 4, maxT = 3): Seq2SeqPair[] {
  let s = (seed * 2654435761 + 7) >>> 0 || 1;
  const next = (n: number): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
  return Array.from({ length: B }, () => ({
    source: Array.from({ length: 1 + next(maxS) }, () => 4 + next(4)),
    target: Array.from({ length: next(maxT + 1) }, () => 4 + next(2)),
  }));
}

/** `[S, B]` padded source block of id lists (PAD 0 after each length) and its lengths. */
export function sourceBlock(seqs: readonly (readonly number[])[], S?: number, fill = 0): { source: IndexTensor; lengths: number[] } {
  const B = seqs.length;
  const T = S ?? Math.max(...seqs.map((q) => q.length));
  const data = new Int32Array(T * B).fill(fill);
  seqs.forEach((q, b) => q.forEach((id, t) => (data[t * B + b] = id)));
  return { source: { shape: [T, B], data }, lengths: seqs.map((q) => q.length) };
}
