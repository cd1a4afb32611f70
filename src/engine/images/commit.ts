// Making an image from a read-write layer, shared by `docker commit` and the builder's steps: the layer's changes
// (without what was only a mount point) as a new layer over the parent image's, and the config naming it.
import { encodeHeader, END_OF_ARCHIVE, padding, readTar, type TarHeader } from '../../archive/index.js';
import { type IdentityMapping, toContainer } from '../../lib/idmap.js';
import type { ImageStore } from '../../image/store/index.js';
import type { ImageRecord } from '../../image/store/model.js';
import type { ImageConfig } from '../../image/types.js';
import type { Digest } from '../../lib/digest.js';
import type { LayerStore } from '../../storage/layer/index.js';
import { withoutMountPoints } from '../container/mount-points.js';

export interface CommitLayerDeps {
  images: ImageStore;
  layers: LayerStore;
}

export interface CommitLayerOptions {
  /** The read-write layer (a container's, or a build's work layer). */
  rwLayer: string;
  parent: ImageRecord | undefined;
  /** The new image's config; its rootfs gets the new layer's diff ID appended. */
  config: ImageConfig;
  /** Paths that were only mount points of a build step (a cache or secret mount), left out with their parents. */
  exclude?: readonly string[];
  /** SOURCE_DATE_EPOCH: every mtime in the layer clamped to it. */
  epoch?: number;
  /** The container's user-namespace mapping: its files' host ids go into the layer as its own (moby's IDMap). */
  idMapping?: IdentityMapping;
}

export async function commitLayer(deps: CommitLayerDeps, opts: CommitLayerOptions): Promise<Digest> {
  const changes = withoutExcluded(withoutMountPoints(await deps.layers.changes(opts.rwLayer)), opts.exclude ?? []);
  const diff = await deps.layers.diffRW(opts.rwLayer, changes);
  const parentChain = opts.parent?.chainIds.at(-1);
  const { epoch, idMapping } = opts;
  const rewrite =
    epoch === undefined && !idMapping
      ? undefined
      : (h: TarHeader): TarHeader => ({
          ...h,
          ...(epoch === undefined ? {} : { mtime: Math.min(Math.floor(h.mtime), epoch) }),
          ...(idMapping
            ? { uid: toContainer(idMapping.uidMappings, h.uid), gid: toContainer(idMapping.gidMappings, h.gid) }
            : {}),
        });
  const layer = await deps.layers.register(rewrite ? rewriteHeaders(diff, rewrite) : diff, parentChain);
  const config: ImageConfig = {
    ...opts.config,
    rootfs: { type: 'layers', diff_ids: [...(opts.parent?.config.rootfs.diff_ids ?? []), layer.diffId] },
  };
  return deps.images.put(JSON.stringify(config), opts.parent ? { parent: opts.parent.id } : {});
}

/** Drops the excluded paths, and directories only added or touched because of them. */
function withoutExcluded<T extends { path: string; kind: number }>(changes: T[], exclude: readonly string[]): T[] {
  if (exclude.length === 0) return changes;
  const gone = new Set(exclude);
  const kept = changes.filter((c) => !(gone.has(c.path) && c.kind !== 2));
  const under = (dir: string, p: string) => p.startsWith(`${dir}/`);
  return kept.filter(
    (c) =>
      !(
        c.kind !== 2 &&
        exclude.some((e) => under(c.path, e)) &&
        !kept.some((o) => o !== c && under(c.path, o.path) && !exclude.some((e) => e === o.path || under(e, o.path)))
      ),
  );
}

/**
 * A layer tar with each header rewritten: mtimes clamped to SOURCE_DATE_EPOCH (BuildKit's rewrite-timestamp), a
 * remapped container's owners as its own ids.
 */
async function* rewriteHeaders(
  tar: AsyncIterable<Uint8Array>,
  rewrite: (h: TarHeader) => TarHeader,
): AsyncGenerator<Buffer> {
  for await (const entry of readTar(tar)) {
    yield encodeHeader(rewrite(entry.header));
    let size = 0;
    for await (const chunk of entry.body) {
      size += chunk.length;
      yield chunk;
    }
    if (size > 0) yield padding(size);
  }
  yield END_OF_ARCHIVE;
}
