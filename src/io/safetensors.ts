/**
 * The safetensors format (Hugging Face), byte level: pure functions from a {@link StateDict} to a
 * `Uint8Array` and back, with no Node imports, so they run in browsers too.
 *
 * Layout:
 * ```
 * [0, 8)          u64 little-endian N, the header length in bytes
 * [8, 8 + N)      UTF-8 JSON object, padded with spaces to a multiple of 8:
 *                   { "__metadata__": { str: str },
 *                     name: { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, … }
 * [8 + N, EOF)    the data section; offsets are relative to its start; raw little-endian, row-major
 * ```
 *
 * The decoder applies the reference library's rules (huggingface/safetensors `read_metadata` and
 * `Metadata::validate`) and checks every header field before it allocates or reads tensor data:
 * the header is at most 100 MB and fits in the file, it starts with `{` and is valid UTF-8 JSON,
 * offsets are contiguous from 0 with no overlap and no hole, the last one ends exactly at the end of
 * the file, and each tensor spans `product(shape) · itemsize` bytes. So the memory it allocates is
 * bounded by the input size (at most 2× for 16-bit dtypes). Every malformed input raises a
 * {@link FormatError}.
 * @module
 */
import { ConfigError, FormatError, ShapeError } from '../errors.js';
import { allocFloat32 } from '../kernel/alloc.js';
import type { StateDict } from '../layers/param-store.js';

/**
 * The result of {@link decodeSafetensors}.
 * @category IO
 */
export interface DecodedSafetensors {
  /** Every tensor, converted to float32, in data-offset order. */
  readonly tensors: StateDict;
  /** The `__metadata__` string map (empty when the file has none). */
  readonly metadata: Record<string, string>;
}

/** Same cap as the reference implementation (`MAX_HEADER_SIZE`). @internal */
const MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = '__metadata__';

/** A lone (unpaired) UTF-16 surrogate: it has no UTF-8 encoding, and serde_json rejects its escape. @internal */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The dtypes of the format; the first four are read (converted to float32). @internal */
const KNOWN_DTYPES =
  'F32, F64, F16, BF16 (supported); BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, I32, U32, I64, U64 (not supported)';

/**
 * Bytes per element of a dtype rnnkit reads; 0 for a dtype of the format it does not read; -1 for
 * a string that is not a safetensors dtype at all.
 * @internal
 */
function itemSize(dtype: string): number {
  switch (dtype) {
    case 'F32':
      return 4;
    case 'F64':
      return 8;
    case 'F16':
    case 'BF16':
      return 2;
    case 'BOOL':
    case 'U8':
    case 'I8':
    case 'F8_E5M2':
    case 'F8_E4M3':
    case 'I16':
    case 'U16':
    case 'I32':
    case 'U32':
    case 'I64':
    case 'U64':
      return 0;
    default:
      return -1;
  }
}

/** True on little-endian hosts, where Float32Array bytes are already in file order. @internal */
function hostIsLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/**
 * Orders strings by Unicode code point, which is the byte order of their UTF-8 encodings (Rust's
 * `String` order, used by the reference writer), unlike JS's default UTF-16 unit order.
 * @internal
 */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate encodes a code point ≥ U+10000, above every BMP unit, including U+E000–U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** A short, safe-to-print description of an untrusted value (never recurses). @internal */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  switch (typeof v) {
    case 'string':
      return quote(v);
    case 'number':
    case 'boolean':
      return String(v);
    case 'object':
      return 'an object';
    default:
      return typeof v;
  }
}

/** Quotes a (possibly huge) name for a message. @internal */
function quote(s: string): string {
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);
}

