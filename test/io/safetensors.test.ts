import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { decodeSafetensors, decodeSafetensorsAs, encodeSafetensors, encodeSafetensorsAs, halfToFloat } from '../../src/io/safetensors.js';
import type { DecodedSafetensors } from '../../src/io/safetensors.js';
import { isRnnError } from '../../src/errors.js';
import type { StateDict } from '../../src/layers/param-store.js';

// Fixtures are read eagerly: a missing file fails the suite instead of skipping it.
const FIXTURE = readFileSync(new URL('../fixtures/safetensors/lstm_2layer_bidir.safetensors', import.meta.url));
const TORCH = JSON.parse(readFileSync(new URL('../fixtures/torch/seq_lstm_2layer_bidir.json', import.meta.url), 'utf8')) as {
  meta: Record<string, unknown>;
  tensors: Record<string, { shape: number[]; data: number[] }>;
};

// ---------------------------------------------------------------------------------------------
// helpers (an independent reader, so the decoder is not checked against itself)

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A file from header text (padded unless told otherwise), data bytes and an optional length override. */
function rawFile(headerText: string, data: Uint8Array = new Uint8Array(0), opts: { length?: bigint; pad?: boolean } = {}): Uint8Array {
  let h = utf8(headerText);
  if (opts.pad !== false) {
    const padded = new Uint8Array(h.length + ((8 - (h.length % 8)) % 8)).fill(0x20);
    padded.set(h);
    h = padded;
  }
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, opts.length ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function rawJsonFile(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  return rawFile(JSON.stringify(header), data);
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const scratch = new DataView(new ArrayBuffer(4));

/** binary16 → float32 by building the float32 bit pattern (normals, inf, NaN) or exact arithmetic (subnormals). */
function refHalf(h: number): number {
  const s = h >>> 15;
  const e = (h >>> 10) & 31;
  const f = h & 1023;
  if (e === 0) return (s ? -1 : 1) * (f / 16777216);
  const bits = e === 31 ? (s << 31) | (0xff << 23) | (f << 13) : (s << 31) | ((e - 15 + 127) << 23) | (f << 13);
  scratch.setUint32(0, bits >>> 0);
  return scratch.getFloat32(0);
}

function refElements(dtype: string, raw: Uint8Array): Float32Array {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case 'F32': {
      // Byte-wise, since a getFloat32 → number → float32 trip may quiet a NaN's payload.
      const out = new Uint32Array(raw.length / 4);
      for (let i = 0; i < out.length; i++) out[i] = dv.getUint32(4 * i, true);
      return new Float32Array(out.buffer);
    }
    case 'F64':
      return Float32Array.from({ length: raw.length / 8 }, (_, i) => dv.getFloat64(8 * i, true));
    case 'F16':
      return Float32Array.from({ length: raw.length / 2 }, (_, i) => refHalf(dv.getUint16(2 * i, true)));
    case 'BF16':
      return new Float32Array(Uint32Array.from({ length: raw.length / 2 }, (_, i) => dv.getUint16(2 * i, true) * 65536).buffer);
    default:
      throw new Error(`test: unexpected dtype ${dtype}`);
  }
}

function sameFloats(dtype: string, a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  // F32 and BF16 must keep every bit (NaN payloads included); converted NaNs only need to be NaN.
  if (dtype === 'F32' || dtype === 'BF16') return sameBytes(bytesOf(a), bytesOf(b));
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * The decode outcome must be either a FormatError, or a result that agrees with an independent
 * reading of the same bytes (header via JSON.parse, data straight from the byte offsets).
 */
function expectFormatErrorOrConsistent(bytes: Uint8Array): 'error' | 'ok' {
  let result: DecodedSafetensors;
  try {
    result = decodeSafetensors(bytes);
  } catch (e) {
    expectFormatError(e);
    return 'error';
  }
  expectConsistent(bytes, result);
  return 'ok';
}

function expectFormatError(e: unknown): void {
  if (!(isRnnError(e) && e.code === 'E_FORMAT' && e.name === 'FormatError')) throw e; // surfaces the real error
  expect((e as Error).message).toMatch(/^decodeSafetensors: /);
}

function expectConsistent(bytes: Uint8Array, result: DecodedSafetensors): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  expect(Object.keys(result.tensors).sort()).toEqual(names.sort());
  let covered = 0;
  for (const name of names) {
    const info = header[name] as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const t = result.tensors[name]!;
    const shape = info.shape.map((d) => d + 0);
    expect(t.shape).toEqual(shape);
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.data.length).toBe(product(shape));
    const [b, e] = info.data_offsets;
    covered += e - b;
    expect(sameFloats(info.dtype, t.data, refElements(info.dtype, bytes.subarray(8 + n + b, 8 + n + e)))).toBe(true);
  }
  expect(8 + n + covered).toBe(bytes.length);
  expect(result.metadata).toEqual((header['__metadata__'] as Record<string, string> | null | undefined) ?? {});
}

