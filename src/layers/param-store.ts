/**
 * Parameters live in one flat Float32Array per module, with a twin gradient buffer of identical
 * layout (llm.c's ParameterTensors). Named views use PyTorch's state-dict names and shapes, so
 * optimizers, clipping, the non-finite guard and serialization are simple loops.
 * @module
 */
import { ConfigError, FormatError, ShapeError } from '../errors.js';
import { allocFloat32 } from '../kernel/alloc.js';
import { createRng, type Rng, type RngState } from '../kernel/rng.js';
import { shapeSize } from '../tensor.js';

/**
 * One named parameter tensor: a view of a module's flat value buffer and the matching view of
 * its gradient buffer.
 * @category Layers
 */
export interface Parameter {
  /** PyTorch state-dict name, prefixed by container names (e.g. `encoder.weight_ih_l0`). */
  readonly name: string;
  /** Shape, e.g. `[4H, I]` for an LSTM `weight_ih`. */
  readonly shape: readonly number[];
  /** Values (a view into the module's flat buffer). */
  readonly value: Float32Array;
  /** Gradient (a view into the module's flat gradient buffer), accumulated by backward passes. */
  readonly grad: Float32Array;
}

/**
 * A name → tensor map (shape + row-major float32 data), the exchange format of
 * `stateDict` / `loadStateDict` and of checkpoint files.
 * @category Layers
 */
export type StateDict = Record<string, { readonly shape: readonly number[]; readonly data: Float32Array }>;

/**
 * A name → generator-state map: the random counterpart of a {@link StateDict}, saved in training
 * checkpoints so that dropout masks and sampling coins continue exactly after a resume.
 * @category Layers
 */
export type RandomState = Record<string, RngState>;

/**
 * Anything that owns trainable parameters: layers, cells, and user models built from them.
 * A module whose training draws random numbers (dropout, scheduled sampling) also lists those
 * generators in `generators`, so that training checkpoints save and restore their states.
 * @example
 * ```ts
 * class MyModel implements Module {
 *   parameters(): Parameter[] { return [...prefixed('embed.', this.embed), ...prefixed('lstm.', this.lstm)]; }
 *   generators(): Record<string, Rng> { return { ...prefixedGenerators('drop.', this.drop), ...prefixedGenerators('lstm.', this.lstm) }; }
 * }
 * ```
 * @category Layers
 */
export interface Module {
  /** All parameters, with names unique within the module. */
  parameters(): Parameter[];
  /**
   * The generators training draws from (dropout masks, sampling coins), by name: the live
   * objects, not copies. Optional: a module without it draws nothing while training. A
   * generator used only for initialisation need not be listed; one shared by several children
   * may appear under several names (it is saved once, under the first). See {@link randomStateOf}.
   */
  generators?(): Record<string, Rng>;
}

/**
 * Declares one tensor of a {@link ParamStore}.
 * @category Layers
 */
export interface ParamSpec {
  /** PyTorch name, e.g. `weight_hh_l1_reverse`. */
  readonly name: string;
  /** Shape. */
  readonly shape: readonly number[];
}

/**
 * The flat parameter and gradient buffers of one module, with named views.
 * @example
 * ```ts
 * const store = new ParamStore([{ name: 'weight', shape: [3, 4] }, { name: 'bias', shape: [3] }]);
 * store.value('weight').fill(0.1);
 * store.zeroGrad();
 * ```
 * @category Layers
 */
export class ParamStore implements Module {
  /** All values, in declaration order. */
  readonly values: Float32Array;
  /** All gradients, same layout as `values`. */
  readonly grads: Float32Array;
  private readonly table: ReadonlyMap<string, Parameter>;
  private readonly order: readonly Parameter[];

  /**
   * @param specs - the tensors, in order; names must be unique.
   * @throws ShapeError on a duplicate name or a bad dimension.
   */
  constructor(specs: readonly ParamSpec[]) {
    let total = 0;
    for (const s of specs) {
      for (const d of s.shape) {
        if (!Number.isInteger(d) || d < 0) throw new ShapeError(`ParamStore: ${s.name} has an invalid shape [${s.shape.join(', ')}].`);
      }
      total += shapeSize(s.shape);
    }
    this.values = allocFloat32(total);
    this.grads = allocFloat32(total);
    const table = new Map<string, Parameter>();
    const order: Parameter[] = [];
    let offset = 0;
    for (const s of specs) {
      if (table.has(s.name)) throw new ShapeError(`ParamStore: duplicate parameter name "${s.name}".`);
      const n = shapeSize(s.shape);
      const p: Parameter = {
        name: s.name,
        shape: [...s.shape],
        value: this.values.subarray(offset, offset + n),
        grad: this.grads.subarray(offset, offset + n),
      };
      table.set(s.name, p);
      order.push(p);
      offset += n;
    }
    this.table = table;
    this.order = order;
  }

