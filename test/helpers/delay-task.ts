// A tiny sequence task for Trainer tests: at step t predict the token seen at step t − 2.
import { LSTM } from '../../src/sequence/layers.js';
import { Embedding } from '../../src/layers/embedding.js';
import { Linear } from '../../src/layers/linear.js';
import { prefixed, type Module, type Parameter } from '../../src/layers/param-store.js';
import type { Tape } from '../../src/layers/tape.js';
import { crossEntropy } from '../../src/train/losses.js';
import type { StepContext, StepOutput, TrainDataset } from '../../src/train/trainer-types.js';
import type { IndexTensor } from '../../src/tensor.js';

export const V = 5;
export const T = 8;

export interface DelayBatch {
  ids: IndexTensor; // [T, B]
  targets: IndexTensor; // [T, B], −100 for the first two steps
}

export class DelayModel implements Module {
  readonly embed: Embedding;
  readonly lstm: LSTM;
  readonly head: Linear;
  constructor(seed: number, H = 16) {
    this.embed = new Embedding({ numEmbeddings: V, embeddingDim: 8, seed });
    this.lstm = new LSTM({ inputSize: 8, hiddenSize: H, seed: seed + 1 });
    this.head = new Linear({ inFeatures: H, outFeatures: V, seed: seed + 2 });
  }
  parameters(): Parameter[] {
    return [...prefixed('embed.', this.embed), ...prefixed('lstm.', this.lstm), ...prefixed('head.', this.head)];
  }
  step(b: DelayBatch, ctx: StepContext): StepOutput {
    const tape: Tape | undefined = ctx.tape ?? undefined;
    const e = this.embed.forward(b.ids, tape);
    const { output } = this.lstm.forward(e, tape ? { tape } : {});
    const logits = this.head.forward(output, tape);
    const r = crossEntropy(logits, b.targets, tape ? { tape } : {});
    let correct = 0;
    const C = V;
    for (let i = 0; i < b.targets.data.length; i++) {
      const y = b.targets.data[i]!;
      if (y < 0) continue;
      let best = 0;
      for (let c = 1; c < C; c++) if (logits.data[i * C + c]! > logits.data[i * C + best]!) best = c;
      if (best === y) correct++;
    }
    return { loss: r.loss, count: r.count, correct };
  }
}

export function delayData(n: number, seed: number): TrainDataset<DelayBatch> {
  const seqs: number[][] = [];
  let s = seed * 7919 + 1;
  for (let i = 0; i < n; i++) {
    const seq: number[] = [];
    for (let t = 0; t < T; t++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      seq.push(s % V);
    }
    seqs.push(seq);
  }
  return {
    length: n,
    batch(indices) {
      const B = indices.length;
      const ids = new Int32Array(T * B), targets = new Int32Array(T * B);
      indices.forEach((k, b) => {
        const seq = seqs[k]!;
        for (let t = 0; t < T; t++) {
          ids[t * B + b] = seq[t]!;
          targets[t * B + b] = t >= 2 ? seq[t - 2]! : -100;
        }
      });
      return { ids: { shape: [T, B], data: ids }, targets: { shape: [T, B], data: targets } };
    },
  };
}
