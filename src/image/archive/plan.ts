// What an archive asks to load, worked out before anything is registered: per image its config, layer files and
// tags, from manifest.json (Docker archives) or from index.json (OCI image layouts).
import { arch } from 'node:os';
import { InvalidParameter, NotImplemented } from '../../errdefs/index.js';
import { type Digest, isDigest } from '../../lib/digest.js';
import { parseNormalizedReference, type Reference } from '../reference.js';
import {
  type Descriptor,
  type ImageConfig,
  isIndexMediaType,
  isManifestMediaType,
  parseImageConfig,
  parseIndex,
  parseManifest,
} from '../types.js';
import type { ArchiveFiles, StoredFile } from './extract.js';
import { blobPath, MANIFEST_FILE, OCI_INDEX_FILE } from './layout.js';

export interface ImagePlan {
  config: Buffer;
  parsed: ImageConfig;
  /** The layer files, bottom first (possibly compressed). */
  layers: StoredFile[];
  tags: Reference[];
  /** manifest.json's Parent. */
  parent?: Digest;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkConfig(bytes: Buffer): ImageConfig {
  const parsed = parseImageConfig(bytes);
  // Docker's CheckOS: only images for this OS load (an empty os means the host's).
  if (parsed.os && parsed.os !== 'linux') throw new InvalidParameter(`cannot load ${parsed.os} image on linux`);
  return parsed;
}

function tagOf(repoTag: string): Reference {
  const ref = parseNormalizedReference(repoTag);
  if (!ref.tag || ref.digest) throw new InvalidParameter(`invalid tag ${JSON.stringify(repoTag)}`);
  return ref;
}

/** Docker's load: manifest.json's entries, with Docker's error texts where it has them. */
export async function planDocker(files: ArchiveFiles): Promise<ImagePlan[]> {
  const file = files.lookup(MANIFEST_FILE, MANIFEST_FILE)!;
  let json: unknown;
  try {
    json = JSON.parse((await files.read(file, MANIFEST_FILE)).toString('utf8'));
  } catch (e) {
    if (e instanceof InvalidParameter) throw e;
    throw new InvalidParameter(`invalid archive: failed to decode ${MANIFEST_FILE}: ${(e as Error).message}`);
  }
  if (json === null) throw new InvalidParameter('invalid manifest, manifest cannot be null (but can be [])');
  const bad = (what: string) => new InvalidParameter(`invalid archive: failed to decode ${MANIFEST_FILE}: ${what}`);
  if (!Array.isArray(json)) throw bad('must be an array of images');
  const need = async (p: string): Promise<StoredFile> => {
    const f = files.lookup(p, MANIFEST_FILE);
    if (!f) throw new InvalidParameter(`invalid archive: ${p} (named in ${MANIFEST_FILE}) is missing`);
    return f;
  };
  const plans: ImagePlan[] = [];
  for (const [i, item] of json.entries()) {
    if (!isObject(item)) throw bad(`entry ${i} must be an object`);
    const { Config, Layers, RepoTags, Parent } = item;
    if (typeof Config !== 'string') throw bad(`entry ${i}: Config must be a string`);
    const layers = Layers ?? [];
    if (!Array.isArray(layers) || layers.some((l) => typeof l !== 'string')) {
      throw bad(`entry ${i}: Layers must be an array of strings`);
    }
    const tags = RepoTags ?? [];
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) {
      throw bad(`entry ${i}: RepoTags must be an array of strings`);
    }
    const config = await files.read(await need(Config), Config);
    const parsed = checkConfig(config);
    if (layers.length !== parsed.rootfs.diff_ids.length) {
      throw new InvalidParameter(
        `invalid manifest, layers length mismatch: expected ${layers.length}, got ${parsed.rootfs.diff_ids.length}`,
      );
    }
    const plan: ImagePlan = {
      config,
      parsed,
      layers: await Promise.all((layers as string[]).map(need)),
      tags: (tags as string[]).map(tagOf),
    };
    if (isDigest(Parent)) plan.parent = Parent;
    plans.push(plan);
  }
  return plans;
}

