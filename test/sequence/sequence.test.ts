import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { allocationCount } from '../../src/kernel/alloc.js';
import { Tape } from '../../src/layers/tape.js';
import { GRU, LSTM, RNN } from '../../src/sequence/layers.js';
import type { RecurrentBase, RecurrentOutput } from '../../src/sequence/recurrent.js';
import { RecurrentStream } from '../../src/sequence/stream.js';
import { gradCheck } from '../../src/train/grad-check.js';
import { zerosTensor, type Tensor } from '../../src/tensor.js';
import { expectClose, randTensor, weightedSum } from '../helpers/fixtures.js';

type Layer = RecurrentBase<RecurrentOutput & { cN?: Tensor }>;
type Kind = 'rnn' | 'lstm' | 'gru';

function make(kind: Kind, o: { I: number; H: number; L?: number; bi?: boolean; seed?: number; batchFirst?: boolean; dropout?: number; resetAfter?: boolean }): Layer {
  const common = {
    inputSize: o.I,
    hiddenSize: o.H,
    numLayers: o.L ?? 1,
    bidirectional: o.bi ?? false,
    seed: o.seed ?? 1,
    batchFirst: o.batchFirst ?? false,
    dropout: o.dropout ?? 0,
    init: 'pytorch' as const,
  };
  if (kind === 'rnn') return new RNN(common);
  if (kind === 'lstm') return new LSTM(common) as unknown as Layer;
  return new GRU({ ...common, resetAfter: o.resetAfter ?? true });
}

describe('BPTT gradients by central differences (random configs and lengths)', () => {
  test.prop(
    [
      fc.constantFrom<Kind>('rnn', 'lstm', 'gru'),
      fc.record({
        I: fc.integer({ min: 1, max: 3 }),
        H: fc.integer({ min: 1, max: 3 }),
        L: fc.integer({ min: 1, max: 2 }),
        bi: fc.boolean(),
        T: fc.integer({ min: 1, max: 4 }),
        B: fc.integer({ min: 1, max: 3 }),
        seed: fc.integer({ min: 0, max: 1e6 }),
        resetAfter: fc.boolean(),
        useLengths: fc.boolean(),
        useH0: fc.boolean(),
      }),
    ],
    { numRuns: 25, seed: 11 },
  )('layer', (kind, c) => {
    const m = make(kind, c);
    const D = c.bi ? 2 : 1;
    const x = randTensor([c.T, c.B, c.I], c.seed);
    const h0 = randTensor([c.L * D, c.B, c.H], c.seed + 1, 0.5);
    const c0 = randTensor([c.L * D, c.B, c.H], c.seed + 2, 0.5);
    const wy = randTensor([c.T, c.B, D * c.H], c.seed + 3);
    const wh = randTensor([c.L * D, c.B, c.H], c.seed + 4);
    const wc = randTensor([c.L * D, c.B, c.H], c.seed + 5);
    const lengths = c.useLengths ? Array.from({ length: c.B }, (_, b) => 1 + ((c.seed + b * 7) % c.T)) : undefined;
    const isL = kind === 'lstm';
    const opts = () => ({ ...(c.useH0 ? { h0 } : {}), ...(c.useH0 && isL ? { c0 } : {}), ...(lengths ? { lengths } : {}) });
    const loss = () => {
      const r = m.forward(x, opts());
      return weightedSum(r.output.data, wy.data) + weightedSum(r.hN.data, wh.data) + (isL && r.cN ? weightedSum(r.cN.data, wc.data) : 0);
    };
    const dx = new Float32Array(x.data.length), dh0 = new Float32Array(h0.data.length), dc0 = new Float32Array(c0.data.length);
    const backward = () => {
      m.zeroGrad();
      const tape = new Tape();
      const r = m.forward(x, { ...opts(), tape });
      tape.grad(r.output).set(wy.data);
      tape.grad(r.hN).set(wh.data);
      if (isL && r.cN) tape.grad(r.cN).set(wc.data);
      tape.backward();
      dx.set(tape.grad(x));
      if (c.useH0) dh0.set(tape.grad(h0));
      if (c.useH0 && isL) dc0.set(tape.grad(c0));
    };
    const targets = [...m.parameters(), { name: 'x', value: x.data, grad: dx }];
    if (c.useH0) targets.push({ name: 'h0', value: h0.data, grad: dh0 });
    if (c.useH0 && isL) targets.push({ name: 'c0', value: c0.data, grad: dc0 });
    const eps = kind === 'rnn' ? 1e-3 : 1e-2;
    const r = gradCheck({ targets, loss, backward, eps, atol: 3e-3, rtol: 2e-2 });
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });
});

