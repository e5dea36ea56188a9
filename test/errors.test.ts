import { describe, expect, it } from 'vitest';
import { ConfigError, FormatError, NumericError, RnnError, ShapeError, StateError, isRnnError } from '../src/errors.js';
import type { RnnErrorCode } from '../src/errors.js';
import {
  checkKnownKeys,
  checkNonNegativeInt,
  checkNumber,
  checkPositiveInt,
  checkShape,
  describe as describeValue,
  fmtShape,
  shapeMessage,
} from '../src/shapes.js';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to throw');
}

describe('errors: classes, codes and names', () => {
  const cases: { make: (m: string) => RnnError; cls: new (m: string) => RnnError; code: RnnErrorCode; name: string }[] = [
    { make: (m) => new ShapeError(m), cls: ShapeError, code: 'E_SHAPE', name: 'ShapeError' },
    { make: (m) => new ConfigError(m), cls: ConfigError, code: 'E_CONFIG', name: 'ConfigError' },
    { make: (m) => new StateError(m), cls: StateError, code: 'E_STATE', name: 'StateError' },
    { make: (m) => new FormatError(m), cls: FormatError, code: 'E_FORMAT', name: 'FormatError' },
    { make: (m) => new NumericError(m), cls: NumericError, code: 'E_NUMERIC', name: 'NumericError' },
  ];

  for (const { make, cls, code, name } of cases) {
    it(`${name} has code ${code}, its own name, and is an RnnError and an Error`, () => {
      const e = make('fn: something went wrong');
      expect(e.code).toBe(code);
      expect(e.name).toBe(name);
      expect(e.message).toBe('fn: something went wrong');
      expect(e).toBeInstanceOf(cls);
      expect(e).toBeInstanceOf(RnnError);
      expect(e).toBeInstanceOf(Error);
      expect(isRnnError(e)).toBe(true);
      expect(String(e)).toBe(`${name}: fn: something went wrong`);
      expect(e.stack).toContain(name);
    });
  }

  it('the subclasses are distinct (no accidental instanceof overlap)', () => {
    for (const a of cases) {
      for (const b of cases) {
        expect(a.make('x') instanceof b.cls).toBe(a === b);
      }
    }
  });

  it('RnnError itself carries any code', () => {
    const e = new RnnError('E_STATE', 'm');
    expect(e.code).toBe('E_STATE');
    expect(e.name).toBe('RnnError');
    expect(isRnnError(e)).toBe(true);
  });

  it('toThrow matchers work with the classes', () => {
    expect(() => {
      throw new ShapeError('boom');
    }).toThrow(ShapeError);
    expect(() => {
      throw new ConfigError('boom');
    }).toThrow(RnnError);
  });
});

describe('isRnnError', () => {
  it('is true for a plain Error with a known code copied across (a second library copy)', () => {
    for (const code of ['E_SHAPE', 'E_CONFIG', 'E_STATE', 'E_FORMAT', 'E_NUMERIC']) {
      const e = Object.assign(new Error('from another copy of rnnkit'), { code });
      expect(isRnnError(e)).toBe(true);
    }
    // A subclass defined elsewhere (as a duplicate bundle would) also counts.
    class ForeignShapeError extends Error {
      readonly code = 'E_SHAPE';
    }
    expect(isRnnError(new ForeignShapeError('x'))).toBe(true);
  });

  it('is false for everything else', () => {
    const others: unknown[] = [
      new Error('plain'),
      new TypeError('type'),
      Object.assign(new Error('node'), { code: 'ENOENT' }),
      Object.assign(new Error('lowercase'), { code: 'e_shape' }),
      Object.assign(new Error('number code'), { code: 1 }),
      { code: 'E_SHAPE', message: 'not an Error' },
      'E_SHAPE',
      null,
      undefined,
      42,
    ];
    for (const e of others) expect(isRnnError(e)).toBe(false);
  });
});