function expectDecodeError(bytes: Uint8Array, message?: RegExp): void {
  let thrown: unknown;
  try {
    decodeSafetensors(bytes);
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'decode should have thrown').toBeDefined();
  expectFormatError(thrown);
  if (message) expect((thrown as Error).message).toMatch(message);
}

function expectSameDict(actual: StateDict, expected: StateDict): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const name of Object.keys(expected)) {
    expect(actual[name]!.shape).toEqual([...expected[name]!.shape]);
    expect(sameBytes(bytesOf(actual[name]!.data), bytesOf(expected[name]!.data))).toBe(true);
  }
}

// ---------------------------------------------------------------------------------------------
// the shared PyTorch fixture

describe('decodeSafetensors on the PyTorch nn.LSTM(4, 5, num_layers=2, bidirectional=True) fixture', () => {
  const decoded = decodeSafetensors(FIXTURE);

  it('has exactly the PyTorch state-dict names and shapes', () => {
    const expected: Record<string, number[]> = {};
    for (const layer of [0, 1]) {
      for (const suffix of ['', '_reverse']) {
        const I = layer === 0 ? 4 : 10; // layer 1 reads both directions of layer 0: 2H
        expected[`weight_ih_l${layer}${suffix}`] = [20, I];
        expected[`weight_hh_l${layer}${suffix}`] = [20, 5];
        expected[`bias_ih_l${layer}${suffix}`] = [20];
        expected[`bias_hh_l${layer}${suffix}`] = [20];
      }
    }
    const actual = Object.fromEntries(Object.entries(decoded.tensors).map(([k, v]) => [k, [...v.shape]]));
    expect(actual).toEqual(expected);
  });

  it('holds the float32 rounding of the torch fixture param.* values', () => {
    const params = Object.keys(TORCH.tensors).filter((k) => k.startsWith('param.'));
    expect(params).toHaveLength(16);
    for (const key of params) {
      const ref = TORCH.tensors[key]!;
      const t = decoded.tensors[key.slice('param.'.length)]!;
      expect(t.shape).toEqual(ref.shape);
      expect(t.data).toEqual(Float32Array.from(ref.data.map(Math.fround)));
    }
  });

  it('carries the writer metadata as strings', () => {
    expect(decoded.metadata['format']).toBe('pt');
    expect(decoded.metadata['module']).toBe('LSTM');
    expect(JSON.parse(decoded.metadata['config']!)).toEqual({ inputSize: 4, hiddenSize: 5, numLayers: 2, bidirectional: true });
  });

  it('re-encodes to the same data section and the same tensor entries', () => {
    const again = encodeSafetensors(decoded.tensors, decoded.metadata);
    expect(again.length).toBe(FIXTURE.length);
    const nOld = Number(new DataView(FIXTURE.buffer, FIXTURE.byteOffset).getBigUint64(0, true));
    const nNew = Number(new DataView(again.buffer).getBigUint64(0, true));
    expect(sameBytes(again.subarray(8 + nNew), FIXTURE.subarray(8 + nOld))).toBe(true);
    const hOld = JSON.parse(new TextDecoder().decode(FIXTURE.subarray(8, 8 + nOld))) as Record<string, unknown>;
    const hNew = JSON.parse(new TextDecoder().decode(again.subarray(8, 8 + nNew))) as Record<string, unknown>;
    expect(hNew).toEqual(hOld);
  });
});

