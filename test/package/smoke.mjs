// Imports the built package through its `import` condition and runs a small computation.
import assert from 'node:assert/strict';
import * as rnnkit from 'rnnkit';

const { gemm, createRng, isRnnError, ShapeError } = rnnkit;
const a = new Float32Array([1, 2, 3, 4]);
const b = new Float32Array([5, 6, 7, 8]);
const out = new Float32Array(4);
gemm(out, a, b, 2, 2, 2, false, false, 1, 0);
assert.deepEqual([...out], [19, 22, 43, 50]);
assert.equal(createRng(1).uniform(), createRng(1).uniform());
assert.ok(isRnnError(new ShapeError('x')));
console.log('smoke (ESM): ok');
