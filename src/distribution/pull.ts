// `docker pull`: resolves the manifest (an index picks this platform), fetches and checks the config, then hands the
// layers the store lacks to the layer store as openers of download streams: each layer flows from the socket through
// its digest check into extraction (no temp copy), several at once, and nothing is committed unless every blob and
// diff ID checks out. A dropped connection resumes with a Range request. Progress is Docker's JSON lines.
import { createHash } from 'node:crypto';
import type { LayerSource } from '../archive/index.js';
import {
  BerthError,
  InvalidParameter,
  isForbidden,
  isInvalidParameter,
  isNotFound,
  isUnauthorized,
  NotFound,
} from '../errdefs/index.js';
import { type Digest, parseDigest } from '../lib/digest.js';
import { chainIds } from '../image/store/index.js';
import { familiarName, familiarString, type Reference, withDefaultTag, withTag } from '../image/reference.js';
import { type Descriptor, parseImageConfig, type Platform } from '../image/types.js';
import type { AuthConfig } from './auth.js';
import { errorText, registryErrors } from './errors.js';
import type { Slots } from './limiter.js';
import { fetchManifest, fetchSmallBlob } from './manifest.js';
import type { LayerBlobs } from './metadata.js';
import { selectManifest } from './platform.js';
import { ByteProgress, layerLine, type ProgressOut } from './progress.js';
import type { RegistryClient, RegistrySession } from './session.js';
import { listTags } from './tags.js';

/** What pull needs of the layer store (the LayerStore implements it). */
export interface PullLayers {
  has(chainId: Digest): Promise<boolean>;
  /** Applies the tars bottom first on `parent`; commits nothing unless each tar's diff ID is the expected one. */
  registerChain(
    tars: readonly (() => Promise<LayerSource>)[],
    parent: Digest | undefined,
    expected: readonly Digest[],
  ): Promise<readonly { chainId: Digest }[]>;
}

/** What pull needs of the image store. */
export interface PullImages {
  put(config: Uint8Array): Promise<Digest>;
  tag(id: string, target: Reference): Promise<unknown>;
  addDigest(ref: Reference, id: Digest): Promise<void>;
  /** The image `ref` names now, if any. */
  current(ref: Reference): Digest | undefined;
}

export interface PullDeps {
  client: RegistryClient;
  layers: PullLayers;
  images: PullImages;
  blobs: LayerBlobs;
  /** Layer downloads at once (max-concurrent-downloads). */
  downloads: Slots;
}

export interface PullRequest {
  /** Normalised (domain set). A name alone means :latest, unless allTags. */
  ref: Reference;
  auth: AuthConfig;
  platform: Platform;
  allTags?: boolean;
}

export interface PullResult {
  /** Image IDs pulled, one per tag (pull -a) or one. */
  ids: Digest[];
  /** The references pulled, familiar strings. */
  names: string[];
}

/** Attempts per layer download before a dropped connection is an error. */
const DOWNLOAD_ATTEMPTS = 5;

export async function pullImage(req: PullRequest, deps: PullDeps, out: ProgressOut): Promise<PullResult> {
  const { ref } = req;
  const session = await deps.client
    .session(ref.domain, ref.path, req.auth, ['pull'])
    .catch((e: unknown) => Promise.reject(translate(e, ref)));
  const refs = req.allTags
    ? (await listTags(session, ref.path).catch((e: unknown) => Promise.reject(translate(e, ref)))).map((t) =>
        withTag(ref, t),
      )
    : [ref.digest ? ref : withDefaultTag(ref)];
  const result: PullResult = { ids: [], names: [] };
  let newer = false;
  for (const r of refs) {
    const one = await pullOne(session, r, req.platform, deps, out).catch((e: unknown) =>
      Promise.reject(translate(e, r)),
    );
    result.ids.push(one.id);
    result.names.push(familiarString(r));
    newer ||= one.newer;
  }
  const name = req.allTags ? familiarName(ref) : familiarString(refs[0]!);
  out({ status: newer ? `Status: Downloaded newer image for ${name}` : `Status: Image is up to date for ${name}` });
  return result;
}

