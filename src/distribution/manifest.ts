// Fetching manifests and small blobs (configs) from a registry, every byte checked against the digest it is named by:
// a manifest by tag is checked against Docker-Content-Digest when the registry sends one, by digest always.
import { createHash } from 'node:crypto';
import { InvalidParameter } from '../errdefs/index.js';
import { type Digest, parseDigest } from '../lib/digest.js';
import { type Index, isIndexMediaType, type Manifest, MediaType, parseIndex, parseManifest } from '../image/types.js';
import { readBody } from './errors.js';
import type { RegistrySession } from './session.js';

export const MANIFEST_ACCEPT = [
  MediaType.DockerManifest,
  MediaType.DockerManifestList,
  MediaType.OciManifest,
  MediaType.OciIndex,
].join(', ');

export type FetchedManifest =
  | { kind: 'manifest'; digest: Digest; bytes: Buffer; mediaType: string; manifest: Manifest }
  | { kind: 'index'; digest: Digest; bytes: Buffer; mediaType: string; index: Index };

export function digestOf(bytes: Uint8Array, algorithm = 'sha256'): Digest {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}` as Digest;
}

/** The manifest or index `reference` (a tag or a digest) names in `repository`. */
export async function fetchManifest(
  session: RegistrySession,
  repository: string,
  reference: string,
): Promise<FetchedManifest> {
  const res = await session.request('GET', `/v2/${repository}/manifests/${reference}`, {
    headers: { Accept: MANIFEST_ACCEPT },
  });
  const bytes = await readBody(res, 4 << 20);
  const byDigest = reference.includes(':') ? (reference as Digest) : undefined;
  const header = res.headers['docker-content-digest'];
  const claimed = byDigest ?? (typeof header === 'string' && header.includes(':') ? (header as Digest) : undefined);
  const algorithm = claimed ? parseDigest(claimed).algorithm : 'sha256';
  const digest = digestOf(bytes, algorithm);
  if (claimed !== undefined && digest !== claimed) {
    throw new InvalidParameter(`manifest verification failed for digest ${claimed}`);
  }
  let parsed: { mediaType?: unknown; manifests?: unknown };
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as typeof parsed;
  } catch {
    throw new InvalidParameter(`invalid manifest for ${repository}:${reference}: not JSON`);
  }
  const contentType =
    String(res.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim() ?? '';
  const mediaType = typeof parsed.mediaType === 'string' ? parsed.mediaType : contentType;
  if (isIndexMediaType(mediaType) || (mediaType === '' && Array.isArray(parsed.manifests))) {
    return { kind: 'index', digest, bytes, mediaType, index: parseIndex(bytes) };
  }
  if (mediaType !== MediaType.DockerManifest && mediaType !== MediaType.OciManifest && mediaType !== '') {
    throw new InvalidParameter(`unsupported manifest media type and no default available: ${mediaType}`);
  }
  return {
    kind: 'manifest',
    digest,
    bytes,
    mediaType: mediaType || MediaType.OciManifest,
    manifest: parseManifest(bytes),
  };
}

/** A small blob (an image config), read whole and checked against its digest. */
export async function fetchSmallBlob(session: RegistrySession, repository: string, digest: Digest): Promise<Buffer> {
  const res = await session.request('GET', `/v2/${repository}/blobs/${digest}`);
  const bytes = await readBody(res, 16 << 20);
  if (digestOf(bytes, parseDigest(digest).algorithm) !== digest) {
    throw new InvalidParameter(`image config verification failed for digest ${digest}`);
  }
  return bytes;
}
