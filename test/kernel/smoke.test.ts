import { describe, expect, it } from 'vitest';
import { gemm, gemmNaive } from '../../src/kernel/gemm.js';

describe('gemm placeholder', () => {
  it('multiplies 2x2', () => {
    const out = new Float32Array(4);
    gemm(out, new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6, 7, 8]), 2, 2, 2, false, false, 1, 0);
    expect([...out]).toEqual([19, 22, 43, 50]);
    gemmNaive(out, new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6, 7, 8]), 2, 2, 2, true, false, 1, 0);
    expect([...out]).toEqual([26, 30, 38, 44]);
  });
});
