/**
 * The small shape-carrying type the public API passes around: a row-major Float32Array plus its
 * shape. Sequences are time-major `[T, B, F]`; one time step is `[B, F]`.
 * @module
 */
import { ShapeError } from './errors.js';
import { allocFloat32, allocInt32 } from './kernel/alloc.js';

/**
 * A row-major float32 tensor.
 * @example
 * ```ts
 * const x: Tensor = tensor([[1, 2], [3, 4]]); // shape [2, 2]
 * ```
 * @category Tensor
 */
export interface Tensor {
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Row-major values; `data.length` equals the product of `shape`. */
  readonly data: Float32Array;
}

/**
 * Nested arrays of numbers, as accepted by {@link tensor}.
 * @category Tensor
 */
export type NestedNumbers = number | readonly NestedNumbers[];

/**
 * Number of elements of a shape (1 for the scalar shape `[]`).
 * @param shape - dimensions.
 * @returns the product of the dimensions.
 * @example
 * ```ts
 * shapeSize([3, 2, 4]); // 24
 * ```
 * @category Tensor
 */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkDims(where: string, what: string, shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${where}: ${what} [${shape.join(', ')}] has a dimension that is not a non-negative integer.`);
    }
  }
}

/**
 * Builds a tensor from nested arrays (shape inferred, must be rectangular) or from flat values
 * with an explicit shape. Values are copied into a fresh buffer.
 * @param values - nested arrays, or a flat array / Float32Array when `shape` is given. A typed
 *   array (or other non-Array array-like) without `shape` becomes a 1-D tensor `[length]`.
 * @param shape - the shape of flat input; must match the element count.
 * @returns a new tensor.
 * @throws ShapeError for ragged nesting, non-numeric entries or a size mismatch.
 * @example
 * ```ts
 * const a = tensor([[1, 2, 3], [4, 5, 6]]);          // [2, 3]
 * const b = tensor(new Float32Array(6), [3, 2]);     // [3, 2]
 * ```
 * @category Tensor
 */
export function tensor(values: NestedNumbers | ArrayLike<number>, shape?: readonly number[]): Tensor {
  if (shape === undefined && typeof values === 'object' && values !== null && !Array.isArray(values)) {
    // A Float32Array is not an Array, so shape inference below would see a bare object.
    const length: unknown = (values as ArrayLike<number>).length;
    if (typeof length === 'number') return tensor(values as ArrayLike<number>, [length]);
  }
  if (shape !== undefined) {
    checkDims('tensor', 'shape', shape);
    if (typeof values === 'number') throw new ShapeError('tensor: with an explicit shape, values must be a flat array.');
    const flat = values as ArrayLike<number>;
    const n = shapeSize(shape);
    if (flat.length !== n) {
      throw new ShapeError(`tensor: ${flat.length} values cannot fill shape [${shape.join(', ')}] (${n} elements).`);
    }
    const data = allocFloat32(n);
    for (let i = 0; i < n; i++) {
      const v = flat[i] as unknown;
      if (typeof v !== 'number') throw new ShapeError(`tensor: value at index ${i} is not a number.`);
      data[i] = v;
    }
    return { shape: [...shape], data };
  }
  const inferred: number[] = [];
  let probe: unknown = values;
  while (Array.isArray(probe)) {
    inferred.push(probe.length);
    probe = probe[0];
  }
  const data = allocFloat32(shapeSize(inferred));
  let k = 0;
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === inferred.length) {
      if (typeof v !== 'number') throw new ShapeError(`tensor: entry ${path || '(root)'} is not a number.`);
      data[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== inferred[depth]) {
      throw new ShapeError(
        `tensor: ragged nesting at ${path || '(root)'}: expected an array of length ${inferred[depth]}, got ${Array.isArray(v) ? 'length ' + v.length : typeof v}.`,
      );
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${path}[${i}]`);
  };
  walk(values, 0, '');
  return { shape: inferred, data };
}

/**
 * A zero-filled tensor of the given shape.
 * @param shape - dimensions (non-negative integers).
 * @returns a new tensor.
 * @example
 * ```ts
 * const h0 = zerosTensor([1, 4, 16]);
 * ```
 * @category Tensor
 */
export function zerosTensor(shape: readonly number[]): Tensor {
  checkDims('zerosTensor', 'shape', shape);
  return { shape: [...shape], data: allocFloat32(shapeSize(shape)) };
}

/**
 * Converts a tensor to nested arrays of numbers (for printing and tests).
 * @param t - the tensor.
 * @returns nested arrays (a number for a scalar shape).
 * @example
 * ```ts
 * toNested(tensor([[1, 2]])); // [[1, 2]]
 * ```
 * @category Tensor
 */
export function toNested(t: Tensor): NestedNumbers {
  let k = 0;
  const build = (depth: number): NestedNumbers => {
    if (depth === t.shape.length) return t.data[k++] as number;
    const out: NestedNumbers[] = [];
    for (let i = 0; i < (t.shape[depth] as number); i++) out.push(build(depth + 1));
    return out;
  };
  return build(0);
}

/**
 * Validates that a value is a tensor whose data length matches its shape.
 * @internal
 */
export function checkTensor(where: string, arg: string, t: unknown): Tensor {
  if (typeof t !== 'object' || t === null || !(t as Tensor).data || !Array.isArray((t as Tensor).shape)) {
    throw new ShapeError(`${where}: ${arg} must be a Tensor { shape, data: Float32Array }, got ${typeof t}.`);
  }
  const tt = t as Tensor;
  if (!(tt.data instanceof Float32Array)) {
    throw new ShapeError(`${where}: ${arg}.data must be a Float32Array.`);
  }
  checkDims(where, `${arg}.shape`, tt.shape);
  const n = shapeSize(tt.shape);
  if (tt.data.length !== n) {
    throw new ShapeError(`${where}: ${arg} has shape [${tt.shape.join(', ')}] (${n} elements) but data of length ${tt.data.length}.`);
  }
  return tt;
}

