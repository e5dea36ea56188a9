import { describe, expect, it } from 'vitest';
import { run } from '../../examples/g2p.js';

describe('examples/g2p.ts --quick', () => {
  // About 35 s of CPU; the generous timeout only absorbs a machine shared with other jobs.
  it('reaches PER ≤ 35% on 200 held-out words after training on 2k words of ≤ 5 letters', { timeout: 900_000 }, async () => {
    const lines: string[] = [];
    const r = await run({ mode: 'quick', log: (l) => lines.push(l) });
    expect(r.trainWords).toBe(2000);
    expect(r.testWords).toBe(200);
    expect(r.attention.per, lines.join('\n')).toBeLessThanOrEqual(0.35);
    expect(r.attention.per).toBeLessThan(r.nearestNeighbour.per);
    expect(lines.some((l) => l.includes('█'))).toBe(true); // an attention alignment was printed
  });
});
