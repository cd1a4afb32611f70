// `docker save`: a tar that is both a Docker archive (manifest.json, repositories, one legacy directory per layer)
// and an OCI image layout (oci-layout, index.json, blobs/sha256/), streamed entry by entry. Layer tars are the only
// large parts: the layer store knows each one's size, so its header is written first and the tar streams straight
// in (layerTar fails the stream if the bytes do not reproduce the diff ID). A LayerAccess that cannot tell the size
// gets the old way: each layer spooled to a temp file first, hashed, copied in and deleted. Blobs shared by several
// images are written once. See docs in index.ts for the exact layout.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotImplemented, System } from '../../errdefs/index.js';
import { type Digest, digestHex, sha256 } from '../../lib/digest.js';
import { END_OF_ARCHIVE } from '../../archive/index.js';
import {
  familiarName,
  familiarString,
  fullName,
  isDigestOnly,
  isNameOnly,
  parseAnyReference,
  type Reference,
  referenceString,
} from '../reference.js';
import type { ImageRecord, ImageStore } from '../store/index.js';
import { type Descriptor, MediaType } from '../types.js';
import { goJson, sortedMap } from './gojson.js';
import type { LayerAccess } from './layers.js';
import {
  blobPath,
  LEGACY_VERSION,
  MANIFEST_FILE,
  type ManifestItem,
  OCI_INDEX_FILE,
  OCI_LAYOUT_CONTENT,
  OCI_LAYOUT_FILE,
  REPOSITORIES_FILE,
} from './layout.js';
import { diskFileEntry, dirEntry, fileEntry, linkEntry, streamedFileEntry } from './tar-out.js';
import { v1Layers } from './v1.js';

export interface SaveDeps {
  images: ImageStore;
  layers: LayerAccess;
  /** Where image configs are kept (the image store's content store): save writes their exact bytes. */
  content: { get(digest: string): Promise<Buffer> };
  /** Parent of the temp directory layers are spooled into when `layers` has no layerTarSize (default: the OS's). */
  tmpDir?: string;
}

interface Selected {
  image: ImageRecord;
  tags: Reference[];
}

/**
 * The images `docker save NAME...` exports, with the tags each carries (Docker's parseNames): `name:tag` → that tag;
 * a bare `name` → every tag of the repository (or, with none, an ID prefix); an ID, digest or `name@digest` → the
 * image without tags. Throws NotFound/InvalidParameter synchronously, before any byte is written.
 */
export function selectImages(names: readonly string[], images: ImageStore): Selected[] {
  const out = new Map<Digest, Selected>();
  const add = (image: ImageRecord, tag?: Reference) => {
    const entry = out.get(image.id) ?? { image, tags: [] };
    out.set(image.id, entry);
    if (tag && !entry.tags.some((t) => referenceString(t) === referenceString(tag))) entry.tags.push(tag);
  };
  for (const name of names) {
    const ref = parseAnyReference(name);
    if (isDigestOnly(ref) || familiarName(ref) === 'sha256' || ref.digest) {
      add(images.resolve(name));
      continue;
    }
    if (isNameOnly(ref)) {
      const tagged: [ImageRecord, Reference][] = [];
      for (const image of images.images()) {
        for (const r of images.references(image.id)) {
          if (r.tag && !r.digest && fullName(r) === fullName(ref)) tagged.push([image, r]);
        }
      }
      tagged.sort((a, b) => (referenceString(a[1]) < referenceString(b[1]) ? -1 : 1));
      if (tagged.length === 0) add(images.resolve(name));
      for (const [image, r] of tagged) add(image, r);
      continue;
    }
    add(images.resolve(name), ref);
  }
  for (const { image } of out.values()) {
    if (image.config.rootfs.diff_ids.length === 0) throw new NotImplemented('empty export - not implemented');
    const os = image.config.os ?? 'linux';
    if (os !== 'linux') throw new NotImplemented(`os "${os}" is not supported`);
  }
  return [...out.values()];
}

/**
 * Streams `docker save` of the named images. Name resolution errors throw here; failures while writing (a layer
 * missing or not matching its diff ID) destroy the stream with the error. The temp directory is always removed.
 */
export function saveImages(names: readonly string[], deps: SaveDeps): Readable {
  const selected = selectImages(names, deps.images);
  return Readable.from(writeArchive(selected, deps), { objectMode: false, highWaterMark: 1 << 16 });
}

