import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  CHECKPOINT_OPTIMIZER_PREFIX,
  checkpointFromBytes,
  checkpointToBytes,
  loadCheckpoint,
  loadStateDictFromFile,
  saveCheckpoint,
} from '../../src/io/checkpoint.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { ParamStore } from '../../src/layers/param-store.js';
import type { StateDict } from '../../src/layers/param-store.js';
import { isRnnError } from '../../src/errors.js';

const FIXTURE = readFileSync(new URL('../fixtures/safetensors/lstm_2layer_bidir.safetensors', import.meta.url));

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rnnkit-checkpoint-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function makeModel(hidden = 3, input = 4): ParamStore {
  const store = new ParamStore([
    { name: 'weight_ih_l0', shape: [4 * hidden, input] },
    { name: 'weight_hh_l0', shape: [4 * hidden, hidden] },
    { name: 'bias_ih_l0', shape: [4 * hidden] },
    { name: 'bias_hh_l0', shape: [4 * hidden] },
  ]);
  for (let i = 0; i < store.values.length; i++) store.values[i] = Math.sin(i + 1) * 0.37;
  return store;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

async function expectRejectCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  let thrown: unknown;
  try {
    await p;
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'should have rejected').toBeDefined();
  if (!(isRnnError(thrown) && thrown.code === code)) throw thrown;
  if (message) expect((thrown as Error).message).toMatch(message);
}

function expectThrowCode(f: () => unknown, code: string, message?: RegExp): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'should have thrown').toBeDefined();
  if (!(isRnnError(thrown) && thrown.code === code)) throw thrown;
  if (message) expect((thrown as Error).message).toMatch(message);
}