/** Defines an own enumerable property, so names such as `__proto__` stay plain keys. @internal */
function setOwn<V>(target: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Encodes float32 tensors and string metadata as a safetensors file.
 *
 * Tensors are laid out in name order (Unicode code point order, as the reference writer does for a
 * single dtype), `__metadata__` comes first in the header when given, and the header is padded with
 * spaces to a multiple of 8 so the data section is 8-byte aligned. Data is written little-endian on
 * every host. The output reads back bit-exactly (NaN payloads, `-0` and infinities included) with
 * {@link decodeSafetensors}, and is readable by `safetensors.torch.load_file`.
 * @param tensors - name → `{ shape, data }`; `data.length` must equal the product of `shape`
 *   (`[]` is a scalar of one element, any 0 dimension an empty tensor).
 * @param metadata - optional string → string map, stored as `__metadata__`.
 * @returns the file bytes.
 * @throws ShapeError when a tensor has a bad shape, non-Float32Array data, or a size mismatch.
 * @throws ConfigError for the reserved name `__metadata__`, a non-string metadata value, or a name
 *   containing an unpaired UTF-16 surrogate (it has no UTF-8 encoding).
 * @example
 * ```ts
 * const bytes = encodeSafetensors(
 *   { weight: { shape: [2, 3], data: new Float32Array(6) } },
 *   { format: 'pt' },
 * );
 * ```
 * @category IO
 */
export function encodeSafetensors(tensors: StateDict, metadata?: Readonly<Record<string, string>>): Uint8Array {
  return encodeSafetensorsAs('encodeSafetensors', tensors, metadata);
}

/**
 * {@link encodeSafetensors} with the public function name used in messages.
 * @param where - public function name for messages.
 * @param tensors - as in {@link encodeSafetensors}.
 * @param metadata - as in {@link encodeSafetensors}.
 * @param little - whether the host is little-endian (tests force the portable DataView path).
 * @returns the file bytes.
 * @internal
 */
export function encodeSafetensorsAs(
  where: string,
  tensors: StateDict,
  metadata: Readonly<Record<string, string>> | undefined,
  little: boolean = hostIsLittleEndian(),
): Uint8Array {
  if (typeof tensors !== 'object' || tensors === null) {
    throw new ConfigError(`${where}: tensors must be an object of name → { shape, data }, got ${describe(tensors)}.`);
  }
  const names = Object.keys(tensors).sort(compareCodePoints);
  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`"${METADATA_KEY}":${metadataJson(where, metadata)}`);
  const sizes: number[] = [];
  let offset = 0;
  for (const name of names) {
    if (name === METADATA_KEY) {
      throw new ConfigError(`${where}: "${METADATA_KEY}" is reserved by the format and cannot name a tensor; pass metadata as the second argument.`);
    }
    if (LONE_SURROGATE.test(name)) {
      throw new ConfigError(`${where}: tensor name ${quote(name)} contains an unpaired UTF-16 surrogate, which has no UTF-8 encoding.`);
    }
    const t = tensors[name] as { shape?: unknown; data?: unknown } | undefined;
    if (typeof t !== 'object' || t === null) throw new ShapeError(`${where}: tensor ${quote(name)} must be { shape, data }, got ${describe(t)}.`);
    const shape = t.shape;
    if (!Array.isArray(shape)) throw new ShapeError(`${where}: tensor ${quote(name)} has shape ${describe(shape)}, expected an array of dimensions.`);
    let count = 1;
    for (const d of shape as unknown[]) {
      if (!Number.isSafeInteger(d) || (d as number) < 0) {
        throw new ShapeError(`${where}: tensor ${quote(name)} has shape [${shape.join(', ')}]; every dimension must be a non-negative integer.`);
      }
      count *= d as number;
    }
    if (!(t.data instanceof Float32Array)) {
      throw new ShapeError(`${where}: tensor ${quote(name)} has data ${describe(t.data)}, expected a Float32Array.`);
    }
    if (t.data.length !== count) {
      throw new ShapeError(`${where}: tensor ${quote(name)} has ${t.data.length} values, expected ${count} for shape [${shape.join(', ')}].`);
    }
    const nbytes = 4 * count;
    parts.push(`${JSON.stringify(name)}:{"dtype":"F32","shape":[${shape.join(',')}],"data_offsets":[${offset},${offset + nbytes}]}`);
    sizes.push(nbytes);
    offset += nbytes;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLen = json.length + ((8 - (json.length % 8)) % 8);
  const dataStart = 8 + headerLen;
  const out = new Uint8Array(dataStart + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLen % 0x1_0000_0000, true);
  view.setUint32(4, Math.floor(headerLen / 0x1_0000_0000), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, dataStart);
  let pos = dataStart;
  for (let k = 0; k < names.length; k++) {
    const data = (tensors[names[k] as string] as { data: Float32Array }).data;
    if (little) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
    } else {
      // Through the bits, not setFloat32: a float32 → number trip may quiet a NaN's payload.
      const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
      for (let i = 0; i < bits.length; i++) view.setUint32(pos + 4 * i, bits[i] as number, true);
    }
    pos += sizes[k] as number;
  }
  return out;
}

