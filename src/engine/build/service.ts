// The build backend the API's /build routes call: the uploaded context unpacked into a private directory (or a
// Dockerfile sent alone), the build run by src/builder over the engine, and the build cache pruned on request.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { BuildOptions } from '../../api/build.js';
import type { BuildBackend } from '../../builder/backend.js';
import { registryConfigAuth } from '../../distribution/index.js';
import { parseNormalizedReference } from '../../image/reference.js';
import { BuildContext } from '../../builder/context/index.js';
import { type BuildCache, CacheMountUsers, runBuild } from '../../builder/executor/index.js';
import { InvalidParameter, isConflict, isNotFound } from '../../errdefs/index.js';
import type { ImageStore } from '../../image/store/index.js';
import type { Digest } from '../../lib/digest.js';
import { treeSize } from '../../storage/archive/index.js';
import type { ImageService } from '../images/service.js';

export interface BuildServiceDeps {
  /** The engine's backend for one build, pulling with the credentials `registryAuth` gives for an image. */
  backend: (registryAuth: (ref: string) => string | undefined) => BuildBackend;
  cache: BuildCache;
  images: ImageStore;
  imageService: ImageService;
  tmpDir: string;
  cacheMountDir: string;
}

export class BuildService {
  private readonly cacheUsers = new CacheMountUsers();

  constructor(private readonly deps: BuildServiceDeps) {}

  /** Runs a build from the request body; resolves with the image ID. `emit` sends progress (the first sends the 200). */
  async build(params: BuildOptions, body: Readable, emit: (m: object) => void, signal: AbortSignal): Promise<string> {
    const tmp = await mkdtemp(join(this.deps.tmpDir, 'build-'));
    try {
      const { head, rest } = await peek(body, 512);
      let context: BuildContext | undefined;
      let dockerfile: string;
      if (isArchive(head)) {
        context = await BuildContext.fromTar(rest, join(tmp, 'context'));
        dockerfile = await context.dockerfile(params.dockerfile || 'Dockerfile');
      } else {
        // `docker build - < Dockerfile`: the body is the Dockerfile, and there is no context.
        const chunks: Buffer[] = [];
        for await (const c of rest) chunks.push(c as Buffer);
        dockerfile = Buffer.concat(chunks).toString('utf8');
      }
      const buildArgs = new Map<string, string | undefined>();
      for (const [k, v] of Object.entries(params.buildArgs)) buildArgs.set(k, v ?? undefined);
      return await runBuild(
        {
          dockerfile,
          context: context ? { root: context.root, ignore: context.ignore } : undefined,
          tags: params.tags,
          ...(params.target ? { target: params.target } : {}),
          buildArgs,
          labels: params.labels,
          noCache: params.noCache,
          pull: params.pull,
          cacheFrom: params.cacheFrom,
          networkMode: params.networkMode || 'default',
          ...(params.platform ? { platform: params.platform } : {}),
          secrets: params.secrets,
          quiet: params.quiet,
          tmpDir: tmp,
          signal,
        },
        {
          backend: this.deps.backend((ref) => registryConfigAuth(params.registryConfig, domainOf(ref))),
          cache: this.deps.cache,
          cacheUsers: this.cacheUsers,
        },
        emit,
      );
    } finally {
      // Not waited for: the answer need not wait for the context's files to go (the daemon empties tmp at start).
      void rm(tmp, { recursive: true, force: true }).catch(() => {});
    }
  }

  /**
   * `docker builder prune`: forgets the build cache, removes the intermediate images only it kept (untagged, with no
   * child and no container), and empties the cache mounts.
   */
  async prune(): Promise<{ CachesDeleted: string[]; SpaceReclaimed: number }> {
    const { images, imageService, cache, cacheMountDir } = this.deps;
    const forgotten = cache.forget(() => true);
    await cache.flush();
    const deleted: string[] = [];
    let pending = [...new Set(forgotten)];
    // Children first: each pass removes the images nothing else holds, which may free their parents.
    for (let pass = 0; pass < 64 && pending.length > 0; pass++) {
      const next: string[] = [];
      for (const id of pending) {
        if (!images.has(id)) continue;
        if (images.repoTags(id as Digest).length > 0 || images.children(id as Digest).length > 0) {
          next.push(id);
          continue;
        }
        try {
          await imageService.remove(id, false, true);
          deleted.push(id);
        } catch (e) {
          if (!isConflict(e) && !isNotFound(e)) throw e;
        }
      }
      if (next.length === pending.length) break;
      pending = next;
    }
    let reclaimed = 0;
    for (const name of await readdir(cacheMountDir).catch(() => [] as string[])) {
      const dir = join(cacheMountDir, name);
      reclaimed += await treeSize(dir).catch(() => 0);
      await rm(dir, { recursive: true, force: true });
      deleted.push(name);
    }
    return { CachesDeleted: deleted, SpaceReclaimed: reclaimed };
  }
}

/** Gzip, bzip2, xz, zstd, or a tar header (`ustar` at 257, or a valid old-style header checksum). */
function isArchive(head: Buffer): boolean {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return true;
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return true;
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return true;
  if (head.length < 512) return false;
  if (head.subarray(257, 262).toString('latin1') === 'ustar') return true;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (head[i] ?? 0);
  const stored = Number.parseInt(head.subarray(148, 156).toString('latin1').replace(/\0.*$/, '').trim(), 8);
  return stored === sum;
}

/** The first `n` bytes of a stream (fewer when it ends sooner), and the whole stream again. */
async function peek(body: Readable, n: number): Promise<{ head: Buffer; rest: Readable }> {
  const it = body[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
    seen.push(b);
    size += b.length;
  }
  async function* again(): AsyncGenerator<Buffer> {
    yield* seen;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value as Buffer;
  }
  const head = Buffer.concat(seen);
  if (head.length === 0 && done) throw new InvalidParameter('the build context is empty');
  return { head: head.subarray(0, n), rest: Readable.from(again()) };
}

/** The registry an image reference names ('' when it is not a valid name: no credentials then). */
function domainOf(ref: string): string {
  try {
    return parseNormalizedReference(ref).domain;
  } catch {
    return '';
  }
}
