// Manifests as the registry sees them: the bytes are stored exactly as pushed; this parses only what the registry
// must know (media type, the blobs and child manifests they reference, the subject and artifact type for referrers).
import { type Digest, isDigest } from '../lib/digest.js';
import { RegistryError } from './errors.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_EMPTY_JSON = 'application/vnd.oci.empty.v1+json';
export const MANIFEST_MEDIA_TYPES = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST];

/** Manifests bigger than this are refused (the spec's suggested limit, as distribution's). */
export const MANIFEST_MAX = 4 << 20;

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
  platform?: unknown;
}

export interface ParsedManifest {
  mediaType: string;
  isIndex: boolean;
  /** Blobs (config and layers) that must exist in the repository, foreign layers (with urls) excepted. */
  blobs: Digest[];
  /** Child manifests of an index. */
  manifests: Digest[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function descriptor(v: unknown, where: string): Descriptor {
  if (!isRecord(v) || !isDigest(v.digest) || typeof v.size !== 'number' || typeof v.mediaType !== 'string')
    throw new RegistryError('MANIFEST_INVALID', { reason: `invalid descriptor in ${where}` });
  return v as unknown as Descriptor;
}

/** Validates and summarises a pushed manifest; `contentType` is the request's Content-Type (may be empty). */
export function parseManifest(bytes: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new RegistryError('MANIFEST_INVALID', { reason: 'manifest is not valid JSON' });
  }
  if (!isRecord(doc) || doc.schemaVersion !== 2)
    throw new RegistryError('MANIFEST_INVALID', { reason: 'unsupported manifest schema version' });
  const ct = contentType?.split(';', 1)[0]?.trim() || undefined;
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  if (declared && ct && MANIFEST_MEDIA_TYPES.includes(ct) && declared !== ct)
    throw new RegistryError('MANIFEST_INVALID', { reason: `mediaType ${declared} does not match Content-Type ${ct}` });
  const isIndex = Array.isArray(doc.manifests);
  const mediaType = declared ?? (ct && ct !== 'application/json' ? ct : isIndex ? OCI_INDEX : OCI_MANIFEST);
  const out: ParsedManifest = { mediaType, isIndex, blobs: [], manifests: [] };
  if (isIndex) {
    for (const m of doc.manifests as unknown[]) out.manifests.push(descriptor(m, 'manifests').digest);
  } else {
    if (doc.config === undefined || !Array.isArray(doc.layers))
      throw new RegistryError('MANIFEST_INVALID', { reason: 'an image manifest needs config and layers' });
    const config = descriptor(doc.config, 'config');
    out.blobs.push(config.digest);
    for (const l of doc.layers as unknown[]) {
      const layer = descriptor(l, 'layers');
      if (!layer.urls?.length) out.blobs.push(layer.digest);
    }
    out.artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : config.mediaType;
  }
  if (isIndex && typeof doc.artifactType === 'string') out.artifactType = doc.artifactType;
  if (doc.subject !== undefined) out.subject = descriptor(doc.subject, 'subject');
  if (isRecord(doc.annotations)) out.annotations = doc.annotations as Record<string, string>;
  return out;
}
