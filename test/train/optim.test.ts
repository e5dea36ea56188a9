import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, FormatError, isRnnError } from '../../src/errors.js';
import type { Parameter } from '../../src/layers/param-store.js';
import { ParamStore } from '../../src/layers/param-store.js';
import { clipGradNorm } from '../../src/train/clip.js';
import { Adagrad } from '../../src/train/optim/adagrad.js';
import { Adam } from '../../src/train/optim/adam.js';
import { AdamW } from '../../src/train/optim/adamw.js';
import type { Optimizer, OptimizerState } from '../../src/train/optim/optimizer.js';
import { RMSprop } from '../../src/train/optim/rmsprop.js';
import { SGD } from '../../src/train/optim/sgd.js';
import { expectClose } from '../helpers/fixtures.js';

interface OptimCase {
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  options: Record<string, number | boolean | number[]>;
  params_after_each_step: number[][];
}
interface OptimFixture {
  p0: number[];
  grads: number[][];
  cases: OptimCase[];
  clip_grad_norm: {
    max_norm: number;
    grads_before: { a: number[]; b: number[][] };
    total_norm: number;
    grads_after: { a: number[]; b: number[][] };
  };
  torch: string;
}

// Read at collection time; a missing file fails the suite (below) instead of skipping it.
const FIXTURE_PATH = fileURLToPath(new URL('../fixtures/torch/optimizers.json', import.meta.url));
let fixture: OptimFixture | undefined;
let fixtureError: unknown;
try {
  fixture = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as OptimFixture;
} catch (e) {
  fixtureError = e;
}
const cases: OptimCase[] = fixture?.cases ?? [];

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function make(kind: OptimCase['optimizer'], params: Parameter[] | ParamStore, torchOpts: OptimCase['options']): Optimizer {
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(torchOpts)) opts[camel(k)] = v;
  switch (kind) {
    case 'SGD':
      return new SGD(params, opts);
    case 'Adam':
      return new Adam(params, opts);
    case 'AdamW':
      return new AdamW(params, opts);
    case 'RMSprop':
      return new RMSprop(params, opts);
    case 'Adagrad':
      return new Adagrad(params, opts);
  }
}

function label(c: OptimCase): string {
  return `${c.optimizer} ${JSON.stringify(c.options)}`;
}

/** One parameter "p" of shape [6] at p0, plus an optimizer for the case. */
function setup(c: OptimCase): { store: ParamStore; opt: Optimizer } {
  const store = new ParamStore([{ name: 'p', shape: [6] }]);
  store.value('p').set(fixture!.p0);
  return { store, opt: make(c.optimizer, store, c.options) };
}

function runSteps(store: ParamStore, opt: Optimizer, from: number, to: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let k = from; k < to; k++) {
    opt.zeroGrad();
    store.grad('p').set(fixture!.grads[k]!);
    opt.step();
    out.push(Float32Array.from(store.value('p')));
  }
  return out;
}

