// `system df`'s SharedSize: per image, the size of its layers that other listed images use too (moby's Images with
// extra attributes counts each chain ID's references across the list). The CLI's RECLAIMABLE builds on it.

export interface ImageLayers {
  id: string;
  /** The image's layers, bottom first. */
  chainIds: readonly string[];
}

/** Image ID → bytes shared with another image of `images`; `diffSize` gives one layer's own size. */
export function sharedSizes(
  images: readonly ImageLayers[],
  diffSize: (chainId: string) => number,
): Map<string, number> {
  const refs = new Map<string, number>();
  for (const img of images) for (const c of img.chainIds) refs.set(c, (refs.get(c) ?? 0) + 1);
  const out = new Map<string, number>();
  for (const img of images) {
    let shared = 0;
    for (const c of img.chainIds) if ((refs.get(c) ?? 0) > 1) shared += diffSize(c);
    out.set(img.id, shared);
  }
  return out;
}