// ---------------------------------------------------------------------------------------------
// byte layout

describe('encodeSafetensors byte layout', () => {
  // The same three vectors are asserted by the reference Rust implementation's unit tests.
  it('writes an empty dict as "{}" padded to 8', () => {
    expect([...encodeSafetensors({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  });

  it('puts __metadata__ first and pads with spaces', () => {
    const out = encodeSafetensors({}, { framework: 'pt' });
    expect(out[0]).toBe(40);
    expect(new TextDecoder().decode(out.subarray(8))).toBe('{"__metadata__":{"framework":"pt"}}     ');
  });

  it('writes one tensor as header + little-endian float32 data', () => {
    const out = encodeSafetensors({ 'attn.0': { shape: [1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) } });
    expect([...out.subarray(0, 8)]).toEqual([64, 0, 0, 0, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(out.subarray(8, 72))).toBe('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}');
    expect([...out.subarray(72)]).toEqual([0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64]);
  });

  const nameArb = fc.string({ unit: 'binary', maxLength: 6 }).filter((s) => s !== '__metadata__');
  const tensorArb = fc
    .array(fc.nat(4), { maxLength: 3 })
    .chain((shape) => fc.float32Array({ minLength: product(shape), maxLength: product(shape) }).map((data) => ({ shape, data })));
  const dictArb = fc.dictionary(nameArb, tensorArb, { maxKeys: 6 });
  const metaArb = fc.option(fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 8 }), { maxKeys: 4 }), {
    nil: undefined,
  });

  test.prop([dictArb, metaArb], { numRuns: 150 })('length prefix, padding, metadata first, UTF-8 name order, contiguous offsets', (dict, meta) => {
    const out = encodeSafetensors(dict, meta);
    const dv = new DataView(out.buffer);
    expect(dv.getUint32(4, true)).toBe(0);
    const n = dv.getUint32(0, true);
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(out.subarray(8, 8 + n));
    const trimmed = text.trimEnd();
    expect(text.slice(trimmed.length)).toMatch(/^ {0,7}$/);
    expect(trimmed.endsWith('}')).toBe(true);
    if (meta !== undefined) expect(text.startsWith('{"__metadata__":')).toBe(true);
    const header = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    const names = Object.keys(dict).sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
    let offset = 0;
    for (const name of names) {
      const info = header[name]!;
      expect(info.dtype).toBe('F32');
      expect(info.shape).toEqual(dict[name]!.shape);
      expect(info.data_offsets).toEqual([offset, offset + 4 * dict[name]!.data.length]);
      expect(sameBytes(out.subarray(8 + n + offset, 8 + n + info.data_offsets[1]), bytesOf(dict[name]!.data))).toBe(true);
      offset = info.data_offsets[1];
    }
    expect(out.length).toBe(8 + n + offset);
  });

  // ---------------------------------------------------------------------------------------------
  // round trip

  test.prop([dictArb, metaArb], { numRuns: 200 })('decode ∘ encode is bit-exact (NaN, ±Inf, -0, empty and 0-dim tensors)', (dict, meta) => {
    const back = decodeSafetensors(encodeSafetensors(dict, meta));
    expectSameDict(back.tensors, dict);
    expect(back.metadata).toEqual({ ...(meta ?? {}) });
  });

  it('keeps NaN payloads, -0, infinities, scalars and empty tensors bit-exact', () => {
    const odd = new Float32Array(new Uint32Array([0x7fc00001, 0xffffffff, 0x7f800001, 0x80000000, 0x7f800000, 0xff800000, 1]).buffer);
    const dict: StateDict = {
      odd: { shape: [7], data: odd },
      scalar: { shape: [], data: new Float32Array([-0]) },
      empty: { shape: [3, 0, 2], data: new Float32Array(0) },
      constructor: { shape: [1, 1], data: new Float32Array([6]) },
    };
    Object.defineProperty(dict, '__proto__', { value: { shape: [1], data: new Float32Array([5]) }, enumerable: true });
    const meta = JSON.parse('{"__proto__":"x","ключ":"значение 🎉"}') as Record<string, string>;
    const back = decodeSafetensors(encodeSafetensors(dict, meta));
    expectSameDict(back.tensors, dict);
    expect(Object.keys(back.tensors)).toContain('__proto__');
    expect(Object.getPrototypeOf(back.tensors)).toBe(Object.prototype);
    expect(Object.keys(back.metadata).sort()).toEqual(['__proto__', 'ключ']);
    expect(back.metadata['ключ']).toBe('значение 🎉');
    const portable = encodeSafetensorsAs('encodeSafetensors', dict, meta, false);
    expectSameDict(decodeSafetensorsAs('decodeSafetensors', portable, false).tensors, dict);
  });

  test.prop([dictArb, metaArb], { numRuns: 50 })('the portable DataView path (big-endian hosts) writes and reads the same bytes', (dict, meta) => {
    const fast = encodeSafetensors(dict, meta);
    const portable = encodeSafetensorsAs('encodeSafetensors', dict, meta, false);
    expect(sameBytes(portable, fast)).toBe(true);
    expectSameDict(decodeSafetensorsAs('decodeSafetensors', fast, false).tensors, dict);
  });

  it('reads a Uint8Array view at a non-zero, unaligned byteOffset', () => {
    const file = encodeSafetensors({ w: { shape: [2], data: new Float32Array([1.5, -2]) } });
    const host = new Uint8Array(file.length + 3);
    host.set(file, 3);
    expect([...decodeSafetensors(host.subarray(3)).tensors['w']!.data]).toEqual([1.5, -2]);
  });

  it('rejects bad encoder input with typed errors', () => {
    expect(() => encodeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(/encodeSafetensors: tensor "w" has 3 values, expected 4/);
    expect(() => encodeSafetensors({ w: { shape: [-1], data: new Float32Array(0) } })).toThrow(/non-negative integer/);
    expect(() => encodeSafetensors({ w: { shape: [2], data: [1, 2] as unknown as Float32Array } })).toThrow(/expected a Float32Array/);
    expect(() => encodeSafetensors({ __metadata__: { shape: [], data: new Float32Array(1) } })).toThrow(/reserved/);
    expect(() => encodeSafetensors({ ['a\uD800']: { shape: [], data: new Float32Array(1) } })).toThrow(/surrogate/);
    expect(() => encodeSafetensors({}, { a: 1 as unknown as string })).toThrow(/must be strings/);
    try {
      encodeSafetensors({ w: { shape: [2], data: new Float32Array(3) } });
    } catch (e) {
      expect(isRnnError(e) && e.code).toBe('E_SHAPE');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// other dtypes

describe('decodeSafetensors dtype conversion', () => {
  it('converts every binary16 pattern exactly', () => {
    for (let h = 0; h < 65536; h++) {
      const got = halfToFloat(h);
      const want = refHalf(h);
      if (!Object.is(got, want)) expect([h, got]).toEqual([h, want]);
    }
  });

  it('reads F16, BF16 and F64 tensors as float32', () => {
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00, 0xfc00, 0x7e00]).buffer);
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc000, 0x7f80, 0x8000]).buffer);
    const f64 = new Uint8Array(new Float64Array([0.1, -1e300, 1e-50, 2.5]).buffer);
    const data = new Uint8Array([...f16, ...bf16, ...f64]);
    const file = rawJsonFile(
      {
        h: { dtype: 'F16', shape: [2, 4], data_offsets: [0, 16] },
        b: { dtype: 'BF16', shape: [4], data_offsets: [16, 24] },
        d: { dtype: 'F64', shape: [4, 1], data_offsets: [24, 56] },
      },
      data,
    );
    const { tensors } = decodeSafetensors(file);
    expect([...tensors['h']!.data]).toEqual([1, -2, 65504, 2 ** -24, -0, Infinity, -Infinity, NaN]);
    expect(Object.is(tensors['h']!.data[4], -0)).toBe(true);
    expect([...tensors['b']!.data]).toEqual([1, -2, Infinity, -0]);
    expect([...tensors['d']!.data]).toEqual([Math.fround(0.1), -Infinity, 0, 2.5]);
    expect(tensors['d']!.shape).toEqual([4, 1]);
  });
});

// ---------------------------------------------------------------------------------------------
// malformed input

const WEIGHT = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
const EIGHT = new Uint8Array(8);

describe('decodeSafetensors rejects malformed files with FormatError', () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['empty file', new Uint8Array(0), /at least 8 bytes.*found 0/],
    ['7 bytes', new Uint8Array(7), /at least 8 bytes.*found 7/],
    ['u64 high word set', rawFile('{}', undefined, { length: 1n << 32n }), /header length 4294967296 exceeds/],
    ['u64 max', rawFile('{}', undefined, { length: 0xffff_ffff_ffff_ffffn }), /header length 18446744073709551615 exceeds/],
    ['2^53 + 1', rawFile('{}', undefined, { length: (1n << 53n) + 1n }), /exceeds the 100000000-byte limit/],
    ['just over the cap', rawFile('{}', undefined, { length: 100_000_001n }), /exceeds/],
    ['at the cap, past EOF', rawFile('{}', undefined, { length: 100_000_000n }), /runs past the end of the file/],
    ['length one past EOF', rawFile('{}', undefined, { length: 9n }), /header length 9 runs past the end.*only 8 bytes/],
    ['length 0', rawFile('', undefined, { length: 0n }), /start with "\{", found an empty header/],
    ['array header', rawFile('[]'), /start with "\{", found byte 0x5b/],
    ['leading space', rawFile(' {}'), /found byte 0x20/],
    ['UTF-8 BOM', rawFile('\uFEFF{}'), /found byte 0xef/],
    ['invalid UTF-8', (() => { const f = rawFile('{"\u00e9":1}'); f[10] = 0xff; return f; })(), /not valid UTF-8/],
    ['bad JSON', rawFile('{"a":'), /not valid JSON/],
    ['trailing JSON garbage', rawFile('{} x'), /not valid JSON/],
    ['entry is a number', rawJsonFile({ a: 1 }), /tensor "a": expected \{ dtype, shape, data_offsets \}, found 1/],
    ['entry is null', rawJsonFile({ a: null }), /found null/],
    ['entry is an array', rawJsonFile({ a: [] }), /found an array of length 0/],
    ['missing dtype', rawJsonFile({ a: { shape: [2], data_offsets: [0, 8] } }, EIGHT), /expected a string dtype, found undefined/],
    ['dtype number', rawJsonFile({ a: { ...WEIGHT, dtype: 32 } }, EIGHT), /expected a string dtype, found 32/],
    ['unknown dtype', rawJsonFile({ a: { ...WEIGHT, dtype: 'F31' } }, EIGHT), /unknown dtype "F31"/],
    ['lowercase dtype', rawJsonFile({ a: { ...WEIGHT, dtype: 'f32' } }, EIGHT), /unknown dtype "f32"/],
    ['unsupported dtype', rawJsonFile({ a: { ...WEIGHT, dtype: 'I32' } }, EIGHT), /unsupported dtype "I32"/],
    ['missing shape', rawJsonFile({ a: { dtype: 'F32', data_offsets: [0, 8] } }, EIGHT), /expected shape to be an array/],
    ['shape object', rawJsonFile({ a: { ...WEIGHT, shape: { 0: 2 } } }, EIGHT), /expected shape to be an array of dimensions, found an object/],
    ['negative dim', rawJsonFile({ a: { ...WEIGHT, shape: [-2] } }, EIGHT), /non-negative integer, found -2/],
    ['fractional dim', rawJsonFile({ a: { ...WEIGHT, shape: [1.5] } }, EIGHT), /found 1.5/],
    ['string dim', rawJsonFile({ a: { ...WEIGHT, shape: ['2'] } }, EIGHT), /found "2"/],
    ['null dim', rawJsonFile({ a: { ...WEIGHT, shape: [null] } }, EIGHT), /found null/],
    ['unsafe dim', rawFile('{"a":{"dtype":"F32","shape":[9007199254740993],"data_offsets":[0,8]}}', EIGHT), /non-negative integer/],
    ['1e400 dim', rawFile('{"a":{"dtype":"F32","shape":[1e400],"data_offsets":[0,8]}}', EIGHT), /found Infinity/],
    ['element count overflow', rawJsonFile({ a: { ...WEIGHT, shape: [2 ** 30, 2 ** 30, 2 ** 30] } }, EIGHT), /more elements than can be addressed/],
    ['missing offsets', rawJsonFile({ a: { dtype: 'F32', shape: [2] } }, EIGHT), /data_offsets to be \[begin, end\], found undefined/],
    ['three offsets', rawJsonFile({ a: { ...WEIGHT, data_offsets: [0, 8, 8] } }, EIGHT), /found an array of length 3/],
    ['negative offset', rawJsonFile({ a: { ...WEIGHT, data_offsets: [-8, 0] } }, EIGHT), /two non-negative integers, found \[-8, 0\]/],
    ['fractional offset', rawJsonFile({ a: { ...WEIGHT, data_offsets: [0, 7.5] } }, EIGHT), /found \[0, 7.5\]/],
    ['string offset', rawJsonFile({ a: { ...WEIGHT, data_offsets: ['0', 8] } }, EIGHT), /found \["0", 8\]/],
    ['end before begin', rawJsonFile({ a: { ...WEIGHT, shape: [0], data_offsets: [8, 0] } }, EIGHT), /end before they begin/],
    ['past the data section', rawJsonFile({ a: { ...WEIGHT, data_offsets: [8, 16] } }, EIGHT), /run past the 8-byte data section/],
    ['huge end', rawJsonFile({ a: { ...WEIGHT, data_offsets: [0, 2 ** 52] } }, EIGHT), /run past/],
    ['size mismatch', rawJsonFile({ a: { ...WEIGHT, shape: [3] } }, EIGHT), /F32 shape \[3\] needs 12 bytes, but data_offsets \[0, 8\] span 8/],
    ['F16 size mismatch', rawJsonFile({ a: { ...WEIGHT, dtype: 'F16' } }, EIGHT), /needs 4 bytes/],
    [
      'overlap',
      rawJsonFile({ a: WEIGHT, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, EIGHT),
      /tensor "b" data_offsets \[4, 8\] overlaps tensor "a", which ends at 8/,
    ],
    ['identical offsets', rawJsonFile({ a: WEIGHT, b: WEIGHT }, new Uint8Array(16)), /overlaps/],
    ['hole at start', rawJsonFile({ a: { ...WEIGHT, data_offsets: [4, 12] } }, new Uint8Array(12)), /leaves a hole: the previous tensor ends at 0/],
    [
      'hole between',
      rawJsonFile({ a: { ...WEIGHT, shape: [1], data_offsets: [0, 4] }, b: { ...WEIGHT, shape: [1], data_offsets: [8, 12] } }, new Uint8Array(12)),
      /hole/,
    ],
    ['zero-size tensor inside another', rawJsonFile({ a: WEIGHT, z: { dtype: 'F32', shape: [0], data_offsets: [4, 4] } }, EIGHT), /overlaps|hole/],
    ['trailing byte', rawJsonFile({ a: WEIGHT }, new Uint8Array(9)), /data section has 9 bytes but the tensors cover 8/],
    ['data without tensors', rawJsonFile({}, EIGHT), /has 8 bytes but the tensors cover 0/],
    ['metadata number value', rawJsonFile({ __metadata__: { a: 1 } }), /"__metadata__"\["a"\] to be a string, found 1/],
    ['metadata nested object', rawJsonFile({ __metadata__: { a: { b: 'c' } } }), /found an object/],
    ['metadata array', rawJsonFile({ __metadata__: ['a'] }), /"__metadata__" to be an object of string → string, found an array/],
    ['metadata string', rawJsonFile({ __metadata__: 'pt' }), /found "pt"/],
    ['lone surrogate name', rawFile('{"\\ud800":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}'), /surrogate/],
    ['lone surrogate metadata', rawFile('{"__metadata__":{"a":"\\udc00"}}'), /surrogate/],
    [
      'deeply nested shape',
      rawFile(`{"a":{"dtype":"F32","shape":${'['.repeat(100_000)}${']'.repeat(100_000)},"data_offsets":[0,0]}}`),
      /found an array of length 1/,
    ],
    [
      'deeply nested metadata',
      rawFile(`{"__metadata__":{"a":${'{"b":'.repeat(50_000)}1${'}'.repeat(50_000)}}}`),
      /found an object/,
    ],
  ];

  it.each(cases)('%s', (_label, bytes, message) => {
    expectDecodeError(bytes, message);
  });

  it('rejects a non-Uint8Array argument', () => {
    expectDecodeError(new Float32Array(4) as unknown as Uint8Array, /expected the file as a Uint8Array/);
    expectDecodeError('abc' as unknown as Uint8Array, /found "abc"/);
  });

  it('accepts what the reference reader accepts: null metadata, unpadded header, extra entry fields, zero-size tensors', () => {
    expect(decodeSafetensors(rawJsonFile({ __metadata__: null })).metadata).toEqual({});
    const unpadded = rawFile('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}}', new Uint8Array(new Float32Array([1, 2]).buffer), { pad: false });
    expect([...decodeSafetensors(unpadded).tensors['a']!.data]).toEqual([1, 2]);
    const zeros = rawJsonFile({ z: { dtype: 'F32', shape: [0, 3], data_offsets: [0, 0] }, y: { dtype: 'F64', shape: [0], data_offsets: [0, 0] } });
    const { tensors } = decodeSafetensors(zeros);
    expect(tensors['z']!.shape).toEqual([0, 3]);
    expect(tensors['y']!.data.length).toBe(0);
    expect(decodeSafetensors(rawFile('{}')).tensors).toEqual({});
    expect(Object.keys(decodeSafetensors(rawFile('{"__proto__":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}', new Uint8Array(4))).tensors)).toEqual([
      '__proto__',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// fuzzing

describe('decodeSafetensors fuzzing: a FormatError or a consistent result, nothing else', () => {
  const small = encodeSafetensors(
    {
      b: { shape: [2, 3], data: new Float32Array([1, -2, 3.5, NaN, -0, Infinity]) },
      a: { shape: [], data: new Float32Array([7]) },
      e: { shape: [0, 4], data: new Float32Array(0) },
    },
    { format: 'pt', 'rnnkit.config': '{"hiddenSize":3}' },
  );
  const bases = [FIXTURE as Uint8Array, small];
  const headerEnd = (f: Uint8Array): number => 8 + new DataView(f.buffer, f.byteOffset).getUint32(0, true);

  const mutationArb = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), region: fc.constantFrom('prefix', 'header', 'data', 'any'), bits: fc.array(fc.tuple(fc.nat(), fc.nat(7)), { minLength: 1, maxLength: 4 }) }),
    fc.record({ kind: fc.constant('overwrite' as const), region: fc.constantFrom('prefix', 'header', 'data', 'any'), at: fc.nat(), with: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
    fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
    fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  );

  function regionRange(f: Uint8Array, region: string): [number, number] {
    const h = headerEnd(f);
    if (region === 'prefix') return [0, 8];
    if (region === 'header') return [8, h];
    if (region === 'data') return f.length > h ? [h, f.length] : [0, f.length];
    return [0, f.length];
  }

  test.prop([fc.nat(bases.length - 1), mutationArb], { numRuns: 400 })('mutated valid files', (which, m) => {
    const base = bases[which]!;
    const h = headerEnd(base);
    const f = Uint8Array.from(base);
    let lo = 0;
    switch (m.kind) {
      case 'flip': {
        const [a, b] = regionRange(f, m.region);
        lo = a;
        for (const [pos, bit] of m.bits) f[a + (pos % (b - a))]! ^= 1 << bit;
        break;
      }
      case 'overwrite': {
        const [a, b] = regionRange(f, m.region);
        const at = a + (m.at % (b - a));
        lo = at;
        f.set(m.with.subarray(0, f.length - at), at);
        break;
      }
      case 'truncate':
        expectDecodeError(f.subarray(0, m.keep % f.length));
        return;
      case 'extend': {
        const g = new Uint8Array(f.length + m.extra.length);
        g.set(f);
        g.set(m.extra, f.length);
        expectDecodeError(g);
        return;
      }
    }
    const outcome = expectFormatErrorOrConsistent(f);
    // Data bytes are never validated: a data-only change must decode, with the changed values.
    if (lo >= h && m.kind === 'flip' && m.region === 'data') expect(outcome).toBe('ok');
    if (sameBytes(f, base)) expect(outcome).toBe('ok');
  });

  test.prop([fc.uint8Array({ maxLength: 64 })], { numRuns: 300 })('random bytes', (bytes) => {
    expectFormatErrorOrConsistent(bytes);
  });

  test.prop([fc.nat(80), fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 24 })], { numRuns: 300 })(
    'random header text after a plausible length prefix',
    (len, text, data) => {
      const h = utf8(text);
      const f = new Uint8Array(8 + h.length + data.length);
      new DataView(f.buffer).setUint32(0, len % (h.length + 2), true);
      f.set(h, 8);
      f.set(data, 8 + h.length);
      expectFormatErrorOrConsistent(f);
    },
  );

  // Structured headers: a valid tiling, then (maybe) one targeted corruption.
  const specArb = fc.array(
    fc.record({ dtype: fc.constantFrom('F32', 'F16', 'BF16', 'F64'), shape: fc.array(fc.nat(3), { maxLength: 3 }) }),
    { maxLength: 4 },
  );
  const oddValue = fc.oneof(
    fc.integer({ min: -3, max: 64 }),
    fc.constantFrom<unknown>('F31', 'I32', 'F32', 'BF16', 1.5, null, '3', 2 ** 53, -0, [], {}, true, 1e300),
  );
  const perturbArb = fc.option(
    fc.record({
      target: fc.nat(),
      field: fc.constantFrom('begin', 'end', 'dtype', 'dim', 'shape', 'offsets', 'trailing', 'drop', 'metadata', 'swap'),
      value: oddValue,
    }),
    { nil: undefined },
  );

  test.prop([specArb, perturbArb, fc.integer()], { numRuns: 400 })('valid tilings and single corruptions', (specs, perturb, seed) => {
    const header: Record<string, unknown> = { __metadata__: { k: 'v' } };
    let offset = 0;
    const entries = specs.map((s, i) => {
      const nbytes = product(s.shape) * { F32: 4, F16: 2, BF16: 2, F64: 8 }[s.dtype]!;
      const entry: Record<string, unknown> = { dtype: s.dtype, shape: [...s.shape], data_offsets: [offset, offset + nbytes] };
      header[`t${i}`] = entry;
      offset += nbytes;
      return entry;
    });
    let dataLen = offset;
    if (perturb) {
      const e = entries.length > 0 ? entries[perturb.target % entries.length]! : undefined;
      const v = perturb.value;
      switch (perturb.field) {
        case 'begin':
          if (e) (e['data_offsets'] as unknown[])[0] = v;
          break;
        case 'end':
          if (e) (e['data_offsets'] as unknown[])[1] = v;
          break;
        case 'dtype':
          if (e) e['dtype'] = v;
          break;
        case 'dim':
          if (e) (e['shape'] as unknown[])[perturb.target % 3] = v;
          break;
        case 'shape':
          if (e) e['shape'] = v;
          break;
        case 'offsets':
          if (e) e['data_offsets'] = v;
          break;
        case 'trailing':
          dataLen += typeof v === 'number' && Number.isInteger(v) ? Math.max(-dataLen, Math.min(v, 16)) : 1;
          break;
        case 'drop':
          if (e) delete e['dtype'];
          break;
        case 'metadata':
          header['__metadata__'] = { k: v };
          break;
        case 'swap':
          if (entries.length > 1) {
            const other = entries[(perturb.target + 1) % entries.length]!;
            [e!['data_offsets'], other['data_offsets']] = [other['data_offsets'], e!['data_offsets']];
          }
          break;
      }
    }
    const data = new Uint8Array(dataLen);
    let x = seed | 1;
    for (let i = 0; i < dataLen; i++) data[i] = (x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 24;
    const outcome = expectFormatErrorOrConsistent(rawJsonFile(header, data));
    if (perturb === undefined) expect(outcome).toBe('ok');
  });
});
