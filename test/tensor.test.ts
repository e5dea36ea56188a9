import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ShapeError, isRnnError } from '../src/errors.js';
import { checkTensor, shapeSize, tensor, toNested, zerosTensor } from '../src/tensor.js';
import type { NestedNumbers, Tensor } from '../src/tensor.js';

function shapeErrorOf(fn: () => unknown): ShapeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ShapeError);
    expect(isRnnError(e)).toBe(true);
    expect((e as ShapeError).code).toBe('E_SHAPE');
    return e as ShapeError;
  }
  throw new Error('expected a ShapeError');
}

describe('shapeSize', () => {
  it('multiplies dimensions; the scalar shape has one element', () => {
    expect(shapeSize([3, 2, 4])).toBe(24);
    expect(shapeSize([5])).toBe(5);
    expect(shapeSize([])).toBe(1);
    expect(shapeSize([3, 0, 2])).toBe(0);
  });
});

describe('tensor from nested arrays', () => {
  it('infers the shape and lays data out row-major', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.data).toBeInstanceOf(Float32Array);
    expect([...t.data]).toEqual([1, 2, 3, 4, 5, 6]);
    const u = tensor([
      [[1], [2]],
      [[3], [4]],
      [[5], [6]],
    ]);
    expect(u.shape).toEqual([3, 2, 1]);
    expect([...u.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('handles scalars, vectors and empty dimensions', () => {
    expect(tensor(7)).toEqual({ shape: [], data: new Float32Array([7]) });
    expect(tensor([1, 2]).shape).toEqual([2]);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
    expect(tensor([[], []]).data.length).toBe(0);
  });

  it('rounds to float32 and keeps NaN / Infinity', () => {
    const t = tensor([0.1, Number.NaN, -Infinity]);
    expect(t.data[0]).toBe(Math.fround(0.1));
    expect(Number.isNaN(t.data[1])).toBe(true);
    expect(t.data[2]).toBe(-Infinity);
  });

  it('copies its input', () => {
    const rows = [
      [1, 2],
      [3, 4],
    ];
    const t = tensor(rows);
    rows[0]![0] = 99;
    expect(t.data[0]).toBe(1);
  });

  it('rejects ragged nesting with a ShapeError naming the path', () => {
    const e = shapeErrorOf(() =>
      tensor([
        [1, 2],
        [3, 4, 5],
      ]),
    );
    expect(e.message).toBe('tensor: ragged nesting at [1]: expected an array of length 2, got length 3.');

    const deep = shapeErrorOf(() =>
      tensor([
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8, 9],
        ],
      ]),
    );
    expect(deep.message).toContain('[1][1]');
    expect(deep.message).toContain('expected an array of length 2, got length 3');

    const short = shapeErrorOf(() => tensor([[1, 2], []]));
    expect(short.message).toContain('at [1]');

    const mixed = shapeErrorOf(() => tensor([[1, 2], 3] as unknown as NestedNumbers));
    expect(mixed.message).toBe('tensor: ragged nesting at [1]: expected an array of length 2, got number.');
  });

  it('rejects non-numeric entries naming the path', () => {
    expect(shapeErrorOf(() => tensor([[1, 'a']] as unknown as NestedNumbers)).message).toBe('tensor: entry [0][1] is not a number.');
    expect(shapeErrorOf(() => tensor([1, [2]] as unknown as NestedNumbers)).message).toBe('tensor: entry [1] is not a number.');
    expect(shapeErrorOf(() => tensor('x' as unknown as NestedNumbers)).message).toBe('tensor: entry (root) is not a number.');
  });
});

