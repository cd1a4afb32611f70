// `docker push`: each layer goes up once: skipped when the registry has a blob berth knows it as (HEAD), mounted from
// another repository of the same registry, else compressed (gzip) and streamed up in one PATCH while hashed, the
// digest then recorded so the next push needs no recompression. Then the config and a Docker schema2 manifest.
// Progress is Docker's JSON lines, named by each layer's diff ID.
import { createHash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback, pipeline } from 'node:stream';
import { createGzip } from 'node:zlib';
import { InvalidParameter, isNotFound, NotFound, System } from '../errdefs/index.js';
import type { Digest } from '../lib/digest.js';
import { familiarName, type Reference } from '../image/reference.js';
import { MediaType } from '../image/types.js';
import type { AuthConfig } from './auth.js';
import { eachLimited } from './limiter.js';
import { digestOf } from './manifest.js';
import type { BlobSource, LayerBlobs } from './metadata.js';
import { ByteProgress, layerLine, type ProgressOut } from './progress.js';
import type { RegistryClient, RegistrySession } from './session.js';

/** One tagged image to push, as the image store has it. */
export interface PushTarget {
  /** The reference to push it as (with its tag). */
  ref: Reference;
  id: Digest;
  /** The config exactly as stored (its sha256 is the image ID). */
  config: Buffer;
  diffIds: readonly Digest[];
  chainIds: readonly Digest[];
}

/** What push needs of the layer store. */
export interface PushLayers {
  /** The layer's diff as a plain tar. */
  layerTar(chainId: Digest): Promise<Readable>;
  layerTarSize?(chainId: Digest): Promise<number>;
}

export interface PushDeps {
  client: RegistryClient;
  layers: PushLayers;
  blobs: LayerBlobs;
  addDigest(ref: Reference, id: Digest): Promise<void>;
  /** Layer uploads at once (max-concurrent-uploads). */
  uploads: number;
}

/** Candidates tried per layer before uploading it (HEADs, then mounts), as moby bounds them. */
const MAX_CANDIDATES = 3;

export async function pushImages(
  targets: readonly PushTarget[],
  auth: AuthConfig,
  deps: PushDeps,
  out: ProgressOut,
): Promise<void> {
  const first = targets[0];
  if (!first) return;
  const { domain, path } = first.ref;
  out({ status: `The push refers to repository [${domain}/${path}]` });
  const session = await deps.client.session(domain, path, auth, ['pull', 'push']);
  for (const t of targets) await pushOne(session, t, deps, out);
}

async function pushOne(session: RegistrySession, t: PushTarget, deps: PushDeps, out: ProgressOut): Promise<void> {
  const repo = `${t.ref.domain}/${t.ref.path}`;
  const lines = t.diffIds.map((d) => layerLine(out, d));
  for (const l of [...lines].reverse()) l.status('Preparing');
  const descriptors: BlobSource[] = [];
  // Top layer first, as Docker lists them.
  const order = t.diffIds.map((_, i) => t.diffIds.length - 1 - i);
  await eachLimited(order, deps.uploads, async (i) => {
    descriptors[i] = await pushLayer(session, t, i, lines[i]!, deps);
  });
  const configDigest = t.id;
  if (!(await hasBlob(session, t.ref.path, configDigest))) {
    await upload(session, t.ref.path, t.config, configDigest);
  }
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.DockerManifest,
    config: { mediaType: MediaType.DockerConfig, size: t.config.length, digest: configDigest },
    layers: descriptors.map((d) => ({ mediaType: dockerMediaType(d.mediaType), size: d.size, digest: d.digest })),
  };
  // moby marshals schema2 manifests indented with three spaces.
  const bytes = Buffer.from(JSON.stringify(manifest, null, 3));
  const digest = digestOf(bytes);
  const tag = t.ref.tag ?? 'latest';
  const res = await session.request('PUT', `/v2/${t.ref.path}/manifests/${tag}`, {
    headers: { 'Content-Type': MediaType.DockerManifest },
    body: bytes,
    ok: [200, 201, 202],
  });
  res.resume();
  for (const [i, d] of descriptors.entries()) await deps.blobs.add(t.diffIds[i]!, { ...d, repository: repo });
  await deps.addDigest({ domain: t.ref.domain, path: t.ref.path, digest }, t.id);
  out({ status: `${tag}: digest: ${digest} size: ${bytes.length}` });
  out({ progressDetail: {}, aux: { Tag: tag, Digest: digest, Size: bytes.length } });
}

/** OCI gzip layers are the same bytes as Docker's; other media types stay as they are. */
function dockerMediaType(m: string): string {
  return m === MediaType.OciLayerGzip ? MediaType.DockerLayerGzip : m;
}