/** Validates and serializes the metadata map, keeping its key order. @internal */
function metadataJson(where: string, metadata: Readonly<Record<string, string>>): string {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new ConfigError(`${where}: metadata must be an object of string → string, got ${describe(metadata)}.`);
  }
  const entries: string[] = [];
  for (const key of Object.keys(metadata)) {
    const value: unknown = metadata[key];
    if (typeof value !== 'string') {
      throw new ConfigError(`${where}: metadata[${quote(key)}] is ${describe(value)}; safetensors metadata values must be strings (JSON.stringify it first).`);
    }
    if (LONE_SURROGATE.test(key) || LONE_SURROGATE.test(value)) {
      throw new ConfigError(`${where}: metadata[${quote(key)}] contains an unpaired UTF-16 surrogate, which has no UTF-8 encoding.`);
    }
    entries.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
  }
  return `{${entries.join(',')}}`;
}

/** One validated header entry. @internal */
interface HeaderEntry {
  readonly name: string;
  readonly dtype: string;
  readonly size: number; // bytes per element
  readonly shape: number[];
  readonly count: number; // product(shape)
  readonly begin: number; // relative to the data section
  readonly end: number;
}

/**
 * Decodes a safetensors file into float32 tensors and its string metadata.
 *
 * F32 is copied bit-exactly; F64, F16 and BF16 are converted to the nearest float32 (F16 and BF16
 * exactly). Other dtypes are rejected. Unknown fields inside a tensor entry are ignored, as the
 * reference reader does; `"__metadata__": null` counts as no metadata.
 * @param bytes - the whole file.
 * @returns `{ tensors, metadata }`; tensors come in data-offset order.
 * @throws FormatError for any malformed input: shorter than 8 bytes, a header length over 100 MB
 *   or past the end of the file, a header that does not start with `{` or is not UTF-8 JSON, a
 *   tensor entry with a missing or bad dtype, shape or data_offsets, a byte span that does not
 *   match `product(shape) · itemsize`, offsets that overlap, leave a hole or do not end exactly at
 *   the end of the file, or a metadata value that is not a string. Nothing else is thrown.
 * @example
 * ```ts
 * const { tensors, metadata } = decodeSafetensors(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 * lstm.loadStateDict(tensors);
 * ```
 * @category IO
 */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  return decodeSafetensorsAs('decodeSafetensors', bytes);
}

/**
 * {@link decodeSafetensors} with the public function name used in messages.
 * @param where - public function name for messages.
 * @param bytes - the whole file.
 * @param little - whether the host is little-endian (tests force the portable DataView path).
 * @returns `{ tensors, metadata }`.
 * @internal
 */
