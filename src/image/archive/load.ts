// `docker load`: reads a Docker archive or an OCI image layout (plain or gzip) into a temp work directory (hashing
// each file on the way), works out every image (plan.ts), checks every layer not yet present against its diff ID,
// and only then registers layers bottom-up, adds the configs and sets the tags. A bad archive fails before anything
// is registered. An uncompressed layer is checked by the digest taken while extracting; a compressed one needs a
// pass of its own, unless the layer store checks diff IDs itself before committing (registerChain), which also
// applies an image's layers together. Layers come before the manifest in an archive, so a store that can stage
// (overlay2) starts applying each large file as soon as it is extracted, while the rest is still being read; the
// manifest then decides which staged layers go where, and the others are discarded.
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidParameter, isNotFound, System } from '../../errdefs/index.js';
import { type Digest, digestOfStream } from '../../lib/digest.js';
import { decompress, type LayerSource } from '../../archive/index.js';
import { FileSource } from '../../storage/archive/index.js';
import { familiarString } from '../reference.js';
import type { ImageStore } from '../store/index.js';
import { chainIds } from '../store/index.js';
import type { History } from '../types.js';
import { extractArchive, type StoredFile } from './extract.js';
import type { LayerAccess, Staged } from './layers.js';
import { MANIFEST_FILE, OCI_INDEX_FILE } from './layout.js';
import { type ImagePlan, planDocker, planOci } from './plan.js';

export interface LoadDeps {
  images: ImageStore;
  layers: LayerAccess;
  /** Parent of the temp work directory (default: the OS's). */
  tmpDir?: string;
}

export interface LoadResult {
  /** What docker load prints: "Loaded image: busybox:latest", or "Loaded image ID: sha256:…" for untagged images. */
  loaded: string[];
  /** The IDs of the images loaded, in archive order. */
  ids: Digest[];
}

const layerStream = async (file: StoredFile) => (await decompress(new FileSource(file.path))).stream;

/** Files smaller than this are not applied on speculation (small layers apply quickly once their place is known). */
const STAGE_MIN = 1 << 20;
const BLOB_NAME = /^blobs\/sha256\/([a-f0-9]{64})$/;