describe('saveCheckpoint / loadCheckpoint', () => {
  it('round-trips a module, its metadata and optimizer state through a file', async () => {
    const model = makeModel();
    const path = join(dir, 'model.safetensors');
    const config = { inputSize: 4, hiddenSize: 3, numLayers: 1, bidirectional: false, dropout: 0 };
    const optimizerState: StateDict = {
      'exp_avg.weight_ih_l0': { shape: [12, 4], data: new Float32Array(48).fill(0.25) },
      'exp_avg_sq.weight_ih_l0': { shape: [12, 4], data: new Float32Array(48).fill(-0) },
    };
    await saveCheckpoint(path, model, {
      metadata: {
        'rnnkit.config': config,
        'rnnkit.version': '0.1.0',
        'rnnkit.optimizer': { name: 'adam', step: 7, betas: [0.9, 0.999] },
        'rnnkit.trainer': { epoch: 2, bestLoss: null },
        format: 'pt',
      },
      optimizerState,
    });

    const ck = await loadCheckpoint(path);
    expect(Object.keys(ck.tensors).sort()).toEqual(['bias_hh_l0', 'bias_ih_l0', 'weight_hh_l0', 'weight_ih_l0']);
    for (const p of model.parameters()) {
      expect(ck.tensors[p.name]!.shape).toEqual(p.shape);
      expect(sameBits(ck.tensors[p.name]!.data, p.value)).toBe(true);
    }
    expect(ck.metadata).toEqual({
      'rnnkit.config': config,
      'rnnkit.version': '0.1.0',
      'rnnkit.optimizer': { name: 'adam', step: 7, betas: [0.9, 0.999] },
      'rnnkit.trainer': { epoch: 2, bestLoss: null },
      format: 'pt',
    });
    expect(Object.keys(ck.optimizerState).sort()).toEqual(['exp_avg.weight_ih_l0', 'exp_avg_sq.weight_ih_l0']);
    expect(sameBits(ck.optimizerState['exp_avg_sq.weight_ih_l0']!.data, optimizerState['exp_avg_sq.weight_ih_l0']!.data)).toBe(true);

    // On disk it is plain safetensors: JSON metadata as strings, optimizer tensors under the prefix.
    const raw = decodeSafetensors(await readFile(path));
    expect(raw.metadata['rnnkit.config']).toBe(JSON.stringify(config));
    expect(raw.metadata['rnnkit.version']).toBe('"0.1.0"');
    expect(raw.metadata['format']).toBe('pt');
    expect(Object.keys(raw.tensors)).toContain(`${CHECKPOINT_OPTIMIZER_PREFIX}exp_avg.weight_ih_l0`);
  });

  it('leaves no temp file behind, and replaces an existing file', async () => {
    const sub = await mkdtemp(join(dir, 'atomic-'));
    const path = join(sub, 'ck.safetensors');
    await saveCheckpoint(path, makeModel());
    await saveCheckpoint(path, makeModel(2, 1), { metadata: { 'rnnkit.version': '2' } });
    expect(await readdir(sub)).toEqual(['ck.safetensors']);
    const ck = await loadCheckpoint(path);
    expect(ck.tensors['weight_ih_l0']!.shape).toEqual([8, 1]);
    expect(ck.metadata['rnnkit.version']).toBe('2');
  });

  it('runs concurrent saves to one path without clashing temp names', async () => {
    const sub = await mkdtemp(join(dir, 'concurrent-'));
    const path = join(sub, 'ck.safetensors');
    await Promise.all(Array.from({ length: 8 }, (_, i) => saveCheckpoint(path, makeModel(), { metadata: { 'rnnkit.trainer': { i } } })));
    expect(await readdir(sub)).toEqual(['ck.safetensors']);
    const ck = await loadCheckpoint(path);
    expect(ck.metadata['rnnkit.trainer']).toHaveProperty('i');
  });

  it('removes its temp file when the final rename fails', async () => {
    const sub = await mkdtemp(join(dir, 'rename-fails-'));
    const target = join(sub, 'occupied');
    await mkdir(target);
    await writeFile(join(target, 'keep'), 'x'); // a non-empty directory cannot be replaced by a file
    await expect(saveCheckpoint(target, makeModel())).rejects.toThrow();
    expect((await readdir(sub)).sort()).toEqual(['occupied']);
  });

  it('validates before touching the file system', async () => {
    const sub = await mkdtemp(join(dir, 'invalid-'));
    const path = join(sub, 'ck.safetensors');
    await expectRejectCode(saveCheckpoint(path, makeModel(), { metadata: { 'rnnkit.step': 10n } }), 'E_CONFIG', /saveCheckpoint: metadata "rnnkit.step" is not JSON-serializable/);
    await expectRejectCode(saveCheckpoint(path, makeModel(), { metadata: { 'rnnkit.fn': () => 1 } }), 'E_CONFIG', /JSON cannot represent/);
    await expectRejectCode(saveCheckpoint(path, makeModel(), { metadata: { note: 3 } }), 'E_CONFIG', /only keys starting with "rnnkit\."/);
    await expectRejectCode(
      saveCheckpoint(path, { w: { shape: [2], data: new Float32Array(3) } }),
      'E_SHAPE',
      /saveCheckpoint: tensor "w" has 3 values, expected 2/,
    );
    await expectRejectCode(
      saveCheckpoint(path, { 'optim.w': { shape: [1], data: new Float32Array(1) } }),
      'E_CONFIG',
      /"optim\.w" starts with "optim\.", which is reserved/,
    );
    expect(await readdir(sub)).toEqual([]);
  });

  it('rejects with the file system error for a missing directory', async () => {
    await expect(saveCheckpoint(join(dir, 'no', 'such', 'dir', 'x.safetensors'), makeModel())).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(loadCheckpoint(join(dir, 'missing.safetensors'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reports a corrupt file as a FormatError naming the file', async () => {
    const path = join(dir, 'corrupt.safetensors');
    const bytes = checkpointToBytes(makeModel());
    await writeFile(path, bytes.subarray(0, bytes.length - 3));
    await expectRejectCode(loadCheckpoint(path), 'E_FORMAT', /^loadCheckpoint\(".*corrupt\.safetensors"\): .*Is the file truncated\?/);
  });

  it('reports rnnkit.* metadata that is not JSON as a FormatError', () => {
    const bytes = encodeSafetensors({}, { 'rnnkit.config': '{"hiddenSize": 3', other: '{not json either' });
    expectThrowCode(() => checkpointFromBytes(bytes), 'E_FORMAT', /checkpointFromBytes: metadata "rnnkit.config" should hold JSON/);
    // Keys outside the rnnkit namespace stay raw strings.
    expect(checkpointFromBytes(encodeSafetensors({}, { other: '{not json' })).metadata).toEqual({ other: '{not json' });
  });
});

describe('loadStateDictFromFile', () => {
  it('loads values into a module with matching shapes', async () => {
    const path = join(dir, 'load.safetensors');
    const source = makeModel();
    await saveCheckpoint(path, source, { metadata: { 'rnnkit.version': '0.1.0' } });
    const target = makeModel();
    target.values.fill(0);
    const ck = await loadStateDictFromFile(path, target);
    expect(sameBits(target.values, source.values)).toBe(true);
    expect(ck.metadata['rnnkit.version']).toBe('0.1.0');
  });

  it('ignores optimizer state when loading the model', async () => {
    const path = join(dir, 'with-optim.safetensors');
    const optimizerState: StateDict = { 'm.bias_hh_l0': { shape: [12], data: new Float32Array(12) } };
    await saveCheckpoint(path, makeModel(), { optimizerState });
    const target = makeModel();
    await loadStateDictFromFile(path, target); // strict: would fail if optim.* leaked into the model tensors
    expect(sameBits(target.values, makeModel().values)).toBe(true);
  });

  it('throws a ShapeError listing mismatches and leaves the module untouched', async () => {
    const path = join(dir, 'mismatch.safetensors');
    await saveCheckpoint(path, makeModel(3, 4));
    const target = makeModel(3, 5);
    target.values.fill(0.5);
    await expectRejectCode(loadStateDictFromFile(path, target), 'E_SHAPE', /"weight_ih_l0" expected shape \[12, 5\], got \[12, 4\]/);
    expect(target.values.every((v) => v === 0.5)).toBe(true);
  });

  it('treats missing and unexpected tensors as errors unless strict is false', async () => {
    const path = join(dir, 'partial.safetensors');
    const model = makeModel();
    const partial: StateDict = { weight_hh_l0: model.stateDict()['weight_hh_l0']!, extra: { shape: [1], data: new Float32Array(1) } };
    await saveCheckpoint(path, partial);
    const target = makeModel();
    target.values.fill(0);
    await expectRejectCode(loadStateDictFromFile(path, target), 'E_SHAPE', /missing "weight_ih_l0".*unexpected "extra"/);
    await loadStateDictFromFile(path, target, { strict: false });
    const w = target.parameters().find((p) => p.name === 'weight_hh_l0')!;
    expect(sameBits(w.value, model.stateDict()['weight_hh_l0']!.data)).toBe(true);
  });
});

describe('checkpointToBytes / checkpointFromBytes (pure, browser-safe)', () => {
  it('reads the PyTorch fixture: model tensors, raw string metadata', () => {
    const ck = checkpointFromBytes(FIXTURE);
    expect(Object.keys(ck.tensors)).toHaveLength(16);
    expect(ck.optimizerState).toEqual({});
    expect(ck.metadata['format']).toBe('pt');
    expect(typeof ck.metadata['config']).toBe('string');
  });

  it('saves a Module without copying and a state dict the same way', () => {
    const model = makeModel();
    const fromModule = checkpointToBytes(model, { metadata: { 'rnnkit.version': '1' } });
    const fromDict = checkpointToBytes(model.stateDict(), { metadata: { 'rnnkit.version': '1' } });
    expect(Buffer.from(fromModule).equals(Buffer.from(fromDict))).toBe(true);
  });

  it('rejects a module with duplicate parameter names', () => {
    const a = makeModel();
    const dup = { parameters: () => [...a.parameters(), a.parameters()[0]!] };
    expectThrowCode(() => checkpointToBytes(dup), 'E_CONFIG', /two parameters named "weight_ih_l0"/);
  });

  const jsonArb = fc.jsonValue({ maxDepth: 3 });
  const tensorArb = fc
    .array(fc.nat(3), { maxLength: 3 })
    .chain((shape) => {
      const n = shape.reduce((x, y) => x * y, 1);
      return fc.float32Array({ minLength: n, maxLength: n }).map((data) => ({ shape, data }));
    });
  const modelNameArb = fc.string({ maxLength: 6 }).filter((s) => s !== '__metadata__' && !s.startsWith(CHECKPOINT_OPTIMIZER_PREFIX));

  test.prop(
    [
      fc.dictionary(modelNameArb, tensorArb, { maxKeys: 4 }),
      fc.dictionary(fc.string({ maxLength: 6 }), tensorArb, { maxKeys: 3 }),
      fc.dictionary(fc.string({ maxLength: 6 }).map((k) => `rnnkit.${k}`), jsonArb, { maxKeys: 3 }),
      fc.dictionary(fc.string({ maxLength: 6 }).filter((k) => !k.startsWith('rnnkit.')), fc.string({ maxLength: 8 }), { maxKeys: 2 }),
    ],
    { numRuns: 100 },
  )('checkpointFromBytes ∘ checkpointToBytes is the identity', (tensors, optimizerState, jsonMeta, stringMeta) => {
    const metadata = { ...jsonMeta, ...stringMeta };
    const ck = checkpointFromBytes(checkpointToBytes(tensors, { metadata, optimizerState }));
    for (const [dict, back] of [
      [tensors, ck.tensors],
      [optimizerState, ck.optimizerState],
    ] as const) {
      expect(Object.keys(back).sort()).toEqual(Object.keys(dict).sort());
      for (const name of Object.keys(dict)) {
        expect(back[name]!.shape).toEqual(dict[name]!.shape);
        expect(sameBits(back[name]!.data, dict[name]!.data)).toBe(true);
      }
    }
    // JSON drops -0's sign, like any JSON round trip; compare against that.
    expect(ck.metadata).toEqual(JSON.parse(JSON.stringify(metadata)));
  });
});