const seconds = (created: string | undefined): number => {
  const t = created === undefined ? Number.NaN : Date.parse(created);
  return Number.isNaN(t) || t < 0 ? 0 : Math.floor(t / 1000);
};

/** Copies a layer's tar to `path`, hashing it; returns its digest and size. */
async function spool(source: AsyncIterable<Uint8Array>, path: string): Promise<{ digest: Digest; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  async function* counted() {
    for await (const chunk of source) {
      hash.update(chunk);
      size += chunk.length;
      yield chunk;
    }
  }
  await pipeline(counted(), createWriteStream(path));
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

interface LayerRef {
  chainId: Digest;
  diffId: Digest;
}

type Bytes = AsyncIterable<Uint8Array>;

/**
 * Opens each layer's tar one layer ahead of its turn, so the layer store can start producing it (on another thread)
 * while the one before streams into the archive; the store bounds what each open tar holds. Tars opened and never
 * streamed (the save failed or was abandoned) are destroyed by close(), which releases their layers.
 */
class LayerTars {
  private readonly opened = new Map<Digest, Promise<Bytes>>();

  constructor(
    private readonly order: readonly LayerRef[],
    private readonly layers: LayerAccess,
  ) {}

  /** The tar of `layer`, opened earlier or now; the next layer's tar is opened meanwhile. */
  take(layer: LayerRef): Promise<Bytes> {
    const tar = this.opened.get(layer.diffId) ?? this.open(layer);
    this.opened.delete(layer.diffId);
    const next = this.order[this.order.findIndex((l) => l.diffId === layer.diffId) + 1];
    if (next !== undefined && next.diffId !== layer.diffId && !this.opened.has(next.diffId)) {
      this.opened.set(next.diffId, this.open(next));
    }
    return tar;
  }

  async close(): Promise<void> {
    const left = [...this.opened.values()];
    this.opened.clear();
    for (const tar of left) {
      const s = await tar.catch(() => undefined);
      if (s instanceof Readable) s.destroy();
    }
  }

  private open(layer: LayerRef): Promise<Bytes> {
    const tar = Promise.resolve().then(() => this.layers.layerTar(layer.chainId));
    // Reported when the layer's turn comes (or dropped by close()): never an unhandled rejection meanwhile.
    tar.catch(() => undefined);
    return tar;
  }
}

/** One layer's blob entry: streamed when the layer store knows its size, else spooled. Returns the tar's size. */
async function* layerBlob(
  layer: LayerRef,
  mtime: number,
  deps: SaveDeps,
  tars: LayerTars,
  spoolDir: () => Promise<string>,
): AsyncGenerator<Buffer, number> {
  const name = blobPath(layer.diffId);
  if (deps.layers.layerTarSize) {
    const opening = tars.take(layer);
    let tar: Bytes | undefined;
    try {
      const size = await deps.layers.layerTarSize(layer.chainId);
      tar = await opening;
      yield* streamedFileEntry(name, tar, size, `layer ${layer.chainId}`, { mtime });
      return size;
    } finally {
      // A tar not read to its end (a failure, or the save abandoned) is destroyed: it holds its layer.
      const s = tar ?? (await opening.catch(() => undefined));
      if (s instanceof Readable && !s.readableEnded) s.destroy();
    }
  }
  const file = join(await spoolDir(), digestHex(layer.diffId));
  const { digest, size } = await spool(await deps.layers.layerTar(layer.chainId), file);
  if (digest !== layer.diffId) {
    throw new System(`layer ${layer.chainId}: its tar has digest ${digest}, not its diff ID ${layer.diffId}`);
  }
  yield* diskFileEntry(name, file, size, { mtime });
  await rm(file, { force: true });
  return size;
}

async function* writeArchive(selected: Selected[], deps: SaveDeps): AsyncGenerator<Buffer> {
  let spoolDir: string | undefined;
  const spoolTo = async () => {
    spoolDir ??= await mkdtemp(join(deps.tmpDir ?? tmpdir(), 'berth-save-'));
    return spoolDir;
  };
  // Every layer to write, in the order written (each once), for LayerTars; only when layers are streamed.
  const order: LayerRef[] = [];
  if (deps.layers.layerTarSize) {
    const seen = new Set<Digest>();
    for (const { image } of selected) {
      for (const l of v1Layers(image.config, image.chainIds)) {
        if (!seen.has(l.diffId)) order.push(l);
        seen.add(l.diffId);
      }
    }
  }
  const tars = new LayerTars(order, deps.layers);
  try {
    const layerSizes = new Map<Digest, number>();
    const writtenDirs = new Set<Digest>();
    const writtenBlobs = new Set<Digest>();
    const manifest: ManifestItem[] = [];
    const index: Descriptor[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    const ids = new Set(selected.map((s) => s.image.id));

    yield* dirEntry('blobs/');
    yield* dirEntry('blobs/sha256/');
    for (const { image, tags } of selected) {
      const created = seconds(image.config.created);
      const legacy = v1Layers(image.config, image.chainIds);
      for (const layer of legacy) {
        if (!layerSizes.has(layer.diffId)) {
          const size = yield* layerBlob(layer, created, deps, tars, spoolTo);
          layerSizes.set(layer.diffId, size);
          writtenBlobs.add(layer.diffId);
        }
        if (!writtenDirs.has(layer.id)) {
          const dir = digestHex(layer.id);
          yield* dirEntry(`${dir}/`);
          yield* fileEntry(`${dir}/VERSION`, LEGACY_VERSION);
          yield* fileEntry(`${dir}/json`, layer.json);
          yield* linkEntry(`${dir}/layer.tar`, `../${blobPath(layer.diffId)}`);
          writtenDirs.add(layer.id);
        }
      }

      const config = await deps.content.get(image.id);
      if (sha256(config) !== image.id) throw new System(`image config ${image.id} is corrupt`);
      if (!writtenBlobs.has(image.id)) {
        yield* fileEntry(blobPath(image.id), config, { mtime: created });
        yield* linkEntry(`${digestHex(image.id)}.json`, blobPath(image.id));
        writtenBlobs.add(image.id);
      }

      // The OCI manifest, in ocispec's field order; the layers are the uncompressed tars.
      const ociManifest = Buffer.from(
        goJson({
          schemaVersion: 2,
          mediaType: MediaType.OciManifest,
          config: { mediaType: MediaType.OciConfig, digest: image.id, size: config.length },
          layers: image.config.rootfs.diff_ids.map((d) => ({
            mediaType: MediaType.OciLayer,
            digest: d,
            size: layerSizes.get(d)!,
          })),
        }),
      );
      const manifestDigest = sha256(ociManifest);
      if (!writtenBlobs.has(manifestDigest)) {
        yield* fileEntry(blobPath(manifestDigest), ociManifest);
        writtenBlobs.add(manifestDigest);
      }
      const descriptor: Descriptor = {
        mediaType: MediaType.OciManifest,
        digest: manifestDigest,
        size: ociManifest.length,
      };
      if (tags.length === 0) index.push(descriptor);
      for (const tag of tags) {
        index.push({
          ...descriptor,
          annotations: {
            'io.containerd.image.name': referenceString(tag),
            'org.opencontainers.image.ref.name': tag.tag!,
          },
        });
        const repo = familiarName(tag);
        repositories[repo] = { ...repositories[repo], [tag.tag!]: digestHex(legacy.at(-1)!.id) };
      }

      const item: ManifestItem = {
        Config: `${digestHex(image.id)}.json`,
        RepoTags: tags.length > 0 ? tags.map((t) => familiarString(t)) : null,
        Layers: legacy.map((l) => `${digestHex(l.id)}/layer.tar`),
      };
      // Docker's validatedParentLinks: only a parent that is in the same archive is recorded.
      if (image.parent !== undefined && image.parent !== image.id && ids.has(image.parent)) item.Parent = image.parent;
      manifest.push(item);
    }

    yield* fileEntry(OCI_INDEX_FILE, goJson({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: index }));
    yield* fileEntry(MANIFEST_FILE, `${goJson(manifest)}\n`);
    yield* fileEntry(OCI_LAYOUT_FILE, OCI_LAYOUT_CONTENT);
    if (Object.keys(repositories).length > 0) {
      const sorted = sortedMap(Object.fromEntries(Object.entries(repositories).map(([k, v]) => [k, sortedMap(v)])));
      yield* fileEntry(REPOSITORIES_FILE, `${goJson(sorted)}\n`);
    }
    yield END_OF_ARCHIVE;
  } finally {
    await tars.close();
    if (spoolDir !== undefined) await rm(spoolDir, { recursive: true, force: true });
  }
}
