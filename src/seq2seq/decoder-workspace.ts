/**
 * Buffers of one teacher-forced decoder pass and its backward, for one (T, B, S) shape: every
 * step's activations side by side (time-major), per-step views made once, and the backward
 * scratch. Pooled per decoder and reused, so a training step allocates nothing in its loops.
 * @internal
 * @module
 */
import { allocFloat32, allocInt32 } from '../kernel/alloc.js';
import type { DecoderParts, StepViews } from './decoder-step.js';

/** @internal */
export class DecoderWorkspace {
  inUse = false;
  readonly ids: Int32Array; // [T, B] the inputs actually fed (gold or sampled)
  readonly x0: Float32Array; // [T, B, In0]
  readonly xg: Float32Array[]; // L × [T, B, G]; backward overwrites it with its gradient
  readonly hs: Float32Array[]; // L × [T + 1, B, H] slot 0 = initial state
  readonly cs: Float32Array[]; // L × [T + 1, B, H] (LSTM) or empty
  readonly caches: Float32Array[]; // L × [T, B, cacheCols]
  readonly context: Float32Array; // [T, B, M]
  readonly weights: Float32Array; // [T, B, S]
  readonly u: Float32Array; // [T, B, S, A] (additive) or empty
  readonly qp: Float32Array; // [T, B, A]
  readonly concat: Float32Array; // [T, B, M + H]
  readonly htilde: Float32Array; // [T, B, H] (attention) or empty: then the top layer's hs
  readonly keys: Float32Array; // [S, B, keySize] (general, additive) or empty
  readonly rowSource: Int32Array; // [B] identity
  readonly steps: StepViews[]; // T
  // backward scratch
  readonly dh: Float32Array[]; // L × [B, H] running gradient of each layer's state
  readonly dc: Float32Array[];
  readonly dhPrev: Float32Array[];
  readonly dcPrev: Float32Array[];
  readonly dx0: Float32Array; // [B, In0]
  readonly dfeed: Float32Array; // [B, H] gradient of h̃_{t−1} through input feeding
  readonly dHtilde: Float32Array; // [T, B, H]
  readonly dPre: Float32Array; // [T, B, H] gradient before the combine tanh
  readonly dConcat: Float32Array; // [B, M + H]
  readonly dContext: Float32Array; // [B, M]
  readonly da: Float32Array; // [B, S]
  readonly dqp: Float32Array; // [T, B, A]
  readonly dKeys: Float32Array; // [S, B, keySize] (general, additive) or empty
  readonly dHtildeSteps: Float32Array[]; // T views [B, H] of dHtilde
  readonly dPreSteps: Float32Array[]; // T views [B, H] of dPre (attention)
  readonly dqpSteps: Float32Array[]; // T views [B, A] of dqp (additive)