  /**
   * The values of one tensor (a live view).
   * @param name - the parameter name.
   * @returns the view.
   * @throws ShapeError for an unknown name.
   */
  value(name: string): Float32Array {
    return this.get(name).value;
  }

  /**
   * The gradient of one tensor (a live view).
   * @param name - the parameter name.
   * @returns the view.
   * @throws ShapeError for an unknown name.
   */
  grad(name: string): Float32Array {
    return this.get(name).grad;
  }

  /**
   * True when a tensor of that name exists.
   * @param name - the parameter name.
   * @returns whether it exists.
   */
  has(name: string): boolean {
    return this.table.has(name);
  }

  private get(name: string): Parameter {
    const p = this.table.get(name);
    if (!p) throw new ShapeError(`ParamStore: no parameter named "${name}". Known: ${[...this.table.keys()].join(', ')}.`);
    return p;
  }

  /** Sets every gradient to zero (once per batch; backward passes accumulate). */
  zeroGrad(): void {
    this.grads.fill(0);
  }

  /**
   * The parameters in declaration order (views, not copies).
   * @returns the parameter list.
   */
  parameters(): Parameter[] {
    return [...this.order];
  }

  /**
   * Copies every tensor out, by name.
   * @returns a fresh state dict.
   */
  stateDict(): StateDict {
    return stateDictOf(this.order);
  }

  /**
   * Loads tensors by name, validating names and shapes; every problem is reported in one error.
   * @param dict - name → { shape, data }. Extra names are an error unless `strict` is false.
   * @param strict - when true (default), missing and unexpected names are errors.
   * @throws ShapeError listing every missing, unexpected or mis-shaped tensor; nothing is loaded then.
   */
  loadStateDict(dict: StateDict, strict = true): void {
    loadStateDictInto(this.order, dict, strict, 'ParamStore.loadStateDict');
  }
}

/**
 * Copies parameters out into a state dict.
 * @param params - the parameters (e.g. `model.parameters()`).
 * @returns name → { shape, data } with copied data.
 * @example
 * ```ts
 * const dict = stateDictOf(lstm.parameters());
 * ```
 * @category Layers
 */
export function stateDictOf(params: readonly Parameter[]): StateDict {
  const out: StateDict = {};
  for (const p of params) out[p.name] = { shape: [...p.shape], data: Float32Array.from(p.value) };
  return out;
}

/**
 * Loads a state dict into parameters, validating every name and shape first; all problems are
 * reported together and nothing is written unless everything matches.
 * @param params - destination parameters.
 * @param dict - name → { shape, data }.
 * @param strict - when true, missing and unexpected names are errors (default true).
 * @param where - the public function name for messages.
 * @throws ShapeError listing every mismatch.
 * @example
 * ```ts
 * loadStateDictInto(lstm.parameters(), torchDict);
 * ```
 * @category Layers
 */
export function loadStateDictInto(
  params: readonly Parameter[],
  dict: StateDict,
  strict = true,
  where = 'loadStateDict',
): void {
  const problems: string[] = [];
  const known = new Set(params.map((p) => p.name));
  for (const p of params) {
    const t = dict[p.name];
    if (!t) {
      if (strict) problems.push(`missing "${p.name}" (expected shape [${p.shape.join(', ')}])`);
      continue;
    }
    const sameShape = t.shape.length === p.shape.length && t.shape.every((d, i) => d === p.shape[i]);
    if (!sameShape) problems.push(`"${p.name}" expected shape [${p.shape.join(', ')}], got [${t.shape.join(', ')}]`);
    else if (!t.data || t.data.length !== p.value.length) {
      problems.push(`"${p.name}" has ${t.data ? t.data.length : 0} values, expected ${p.value.length}`);
    }
  }
  if (strict) {
    for (const name of Object.keys(dict)) if (!known.has(name)) problems.push(`unexpected "${name}"`);
  }
  if (problems.length > 0) throw new ShapeError(`${where}: state dict does not match: ${problems.join('; ')}.`);
  for (const p of params) {
    const t = dict[p.name];
    if (t) p.value.set(t.data);
  }
}

/**
 * Prefixes parameter names, for containers (`prefixed('encoder.', enc)`).
 * @param prefix - e.g. `'lstm.'`.
 * @param module - the child module.
 * @returns the child's parameters with prefixed names (same views).
 * @example
 * ```ts
 * parameters(): Parameter[] { return [...prefixed('embed.', this.embed), ...prefixed('head.', this.head)]; }
 * ```
 * @category Layers
 */
export function prefixed(prefix: string, module: Module): Parameter[] {
  return module.parameters().map((p) => ({ name: prefix + p.name, shape: p.shape, value: p.value, grad: p.grad }));
}

/**
 * Prefixes generator names, for containers (`prefixedGenerators('lstm.', lstm)`).
 * @param prefix - e.g. `'lstm.'`.
 * @param module - the child (anything with an optional `generators`, e.g. a {@link Module}).
 * @returns the child's generators with prefixed names (the same objects); empty when it has none.
 * @example
 * ```ts
 * generators(): Record<string, Rng> { return { ...prefixedGenerators('drop.', this.drop), ...prefixedGenerators('lstm.', this.lstm) }; }
 * ```
 * @category Layers
 */
