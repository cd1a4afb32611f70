// What the image store needs to know about layers. The layer store (keyed by chain ID) implements it; the image store
// never touches layer files, it only asks whether a chain exists and how big each layer is.
import type { Digest } from '../../lib/digest.js';

export interface LayerRefs {
  /** True when the layer store holds the layer with this chain ID. */
  has(chainId: Digest): Promise<boolean>;
  /** The size in bytes of this layer's own diff (not including its parents). Rejects if the layer is unknown. */
  size(chainId: Digest): Promise<number>;
}

/** An in-memory LayerRefs: for unit tests of the image store and of code built on it. */
export class MemoryLayerRefs implements LayerRefs {
  readonly sizes = new Map<Digest, number>();

  add(chainId: Digest, size: number): this {
    this.sizes.set(chainId, size);
    return this;
  }

  async has(chainId: Digest): Promise<boolean> {
    return this.sizes.has(chainId);
  }

  async size(chainId: Digest): Promise<number> {
    const size = this.sizes.get(chainId);
    if (size === undefined) throw new Error(`layer ${chainId} does not exist`);
    return size;
  }
}
