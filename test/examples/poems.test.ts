import { describe, expect, it } from 'vitest';
import { QUATRAIN_PATTERN } from '../../examples/data/poems.js';
import { run } from '../../examples/poems.js';

describe('examples/poems.ts --quick', () => {
  // About 30 s of CPU (a small GRU on 500 quatrains); the generous timeout only absorbs a machine
  // shared with other jobs.
  it('after a short run on 500 quatrains, ≥ 80 % of 100 sampled poems have the quatrain format', { timeout: 900_000 }, async () => {
    const lines: string[] = [];
    const r = await run({ quick: true, seed: 1, log: (l) => lines.push(l) });
    const why = lines.join('\n');

    // The de-duplicated split (DATA.md §3, every 10th poem is a test poem).
    expect(r.mode).toBe('quick');
    expect(r.trainPoems).toBe(500);
    expect(r.testPoems).toBe(370);

    // Quick target (DATA.md §3): ≥ 80 % format.
    expect(r.formatRate, why).toBeGreaterThanOrEqual(0.8);
    // The model beats the baselines computed on the same split and vocabulary.
    expect(r.model.bitsPerChar, why).toBeLessThan(r.baselines.unigram.bitsPerChar - 0.5);
    expect(r.model.bitsPerChar, why).toBeLessThan(r.baselines.bigramInterpolated.bitsPerChar);

    // Samples and acrostics: the printed sample poems, and each acrostic starts its lines with the given heads.
    expect(r.samples.filter((s) => QUATRAIN_PATTERN.test(s)).length).toBeGreaterThan(0);
    expect(r.acrostics.length).toBeGreaterThan(0);
    for (const a of r.acrostics) {
      const c = Array.from(a.poem);
      expect([c[0], c[6], c[12], c[18]].join('')).toBe(a.heads);
    }
  });
});