describe('optimizers vs PyTorch (optimizers.json)', () => {
  it('has the fixture file with every optimizer family', () => {
    if (fixture === undefined) throw new Error(`cannot read ${FIXTURE_PATH}: ${String(fixtureError)}`);
    expect(new Set(cases.map((c) => c.optimizer))).toEqual(new Set(['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad']));
    expect(cases.length).toBe(12);
  });

  it.each(cases.map((c) => [label(c), c] as const))('%s matches the whole trajectory within 1e-6', (_, c) => {
    const { store, opt } = setup(c);
    const traj = runSteps(store, opt, 0, fixture!.grads.length);
    expect(traj.length).toBe(c.params_after_each_step.length);
    traj.forEach((p, k) => expectClose(p, c.params_after_each_step[k]!, `${label(c)} step ${k + 1}`, 1e-6, 1e-6));
    expect(opt.stepCount).toBe(fixture!.grads.length);
  });

  it.each(cases.map((c) => [label(c), c] as const))('%s: stateDict after 2 steps, restored, continues bit-exactly', (_, c) => {
    const a = setup(c);
    runSteps(a.store, a.opt, 0, 2);
    const saved = a.opt.stateDict();
    const pMid = Float32Array.from(a.store.value('p'));
    // The saved state is a copy: running on must not change it.
    const savedCopy = Object.fromEntries(Object.entries(saved.buffers).map(([k, v]) => [k, Float32Array.from(v)]));
    const tailA = runSteps(a.store, a.opt, 2, 5);
    for (const [k, v] of Object.entries(saved.buffers)) expect(v).toEqual(savedCopy[k]);

    // A fresh optimizer (different lr, to prove the saved options win), JSON round trip of the metadata.
    const b = setup({ ...c, options: { ...c.options, lr: 0.5 } });
    b.store.value('p').set(pMid);
    const meta = JSON.parse(JSON.stringify({ kind: saved.kind, step: saved.step, hyper: saved.hyper })) as OptimizerState;
    b.opt.loadStateDict({ ...meta, buffers: saved.buffers });
    expect(b.opt.lr).toBe(c.options.lr);
    expect(b.opt.stepCount).toBe(2);
    const tailB = runSteps(b.store, b.opt, 2, 5);
    tailB.forEach((p, k) => expect(Array.from(p)).toEqual(Array.from(tailA[k]!)));
  });

  it('clip_grad_norm_ case', () => {
    const cg = fixture!.clip_grad_norm;
    const store = new ParamStore([
      { name: 'a', shape: [3] },
      { name: 'b', shape: [2, 2] },
    ]);
    store.grad('a').set(cg.grads_before.a);
    store.grad('b').set(cg.grads_before.b.flat());
    const total = clipGradNorm(store.parameters(), cg.max_norm);
    expect(Math.abs(total - cg.total_norm)).toBeLessThanOrEqual(1e-6 * cg.total_norm);
    expectClose(store.grad('a'), cg.grads_after.a, 'a', 1e-6, 1e-6);
    expectClose(store.grad('b'), cg.grads_after.b.flat(), 'b', 1e-6, 1e-6);
  });
});

describe('optimizer state and buffers', () => {
  function twoParams(): ParamStore {
    return new ParamStore([
      { name: 'weight', shape: [2, 3] },
      { name: 'bias', shape: [2] },
    ]);
  }

  it('names buffers with PyTorch state keys and parameter names', () => {
    const store = twoParams();
    expect(Object.keys(new Adam(store, { amsgrad: true }).stateDict().buffers).sort()).toEqual(
      ['exp_avg.bias', 'exp_avg.weight', 'exp_avg_sq.bias', 'exp_avg_sq.weight', 'max_exp_avg_sq.bias', 'max_exp_avg_sq.weight'],
    );
    expect(Object.keys(new SGD(store, { lr: 0.1 }).stateDict().buffers)).toEqual([]);
    expect(Object.keys(new SGD(store, { lr: 0.1, momentum: 0.9 }).stateDict().buffers)).toEqual(['momentum_buffer.weight', 'momentum_buffer.bias']);
    expect(Object.keys(new RMSprop(store, { momentum: 0.5, centered: true }).stateDict().buffers).sort()).toEqual(
      ['grad_avg.bias', 'grad_avg.weight', 'momentum_buffer.bias', 'momentum_buffer.weight', 'square_avg.bias', 'square_avg.weight'],
    );
    const ada = new Adagrad(store, { initialAccumulatorValue: 0.25 }).stateDict();
    expect(Array.from(ada.buffers['sum.weight']!)).toEqual([0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
  });

  it('has PyTorch defaults', () => {
    const store = twoParams();
    expect(new SGD(store).stateDict().hyper).toEqual({ lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false });
    expect(new Adam(store).stateDict().hyper).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
    expect(new AdamW(store).stateDict().hyper).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false });
    expect(new RMSprop(store).stateDict().hyper).toEqual({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false });
    expect(new Adagrad(store).stateDict().hyper).toEqual({ lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false });
  });

  it('accepts a Module or a Parameter[]; zeroGrad clears every gradient; lr is settable', () => {
    const store = twoParams();
    const opt = new Adam(store.parameters(), { lr: 0.01 });
    store.grads.fill(3);
    opt.zeroGrad();
    expect(store.grads.every((g) => g === 0)).toBe(true);
    opt.lr = 0.5;
    expect(opt.lr).toBe(0.5);
    expect(opt.stateDict().hyper.lr).toBe(0.5);
    expect(() => (opt.lr = -1)).toThrow(/Adam\.lr: lr must be a finite number >= 0, got -1/);
    expect(() => (opt.lr = NaN)).toThrow(ConfigError);
  });

  it('maximize is gradient ascent', () => {
    const a = new ParamStore([{ name: 'p', shape: [2] }]);
    const b = new ParamStore([{ name: 'p', shape: [2] }]);
    a.value('p').set([1, 2]);
    b.value('p').set([1, 2]);
    for (const [Ctor, opts] of [[SGD, { lr: 0.1, momentum: 0.9 }], [Adam, {}], [RMSprop, {}], [Adagrad, {}]] as const) {
      const oa = new (Ctor as typeof SGD)(a, { ...opts, maximize: true });
      const ob = new (Ctor as typeof SGD)(b, opts);
      a.grad('p').set([0.5, -1]);
      b.grad('p').set([-0.5, 1]);
      oa.step();
      ob.step();
      expect(Array.from(a.value('p'))).toEqual(Array.from(b.value('p')));
    }
  });

  it('step() allocates no buffers and keeps the same buffer objects', () => {
    const store = twoParams();
    const opt = new Adam(store, { amsgrad: true });
    const internal = (opt as unknown as { expAvg: Float32Array[] }).expAvg;
    const before = [...internal];
    store.grads.fill(0.1);
    opt.step();
    opt.step();
    expect(internal).toEqual(before);
    internal.forEach((buf, k) => expect(buf).toBe(before[k]));
  });
});

