// The image store: image configs (in the content store, named by their sha256 = the image ID), a small metadata
// record per image (`<root>/imagedb/metadata/<hex>.json`: when added, parent, last tag time) and the repository
// references (`<root>/repositories.json`). Everything is in memory after open; every change is written atomically
// before it is visible. Layers are the layer store's: this store only names them by chain ID (LayerRefs).
import { mkdir, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, InvalidParameter, isNotFound, NotFound } from '../../errdefs/index.js';
import { readJsonIfExists, writeJsonAtomic } from '../../lib/atomic-file.js';
import { type Digest, isDigest, sha256 } from '../../lib/digest.js';
import type { ContentStore } from '../../storage/content/index.js';
import {
  familiarString,
  isDigestOnly,
  parseAnyReference,
  parseNormalizedReference,
  type Reference,
  withDefaultTag,
} from '../reference.js';
import { parseImageConfig } from '../types.js';
import { chainIds } from './chain-id.js';
import type { LayerRefs } from './layer-refs.js';
import type { ContainerUsage, ImageRecord, ImageUser, StoreOps } from './model.js';
import { Mutex } from './mutex.js';
import { ReferenceStore, storedForm } from './references.js';
import {
  type PruneOptions,
  type PruneResult,
  pruneImages,
  type RemoveOptions,
  type RemoveResult,
  removeImage,
} from './remove.js';
import { imageHistory, inspectImage, type ListOptions, listImages, repoDigests, repoTags } from './views.js';
import type { HistoryItem, ImageInspect, ImageSummary } from './wire.js';

export interface ImageStoreOptions {
  /** The image directory of the data root (`/var/lib/berth/image`). */
  root: string;
  /** Where image configs are kept (shared with pull/push/load/save). */
  content: ContentStore;
  layers: LayerRefs;
  /** Which containers use an image; none when left out. */
  containers?: ContainerUsage;
  /** The clock, for tests. */
  now?: () => Date;
}

/** What `open` found and repaired: the leftovers of a crash or of files removed by hand. */
export interface ReconcileReport {
  /** Metadata records dropped because their config blob is missing or unreadable. */
  droppedImages: string[];
  /** References (familiar strings) dropped because their image is gone. */
  droppedReferences: string[];
  /** Parent links cleared because the parent image is gone. */
  clearedParents: Digest[];
  /** Temp files of interrupted atomic writes removed. */
  removedTempFiles: number;
}

/** The metadata record as written to disk. */
interface MetadataFile {
  id: Digest;
  added: string;
  parent?: Digest;
  lastTagTime?: string;
}

const HEX_JSON = /^([a-f0-9]{64})\.json$/;
const SHORT_ID = /^(?:sha256:)?([a-f0-9]{1,64})$/;

export class ImageStore {
  private readonly records = new Map<Digest, ImageRecord>();
  private readonly lock = new Mutex();
  private readonly metadataDir: string;
  private refs!: ReferenceStore;
  readonly layers: LayerRefs;
  private readonly content: ContentStore;
  private readonly containers: ContainerUsage;
  private readonly now: () => Date;
  readonly reconciled: ReconcileReport = {
    droppedImages: [],
    droppedReferences: [],
    clearedParents: [],
    removedTempFiles: 0,
  };