/** The platform images are chosen for in multi-platform indexes. */
export function hostPlatform(): { os: string; architecture: string } {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le' };
  return { os: 'linux', architecture: map[arch()] ?? arch() };
}

const isAttestation = (d: Descriptor) =>
  d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || d.platform?.os === 'unknown';

/** A name from an index entry's annotations: containerd's image name, else a ref.name that is a whole reference. */
function nameOf(d: Descriptor): Reference | undefined {
  for (const key of ['io.containerd.image.name', 'org.opencontainers.image.ref.name']) {
    const v = d.annotations?.[key];
    if (v === undefined) continue;
    try {
      const ref = parseNormalizedReference(v);
      if (ref.tag && !ref.digest) return ref;
    } catch {
      // A bare tag ("latest") names no repository.
    }
  }
  return undefined;
}

/** An OCI image layout: index.json → (nested indexes →) manifests → config and layers, every blob verified. */
export async function planOci(files: ArchiveFiles): Promise<ImagePlan[]> {
  const blob = (d: Descriptor): StoredFile => {
    if (!d.digest.startsWith('sha256:')) throw new NotImplemented(`unsupported digest algorithm in ${d.digest}`);
    const f = files.lookup(blobPath(d.digest), OCI_INDEX_FILE);
    if (!f) throw new InvalidParameter(`invalid archive: missing blob ${d.digest}`);
    if (f.digest !== d.digest) throw new InvalidParameter(`invalid archive: blob ${d.digest} has digest ${f.digest}`);
    if (f.size !== d.size) {
      throw new InvalidParameter(`invalid archive: blob ${d.digest} has ${f.size} bytes, not ${d.size}`);
    }
    return f;
  };
  const platform = hostPlatform();
  const matches = (m: Descriptor) =>
    m.platform?.os === platform.os && m.platform.architecture === platform.architecture;
  // Entries without a platform are all followed (one per tag in docker save's index.json); of those with one, the
  // first for this host, or the only one there is.
  const choose = (ms: Descriptor[]): Descriptor[] => {
    const candidates = ms.filter((m) => !isAttestation(m));
    const withPlatform = candidates.filter((m) => m.platform);
    const match = withPlatform.find(matches);
    if (match) return candidates.filter((m) => !m.platform || m === match);
    if (withPlatform.length > 1) return candidates.filter((m) => !m.platform);
    return candidates;
  };
  const byId = new Map<Digest, ImagePlan>();

  const visit = async (d: Descriptor, name: Reference | undefined, depth: number): Promise<boolean> => {
    if (depth > 8) throw new InvalidParameter('invalid archive: indexes nested too deeply');
    if (isIndexMediaType(d.mediaType)) {
      const index = parseIndex(await files.read(blob(d), d.digest));
      for (const m of choose(index.manifests)) if (await visit(m, name, depth + 1)) return true;
      return false;
    }
    if (!isManifestMediaType(d.mediaType)) return false;
    const manifest = parseManifest(await files.read(blob(d), d.digest));
    const config = await files.read(blob(manifest.config), manifest.config.digest);
    const parsed = checkConfig(config);
    if (manifest.layers.length !== parsed.rootfs.diff_ids.length) {
      throw new InvalidParameter(
        `invalid manifest, layers length mismatch: expected ${manifest.layers.length}, got ${parsed.rootfs.diff_ids.length}`,
      );
    }
    const id = manifest.config.digest;
    const plan = byId.get(id) ?? { config, parsed, layers: manifest.layers.map(blob), tags: [] };
    if (name && !plan.tags.some((t) => t.path === name.path && t.domain === name.domain && t.tag === name.tag)) {
      plan.tags.push(name);
    }
    byId.set(id, plan);
    return true;
  };

  const index = parseIndex(await files.read(files.lookup(OCI_INDEX_FILE, OCI_INDEX_FILE)!, OCI_INDEX_FILE));
  let found = false;
  for (const d of choose(index.manifests)) if (await visit(d, nameOf(d), 0)) found = true;
  if (!found) {
    throw new InvalidParameter(
      `invalid archive: ${OCI_INDEX_FILE} has no image for platform ${platform.os}/${platform.architecture}`,
    );
  }
  return [...byId.values()];
}