describe('layouts, streaming and truncated BPTT', () => {
  it('batchFirst gives the transposed results and gradients', () => {
    for (const kind of ['rnn', 'lstm', 'gru'] as const) {
      const tm = make(kind, { I: 3, H: 4, L: 2, bi: true, seed: 5 });
      const bf = make(kind, { I: 3, H: 4, L: 2, bi: true, seed: 5, batchFirst: true });
      const T = 4, B = 3;
      const x = randTensor([T, B, 3], 9);
      const xb = zerosTensor([B, T, 3]);
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let i = 0; i < 3; i++) xb.data[(b * T + t) * 3 + i] = x.data[(t * B + b) * 3 + i]!;
      const lengths = [4, 2, 3];
      const t1 = new Tape(), t2 = new Tape();
      const a = tm.forward(x, { lengths, tape: t1 });
      const b2 = bf.forward(xb, { lengths, tape: t2 });
      expect(b2.output.shape).toEqual([B, T, 8]);
      for (let t = 0; t < T; t++)
        for (let b = 0; b < B; b++)
          for (let j = 0; j < 8; j++) expect(b2.output.data[(b * T + t) * 8 + j]).toBe(a.output.data[(t * B + b) * 8 + j]);
      expect(b2.hN.data).toEqual(a.hN.data);
      const gy = randTensor([T, B, 8], 3);
      t1.grad(a.output).set(gy.data);
      const g2 = t2.grad(b2.output);
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let j = 0; j < 8; j++) g2[(b * T + t) * 8 + j] = gy.data[(t * B + b) * 8 + j]!;
      t1.backward();
      t2.backward();
      const dx1 = t1.grad(x), dx2 = t2.grad(xb);
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let i = 0; i < 3; i++) expect(dx2[(b * T + t) * 3 + i]).toBeCloseTo(dx1[(t * B + b) * 3 + i]!, 6);
      expectClose(bf.params.grads, tm.params.grads, `${kind} batchFirst param grads`, 1e-6, 1e-6);
    }
  });

  it('streaming step by step and chunk by chunk equals one full pass', () => {
    for (const kind of ['rnn', 'lstm', 'gru'] as const) {
      const m = make(kind, { I: 3, H: 5, L: 2, seed: 2 });
      const T = 9, B = 2;
      const x = randTensor([T, B, 3], 4);
      const full = m.forward(x);
      const s = new RecurrentStream(m, B);
      const stepOut: number[] = [];
      for (let t = 0; t < T; t++) stepOut.push(...s.step({ shape: [B, 3], data: x.data.slice(t * B * 3, (t + 1) * B * 3) }).data);
      expectClose(Float32Array.from(stepOut), full.output.data, `${kind} stream steps`, 1e-6, 1e-6);
      expectClose(s.state().hN.data, full.hN.data, `${kind} stream hN`, 1e-6, 1e-6);
      s.reset();
      const chunks = [4, 2, 3];
      const out: number[] = [];
      let t0 = 0;
      for (const k of chunks) {
        out.push(...s.forward({ shape: [k, B, 3], data: x.data.slice(t0 * B * 3, (t0 + k) * B * 3) }).data);
        t0 += k;
      }
      expectClose(Float32Array.from(out), full.output.data, `${kind} stream chunks`, 1e-6, 1e-6);
    }
  });

  it('a bidirectional layer refuses to stream', () => {
    expect(() => new RecurrentStream(make('gru', { I: 1, H: 1, bi: true }), 1)).toThrow(/bidirectional/);
  });

  it('truncated BPTT: chunks carry the state (same forward values) and no gradient crosses a chunk boundary', () => {
    const m = make('lstm', { I: 2, H: 3, seed: 8 }) as unknown as LSTM;
    const T = 6, B = 2;
    const x = randTensor([T, B, 2], 1);
    const full = m.forward(x);
    let h0 = zerosTensor([1, B, 3]), c0 = zerosTensor([1, B, 3]);
    const outs: number[] = [];
    let firstChunkX: Tensor | null = null;
    let firstTape: Tape | null = null;
    for (let t0 = 0; t0 < T; t0 += 3) {
      const xc = { shape: [3, B, 2], data: x.data.slice(t0 * B * 2, (t0 + 3) * B * 2) };
      const tape = new Tape();
      const r = m.forward(xc, { h0, c0, tape });
      outs.push(...r.output.data);
      tape.grad(r.output).fill(1);
      tape.backward();
      if (t0 === 0) {
        firstChunkX = xc;
        firstTape = tape;
      }
      h0 = r.hN;
      c0 = r.cN;
    }
    expectClose(Float32Array.from(outs), full.output.data, 'tbptt forward', 1e-6, 1e-6);
    // The first chunk's input gradient only reflects the first chunk's own outputs.
    const m2 = make('lstm', { I: 2, H: 3, seed: 8 });
    const tape = new Tape();
    const r = m2.forward(firstChunkX!, { tape });
    tape.grad(r.output).fill(1);
    tape.backward();
    expect(firstTape!.grad(firstChunkX!)).toEqual(tape.grad(firstChunkX!));
  });

  test.prop([fc.constantFrom<Kind>('rnn', 'lstm', 'gru'), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1000 }), fc.boolean()], {
    numRuns: 30,
    seed: 3,
  })('padded steps never change the final state or the valid outputs', (kind, len, pad, seed, bi) => {
    const m = make(kind, { I: 2, H: 3, L: 2, bi, seed });
    const x = randTensor([len, 1, 2], seed);
    const padded = zerosTensor([len + pad, 1, 2]);
    padded.data.set(x.data);
    for (let i = x.data.length; i < padded.data.length; i++) padded.data[i] = 100 * Math.sin(i + seed); // junk
    const a = m.forward(x);
    const b = m.forward(padded, { lengths: [len] });
    expect(b.hN.data).toEqual(a.hN.data);
    expect(b.output.data.subarray(0, a.output.data.length)).toEqual(a.output.data);
    expect([...b.output.data.subarray(a.output.data.length)].every((v) => v === 0)).toBe(true);
  });

  it('ragged input equals the padded batch with lengths', () => {
    const m = make('gru', { I: 2, H: 3, bi: true, seed: 4 });
    const seqs = [randTensor([3, 2], 1), randTensor([1, 2], 2), randTensor([4, 2], 3)];
    const r = m.forwardRagged(seqs);
    expect([...r.lengths]).toEqual([3, 1, 4]);
    const x = zerosTensor([4, 3, 2]);
    seqs.forEach((s, b) => {
      for (let t = 0; t < s.shape[0]!; t++) for (let i = 0; i < 2; i++) x.data[(t * 3 + b) * 2 + i] = s.data[t * 2 + i]!;
    });
    const p = m.forward(x, { lengths: [3, 1, 4] });
    expect(r.output.data).toEqual(p.output.data);
    expect(r.hN.data).toEqual(p.hN.data);
  });

  it('degenerate shapes: T = 0, B = 1, H = 1, all lengths 1', () => {
    const m = make('lstm', { I: 1, H: 1, L: 2, bi: true });
    const h0 = randTensor([4, 1, 1], 1);
    const r = m.forward(zerosTensor([0, 1, 1]), { h0 });
    expect(r.output.shape).toEqual([0, 1, 2]);
    expect(r.hN.data).toEqual(h0.data);
    const r1 = m.forward(randTensor([3, 2, 1], 2), { lengths: [1, 1] });
    const r2 = m.forward(randTensor([1, 2, 1], 2));
    expect(r1.hN.data.subarray(0, 2)).toEqual(r2.hN.data.subarray(0, 2));
  });

  it('dropout between layers is seeded, training-only, and the gradient uses the same mask', () => {
    const a = make('gru', { I: 2, H: 3, L: 2, seed: 6, dropout: 0.5 });
    const b = make('gru', { I: 2, H: 3, L: 2, seed: 6, dropout: 0.5 });
    const x = randTensor([5, 2, 2], 1);
    expect(a.forward(x).output.data).toEqual(a.forward(x).output.data); // inference: no dropout
    const ta = a.forward(x, { training: true }).output.data;
    const tb = b.forward(x, { training: true }).output.data;
    expect(ta).toEqual(tb);
    expect(ta).not.toEqual(a.forward(x).output.data);
  });
});