  constructor(
    readonly T: number,
    readonly B: number,
    readonly S: number,
    p: DecoderParts,
  ) {
    const { L, H, M, In0 } = p;
    const TB = T * B, BH = B * H;
    const attn = p.attn;
    const A = attn ? attn.attentionSize : 0;
    const additive = attn?.score === 'additive';
    const keySize = attn && attn.score !== 'dot' ? attn.keySize : 0;
    const hasC = (p.cores[0] as { hasCellState: boolean }).hasCellState;
    const empty = allocFloat32(0);
    this.ids = allocInt32(TB);
    this.x0 = allocFloat32(TB * In0);
    this.xg = [];
    this.hs = [];
    this.cs = [];
    this.caches = [];
    for (let l = 0; l < L; l++) {
      const core = p.cores[l] as { gateSize: number; cacheCols: number };
      this.xg.push(allocFloat32(TB * core.gateSize));
      this.hs.push(allocFloat32((T + 1) * BH));
      this.cs.push(hasC ? allocFloat32((T + 1) * BH) : empty);
      this.caches.push(allocFloat32(TB * core.cacheCols));
    }
    this.context = allocFloat32(attn ? TB * M : 0);
    this.weights = allocFloat32(attn ? TB * S : 0);
    this.u = allocFloat32(additive ? TB * S * A : 0);
    this.qp = allocFloat32(additive ? TB * A : 0);
    this.concat = allocFloat32(attn ? TB * (M + H) : 0);
    this.htilde = allocFloat32(attn ? TB * H : 0);
    this.keys = allocFloat32(S * B * keySize);
    this.rowSource = allocInt32(B);
    for (let b = 0; b < B; b++) this.rowSource[b] = b;
    this.steps = [];
    const view = (a: Float32Array, t: number, cols: number): Float32Array => (a.length === 0 ? a : a.subarray(t * B * cols, (t + 1) * B * cols));
    for (let t = 0; t < T; t++) {
      const top = (this.hs[L - 1] as Float32Array).subarray((t + 1) * BH, (t + 2) * BH);
      this.steps.push({
        x0: view(this.x0, t, In0),
        xg: this.xg.map((a, l) => view(a, t, (p.cores[l] as { gateSize: number }).gateSize)),
        hPrev: this.hs.map((a) => a.subarray(t * BH, (t + 1) * BH)),
        cPrev: this.cs.map((a) => (a.length === 0 ? a : a.subarray(t * BH, (t + 1) * BH))),
        h: this.hs.map((a) => a.subarray((t + 1) * BH, (t + 2) * BH)),
        c: this.cs.map((a) => (a.length === 0 ? a : a.subarray((t + 1) * BH, (t + 2) * BH))),
        cache: this.caches.map((a, l) => view(a, t, (p.cores[l] as { cacheCols: number }).cacheCols)),
        context: view(this.context, t, M),
        weights: view(this.weights, t, S),
        u: additive ? view(this.u, t, S * A) : null,
        qp: view(this.qp, t, A),
        concat: view(this.concat, t, M + H),
        htilde: attn ? view(this.htilde, t, H) : top,
      });
    }
    const n = BH;
    this.dh = [];
    this.dc = [];
    this.dhPrev = [];
    this.dcPrev = [];
    for (let l = 0; l < L; l++) {
      this.dh.push(allocFloat32(n));
      this.dc.push(allocFloat32(hasC ? n : 0));
      this.dhPrev.push(allocFloat32(n));
      this.dcPrev.push(allocFloat32(hasC ? n : 0));
    }
    this.dx0 = allocFloat32(B * In0);
    this.dfeed = allocFloat32(BH);
    this.dHtilde = allocFloat32(TB * H);
    this.dPre = allocFloat32(attn ? TB * H : 0);
    this.dConcat = allocFloat32(attn ? B * (M + H) : 0);
    this.dContext = allocFloat32(attn ? B * M : 0);
    this.da = allocFloat32(attn ? B * S : 0);
    this.dqp = allocFloat32(additive ? TB * A : 0);
    this.dKeys = allocFloat32(S * B * keySize);
    this.dHtildeSteps = [];
    this.dPreSteps = [];
    this.dqpSteps = [];
    for (let t = 0; t < T; t++) {
      this.dHtildeSteps.push(view(this.dHtilde, t, H));
      this.dPreSteps.push(view(this.dPre, t, H));
      this.dqpSteps.push(view(this.dqp, t, A));
    }
  }

  /** The top layer's outputs h̃ for all steps `[T, B, H]` (a view when there is no attention). */
  htildeAll(L: number): Float32Array {
    if (this.htilde.length > 0) return this.htilde;
    const BH = (this.hs[L - 1] as Float32Array).length / (this.T + 1);
    return (this.hs[L - 1] as Float32Array).subarray(BH);
  }
}

/**
 * Keeps the most recently used workspaces (at most `limit`).
 * @internal
 */
export class DecoderWorkspacePool {
  private readonly items: DecoderWorkspace[] = [];
  constructor(private readonly limit: number) {}

  acquire(T: number, B: number, S: number, make: () => DecoderWorkspace): DecoderWorkspace {
    for (let i = 0; i < this.items.length; i++) {
      const w = this.items[i] as DecoderWorkspace;
      if (w.T === T && w.B === B && w.S === S && !w.inUse) {
        this.items.splice(i, 1);
        this.items.push(w);
        return w;
      }
    }
    const w = make();
    this.items.push(w);
    if (this.items.length > this.limit) {
      const idx = this.items.findIndex((it) => !it.inUse);
      if (idx >= 0) this.items.splice(idx, 1);
    }
    return w;
  }
}