describe('tensor from flat values and a shape', () => {
  it('copies flat arrays and typed arrays', () => {
    const src = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = tensor(src, [3, 2]);
    expect(t.shape).toEqual([3, 2]);
    expect([...t.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.data).not.toBe(src);
    src[0] = 42;
    expect(t.data[0]).toBe(1);
    expect([...tensor([1, 2, 3, 4], [2, 2]).data]).toEqual([1, 2, 3, 4]);
    expect(tensor([], [0, 5]).shape).toEqual([0, 5]);
    expect(tensor([3], []).shape).toEqual([]);
  });

  it('does not keep a reference to the caller shape array', () => {
    const shape = [2, 2];
    const t = tensor([1, 2, 3, 4], shape);
    shape[0] = 9;
    expect(t.shape).toEqual([2, 2]);
  });

  it('a typed array without a shape becomes 1-D', () => {
    const t = tensor(new Float32Array([1, 2, 3]));
    expect(t.shape).toEqual([3]);
    expect([...t.data]).toEqual([1, 2, 3]);
    expect(tensor(new Int32Array(0)).shape).toEqual([0]);
  });

  it('rejects a size mismatch with a ShapeError giving both sizes', () => {
    const e = shapeErrorOf(() => tensor([1, 2, 3, 4, 5], [2, 3]));
    expect(e.message).toBe('tensor: 5 values cannot fill shape [2, 3] (6 elements).');
    expect(e.message).toContain('5');
    expect(e.message).toContain('6');
  });

  it('rejects bad shapes and non-numeric values', () => {
    expect(shapeErrorOf(() => tensor([1, 2], [-1, -2])).message).toBe('tensor: shape [-1, -2] has a dimension that is not a non-negative integer.');
    expect(shapeErrorOf(() => tensor([1, 2], [2.5])).message).toContain('not a non-negative integer');
    expect(shapeErrorOf(() => tensor(3, [1])).message).toBe('tensor: with an explicit shape, values must be a flat array.');
    expect(shapeErrorOf(() => tensor([1, 'x'] as unknown as number[], [2])).message).toBe('tensor: value at index 1 is not a number.');
  });
});

describe('zerosTensor', () => {
  it('allocates a zero-filled tensor of the shape', () => {
    const t = zerosTensor([2, 3, 4]);
    expect(t.shape).toEqual([2, 3, 4]);
    expect(t.data.length).toBe(24);
    expect(t.data.every((x) => x === 0)).toBe(true);
    expect(zerosTensor([]).data.length).toBe(1);
    expect(zerosTensor([0, 4]).data.length).toBe(0);
  });

  it('rejects negative and fractional dimensions', () => {
    expect(shapeErrorOf(() => zerosTensor([2, -1])).message).toBe('zerosTensor: shape [2, -1] has a dimension that is not a non-negative integer.');
    expect(shapeErrorOf(() => zerosTensor([1.5])).message).toContain('zerosTensor');
  });
});

describe('toNested', () => {
  it('inverts tensor() for nested input', () => {
    const nested = [
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ];
    expect(toNested(tensor(nested))).toEqual(nested);
    expect(toNested(tensor(2.5))).toBe(2.5);
    expect(toNested(tensor([]))).toEqual([]);
    expect(toNested(tensor([[], []]))).toEqual([[], []]);
    expect(toNested(tensor([1, 2, 3, 4, 5, 6], [3, 1, 2]))).toEqual([[[1, 2]], [[3, 4]], [[5, 6]]]);
  });

  propTest.prop(
    [
      fc
        .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 })
        .chain((shape) =>
          fc.tuple(
            fc.constant(shape),
            fc.array(fc.float({ noNaN: true }), { minLength: shapeSize(shape), maxLength: shapeSize(shape) }),
          ),
        ),
    ],
    { numRuns: 100, seed: 424242 },
  )('tensor(toNested(t)) reproduces shape and bits', ([shape, values]) => {
    const t = tensor(values, shape);
    const back = tensor(toNested(t));
    expect(back.shape).toEqual(shape);
    expect(new Uint32Array(back.data.buffer)).toEqual(new Uint32Array(t.data.buffer));
  });
});

describe('checkTensor', () => {
  it('returns a valid tensor unchanged', () => {
    const t = tensor([[1, 2]]);
    expect(checkTensor('Fn', 'x', t)).toBe(t);
    const empty: Tensor = { shape: [0, 3], data: new Float32Array(0) };
    expect(checkTensor('Fn', 'x', empty)).toBe(empty);
  });

  it('rejects non-tensors, wrong dtypes and length mismatches, naming function and argument', () => {
    expect(shapeErrorOf(() => checkTensor('LSTM.forward', 'input', null)).message).toBe(
      'LSTM.forward: input must be a Tensor { shape, data: Float32Array }, got object.',
    );
    expect(shapeErrorOf(() => checkTensor('LSTM.forward', 'input', [1, 2])).message).toContain('LSTM.forward: input must be a Tensor');
    expect(shapeErrorOf(() => checkTensor('LSTM.forward', 'input', { shape: [2], data: [1, 2] })).message).toBe(
      'LSTM.forward: input.data must be a Float32Array.',
    );
    expect(shapeErrorOf(() => checkTensor('LSTM.forward', 'input', { shape: [2], data: new Float64Array(2) })).message).toBe(
      'LSTM.forward: input.data must be a Float32Array.',
    );
    expect(shapeErrorOf(() => checkTensor('LSTM.forward', 'input', { shape: [2, 3], data: new Float32Array(5) })).message).toBe(
      'LSTM.forward: input has shape [2, 3] (6 elements) but data of length 5.',
    );
  });

  it('rejects shapes with negative or fractional dimensions even when the product matches', () => {
    expect(shapeErrorOf(() => checkTensor('Fn', 'x', { shape: [-1, -3], data: new Float32Array(3) })).message).toBe(
      'Fn: x.shape [-1, -3] has a dimension that is not a non-negative integer.',
    );
    expect(shapeErrorOf(() => checkTensor('Fn', 'x', { shape: [0.5, 4], data: new Float32Array(2) })).message).toContain('x.shape');
  });
});
