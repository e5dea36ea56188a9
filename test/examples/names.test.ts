import { describe, expect, it } from 'vitest';
import { run } from '../../examples/names.js';

describe('examples/names.ts --quick', () => {
  // About 25 s of CPU (two small LSTMs, 4 epochs each); the generous timeout only absorbs a
  // machine shared with other jobs.
  it('the gender-conditioned LSTM beats the unconditional 3-gram, and conditioning helps', { timeout: 900_000 }, async () => {
    const lines: string[] = [];
    const r = await run({ quick: true, seed: 1, log: (l) => lines.push(l) });
    const why = lines.join('\n');

    // The split and the baselines computed in the example (DATA.md §6: 1,581 test names; 3-grams 3.17 / 3.08).
    expect(r.mode).toBe('quick');
    expect(r.testNames).toBe(1581);
    expect(r.trainNames + r.devNames).toBe(6427);
    expect(r.baselines.unconditional3gram).toBeCloseTo(3.17, 1);
    expect(r.baselines.conditional3gram).toBeCloseTo(3.08, 1);
    expect(r.baselines.conditional3gram).toBeLessThan(r.baselines.unconditional3gram);

    // Quick target: beat the unconditional 3-gram by a margin, with a positive conditioning gain.
    expect(r.conditional.bitsPerChar, why).toBeLessThan(r.baselines.unconditional3gram - 0.1);
    expect(r.conditioningGain, why).toBeGreaterThan(0.02);
    // The model reads its input: the wrong gender costs bits.
    expect(r.conditionalSwapped, why).toBeGreaterThan(r.conditional.bitsPerChar + 0.1);

    // Samples: names of letters (and hyphens), mostly new.
    for (const name of [...r.samples.female, ...r.samples.male]) expect(name).toMatch(/^[a-z-]*$/);
    expect(r.samples.novel).toBeGreaterThan(0.5);
  });
});
