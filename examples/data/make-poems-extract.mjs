#!/usr/bin/env node
/**
 * Builds the Tang-poem extract used by the poem-bot example (see ../shared/DATA.md, section 3).
 *
 * Source: the npm package `chinese-poetry@2.0.1` (MIT © 2016 JackeyGao,
 * https://github.com/chinese-poetry/chinese-poetry). The package is 347 MB unpacked, so rnnkit
 * does not depend on it: this script downloads it once with `npm pack` into a temporary directory,
 * extracts only `package/dist/quantangshi/poet.tang.<n>.json` (57,607 poems, traditional
 * characters, `{ author, title, paragraphs: string[] }`) plus the licence, keeps the 5-character
 * quatrains (exactly two paragraphs, each matching /^[\u4e00-\u9fff]{5}，[\u4e00-\u9fff]{5}。$/), and writes
 *
 *   examples/data/tang-quatrains.json  an array of 20-character strings (the four 5-character lines
 *                                      concatenated, punctuation removed), in source order
 *                                      (files by numeric suffix, poems in file order);
 *   examples/data/TANG-LICENSE.md      the MIT notice and the exact source (name, version, integrity).
 *
 * Usage: `node examples/data/make-poems-extract.mjs` (needs `npm` and `tar` on PATH and network
 * access to the npm registry, or the tarball in npm's cache). The output is deterministic.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SPEC = 'chinese-poetry@2.0.1';
const HALF = /^[\u4e00-\u9fff]{5}，[\u4e00-\u9fff]{5}。$/u;
const POEM_FILE = /^package\/dist\/quantangshi\/poet\.tang\.(\d+)\.json$/;
const outDir = dirname(fileURLToPath(import.meta.url));

const tmp = mkdtempSync(join(tmpdir(), 'rnnkit-poems-'));
try {
  const packed = JSON.parse(execFileSync('npm', ['pack', SPEC, '--json', '--silent'], { cwd: tmp, encoding: 'utf8' }));
  const { filename, integrity, version, name } = packed[0];
  if (name !== 'chinese-poetry' || version !== '2.0.1') throw new Error(`unexpected package ${name}@${version}`);
  const tgz = join(tmp, filename);

  // List first, then extract by explicit names: portable across GNU tar and bsdtar (no --wildcards).
  const members = execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
  const poemFiles = members
    .filter((m) => POEM_FILE.test(m))
    .sort((a, b) => Number(POEM_FILE.exec(a)[1]) - Number(POEM_FILE.exec(b)[1]));
  if (poemFiles.length === 0) throw new Error('no package/dist/quantangshi/poet.tang.*.json in the tarball');
  execFileSync('tar', ['-xzf', tgz, '-C', tmp, 'package/LICENSE', ...poemFiles]);

  let total = 0;
  let regulated = 0; // all 5-character 4- and 8-line poems, reported for DATA.md's second count
  const quatrains = [];
  for (const file of poemFiles) {
    const poems = JSON.parse(readFileSync(join(tmp, file), 'utf8'));
    for (const poem of poems) {
      total++;
      const p = poem.paragraphs;
      if (!Array.isArray(p) || !p.every((s) => typeof s === 'string' && HALF.test(s))) continue;
      if (p.length === 2 || p.length === 4) regulated++;
      if (p.length === 2) quatrains.push(p.join('').replace(/[，。]/gu, ''));
    }
  }

  const license = readFileSync(join(tmp, 'package/LICENSE'), 'utf8').trim();
  if (!license.includes('2016 JackeyGao')) throw new Error('unexpected LICENSE text in the tarball');
  const json = '[\n' + quatrains.map((q) => JSON.stringify(q)).join(',\n') + '\n]\n';
  writeFileSync(join(outDir, 'tang-quatrains.json'), json);
  writeFileSync(
    join(outDir, 'TANG-LICENSE.md'),
    [
      '# Tang quatrains extract: source and licence',
      '',
      '`tang-quatrains.json` is an extract of the npm package',
      `\`${SPEC}\` (tarball integrity \`${integrity}\`), from the`,
      '[chinese-poetry](https://github.com/chinese-poetry/chinese-poetry) project.',
      '',
      `It holds the ${quatrains.length} five-character quatrains (two paragraphs, each`,
      '`/^[\\u4e00-\\u9fff]{5}，[\\u4e00-\\u9fff]{5}。$/`) found in',
      `\`dist/quantangshi/poet.tang.*.json\` (${poemFiles.length} files, ${total} poems), in source order,`,
      'each stored as its 20 characters with the punctuation removed. It was written by',
      '`examples/data/make-poems-extract.mjs`.',
      '',
      'The original work is distributed under the following licence:',
      '',
      '```text',
      license,
      '```',
      '',
    ].join('\n'),
  );
  console.log(
    `${poemFiles.length} files, ${total} poems; ${regulated} 5-character 4/8-line poems; ` +
      `${quatrains.length} quatrains written (${Buffer.byteLength(json)} bytes).`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