describe('no allocation inside the time loop', () => {
  it('allocations per call do not grow with T once workspaces exist', () => {
    for (const kind of ['rnn', 'lstm', 'gru'] as const) {
      const m = make(kind, { I: 4, H: 8, L: 2, bi: true });
      const perCall = (T: number, train: boolean) => {
        const x = randTensor([T, 3, 4], T);
        const run = () => {
          if (!train) return void m.forward(x, { lengths: [T, 1, T] });
          const tape = new Tape();
          const r = m.forward(x, { lengths: [T, 1, T], tape });
          tape.grad(r.output).fill(1);
          tape.backward();
        };
        run(); // warm-up: workspaces for this shape
        const before = allocationCount();
        for (let i = 0; i < 5; i++) run();
        return (allocationCount() - before) / 5;
      };
      for (const train of [false, true]) expect(perCall(50, train)).toBe(perCall(5, train));
    }
  });
});

describe('errors name the shapes', () => {
  const lstm = new LSTM({ inputSize: 8, hiddenSize: 4 });
  const msg = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return `${(e as { code?: string }).code}: ${(e as Error).message}`;
    }
    return 'no error';
  };
  it('wrong feature width, with the batchFirst hint', () => {
    expect(msg(() => lstm.forward(zerosTensor([12, 4, 7])))).toBe(
      'E_SHAPE: LSTM.forward: input has 7 features per step, expected inputSize = 8 (input [T=12, B=4, I=7]). Did you pass batch-first data without batchFirst: true?',
    );
  });
  it('lengths out of range', () => {
    expect(msg(() => lstm.forward(zerosTensor([3, 2, 8]), { lengths: [3, 4] }))).toContain('lengths[1] = 4 is out of range; every length must be an integer in [1, T=3]');
    expect(msg(() => lstm.forward(zerosTensor([3, 2, 8]), { lengths: [0, 1] }))).toContain('lengths[0] = 0');
    expect(msg(() => lstm.forward(zerosTensor([3, 2, 8]), { lengths: [1] }))).toContain('lengths has 1 entries, expected one per batch element (B=2)');
  });
  it('h0 of the wrong shape', () => {
    expect(msg(() => lstm.forward(zerosTensor([3, 2, 8]), { h0: zerosTensor([2, 4]) }))).toContain(
      'h0 expected shape [L·D=1, B=2, H=4], got [2, 4]. Add the leading layers·directions axis',
    );
  });
  it('unknown options', () => {
    expect(msg(() => lstm.forward(zerosTensor([3, 2, 8]), { lenghts: [1, 1] } as never))).toContain('E_CONFIG: LSTM.forward: unknown option "lenghts"');
    expect(msg(() => new GRU({ inputSize: 1, hiddenSize: 1, bidirectonal: true } as never))).toContain('unknown option "bidirectonal"');
    expect(msg(() => new RNN({ inputSize: 1, hiddenSize: 1, dropout: 1 }))).toContain('dropout must be a number in [0, 0.999999]');
    expect(msg(() => new GRU({ inputSize: 1, hiddenSize: 1 }).forward(zerosTensor([1, 1, 1]), { c0: zerosTensor([1, 1, 1]) }))).toContain('c0 is only for LSTM');
  });
  it('a 2-D input gets a hint', () => {
    expect(msg(() => lstm.forward(zerosTensor([2, 8])))).toContain('For one time step use a cell');
  });
});