async function pushLayer(
  session: RegistrySession,
  t: PushTarget,
  i: number,
  line: ReturnType<typeof layerLine>,
  deps: PushDeps,
): Promise<BlobSource> {
  const diffId = t.diffIds[i]!;
  const here = `${t.ref.domain}/${t.ref.path}`;
  const known = (await deps.blobs.get(diffId)).filter((s) => s.repository.startsWith(`${t.ref.domain}/`));
  // The registry may have it in this repository already: pushed or pulled here before, or mounted meanwhile.
  const heads = [...known.filter((s) => s.repository === here), ...known.filter((s) => s.repository !== here)];
  const tried = new Set<string>();
  for (const s of heads.slice(0, MAX_CANDIDATES)) {
    if (tried.has(s.digest)) continue;
    tried.add(s.digest);
    if (await hasBlob(session, t.ref.path, s.digest)) {
      line.status('Layer already exists');
      return s;
    }
  }
  for (const s of known.filter((k) => k.repository !== here).slice(0, MAX_CANDIDATES)) {
    const from = s.repository.slice(t.ref.domain.length + 1);
    await session.addScope(`repository:${from}:pull`);
    const res = await session.request(
      'POST',
      `/v2/${t.ref.path}/blobs/uploads/?mount=${encodeURIComponent(s.digest)}&from=${encodeURIComponent(from)}`,
      { ok: [201, 202] },
    );
    res.resume();
    if (res.statusCode === 201) {
      line.status(`Mounted from ${from}`);
      return s;
    }
    // 202: the registry opened an upload instead; give it back.
    const location = res.headers.location;
    if (location) (await session.request('DELETE', location, { ok: [200, 202, 204, 404] })).resume();
  }
  const tar = await deps.layers.layerTar(t.chainIds[i]!);
  const total = (await deps.layers.layerTarSize?.(t.chainIds[i]!)) ?? 0;
  const progress = new ByteProgress((n) => line.bytes('Pushing', n, total));
  const { digest, size } = await uploadStream(session, t.ref.path, tar, (n) => progress.add(n));
  progress.flush();
  line.status('Pushed');
  return { digest, size, repository: here, mediaType: MediaType.DockerLayerGzip };
}

async function hasBlob(session: RegistrySession, repo: string, digest: Digest): Promise<boolean> {
  try {
    (await session.request('HEAD', `/v2/${repo}/blobs/${digest}`)).resume();
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

async function startUpload(session: RegistrySession, repo: string): Promise<string> {
  const res = await session.request('POST', `/v2/${repo}/blobs/uploads/`, { ok: [202] });
  res.resume();
  const location = res.headers.location;
  if (!location) throw new System('the registry opened an upload without a Location');
  return new URL(location, session.url(`/v2/${repo}/blobs/uploads/`)).toString();
}

const withDigest = (location: string, digest: Digest) => {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u.toString();
};

/** A small blob (the config) in one PUT. */
async function upload(session: RegistrySession, repo: string, bytes: Buffer, digest: Digest): Promise<void> {
  const location = await startUpload(session, repo);
  const res = await session.request('PUT', withDigest(location, digest), {
    headers: { 'Content-Type': 'application/octet-stream' },
    body: bytes,
    ok: [201],
  });
  res.resume();
}

/** A layer tar compressed on the fly and streamed in one PATCH, hashed on the way; the PUT names the digest. */
async function uploadStream(
  session: RegistrySession,
  repo: string,
  tar: Readable,
  onBytes: (n: number) => void,
): Promise<{ digest: Digest; size: number }> {
  const location = await startUpload(session, repo);
  const hash = createHash('sha256');
  let size = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      onBytes(chunk.length);
      cb(null, chunk);
    },
  });
  const digestTap = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  const body = pipeline(tar, count, createGzip(), digestTap, (err) => {
    if (err) body.destroy(err);
  });
  const patched = await session.request('PATCH', location, {
    headers: { 'Content-Type': 'application/octet-stream' },
    body,
    ok: [202, 204],
  });
  patched.resume();
  const next = patched.headers.location;
  if (!next) throw new InvalidParameter('the registry took a chunk without a Location');
  const digest: Digest = `sha256:${hash.digest('hex')}`;
  const res = await session.request('PUT', withDigest(new URL(next, location).toString(), digest), { ok: [201] });
  res.resume();
  return { digest, size };
}

/** Docker's error for a push of a name no local image has. */
export function nothingToPush(ref: Reference): NotFound {
  return new NotFound(`An image does not exist locally with the tag: ${familiarName(ref)}`);
}
