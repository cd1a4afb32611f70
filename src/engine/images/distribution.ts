// The registry side of the image service: pull, push, login and search through src/distribution, over the image and
// layer stores. Pulls of the same reference take turns (the second then finds every layer present), and the image
// events are published as dockerd's (pull, push).
import {
  type AuthConfig,
  authConfigOf,
  decodeRegistryAuth,
  type LayerBlobs,
  login,
  type LoginResult,
  nothingToPush,
  type ProgressOut,
  parsePlatform,
  pullImage,
  pushImages,
  type PushTarget,
  type RegistryClient,
  search,
  type SearchResult,
  Slots,
} from '../../distribution/index.js';
import { isNotFound } from '../../errdefs/index.js';
import {
  familiarName,
  familiarString,
  isNameOnly,
  parseNormalizedReference,
  parseRepositoryTag,
  type Reference,
  trimNamed,
  withTag,
} from '../../image/reference.js';
import type { ImageStore } from '../../image/store/index.js';
import { KeyedLock } from '../../lib/keyed-lock.js';
import type { Digest } from '../../lib/digest.js';
import type { ContentStore } from '../../storage/content/index.js';
import type { LayerStore } from '../../storage/layer/index.js';
import type { EventBus } from '../events.js';

export interface DistributionDeps {
  images: ImageStore;
  layers: LayerStore;
  content: ContentStore;
  events: EventBus;
  client: RegistryClient;
  blobs: LayerBlobs;
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
}

export interface PullParams {
  fromImage: string;
  tag: string;
  platform: string;
  /** The X-Registry-Auth header. */
  registryAuth: string | undefined;
}

export class DistributionService {
  private readonly downloads: Slots;
  private readonly pulls = new KeyedLock();

  constructor(private readonly deps: DistributionDeps) {
    this.downloads = new Slots(Math.max(1, deps.maxConcurrentDownloads));
  }

  /** Checks what a pull asks for before any progress is sent (a bad reference or platform is a plain 400). */
  parsePull(p: PullParams): { ref: Reference; auth: AuthConfig; platform: ReturnType<typeof parsePlatform> } {
    return {
      ref: parseRepositoryTag(p.fromImage, p.tag),
      auth: decodeRegistryAuth(p.registryAuth),
      platform: parsePlatform(p.platform),
    };
  }

  /** `docker pull` (a name without tag or digest pulls every tag, as dockerd does). */
  async pull(p: PullParams, out: ProgressOut): Promise<void> {
    const { ref, auth, platform } = this.parsePull(p);
    const allTags = isNameOnly(ref);
    const { images, layers, client, blobs } = this.deps;
    const result = await this.pulls.run(familiarString(ref), () =>
      pullImage(
        { ref, auth, platform, allTags },
        {
          client,
          blobs,
          downloads: this.downloads,
          layers: {
            has: (c) => layers.has(c),
            registerChain: (tars, parent, expected) => layers.registerChain(tars, parent, expected),
          },
          images: {
            put: (config) => images.put(config),
            tag: (id, target) => images.tag(id, target),
            addDigest: (r, id) => images.addDigest(r, id),
            current: (r) => currentImage(images, familiarString(r)),
          },
        },
        out,
      ),
    );
    for (const [i, id] of result.ids.entries()) {
      this.deps.events.publish('image', 'pull', id, { name: result.names[i] ?? familiarName(ref) });
    }
  }

  /** `docker push name[:tag]` (no tag: every tag of the repository). */
  async push(name: string, tag: string, registryAuth: string | undefined, out: ProgressOut): Promise<void> {
    let ref = parseNormalizedReference(name);
    if (tag) ref = withTag(trimNamed(ref), tag);
    const auth = decodeRegistryAuth(registryAuth);
    const targets = await this.targets(ref);
    await pushImages(
      targets,
      auth,
      {
        client: this.deps.client,
        blobs: this.deps.blobs,
        uploads: Math.max(1, this.deps.maxConcurrentUploads),
        layers: {
          layerTar: (c) => this.deps.layers.layerTar(c),
          layerTarSize: (c) => this.deps.layers.layerTarSize(c),
        },
        addDigest: (r, id) => this.deps.images.addDigest(r, id),
      },
      out,
    );
    for (const t of targets) this.deps.events.publish('image', 'push', t.id, { name: familiarString(t.ref) });
  }

  /** POST /auth: the body's AuthConfig checked against its registry. */
  login(body: Record<string, unknown>): Promise<LoginResult> {
    return login(this.deps.client, authConfigOf(body));
  }

  search(opts: {
    term: string;
    limit: number;
    filters: Record<string, string[]>;
    registryAuth: string | undefined;
  }): Promise<SearchResult[]> {
    return search(this.deps.client, { ...opts, auth: decodeRegistryAuth(opts.registryAuth) });
  }

  /** The tagged images a push names, with their configs as stored. */
  private async targets(ref: Reference): Promise<PushTarget[]> {
    const { images } = this.deps;
    const tagged: { ref: Reference; id: Digest }[] = [];
    if (ref.tag !== undefined) {
      const id = currentImage(images, familiarString(ref));
      if (id === undefined) throw nothingToPush(ref);
      tagged.push({ ref, id });
    } else {
      for (const id of images.images().map((i) => i.id)) {
        for (const r of images.references(id)) {
          if (r.domain === ref.domain && r.path === ref.path && r.tag !== undefined && r.digest === undefined) {
            tagged.push({ ref: r, id });
          }
        }
      }
      tagged.sort((a, b) => (a.ref.tag! < b.ref.tag! ? -1 : 1));
      if (tagged.length === 0) throw nothingToPush(ref);
    }
    return Promise.all(
      tagged.map(async ({ ref: r, id }) => {
        const rec = images.get(id);
        return {
          ref: r,
          id,
          config: await this.deps.content.get(id),
          diffIds: rec.config.rootfs.diff_ids,
          chainIds: rec.chainIds,
        };
      }),
    );
  }
}

function currentImage(images: ImageStore, name: string): Digest | undefined {
  try {
    return images.resolve(name).id;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}