/** Loads every image in the archive. InvalidParameter for anything wrong with it; the work directory is removed. */
export async function loadImages(source: LayerSource, deps: LoadDeps): Promise<LoadResult> {
  const work = await mkdtemp(join(deps.tmpDir ?? tmpdir(), 'berth-load-'));
  const staging = new Map<string, Promise<Staged | undefined>>();
  try {
    const { stream } = await decompress(source);
    const files = await extractArchive(stream, work, (name, file) =>
      stageLikelyLayer(deps.layers, staging, name, file),
    );
    let plans: ImagePlan[];
    if (files.has(MANIFEST_FILE)) plans = await planDocker(files);
    else if (files.has(OCI_INDEX_FILE)) plans = await planOci(files);
    else throw new InvalidParameter(`invalid archive: does not contain a ${MANIFEST_FILE}`);
    await verifyLayers(plans, deps.layers, deps.layers.registerChain !== undefined);
    return await apply(plans, deps, staging);
  } finally {
    // Staged layers no image took go; a failure here leaves their intents, so the next open removes them.
    for (const pending of staging.values()) {
      const staged = await pending;
      if (staged) await deps.layers.discardStaged?.(staged).catch(() => undefined);
    }
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Starts applying a stored file that may be a layer while the rest of the archive is still being read: layers come
 * before the manifest that says which files they are and in what order. What no image uses is discarded.
 */
function stageLikelyLayer(
  layers: LayerAccess,
  staging: Map<string, Promise<Staged | undefined>>,
  name: string,
  file: StoredFile,
): void {
  if (!layers.stage || !layers.registerChain || file.size < STAGE_MIN || staging.has(file.path)) return;
  const hex = BLOB_NAME.exec(name)?.[1];
  const opener = async () => new FileSource(file.path);
  const staged = layers.stage(opener, hex === undefined ? undefined : `sha256:${hex}`);
  staging.set(
    file.path,
    staged.catch(() => undefined),
  );
}

const mismatch = (i: number, expected: Digest, actual: Digest) =>
  new InvalidParameter(
    `invalid diffID for layer ${i}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
  );

/**
 * Checks each layer that is not registered yet against the config's diff ID (Docker's text on a mismatch). A file
 * whose own digest (taken while extracting) is the diff ID is a plain tar with that diff ID. Any other is
 * decompressed and hashed, except with `registerChecks` (the register checks each tar's diff ID before committing
 * anything): then compressed layers are checked as they are registered, and only plain ones fail here.
 */
async function verifyLayers(plans: ImagePlan[], layers: LayerAccess, registerChecks: boolean): Promise<void> {
  const seen = new Map<string, Digest>();
  for (const plan of plans) {
    const chain = chainIds(plan.parsed.rootfs.diff_ids);
    for (const [i, file] of plan.layers.entries()) {
      const expected = plan.parsed.rootfs.diff_ids[i]!;
      if (file.digest === expected || (await layers.has(chain[i]!))) continue;
      // A plain tar's digest is its diff ID: no need to read it again to know it is wrong.
      if (!(await isCompressed(file))) throw mismatch(i, expected, file.digest);
      if (registerChecks) continue;
      let actual = seen.get(file.path);
      if (actual === undefined) {
        actual = (await digestOfStream(await layerStream(file))).digest;
        seen.set(file.path, actual);
      }
      if (actual !== expected) throw mismatch(i, expected, actual);
    }
  }
}

/** Whether a layer file starts with a compression's magic bytes (gzip, or one berth refuses later). */
async function isCompressed(file: StoredFile): Promise<boolean> {
  const fh = await open(file.path, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(6), 0, 6, 0);
    const head = buffer.subarray(0, bytesRead);
    return COMPRESSION_MAGIC.some((m) => head.length >= m.length && m.every((b, i) => head[i] === b));
  } finally {
    await fh.close();
  }
}

/** gzip, bzip2, xz, zstd (Docker's DetectCompression). */
const COMPRESSION_MAGIC = [
  [0x1f, 0x8b, 0x08],
  [0x42, 0x5a, 0x68],
  [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
  [0x28, 0xb5, 0x2f, 0xfd],
];

/** Registers the image's layers that are not present yet, bottom first; their chain IDs must be the config's. */
async function registerLayers(
  plan: ImagePlan,
  layers: LayerAccess,
  staging: ReadonlyMap<string, Promise<Staged | undefined>>,
): Promise<void> {
  const diffIds = plan.parsed.rootfs.diff_ids;
  const chain = chainIds(diffIds);
  let first = 0;
  while (first < chain.length && (await layers.has(chain[first]!))) first++;
  if (first === chain.length) return;
  const parent = first > 0 ? chain[first - 1] : undefined;
  const check = (i: number, got: Digest) => {
    if (got !== chain[i]) throw new System(`layer ${i} registered as ${got}, expected ${chain[i]}`);
  };
  if (layers.registerChain) {
    const files = plan.layers.slice(first);
    const tars = await Promise.all(
      // Applied already where staged; else as files: the layer store's apply workers read them directly.
      files.map(async (file) => (await staging.get(file.path)) ?? (async () => new FileSource(file.path))),
    );
    const got = await layers.registerChain(tars, parent, diffIds.slice(first));
    for (const [k, r] of got.entries()) check(first + k, r.chainId);
    return;
  }
  for (let i = first; i < chain.length; i++) {
    check(i, (await layers.register(await layerStream(plan.layers[i]!), i > 0 ? chain[i - 1] : undefined)).chainId);
  }
}

async function apply(
  plans: ImagePlan[],
  deps: LoadDeps,
  staging: ReadonlyMap<string, Promise<Staged | undefined>>,
): Promise<LoadResult> {
  const loaded: string[] = [];
  const ids: Digest[] = [];
  for (const plan of plans) {
    await registerLayers(plan, deps.layers, staging);
    const id = await deps.images.put(plan.config);
    ids.push(id);
    for (const tag of plan.tags) {
      const name = familiarString(tag);
      const previous = currentImage(deps.images, name);
      if (previous !== undefined && previous !== id) {
        loaded.push(`The image ${name} already exists, renaming the old one with ID ${previous} to empty string`);
      }
      await deps.images.tag(id, tag);
      loaded.push(`Loaded image: ${name}`);
    }
    if (plan.tags.length === 0) loaded.push(`Loaded image ID: ${id}`);
  }
  // Docker's validatedParentLinks + checkValidParent: a parent in the same archive whose history is a prefix.
  for (const [i, plan] of plans.entries()) {
    const parent = plan.parent;
    if (parent === undefined || parent === ids[i] || !ids.includes(parent)) continue;
    const parentConfig = deps.images.get(parent).config;
    if (!validParent(plan.parsed.history ?? [], parentConfig.history ?? [])) {
      throw new InvalidParameter(`image ${parent} is not a valid parent for ${ids[i]}`);
    }
    await deps.images.setParent(ids[i]!, parent);
  }
  return { loaded, ids };
}

function currentImage(images: ImageStore, name: string): Digest | undefined {
  try {
    return images.resolve(name).id;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

function validParent(child: History[], parent: History[]): boolean {
  if (child.length === 0 && parent.length === 0) return true;
  if (child.length - parent.length !== 1) return false;
  return parent.every((p, i) => {
    const c = child[i]!;
    const time = (s: string | undefined) => (s === undefined ? undefined : Date.parse(s));
    return (
      time(p.created) === time(c.created) &&
      p.author === c.author &&
      p.created_by === c.created_by &&
      p.comment === c.comment &&
      Boolean(p.empty_layer) === Boolean(c.empty_layer)
    );
  });
}