describe('shapes.ts: message formats', () => {
  it('fmtShape writes letters where given', () => {
    expect(fmtShape([3, 2, 4], ['T', 'B', 'I'])).toBe('[T=3, B=2, I=4]');
    expect(fmtShape([3, 2, 4])).toBe('[3, 2, 4]');
    expect(fmtShape([3, 2, 4, 5], ['T', 'B'])).toBe('[T=3, B=2, 4, 5]');
    expect(fmtShape([])).toBe('[]');
  });

  it('shapeMessage reads "where: what, expected X, got Y. hint"', () => {
    expect(shapeMessage('Fn', 'input has the wrong size', '8', '7')).toBe('Fn: input has the wrong size, expected 8, got 7.');
    expect(shapeMessage('Fn', 'input', '8', '7', 'Did you mean it?')).toBe('Fn: input, expected 8, got 7. Did you mean it?');
  });

  it('checkShape accepts matching shapes and wildcards', () => {
    expect(() => checkShape('Fn', 'x', [12, 4, 8], [null, null, 8], ['T', 'B', 'I'])).not.toThrow();
    expect(() => checkShape('Fn', 'x', [], [])).not.toThrow();
    expect(() => checkShape('Fn', 'x', [0, 3], [0, 3])).not.toThrow();
  });

  it('checkShape message names function and argument and contains both shapes with letters', () => {
    const e = thrown(() => checkShape('LSTM.forward', 'input', [12, 4, 7], [null, null, 8], ['T', 'B', 'I'], 'Did you pass batch-first data without batchFirst: true?'));
    expect(e).toBeInstanceOf(ShapeError);
    expect(isRnnError(e)).toBe(true);
    expect(e.message).toBe(
      'LSTM.forward: input has the wrong shape, expected [T, B, I=8], got [T=12, B=4, I=7]. Did you pass batch-first data without batchFirst: true?',
    );
  });

  it('checkShape reports a rank mismatch, and uses * for unnamed wildcards', () => {
    const e = thrown(() => checkShape('Linear.forward', 'x', [4, 3, 2], [null, 3]));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toBe('Linear.forward: x has the wrong shape, expected [*, 3], got [4, 3, 2].');
    const f = thrown(() => checkShape('Cell.step', 'h', [4], [4, 16], ['B', 'H']));
    expect(f.message).toContain('expected [B=4, H=16]');
    expect(f.message).toContain('got [B=4]');
  });

  it('checkPositiveInt / checkNonNegativeInt messages', () => {
    expect(checkPositiveInt('LSTM', 'hiddenSize', 3)).toBe(3);
    const cases: [unknown, string][] = [
      [0, '0'],
      [-2, '-2'],
      [1.5, '1.5'],
      [Number.NaN, 'NaN'],
      [Infinity, 'Infinity'],
      ['8', '"8"'],
      [undefined, 'undefined'],
      [null, 'null'],
      [[8], 'an array of length 1'],
      [new Float32Array(2), 'a Float32Array of length 2'],
      [{}, 'object'],
    ];
    for (const [value, shown] of cases) {
      const e = thrown(() => checkPositiveInt('LSTM', 'hiddenSize', value));
      expect(e).toBeInstanceOf(ConfigError);
      expect(e.message).toBe(`LSTM: hiddenSize must be a positive integer, got ${shown}.`);
    }
    expect(checkNonNegativeInt('Fn', 'padIndex', 0)).toBe(0);
    expect(thrown(() => checkNonNegativeInt('Fn', 'padIndex', -1)).message).toBe('Fn: padIndex must be a non-negative integer, got -1.');
  });

  it('checkNumber messages state the allowed range', () => {
    expect(checkNumber('Fn', 'x', -5)).toBe(-5);
    expect(thrown(() => checkNumber('Fn', 'x', Number.NaN)).message).toBe('Fn: x must be a finite number, got NaN.');
    expect(thrown(() => checkNumber('Adam', 'lr', -1, 0)).message).toBe('Adam: lr must be a finite number >= 0, got -1.');
    expect(thrown(() => checkNumber('Fn', 'x', 2, -Infinity, 1)).message).toBe('Fn: x must be a finite number <= 1, got 2.');
    expect(thrown(() => checkNumber('LSTM', 'dropout', 1.5, 0, 1)).message).toBe('LSTM: dropout must be a number in [0, 1], got 1.5.');
    expect(thrown(() => checkNumber('LSTM', 'dropout', Infinity, 0, 1))).toBeInstanceOf(ConfigError);
  });

  it('checkKnownKeys names the unknown key and lists the known ones', () => {
    expect(() => checkKnownKeys('LSTM', { inputSize: 1, hiddenSize: 2 }, ['inputSize', 'hiddenSize', 'numLayers'])).not.toThrow();
    const e = thrown(() => checkKnownKeys('LSTM', { inputSize: 1, hiddensize: 2 }, ['inputSize', 'hiddenSize', 'numLayers']));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toBe('LSTM: unknown option "hiddensize". Known options: inputSize, hiddenSize, numLayers.');
  });

  it('describe summarises values without dumping them', () => {
    expect(describeValue('x')).toBe('"x"');
    expect(describeValue(true)).toBe('true');
    expect(describeValue(new Float64Array(3))).toBe('a Float64Array');
    expect(describeValue(() => 1)).toBe('function');
  });
});