async function pullOne(
  session: RegistrySession,
  ref: Reference,
  platform: Platform,
  deps: PullDeps,
  out: ProgressOut,
): Promise<{ id: Digest; newer: boolean }> {
  const repo = ref.path;
  let top = await fetchManifest(session, repo, ref.digest ?? ref.tag ?? 'latest');
  const repoDigest = top.digest;
  if (top.kind === 'index') {
    const chosen = selectManifest(top.index.manifests, platform);
    top = await fetchManifest(session, repo, chosen.digest);
    if (top.kind !== 'manifest') throw new InvalidParameter(`${chosen.digest}: an index inside an index`);
  }
  const manifest = top.manifest;
  // Docker names the repository by its path in the registry (`library/busybox`), whatever the domain.
  out({ status: `Pulling from ${ref.path}`, id: ref.digest ?? ref.tag ?? 'latest' });
  const configBytes = await fetchSmallBlob(session, repo, manifest.config.digest);
  const config = parseImageConfig(configBytes);
  const diffIds = config.rootfs.diff_ids;
  const layers = manifest.layers;
  if (diffIds.length !== layers.length) {
    throw new InvalidParameter(`${layers.length} layers in the manifest but ${diffIds.length} diff IDs in the config`);
  }
  const chain = chainIds(diffIds);
  let first = 0;
  while (first < chain.length && (await deps.layers.has(chain[first]!))) first++;
  const lines = layers.map((l) => layerLine(out, l.digest));
  for (let i = 0; i < first; i++) lines[i]!.status('Already exists');
  for (let i = first; i < layers.length; i++) lines[i]!.status('Pulling fs layer');
  if (first < layers.length) {
    const openers = layers
      .slice(first)
      .map(
        (desc, k) => async (): Promise<LayerSource> => download(session, repo, desc, lines[first + k]!, deps.downloads),
      );
    await deps.layers.registerChain(openers, first > 0 ? chain[first - 1] : undefined, diffIds.slice(first));
    for (let i = first; i < layers.length; i++) lines[i]!.status('Pull complete');
  }
  const source = `${ref.domain}/${ref.path}`;
  await Promise.all(
    layers.map((l, i) =>
      deps.blobs.add(diffIds[i]!, { digest: l.digest, repository: source, size: l.size, mediaType: l.mediaType }),
    ),
  );
  const previous = deps.images.current(ref);
  const id = await deps.images.put(configBytes);
  if (ref.tag !== undefined && !ref.digest) await deps.images.tag(id, ref);
  await deps.images.addDigest({ domain: ref.domain, path: ref.path, digest: repoDigest }, id);
  out({ status: `Digest: ${repoDigest}` });
  return { id, newer: previous !== id };
}

/**
 * One layer's blob as a stream: counted (Downloading), hashed, resumed with Range after a dropped connection, and
 * failing at its end unless it is exactly the descriptor's bytes. It holds a download slot from its first read (a
 * stream never read holds none) until it ends, whatever happens.
 */
async function* download(
  session: RegistrySession,
  repo: string,
  desc: Descriptor,
  line: ReturnType<typeof layerLine>,
  slots: Slots,
): AsyncGenerator<Buffer> {
  if (!slots.tryAcquire()) {
    line.status('Waiting');
    await slots.acquire();
  }
  try {
    const hash = createHash(parseDigest(desc.digest).algorithm);
    const progress = new ByteProgress((n) => line.bytes('Downloading', n, desc.size));
    let got = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const headers = got > 0 ? { Range: `bytes=${got}-` } : undefined;
        const res = await session.request('GET', `/v2/${repo}/blobs/${desc.digest}`, { headers, ok: [200, 206] });
        // A registry that ignores Range sends everything again: skip what was already passed on.
        let skip = got > 0 && res.statusCode === 200 ? got : 0;
        for await (const chunk of res as AsyncIterable<Buffer>) {
          let c = chunk;
          if (skip > 0) {
            const n = Math.min(skip, c.length);
            skip -= n;
            c = c.subarray(n);
            if (c.length === 0) continue;
          }
          got += c.length;
          if (got > desc.size) throw verifyError(desc);
          hash.update(c);
          progress.add(c.length);
          yield c;
        }
        if (!res.complete)
          throw Object.assign(new Error('connection closed before the blob ended'), { code: 'ECONNRESET' });
        break;
      } catch (e) {
        if (!retryable(e) || attempt >= DOWNLOAD_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
    progress.flush();
    line.status('Verifying Checksum');
    if (got !== desc.size || `${parseDigest(desc.digest).algorithm}:${hash.digest('hex')}` !== desc.digest) {
      throw verifyError(desc);
    }
    line.status('Download complete');
    line.bytes('Extracting', desc.size, desc.size);
  } finally {
    slots.release();
  }
}

const verifyError = (desc: Descriptor) =>
  new InvalidParameter(`filesystem layer verification failed for digest ${desc.digest}`);

/** A connection dropped or timed out (not an answer from the registry, nor a bad blob). */
function retryable(e: unknown): boolean {
  if (e instanceof BerthError) return !(isNotFound(e) || isUnauthorized(e) || isForbidden(e) || isInvalidParameter(e));
  return e instanceof Error;
}

/** Docker's texts for what a registry answers a pull with (moby's translatePullError). */
export function translate(e: unknown, ref: Reference): unknown {
  const first = registryErrors(e)[0];
  if (!first) return e;
  switch (first.code) {
    case 'MANIFEST_UNKNOWN':
      return new NotFound(`manifest for ${familiarString(ref)} not found: ${errorText(first)}`);
    case 'NAME_UNKNOWN':
      return new NotFound(`repository ${familiarName(ref)} not found: ${errorText(first)}`);
    case 'DENIED':
      return new NotFound(
        `pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ${errorText(first)}`,
      );
    default:
      return e;
  }
}