/**
 * A row-major tensor of integer indices (token ids, class labels), the input of
 * `Embedding.forward` and the targets of `crossEntropy`.
 * @example
 * ```ts
 * const ids: IndexTensor = indexTensor([[3, 1], [4, 1]]); // [T=2, B=2]
 * ```
 * @category Tensor
 */
export interface IndexTensor {
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Row-major int32 values; `data.length` equals the product of `shape`. */
  readonly data: Int32Array;
}

/**
 * Builds an {@link IndexTensor} from nested arrays (shape inferred, must be rectangular) or from
 * flat values with an explicit shape. Values are copied into a fresh Int32Array.
 * @param values - nested arrays of integers, or a flat array / Int32Array when `shape` is given. A
 *   typed array (or other non-Array array-like) without `shape` becomes a 1-D tensor `[length]`.
 * @param shape - the shape of flat input; must match the element count.
 * @returns a new index tensor.
 * @throws ShapeError for ragged nesting, a size mismatch, or an entry that is not an integer in
 *   the int32 range (the message names its position).
 * @example
 * ```ts
 * const labels = indexTensor([2, 0, 1]);                     // [3]
 * const ids = indexTensor(new Int32Array([5, 6, 7, 8]), [2, 2]); // [T=2, B=2]
 * ```
 * @category Tensor
 */
export function indexTensor(values: NestedNumbers | ArrayLike<number>, shape?: readonly number[]): IndexTensor {
  if (shape === undefined && typeof values === 'object' && values !== null && !Array.isArray(values)) {
    const length: unknown = (values as ArrayLike<number>).length;
    if (typeof length === 'number') return indexTensor(values as ArrayLike<number>, [length]);
  }
  if (shape !== undefined) {
    checkDims('indexTensor', 'shape', shape);
    if (typeof values === 'number') throw new ShapeError('indexTensor: with an explicit shape, values must be a flat array.');
    const flat = values as ArrayLike<number>;
    const n = shapeSize(shape);
    if (flat.length !== n) {
      throw new ShapeError(`indexTensor: ${flat.length} values cannot fill shape [${shape.join(', ')}] (${n} elements).`);
    }
    const data = allocInt32(n);
    for (let i = 0; i < n; i++) data[i] = checkIndexValue(flat[i], `index ${i}`);
    return { shape: [...shape], data };
  }
  const inferred: number[] = [];
  let probe: unknown = values;
  while (Array.isArray(probe)) {
    inferred.push(probe.length);
    probe = probe[0];
  }
  const data = allocInt32(shapeSize(inferred));
  let k = 0;
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === inferred.length) {
      data[k++] = checkIndexValue(v, `entry ${path || '(root)'}`);
      return;
    }
    if (!Array.isArray(v) || v.length !== inferred[depth]) {
      throw new ShapeError(
        `indexTensor: ragged nesting at ${path || '(root)'}: expected an array of length ${inferred[depth]}, got ${Array.isArray(v) ? 'length ' + v.length : typeof v}.`,
      );
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${path}[${i}]`);
  };
  walk(values, 0, '');
  return { shape: inferred, data };
}

function checkIndexValue(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
    throw new ShapeError(`indexTensor: ${where} is ${typeof v === 'number' ? String(v) : typeof v}, expected an integer in the int32 range.`);
  }
  return v;
}

/**
 * Validates that a value is an index tensor whose data length matches its shape. An
 * `Int32Array` is trusted to hold integers; any other array-like `data` (a plain JavaScript caller
 * may pass one) is checked entry by entry and copied, so callers can always read `data` as int32.
 * @internal
 */
export function checkIndexTensor(where: string, arg: string, t: unknown, expected: string = 'an integer index'): IndexTensor {
  if (typeof t !== 'object' || t === null || !Array.isArray((t as IndexTensor).shape) || typeof (t as IndexTensor).data !== 'object') {
    throw new ShapeError(`${where}: ${arg} must be an IndexTensor { shape, data: Int32Array }, got ${typeof t}. Build one with indexTensor(values, shape).`);
  }
  const tt = t as { readonly shape: readonly number[]; readonly data: ArrayLike<unknown> };
  checkDims(where, `${arg}.shape`, tt.shape);
  const n = shapeSize(tt.shape);
  if (typeof tt.data.length !== 'number' || tt.data.length !== n) {
    throw new ShapeError(`${where}: ${arg} has shape [${tt.shape.join(', ')}] (${n} elements) but data of length ${String(tt.data.length)}.`);
  }
  if (tt.data instanceof Int32Array) return tt as IndexTensor;
  const data = allocInt32(n);
  for (let i = 0; i < n; i++) {
    const v = tt.data[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
      throw new ShapeError(
        `${where}: ${arg}[${unravel(i, tt.shape).join(', ')}] is ${typeof v === 'number' ? String(v) : typeof v}, expected ${expected}. Build ${arg} with indexTensor(values, shape).`,
      );
    }
    data[i] = v;
  }
  return { shape: tt.shape, data };
}

/**
 * The multi-index of flat position `i` in a row-major `shape` (for error messages).
 * @internal
 */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx: number[] = new Array<number>(shape.length).fill(0);
  let r = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d] as number;
    idx[d] = n > 0 ? r % n : 0;
    r = n > 0 ? Math.floor(r / n) : 0;
  }
  return idx;
}
