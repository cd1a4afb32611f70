// `size=true` on list and inspect, and `system df`: what a container's read-write layer adds (SizeRw) and that plus
// its image (SizeRootFs), as dockerd reports them.
import type { ImageStore } from '../../image/store/index.js';
import type { LayerStore } from '../../storage/layer/index.js';
import type { ContainerRecord } from './model.js';

export interface ContainerSizes {
  SizeRw: number;
  SizeRootFs: number;
}

export async function containerSizes(
  deps: { layers: LayerStore; images: ImageStore },
  rec: ContainerRecord,
): Promise<ContainerSizes> {
  const rw = await deps.layers.sizeRW(rec.id).catch(() => 0); // no read-write layer (being removed): nothing
  let image = 0;
  if (deps.images.has(rec.image)) {
    const sizes = await Promise.all(deps.images.get(rec.image).chainIds.map((c) => deps.layers.size(c).catch(() => 0)));
    image = sizes.reduce((a, b) => a + b, 0);
  }
  return { SizeRw: rw, SizeRootFs: rw + image };
}