  private constructor(
    readonly root: string,
    opts: ImageStoreOptions,
  ) {
    this.metadataDir = join(root, 'imagedb', 'metadata');
    this.layers = opts.layers;
    this.content = opts.content;
    this.containers = opts.containers ?? (async () => []);
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * Opens (creating if needed) the store and reconciles it: temp files of interrupted writes are removed, records
   * whose config blob is gone are dropped, parent links to missing images cleared, references to missing images
   * dropped. What was repaired is in `reconciled`.
   */
  static async open(opts: ImageStoreOptions): Promise<ImageStore> {
    const store = new ImageStore(opts.root, opts);
    await mkdir(store.metadataDir, { recursive: true });
    await mkdir(store.pendingDir, { recursive: true });
    store.reconciled.removedTempFiles =
      (await removeTempFiles(store.metadataDir)) + (await removeTempFiles(store.root));
    await store.loadRecords();
    await store.finishPending();
    const refsPath = join(store.root, 'repositories.json');
    const { store: refs, dropped } = await ReferenceStore.open(
      refsPath,
      await readJsonIfExists<unknown>(refsPath),
      (id) => store.records.has(id),
    );
    store.refs = refs;
    store.reconciled.droppedReferences = dropped;
    return store;
  }

  // ---- images ----

  /**
   * Adds an image from its config bytes (exactly as pulled/built: the ID is their sha256) and returns its ID. The
   * config is validated, its top layer must already be in the layer store, and the blob is stored before the record,
   * so a crash leaves at most an unreferenced blob. Adding an existing image is a no-op (apart from `parent`).
   */
  async put(config: Uint8Array | string, opts: { parent?: Digest } = {}): Promise<Digest> {
    const bytes = typeof config === 'string' ? Buffer.from(config) : config;
    const parsed = parseImageConfig(bytes);
    const id = sha256(bytes);
    return this.lock.run(async () => {
      if (opts.parent !== undefined) this.checkParent(id, opts.parent);
      const existing = this.records.get(id);
      if (existing) {
        if (opts.parent !== undefined && existing.parent !== opts.parent) {
          await this.writeRecord({ ...existing, parent: opts.parent });
        }
        return id;
      }
      const chain = chainIds(parsed.rootfs.diff_ids);
      const top = chain.at(-1);
      if (top !== undefined && !(await this.layers.has(top))) throw new NotFound('layer does not exist');
      // An intent first: a crash between the blob and the record then leaves something open() can undo.
      const intent = this.pendingPath(id);
      await writeFile(intent, '');
      await this.content.put(bytes, id);
      const record: ImageRecord = { id, config: parsed, chainIds: chain, added: this.now().toISOString() };
      if (opts.parent !== undefined) record.parent = opts.parent;
      await this.writeRecord(record);
      await unlink(intent);
      return id;
    });
  }

  /** Records the image an image was committed/built from (Docker's SetParent). */
  async setParent(id: Digest, parent: Digest): Promise<void> {
    await this.lock.run(async () => {
      const img = this.get(id);
      this.checkParent(id, parent);
      if (img.parent !== parent) await this.writeRecord({ ...img, parent });
    });
  }

  has(id: string): boolean {
    return this.records.has(id as Digest);
  }

  /** The image with exactly this ID; NotFound otherwise. */
  get(id: string): ImageRecord {
    const img = this.records.get(id as Digest);
    if (!img) throw new NotFound(`No such image: ${id}`);
    return img;
  }

  /** Every image, in no particular order. */
  images(): ImageRecord[] {
    return [...this.records.values()];
  }

  /** Images whose parent is `id`. */
  children(id: Digest): Digest[] {
    const out: Digest[] = [];
    for (const img of this.records.values()) if (img.parent === id) out.push(img.id);
    return out;
  }

  /** Every chain ID some image uses: what the layer store must keep (besides containers' layers). */
  chainIdsInUse(): Set<Digest> {
    const out = new Set<Digest>();
    for (const img of this.records.values()) for (const c of img.chainIds) out.add(c);
    return out;
  }

  /**
   * Docker's GetImage: a full ID (`sha256:…` or 64 hex), a `name[:tag]` or `name@digest` reference, or a unique ID
   * prefix (with or without `sha256:`). NotFound "No such image: busybox:latest" (Docker's text; the name gets its
   * default tag), NotFound "ambiguous reference" for a prefix of several IDs, InvalidParameter for a malformed name.
   */
  resolve(refOrId: string): ImageRecord {
    const parsed = parseAnyReference(refOrId);
    if (isDigestOnly(parsed)) {
      const img = this.records.get(parsed.digest);
      if (img) return img;
      throw new NotFound(`No such image: ${parsed.digest}`);
    }
    const id = this.refs.get(parsed);
    const named = id && this.records.get(id);
    if (named) return named;
    const prefix = SHORT_ID.exec(refOrId)?.[1];
    if (prefix !== undefined) {
      const matches = [...this.records.keys()].filter((k) => k.startsWith(`sha256:${prefix}`));
      if (matches.length > 1) throw new NotFound('ambiguous reference');
      const only = matches[0] && this.records.get(matches[0]);
      if (only) return only;
    }
    throw new NotFound(`No such image: ${familiarString(withDefaultTag(parsed))}`);
  }

  // ---- references ----

  /** Every reference to an image, sorted as Docker sorts them. */
  references(id: Digest): Reference[] {
    return this.refs.references(id);
  }

  /** `RepoTags`: the image's tags as familiar strings (`busybox:latest`). */
  repoTags(id: Digest): string[] {
    return repoTags(this.refs.references(id));
  }

  /** `RepoDigests`: the image's digest references (`busybox@sha256:…`). */
  repoDigests(id: Digest): string[] {
    return repoDigests(this.refs.references(id));
  }

  /**
   * `docker tag SOURCE TARGET`: points TARGET (normalised; `:latest` by default) at the image SOURCE names, moving it
   * from any other image. A TARGET with a digest is refused ("refusing to create a tag with a digest reference").
   * Records the tag time. Returns the stored reference.
   */
  async tag(source: string, target: string | Reference): Promise<Reference> {
    const ref = typeof target === 'string' ? parseNormalizedReference(target) : target;
    if (ref.digest) throw new InvalidParameter('refusing to create a tag with a digest reference');
    return this.lock.run(async () => {
      const img = this.resolve(source);
      await this.refs.addTag(ref, img.id);
      await this.writeRecord({ ...img, lastTagTime: this.now().toISOString() });
      return storedForm(ref);
    });
  }

  /** Records `name@digest` (the manifest digest an image was pulled by) for an image. */
  async addDigest(ref: Reference, id: Digest): Promise<void> {
    await this.lock.run(async () => {
      this.get(id);
      await this.refs.addDigest(ref, id);
    });
  }

  /** Removes one reference (a tag, or `name@digest`) and returns the image it named. The image itself stays. */
  async untag(reference: string | Reference): Promise<Digest> {
    const ref = typeof reference === 'string' ? parseNormalizedReference(reference) : reference;
    return this.lock.run(async () => {
      const id = await this.refs.delete(ref);
      if (id === undefined) throw new NotFound(`No such image: ${familiarString(withDefaultTag(ref))}`);
      return id;
    });
  }

  // ---- API views and removal ----

  list(opts: ListOptions = {}): Promise<ImageSummary[]> {
    return listImages(this.ops(), opts);
  }

  inspect(refOrId: string): Promise<ImageInspect> {
    return inspectImage(this.ops(), this.resolve(refOrId));
  }

  history(refOrId: string): Promise<HistoryItem[]> {
    return imageHistory(this.ops(), this.resolve(refOrId));
  }

  /** `docker rmi` (DELETE /images/{name}); see remove.ts for the rules. */
  remove(refOrId: string, opts: RemoveOptions = {}): Promise<RemoveResult> {
    return this.lock.run(() => removeImage(this.ops(), refOrId, opts));
  }

  /** `docker image prune` (POST /images/prune). */
  prune(opts: PruneOptions = {}): Promise<PruneResult> {
    return this.lock.run(() => pruneImages(this.ops(), opts));
  }

  // ---- internals ----

  private ops(): StoreOps {
    return {
      layers: this.layers,
      images: () => this.records.values(),
      image: (id) => this.records.get(id),
      resolve: (s) => this.resolve(s),
      references: (id) => this.refs.references(id),
      children: (id) => this.children(id),
      containersUsing: (id): Promise<readonly ImageUser[]> => this.containers(id),
      deleteReference: async (ref) => (await this.refs.delete(ref)) !== undefined,
      deleteImage: (id) => this.deleteRecord(id),
    };
  }

  private checkParent(id: Digest, parent: Digest): void {
    if (!this.records.has(parent)) throw new NotFound(`unknown parent image ID ${parent}`);
    // Walking up from the parent must not come back to the image.
    for (let p: Digest | undefined = parent; p !== undefined; p = this.records.get(p)?.parent) {
      if (p === id) throw new InvalidParameter(`image ${id} cannot be its own ancestor`);
    }
  }

  private metadataPath(id: Digest): string {
    return join(this.metadataDir, `${id.slice('sha256:'.length)}.json`);
  }

  private get pendingDir(): string {
    return join(this.root, 'imagedb', 'pending');
  }

  private pendingPath(id: Digest): string {
    return join(this.pendingDir, id.slice('sha256:'.length));
  }

  /** A put cut short between its intent and its record: remove the config blob it may have stored. */
  private async finishPending(): Promise<void> {
    for (const hex of await readdir(this.pendingDir)) {
      const id = `sha256:${hex}` as Digest;
      if (/^[0-9a-f]{64}$/.test(hex) && !this.records.has(id)) {
        await this.content.delete(id).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
        this.reconciled.droppedImages.push(id);
      }
      await rm(join(this.pendingDir, hex), { force: true });
    }
  }

  /** Writes the record's metadata, then makes it visible. */
  private async writeRecord(record: ImageRecord): Promise<void> {
    const meta: MetadataFile = { id: record.id, added: record.added };
    if (record.parent !== undefined) meta.parent = record.parent;
    if (record.lastTagTime !== undefined) meta.lastTagTime = record.lastTagTime;
    await writeJsonAtomic(this.metadataPath(record.id), meta, { mode: 0o600 });
    this.records.set(record.id, record);
  }

  /** Forgets an image: record, metadata and config blob. Returns the chain IDs no other image uses, top first. */
  private async deleteRecord(id: Digest): Promise<Digest[]> {
    const img = this.get(id);
    this.records.delete(id);
    for (const child of this.children(id)) {
      const c = this.records.get(child)!;
      const { parent: _dropped, ...rest } = c;
      await this.writeRecord(rest);
    }
    await unlink(this.metadataPath(id)).catch((e: unknown) => {
      if (errnoCode(e) !== 'ENOENT') throw e;
    });
    await this.content.delete(id).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
    const inUse = this.chainIdsInUse();
    return img.chainIds.filter((c) => !inUse.has(c)).reverse();
  }

  private async loadRecords(): Promise<void> {
    const names = (await readdir(this.metadataDir)).filter((n) => HEX_JSON.test(n));
    const loaded = await Promise.all(names.map((n) => this.loadRecord(n)));
    for (const r of loaded) if (r) this.records.set(r.id, r);
    // A parent deleted while its child stayed (only possible through a crash or by hand): forget the link.
    for (const r of this.records.values()) {
      if (r.parent !== undefined && !this.records.has(r.parent)) {
        const { parent: _gone, ...rest } = r;
        this.reconciled.clearedParents.push(r.id);
        await this.writeRecord(rest);
      }
    }
  }

  private async loadRecord(name: string): Promise<ImageRecord | undefined> {
    const path = join(this.metadataDir, name);
    const drop = async (id: string) => {
      this.reconciled.droppedImages.push(id);
      await rm(path, { force: true });
      return undefined;
    };
    const id = `sha256:${HEX_JSON.exec(name)![1]}` as Digest;
    let meta: MetadataFile | undefined;
    try {
      meta = await readJsonIfExists<MetadataFile>(path);
    } catch {
      return drop(id); // unparsable: atomic writes make this a hand edit; the image cannot be trusted
    }
    if (!meta || meta.id !== id) return drop(id);
    let bytes: Buffer;
    try {
      bytes = await this.content.get(id);
    } catch (e) {
      if (isNotFound(e)) return drop(id);
      throw e;
    }
    if (sha256(bytes) !== id) return drop(id);
    let config: ReturnType<typeof parseImageConfig>;
    try {
      config = parseImageConfig(bytes);
    } catch {
      return drop(id);
    }
    const record: ImageRecord = { id, config, chainIds: chainIds(config.rootfs.diff_ids), added: meta.added };
    if (isDigest(meta.parent)) record.parent = meta.parent;
    if (typeof meta.lastTagTime === 'string') record.lastTagTime = meta.lastTagTime;
    return record;
  }
}

/** Removes the `*.tmp` files writeFileAtomic leaves when interrupted; returns how many. */
async function removeTempFiles(dir: string): Promise<number> {
  let removed = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.tmp')) continue;
    await rm(join(dir, entry.name), { force: true });
    removed++;
  }
  return removed;
}
