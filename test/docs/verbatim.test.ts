// The guide samples run by test/docs/*.test.ts must be the samples the guides show: every block
// between `// --- begin docs sample … ---` and `// --- end docs sample … ---` must appear in the
// guide(s) its file names, line for line (indentation and blank lines aside), so a guide edited
// without its test (or the other way round) fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const DIR = join(ROOT, 'test', 'docs');
const lines = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter((l) => l !== '');

/** Whether `needle` occurs in `hay` as consecutive lines. */
function occurs(needle: readonly string[], hay: readonly string[]): boolean {
  for (let i = 0; i + needle.length <= hay.length; i++) if (needle.every((l, j) => hay[i + j] === l)) return true;
  return false;
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.test.ts') && f !== 'verbatim.test.ts');

describe('guide samples are verbatim', () => {
  it('finds the sample tests', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const f of files) {
    it(f, () => {
      const src = readFileSync(join(DIR, f), 'utf8');
      const guides = [...new Set([...src.matchAll(/docs\/([a-z0-9-]+\.md)/g)].map((m) => m[1] as string))];
      expect(guides.length, `${f} names no guide`).toBeGreaterThan(0);
      const md = lines(guides.map((g) => readFileSync(join(ROOT, 'docs', g), 'utf8')).join('\n'));
      const blocks = [...src.matchAll(/\/\/ --- begin docs sample[^\n]*---\n([\s\S]*?)\/\/ --- end docs sample[^\n]*---/g)].map((m) => lines(m[1] as string));
      expect(blocks.length, `${f} marks no sample`).toBeGreaterThan(0);
      for (const b of blocks) {
        const missing = b.filter((l) => !md.includes(l));
        expect(missing, `${f}: lines not in ${guides.join(', ')}`).toEqual([]);
        expect(occurs(b, md), `${f}: the sample starting "${b[0]}" is not consecutive in ${guides.join(', ')}`).toBe(true);
      }
    });
  }
});