export function decodeSafetensorsAs(where: string, bytes: Uint8Array, little: boolean = hostIsLittleEndian()): DecodedSafetensors {
  if (!(bytes instanceof Uint8Array)) {
    throw new FormatError(`${where}: expected the file as a Uint8Array, found ${describe(bytes)}.`);
  }
  const size = bytes.byteLength;
  if (size < 8) {
    throw new FormatError(`${where}: expected at least 8 bytes (the u64 header length), found ${size}. Is the file empty or truncated?`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  if (hi !== 0 || lo > MAX_HEADER_BYTES) {
    const n = (BigInt(hi) << 32n) | BigInt(lo);
    throw new FormatError(`${where}: header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit. Is this a safetensors file?`);
  }
  const headerLen = lo;
  const dataStart = 8 + headerLen;
  if (dataStart > size) {
    throw new FormatError(
      `${where}: header length ${headerLen} runs past the end of the file (only ${size - 8} bytes follow the length). Is the file truncated?`,
    );
  }
  if (headerLen === 0 || bytes[8] !== 0x7b) {
    const found = headerLen === 0 ? 'an empty header' : `byte 0x${(bytes[8] as number).toString(16).padStart(2, '0')}`;
    throw new FormatError(`${where}: expected the JSON header to start with "{", found ${found}.`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    throw new FormatError(`${where}: the ${headerLen}-byte header is not valid UTF-8.`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    const reason = e instanceof Error ? e.message.slice(0, 200) : 'unparsable';
    throw new FormatError(`${where}: the header is not valid JSON (${reason}).`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new FormatError(`${where}: expected the header to be a JSON object, found ${describe(header)}.`);
  }

  const dataLen = size - dataStart;
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  const record = header as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (name === METADATA_KEY) {
      readMetadata(where, value, metadata);
      continue;
    }
    entries.push(readEntry(where, name, value, dataLen));
  }

  // The reference reader's rule: sorted by offsets, tensors tile [0, dataLen) exactly.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  let previous: HeaderEntry | undefined;
  for (const e of entries) {
    if (e.begin !== expected) {
      const what =
        e.begin < expected
          ? `overlaps tensor ${quote((previous as HeaderEntry).name)}, which ends at ${expected}`
          : `leaves a hole: the previous tensor ends at ${expected}`;
      throw new FormatError(`${where}: tensor ${quote(e.name)} data_offsets [${e.begin}, ${e.end}] ${what}. Tensors must tile the data section with no gaps or overlaps.`);
    }
    expected = e.end;
    previous = e;
  }
  if (expected !== dataLen) {
    throw new FormatError(
      `${where}: the data section has ${dataLen} bytes but the tensors cover ${expected}; expected the last data_offsets to end exactly at the end of the file (trailing or missing bytes).`,
    );
  }

  const tensors: StateDict = {};
  for (const e of entries) {
    setOwn<StateDict[string]>(tensors, e.name, { shape: e.shape, data: readData(view, bytes, dataStart + e.begin, e, little) });
  }
  return { tensors, metadata };
}

/** Validates `__metadata__` and copies its entries into `out`. @internal */
function readMetadata(where: string, value: unknown, out: Record<string, string>): void {
  if (value === null) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new FormatError(`${where}: expected "${METADATA_KEY}" to be an object of string → string, found ${describe(value)}.`);
  }
  const meta = value as Record<string, unknown>;
  for (const key of Object.keys(meta)) {
    const v = meta[key];
    if (typeof v !== 'string') {
      throw new FormatError(`${where}: expected "${METADATA_KEY}"[${quote(key)}] to be a string, found ${describe(v)}.`);
    }
    if (LONE_SURROGATE.test(key) || LONE_SURROGATE.test(v)) {
      throw new FormatError(`${where}: "${METADATA_KEY}"[${quote(key)}] contains an unpaired UTF-16 surrogate escape.`);
    }
    setOwn(out, key, v);
  }
}

/** Validates one tensor entry of the header (no data is touched). @internal */
function readEntry(where: string, name: string, value: unknown, dataLen: number): HeaderEntry {
  const at = `${where}: tensor ${quote(name)}`;
  if (LONE_SURROGATE.test(name)) throw new FormatError(`${at}: the name contains an unpaired UTF-16 surrogate escape.`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FormatError(`${at}: expected { dtype, shape, data_offsets }, found ${describe(value)}.`);
  }
  const info = value as Record<string, unknown>;
  const dtype = Object.hasOwn(info, 'dtype') ? info['dtype'] : undefined;
  if (typeof dtype !== 'string') throw new FormatError(`${at}: expected a string dtype, found ${describe(dtype)}.`);
  const size = itemSize(dtype);
  if (size <= 0) {
    throw new FormatError(`${at}: ${size === 0 ? 'unsupported' : 'unknown'} dtype ${quote(dtype)}; dtypes: ${KNOWN_DTYPES}.`);
  }

  const rawShape = Object.hasOwn(info, 'shape') ? info['shape'] : undefined;
  if (!Array.isArray(rawShape)) throw new FormatError(`${at}: expected shape to be an array of dimensions, found ${describe(rawShape)}.`);
  const shape: number[] = [];
  let count = 1;
  for (const d of rawShape as unknown[]) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new FormatError(`${at}: expected every shape dimension to be a non-negative integer, found ${describe(d)}.`);
    }
    shape.push(d === 0 ? 0 : d); // normalizes -0
    count *= d;
  }
  if (!Number.isSafeInteger(count) || !Number.isSafeInteger(count * size)) {
    throw new FormatError(`${at}: shape [${shape.join(', ')}] has more elements than can be addressed.`);
  }
  const nbytes = count * size;

  const offsets = Object.hasOwn(info, 'data_offsets') ? info['data_offsets'] : undefined;
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    throw new FormatError(`${at}: expected data_offsets to be [begin, end], found ${describe(offsets)}.`);
  }
  const begin: unknown = offsets[0];
  const end: unknown = offsets[1];
  if (typeof begin !== 'number' || typeof end !== 'number' || !Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end < 0) {
    throw new FormatError(`${at}: expected data_offsets to be two non-negative integers, found [${describe(begin)}, ${describe(end)}].`);
  }
  if (end < begin) throw new FormatError(`${at}: data_offsets [${begin}, ${end}] end before they begin.`);
  if (end > dataLen) {
    throw new FormatError(`${at}: data_offsets [${begin}, ${end}] run past the ${dataLen}-byte data section. Is the file truncated?`);
  }
  if (end - begin !== nbytes) {
    throw new FormatError(
      `${at}: ${dtype} shape [${shape.join(', ')}] needs ${nbytes} bytes, but data_offsets [${begin}, ${end}] span ${end - begin}.`,
    );
  }
  return { name, dtype, size, shape, count, begin, end };
}

/** Reads one validated tensor as float32 (the only place data is allocated). @internal */
function readData(view: DataView, bytes: Uint8Array, start: number, e: HeaderEntry, little: boolean): Float32Array {
  const n = e.count;
  const out = allocFloat32(n);
  switch (e.dtype) {
    case 'F32':
      if (little) {
        new Uint8Array(out.buffer, out.byteOffset, 4 * n).set(bytes.subarray(start, start + 4 * n));
      } else {
        // Through the bits, not getFloat32, to keep NaN payloads.
        const bits = new Uint32Array(out.buffer, out.byteOffset, n);
        for (let i = 0; i < n; i++) bits[i] = view.getUint32(start + 4 * i, true);
      }
      break;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(start + 8 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(start + 2 * i, true));
      break;
    case 'BF16': {
      // bfloat16 is the top half of a float32: shift the bits into place (same host order as `out`).
      const bits = new Uint32Array(out.buffer, out.byteOffset, n);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(start + 2 * i, true) << 16;
      break;
    }
  }
  return out;
}

/**
 * IEEE 754 binary16 bits → number (exact; every half is a float32).
 * @param h - the 16 bits.
 * @returns the value.
 * @internal
 */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}
