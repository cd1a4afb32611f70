// The image backend the API's image routes call: the image store's views and operations, the archive formats
// (save/load/import) and commit, with the layer references kept right (a removed image releases its layers).
import type { Readable } from 'node:stream';
import { applyChanges, importImage, loadImages, saveImages } from '../../image/archive/index.js';
import type { ImageStore } from '../../image/store/index.js';
import type { ImageConfig } from '../../image/types.js';
import { InvalidParameter } from '../../errdefs/index.js';
import type { Digest } from '../../lib/digest.js';
import type { ContentStore } from '../../storage/content/index.js';
import type { LayerStore } from '../../storage/layer/index.js';
import type { ContainerStore } from '../container/store.js';
import type { EventBus } from '../events.js';
import { parseNormalizedReference, familiarString } from '../../image/reference.js';
import { commitLayer } from './commit.js';
import type { IdentityMapping } from '../../lib/idmap.js';
import { containerIdMapping } from '../spec/userns.js';

export interface ImageDeps {
  images: ImageStore;
  layers: LayerStore;
  content: ContentStore;
  containers: ContainerStore;
  events: EventBus;
  tmpDir: string;
  storageDriver: string;
  /** Pauses a running container while its changes are read (`docker commit`'s default). */
  pauser?: { pause(ref: string): Promise<void>; unpause(ref: string): Promise<void> };
  /** --userns-remap's mapping: a remapped container's changes are committed with its own ids. */
  remap?: IdentityMapping;
}

export class ImageService {
  constructor(private readonly deps: ImageDeps) {}

  list(opts: { all: boolean; filters: Record<string, string[]>; digests: boolean }) {
    return this.deps.images.list({ all: opts.all, filters: opts.filters });
  }

  async inspect(name: string) {
    const view = await this.deps.images.inspect(name);
    const rec = this.deps.images.resolve(name);
    const top = rec.chainIds.at(-1);
    const data: Record<string, string> = {};
    if (top) {
      const chain = this.deps.layers.chain(top);
      const info = chain.at(-1);
      if (info) data.LayerId = info.chainId;
    }
    return { ...view, GraphDriver: { Name: this.deps.storageDriver, Data: data } };
  }

  history(name: string) {
    return this.deps.images.history(name);
  }

  async tag(name: string, repo: string, tag: string): Promise<void> {
    if (!repo) throw new InvalidParameter('repository name must have at least one component');
    const target = tag ? `${repo}:${tag}` : repo;
    const rec = this.deps.images.resolve(name);
    const ref = await this.deps.images.tag(name, target);
    this.deps.events.publish('image', 'tag', rec.id, { name: familiarString(ref) });
  }

  async remove(name: string, force: boolean, noprune: boolean) {
    const result = await this.deps.images.remove(name, { force, prune: !noprune });
    await this.release(result.unusedChainIds);
    for (const item of result.items) {
      if ('Untagged' in item) this.deps.events.publish('image', 'untag', item.Untagged, { name: item.Untagged });
      else this.deps.events.publish('image', 'delete', item.Deleted, { name: item.Deleted });
    }
    return result.items;
  }

  async prune(filters: Record<string, string[]>) {
    const result = await this.deps.images.prune({ filters });
    await this.release(result.unusedChainIds);
    const { unusedChainIds: _u, ...report } = result;
    this.deps.events.publish('image', 'prune', '', { reclaimed: String(report.SpaceReclaimed) });
    return report;
  }

  /** `docker import`: a rootfs tar as a one-layer image; returns the progress lines Docker streams. */
  async importTar(
    tar: Readable,
    opts: { repo: string; tag: string; changes: string[]; message: string; platform: string },
  ) {
    const ref = opts.repo ? (opts.tag ? `${opts.repo}:${opts.tag}` : opts.repo) : undefined;
    const named = ref ? parseNormalizedReference(ref) : undefined;
    const { id } = await importImage(
      tar,
      { ref, changes: opts.changes, message: opts.message || undefined, platform: opts.platform || undefined },
      { images: this.deps.images, layers: this.deps.layers },
    );
    // As moby's ImportImage: the tag's event (named by the reference), then the import's (named by the ID).
    if (named) this.deps.events.publish('image', 'tag', id, { name: familiarString(named) });
    this.deps.events.publish('image', 'import', id, { name: id });
    return id;
  }

  async load(tar: Readable) {
    const result = await loadImages(tar, {
      images: this.deps.images,
      layers: this.deps.layers,
      tmpDir: this.deps.tmpDir,
    });
    for (const id of result.ids) this.deps.events.publish('image', 'load', id, { name: id });
    return result;
  }

  save(names: string[]): Readable {
    if (names.length === 0) throw new InvalidParameter('no image names given');
    return saveImages(names, {
      images: this.deps.images,
      layers: this.deps.layers,
      content: this.deps.content,
      tmpDir: this.deps.tmpDir,
    });
  }

  /** `docker commit`: the container's changes as a new layer on its image, with the container's config. */
  async commit(opts: {
    container: string;
    repo: string;
    tag: string;
    comment: string;
    author: string;
    changes: string[];
    config: Record<string, unknown> | undefined;
    pause?: boolean;
  }): Promise<Digest> {
    const c = this.deps.containers.get(opts.container);
    const pauser = this.deps.pauser;
    if (opts.pause && pauser && c.state.status === 'running') {
      await pauser.pause(c.id);
      try {
        return await this.commit({ ...opts, pause: false });
      } finally {
        await pauser.unpause(c.id).catch(() => {});
      }
    }
    const base = this.deps.images.get(c.image);
    const containerConfig = applyChanges(opts.changes, {
      ...(c.config as Record<string, unknown>),
      ...(opts.config ?? {}),
    } as never);
    const created = new Date().toISOString();
    const config: ImageConfig = {
      ...base.config,
      created,
      author: opts.author || undefined,
      comment: opts.comment || undefined,
      container: c.id,
      config: { ...containerConfig, Image: c.image } as ImageConfig['config'],
      history: [
        ...(base.config.history ?? []),
        {
          created,
          author: opts.author || undefined,
          comment: opts.comment || undefined,
          created_by: [c.path, ...c.args].join(' '),
        },
      ],
    };
    for (const k of Object.keys(config) as (keyof ImageConfig)[]) if (config[k] === undefined) delete config[k];
    // As dockerd's, the new layer holds what the container changed, not the mount points the runtime made for it.
    const idMapping = containerIdMapping(c.hostConfig, this.deps.remap);
    const id = await commitLayer(this.deps, {
      rwLayer: c.id,
      parent: base,
      config,
      ...(idMapping ? { idMapping } : {}),
    });
    if (opts.repo) await this.deps.images.tag(id, opts.tag ? `${opts.repo}:${opts.tag}` : opts.repo);
    this.deps.events.publish('container', 'commit', c.id, { comment: opts.comment, imageID: id, name: c.name });
    return id;
  }

  /** Which containers use an image (the image store asks before removal). */
  async users(imageId: Digest) {
    return this.deps.containers
      .all()
      .filter((c) => c.image === imageId)
      .map((c) => ({ id: c.id, running: c.state.status === 'running' || c.state.status === 'paused' }));
  }

  private async release(chainIds: readonly Digest[]): Promise<void> {
    for (const chainId of chainIds) await this.deps.layers.release(chainId);
  }
}