describe('optimizer option errors', () => {
  const store = (): ParamStore => new ParamStore([{ name: 'w', shape: [3] }]);
  const cases: [string, () => unknown, RegExp][] = [
    ['unknown key', () => new Adam(store(), { learningRate: 0.1 } as never), /^Adam: unknown option "learningRate"/],
    ['snake_case key', () => new SGD(store(), { weight_decay: 0.1 } as never), /^SGD: unknown option "weight_decay"/],
    ['negative lr', () => new SGD(store(), { lr: -0.1 }), /^SGD: lr must be a finite number >= 0, got -0.1\./],
    ['NaN eps', () => new Adam(store(), { eps: NaN }), /^Adam: eps must be a finite number >= 0, got NaN\./],
    ['beta1 = 1', () => new Adam(store(), { betas: [1, 0.999] }), /^Adam: betas\[0\] must be a number in \[0, 1\), got 1\./],
    ['beta2 < 0', () => new AdamW(store(), { betas: [0.9, -0.1] }), /^AdamW: betas\[1\] must be a number in \[0, 1\)/],
    ['betas not a pair', () => new Adam(store(), { betas: [0.9] as never }), /^Adam: betas must be a pair/],
    ['negative weightDecay', () => new AdamW(store(), { weightDecay: -1 }), /^AdamW: weightDecay must be/],
    ['amsgrad not boolean', () => new Adam(store(), { amsgrad: 1 as never }), /^Adam: amsgrad must be a boolean, got 1\./],
    ['nesterov without momentum', () => new SGD(store(), { lr: 0.1, nesterov: true }), /^SGD: nesterov needs momentum > 0 and dampening = 0/],
    ['nesterov with dampening', () => new SGD(store(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /^SGD: nesterov needs/],
    ['dampening > 1', () => new SGD(store(), { lr: 0.1, momentum: 0.9, dampening: 2 }), /^SGD: dampening must be a number in \[0, 1\]/],
    ['alpha > 1', () => new RMSprop(store(), { alpha: 1.5 }), /^RMSprop: alpha must be a number in \[0, 1\]/],
    ['negative momentum', () => new RMSprop(store(), { momentum: -0.5 }), /^RMSprop: momentum must be/],
    ['negative lrDecay', () => new Adagrad(store(), { lrDecay: -1 }), /^Adagrad: lrDecay must be/],
    ['negative initialAccumulatorValue', () => new Adagrad(store(), { initialAccumulatorValue: -1 }), /^Adagrad: initialAccumulatorValue must be/],
    ['options not an object', () => new Adam(store(), 3 as never), /^Adam: options must be an object, got 3\./],
    ['empty params', () => new Adam([]), /^Adam: params is empty/],
    ['not params', () => new Adam(42 as never), /^Adam: params must be a Parameter\[\] or a Module/],
    [
      'duplicate names',
      () => new SGD([...store().parameters(), ...store().parameters()]),
      /^SGD: duplicate parameter name "w"/,
    ],
  ];
  it.each(cases)('%s', (_, fn, message) => {
    let caught: unknown;
    try {
      fn();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(isRnnError(caught) && caught.code).toBe('E_CONFIG');
    expect((caught as Error).message).toMatch(message);
  });
});

describe('loadStateDict validation', () => {
  function trained(): { store: ParamStore; opt: Adam; state: OptimizerState } {
    const store = new ParamStore([{ name: 'w', shape: [3] }, { name: 'b', shape: [1] }]);
    const opt = new Adam(store, { lr: 0.01 });
    store.grads.fill(0.5);
    opt.step();
    return { store, opt, state: opt.stateDict() };
  }
  function fresh(): Adam {
    return new Adam(new ParamStore([{ name: 'w', shape: [3] }, { name: 'b', shape: [1] }]), { lr: 0.02 });
  }
  function expectUnchanged(opt: Adam, fn: () => void, type: typeof ConfigError | typeof FormatError, message: RegExp): void {
    const before = opt.stateDict();
    expect(fn).toThrow(type);
    expect(fn).toThrow(message);
    expect(opt.stateDict()).toEqual(before);
  }

  it('rejects another optimizer kind with ConfigError', () => {
    const { state } = trained();
    const sgd = new SGD(new ParamStore([{ name: 'w', shape: [3] }]), { lr: 0.1 });
    expect(() => sgd.loadStateDict(state)).toThrow(ConfigError);
    expect(() => sgd.loadStateDict(state)).toThrow(/^SGD\.loadStateDict: state is for Adam, expected SGD/);
  });

  it('rejects malformed states with FormatError and changes nothing', () => {
    const { state } = trained();
    const opt = fresh();
    expectUnchanged(opt, () => opt.loadStateDict(null as never), FormatError, /state must be an object/);
    expectUnchanged(opt, () => opt.loadStateDict({ ...state, step: -1 }), FormatError, /state\.step must be a non-negative integer/);
    expectUnchanged(opt, () => opt.loadStateDict({ ...state, step: 1.5 }), FormatError, /state\.step/);
    expectUnchanged(opt, () => opt.loadStateDict({ ...state, hyper: 'x' as never }), FormatError, /state\.hyper must be an object/);
    const { eps: _eps, ...noEps } = state.hyper;
    expectUnchanged(opt, () => opt.loadStateDict({ ...state, hyper: noEps }), FormatError, /missing eps/);
    expectUnchanged(opt, () => opt.loadStateDict({ ...state, hyper: { ...state.hyper, momentum: 0.9 } }), FormatError, /unknown momentum/);
  });

  it('rejects out-of-range options and mismatched buffers with ConfigError and changes nothing', () => {
    const { state } = trained();
    const opt = fresh();
    expectUnchanged(opt, () => opt.loadStateDict({ ...state, hyper: { ...state.hyper, lr: -1 } }), ConfigError, /Adam\.loadStateDict: lr must be/);
    const { 'exp_avg.b': _drop, ...missing } = state.buffers;
    expectUnchanged(opt, () => opt.loadStateDict({ ...state, buffers: missing }), ConfigError, /missing "exp_avg\.b"/);
    expectUnchanged(
      opt,
      () => opt.loadStateDict({ ...state, buffers: { ...state.buffers, 'exp_avg.w': new Float32Array(2) } }),
      ConfigError,
      /"exp_avg\.w" has 2 values, expected 3/,
    );
    expectUnchanged(
      opt,
      () => opt.loadStateDict({ ...state, buffers: { ...state.buffers, 'exp_avg.extra': new Float32Array(1) } }),
      ConfigError,
      /unexpected "exp_avg\.extra"/,
    );
    expectUnchanged(
      opt,
      () => opt.loadStateDict({ ...state, buffers: { ...state.buffers, 'exp_avg.w': [1, 2, 3] as never } }),
      ConfigError,
      /"exp_avg\.w" is an array of length 3, expected a Float32Array/,
    );
    expectUnchanged(opt, () => opt.loadStateDict({ ...state, hyper: { ...state.hyper, amsgrad: true } }), ConfigError, /same amsgrad/);
  });

  it('loads a valid state into a fresh optimizer', () => {
    const { state } = trained();
    const opt = fresh();
    opt.loadStateDict(state);
    expect(opt.stateDict()).toEqual(state);
  });
});
