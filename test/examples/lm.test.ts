import { describe, expect, it } from 'vitest';
import { run } from '../../examples/lm.js';

describe('examples/lm.ts --quick', () => {
  // About 25 s of CPU; the generous timeout only absorbs a machine shared with other jobs.
  it('char LM < 3.3 bpc on ch.4; the bidirectional blank filler beats the unidirectional one', { timeout: 900_000 }, async () => {
    const lines: string[] = [];
    const r = await run({ quick: true, seed: 1, log: (l) => lines.push(l) });
    const why = lines.join('\n');

    // Character LM, train ch.1–3 → test ch.4 (DATA.md §1 quick target).
    expect(r.mode).toBe('quick');
    expect(r.word).toBeNull();
    const char = r.char!;
    expect(char.bpc, why).toBeLessThan(3.3);
    expect(char.bpc).toBeLessThan(char.baselines.bigram - 0.2);
    // The n-gram baselines computed in the example agree with DATA.md (unigram 4.35, bigram 3.48, trigram 2.93).
    expect(char.baselines.unigram).toBeCloseTo(4.35, 1);
    expect(char.baselines.bigram).toBeCloseTo(3.48, 1);
    expect(char.baselines.trigram).toBeCloseTo(2.93, 1);
    expect(char.sample.startsWith('Call me Ishmael. ')).toBe(true);
    expect(char.sample.length).toBeGreaterThan(100);

    // Fill-in-the-blank on a small word task: both sides beat the left side only.
    const blank = r.blank!;
    const { bidirectional: bi, unidirectional: uni } = blank;
    expect(blank.sentences).toBeGreaterThan(400);
    expect(bi.loss, why).toBeLessThan(uni.loss - 0.05);
    expect(bi.top1, why).toBeGreaterThan(uni.top1);
    expect(bi.top5, why).toBeGreaterThan(uni.top5);
    expect(bi.top1).toBeGreaterThan(blank.mostFrequent);
  });
});