export function prefixedGenerators(prefix: string, module: Module | Pick<Module, 'generators'>): Record<string, Rng> {
  const out: Record<string, Rng> = {};
  for (const [name, rng] of Object.entries(module.generators?.() ?? {})) out[prefix + name] = rng;
  return out;
}

/** A module's generators, each once, under the first name it appears with. */
function uniqueGenerators(module: Module | Pick<Module, 'generators'>): [string, Rng][] {
  const seen = new Set<Rng>();
  const out: [string, Rng][] = [];
  for (const [name, rng] of Object.entries(module.generators?.() ?? {})) {
    if (seen.has(rng)) continue;
    seen.add(rng);
    out.push([name, rng]);
  }
  return out;
}

/**
 * Copies out the states of a module's generators (see {@link Module.generators}), each shared
 * generator once, under the first name it appears with.
 * @param module - the module.
 * @returns name → state (copies); empty when the module lists no generators.
 * @example
 * ```ts
 * const saved = randomStateOf(model); // e.g. { 'backbone.rnn.rng': { s: [...], spare: null } }
 * ```
 * @category Layers
 */
export function randomStateOf(module: Module | Pick<Module, 'generators'>): RandomState {
  const out: RandomState = {};
  for (const [name, rng] of uniqueGenerators(module)) out[name] = rng.getState();
  return out;
}

/**
 * Restores generator states saved by {@link randomStateOf} into a module built the same way.
 * Everything is validated first: nothing is restored unless every name matches and every state
 * is well formed.
 * @param module - the module.
 * @param state - name → state.
 * @param where - the public function name for messages.
 * @throws ConfigError when the names differ from the module's generators (e.g. it was built with
 *   other dropout or layer options); FormatError when a state is malformed.
 * @example
 * ```ts
 * loadRandomStateInto(model, saved);
 * ```
 * @category Layers
 */
export function loadRandomStateInto(module: Module | Pick<Module, 'generators'>, state: RandomState, where = 'loadRandomState'): void {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new FormatError(`${where}: the random state must be an object of generator states, got ${state === null ? 'null' : typeof state}.`);
  }
  const gens = uniqueGenerators(module);
  const known = new Set(gens.map(([name]) => name));
  const problems: string[] = [];
  for (const [name] of gens) if (!Object.hasOwn(state, name)) problems.push(`missing "${name}"`);
  for (const name of Object.keys(state)) if (!known.has(name)) problems.push(`unexpected "${name}"`);
  if (problems.length > 0) {
    const have = gens.length > 0 ? gens.map(([n]) => `"${n}"`).join(', ') : 'none';
    throw new ConfigError(
      `${where}: the saved random generators do not match the model's (${have}): ${problems.join('; ')}. ` +
        'Build the model with the same dropout, numLayers and sampling options as the saved run.',
    );
  }
  const scratch = createRng(0);
  for (const [name] of gens) {
    try {
      scratch.setState(state[name] as RngState);
    } catch (e) {
      throw new FormatError(`${where}: generator "${name}" has a malformed state: ${(e as Error).message}`);
    }
  }
  for (const [name, rng] of gens) rng.setState(state[name] as RngState);
}

/**
 * Zeroes the gradients of every parameter of a module.
 * @param module - the module.
 * @example
 * ```ts
 * zeroGrad(model);
 * ```
 * @category Layers
 */
export function zeroGrad(module: Module): void {
  for (const p of module.parameters()) p.grad.fill(0);
}


/**
 * Base class of every module whose parameters live in one {@link ParamStore}: it provides
 * `parameters`, `stateDict`, `loadStateDict` and `zeroGrad` from `params`.
 * @example
 * ```ts
 * class Scale extends StoreModule {
 *   readonly params = new ParamStore([{ name: 'weight', shape: [4] }]);
 * }
 * ```
 * @category Layers
 */
export abstract class StoreModule implements Module {
  /** The flat parameters, with PyTorch names. */
  abstract readonly params: ParamStore;

  /**
   * The parameters (views into the flat buffers), in declaration order.
   * @returns the parameter list.
   */
  parameters(): Parameter[] {
    return this.params.parameters();
  }

  /**
   * Copies the weights out, by PyTorch name.
   * @returns the state dict.
   */
  stateDict(): StateDict {
    return this.params.stateDict();
  }

  /**
   * Loads weights by name (the matching `torch.nn` module's state dict loads as is).
   * @param dict - name → { shape, data }.
   * @throws ShapeError listing every missing, unexpected or mis-shaped tensor; nothing is loaded then.
   */
  loadStateDict(dict: StateDict): void {
    this.params.loadStateDict(dict);
  }

  /** Sets every parameter gradient to zero. */
  zeroGrad(): void {
    this.params.zeroGrad();
  }
}
