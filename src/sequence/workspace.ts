/**
 * All buffers of one forward (and its backward) for one (T, B) shape, allocated once and
 * pooled per module, so repeated calls with the same shape allocate nothing inside the loops.
 * @module
 */
import type { CellCore } from '../cells/cell-core.js';
import { allocFloat32 } from '../kernel/alloc.js';
import { DirectionBuffers } from './unroll.js';

/** @internal */
export class SequenceWorkspace {
  readonly dirs: DirectionBuffers[]; // [L·D]
  readonly layerOut: Float32Array[]; // L × [T, B, D·H] raw layer outputs
  readonly layerIn: Float32Array[]; // L × input of layer l (layer 0: unused; l > 0: after dropout)
  readonly masks: Float32Array[]; // L × dropout mask of layer l's input (l > 0), scaled 1/(1 − p)
  readonly dLayer: Float32Array[]; // L × [T, B, In_l] gradient of layer l's input (training)
  readonly xTimeMajor: Float32Array; // [T, B, I] when batchFirst, else empty
  inUse = false;

  constructor(
    readonly T: number,
    readonly B: number,
    readonly training: boolean,
    cores: readonly CellCore[],
    L: number,
    D: number,
    inputSize: number,
    hiddenSize: number,
    batchFirst: boolean,
    dropout: boolean,
  ) {
    const TB = T * B;
    const DH = D * hiddenSize;
    this.dirs = cores.map((core) => new DirectionBuffers(core, T, B, training));
    this.layerOut = [];
    this.layerIn = [];
    this.masks = [];
    this.dLayer = [];
    for (let l = 0; l < L; l++) {
      const inCols = l === 0 ? inputSize : DH;
      this.layerOut.push(allocFloat32(TB * DH));
      this.layerIn.push(l > 0 && dropout ? allocFloat32(TB * DH) : allocFloat32(0));
      this.masks.push(l > 0 && dropout ? allocFloat32(TB * DH) : allocFloat32(0));
      this.dLayer.push(training && l > 0 ? allocFloat32(TB * inCols) : allocFloat32(0));
    }
    this.xTimeMajor = allocFloat32(batchFirst ? TB * inputSize : 0);
  }
}

/**
 * Keeps the most recently used workspaces, at most `limit` per training flag.
 * @internal
 */
export class WorkspacePool {
  private readonly items: SequenceWorkspace[] = [];
  constructor(private readonly limit: number) {}

  acquire(T: number, B: number, training: boolean, make: () => SequenceWorkspace): SequenceWorkspace {
    for (let i = 0; i < this.items.length; i++) {
      const w = this.items[i] as SequenceWorkspace;
      if (w.T === T && w.B === B && w.training === training && !w.inUse) {
        // most recently used goes last
        this.items.splice(i, 1);
        this.items.push(w);
        return w;
      }
    }
    const w = make();
    this.items.push(w);
    let same = 0;
    for (const it of this.items) if (it.training === training) same++;
    if (same > this.limit) {
      const idx = this.items.findIndex((it) => it.training === training && !it.inUse);
      if (idx >= 0) this.items.splice(idx, 1);
    }
    return w;
  }
}
