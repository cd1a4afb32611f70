// The registry's operations over its storage (and, in pull-through mode, an upstream): what the HTTP routes call.
// Nothing here knows HTTP; failures are RegistryErrors with the spec's codes.
import { writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { type Digest, computeDigest, parseDigest } from '../lib/digest.js';
import { KeyedLock } from '../lib/keyed-lock.js';
import { RegistryError } from './errors.js';
import { type Descriptor, MANIFEST_MAX, OCI_INDEX, parseManifest } from './manifest.js';
import { type Reference, parseReference } from './names.js';
import { type BlobRead, BlobStore, type Logger } from './storage/blobs.js';
import { Layout } from './storage/layout.js';
import { RepositoryStore } from './storage/repositories.js';
import { UploadStore } from './storage/uploads.js';

/** An upstream registry for the pull-through cache (proxy.ts). */
export interface Upstream {
  /** The manifest `ref` names upstream, or undefined when the upstream says it does not exist. */
  manifest(name: string, ref: string): Promise<{ bytes: Buffer; mediaType: string } | undefined>;
  /** A blob's content stream, or undefined when unknown upstream. */
  blob(name: string, d: Digest): Promise<Readable | undefined>;
}

export interface ManifestContent {
  digest: Digest;
  mediaType: string;
  bytes: Buffer;
}

export interface ReferrersIndex {
  schemaVersion: 2;
  mediaType: typeof OCI_INDEX;
  manifests: Descriptor[];
}

export class Registry {
  readonly layout: Layout;
  readonly blobs: BlobStore;
  readonly repos: RepositoryStore;
  readonly uploads: UploadStore;
  private readonly fetching = new KeyedLock();

  constructor(
    root: string,
    readonly log: Logger,
    private readonly upstream?: Upstream,
  ) {
    this.layout = new Layout(root);
    this.blobs = new BlobStore(this.layout, log);
    this.repos = new RepositoryStore(this.layout);
    this.uploads = new UploadStore(this.layout, this.blobs);
  }

  /** Pull-through caches are read-only to their clients, as distribution's proxy mode. */
  get readOnly(): boolean {
    return this.upstream !== undefined;
  }

  private writable(): void {
    if (this.readOnly) throw new RegistryError('UNSUPPORTED', { reason: 'a pull-through cache accepts no pushes' });
  }

  private async linked(name: string, d: Digest): Promise<boolean> {
    return (await this.repos.hasLayer(name, d)) || (await this.repos.revision(name, d)) !== undefined;
  }

  /** The size of a blob this repository may serve; BLOB_UNKNOWN otherwise. */
  async statBlob(name: string, d: Digest): Promise<number> {
    if (await this.linked(name, d)) {
      const size = await this.blobs.size(d);
      if (size !== undefined) return size;
    }
    if (this.upstream && (await this.pullBlob(name, d))) return (await this.blobs.size(d)) ?? 0;
    throw new RegistryError('BLOB_UNKNOWN', { digest: d });
  }

  async readBlob(name: string, d: Digest, range?: { start: number; end: number }): Promise<BlobRead> {
    await this.statBlob(name, d);
    return this.blobs.read(d, range);
  }

  /** Forgets a blob in one repository (the content goes at the next GC if nothing else references it). */
  async deleteBlob(name: string, d: Digest): Promise<void> {
    this.writable();
    if (!(await this.repos.unlinkLayer(name, d))) throw new RegistryError('BLOB_UNKNOWN', { digest: d });
  }

  private async pullBlob(name: string, d: Digest): Promise<boolean> {
    const upstream = this.upstream;
    if (!upstream) return false;
    return this.fetching.run(d, async () => {
      if ((await this.blobs.size(d)) === undefined) {
        const body = await upstream.blob(name, d);
        if (!body) return false;
        await this.blobs.ingest(body, d);
      }
      await this.repos.linkLayer(name, d);
      return true;
    });
  }

  async startUpload(name: string): Promise<string> {
    this.writable();
    return this.uploads.start(name);
  }

  async finishUpload(name: string, uuid: string, d: Digest, body?: Readable, start?: number): Promise<number> {
    this.writable();
    const size = await this.uploads.finish(name, uuid, d, body, start);
    await this.repos.linkLayer(name, d);
    return size;
  }

  /** A monolithic upload (POST with ?digest= and the whole body). */
  async putBlob(name: string, d: Digest, body: Readable): Promise<number> {
    this.writable();
    parseDigest(d);
    const size = await this.blobs.ingest(body, d);
    await this.repos.linkLayer(name, d);
    return size;
  }

  /** Cross-repository mount: links `from`'s blob into `name`; false when `from` cannot serve it. */
  async mount(name: string, from: string, d: Digest): Promise<boolean> {
    this.writable();
    if (!(await this.linked(from, d)) || !(await this.blobs.touch(d))) return false;
    await this.repos.linkLayer(name, d);
    return true;
  }

  private async resolve(name: string, ref: Reference): Promise<Digest> {
    if (ref.digest) return ref.digest;
    const d = await this.repos.resolveTag(name, ref.tag);
    if (!d) throw new RegistryError('MANIFEST_UNKNOWN', { tag: ref.tag }, 'manifest unknown');
    return d;
  }

  async getManifest(name: string, reference: string): Promise<ManifestContent> {
    const ref = parseReference(reference);
    const byDigest = ref.digest;
    if (this.upstream && (byDigest === undefined || !(await this.repos.revision(name, byDigest)))) {
      const pulled = await this.pullManifest(name, reference, ref);
      if (pulled) return pulled;
    }
    const d = await this.resolve(name, ref);
    const rev = await this.repos.revision(name, d);
    if (!rev) throw new RegistryError('MANIFEST_UNKNOWN', { digest: d });
    const bytes = await this.blobs.readAll(d).catch((e: unknown) => {
      if (e instanceof RegistryError && e.code === 'BLOB_UNKNOWN')
        throw new RegistryError('MANIFEST_UNKNOWN', { digest: d });
      throw e;
    });
    return { digest: d, mediaType: rev.mediaType, bytes };
  }

  /**
   * Pull-through: asks the upstream (tags revalidate on every request; a digest only when missing) and keeps what it
   * answers. An unreachable upstream falls back to what is cached.
   */
  private async pullManifest(name: string, reference: string, ref: Reference): Promise<ManifestContent | undefined> {
    const upstream = this.upstream;
    if (!upstream) return undefined;
    let got: { bytes: Buffer; mediaType: string } | undefined;
    try {
      got = await upstream.manifest(name, reference);
    } catch (e) {
      this.log(`upstream unavailable for ${name}:${reference}: ${(e as Error).message}; serving the cache`);
      return undefined;
    }
    if (!got) return undefined;
    const d = computeDigest(got.bytes, ref.digest ? parseDigest(ref.digest).algorithm : 'sha256');
    if (ref.digest && d !== ref.digest) throw new RegistryError('DIGEST_INVALID', { expected: ref.digest, actual: d });
    if (!(await this.repos.revision(name, d)) || (await this.blobs.size(d)) === undefined) {
      await this.storeManifestBytes(d, got.bytes);
      await this.repos.putRevision(name, d, { mediaType: got.mediaType, size: got.bytes.length });
    }
    if (ref.tag) await this.repos.putTag(name, ref.tag, d);
    return { digest: d, mediaType: got.mediaType, bytes: got.bytes };
  }

  private async storeManifestBytes(d: Digest, bytes: Buffer): Promise<void> {
    if (await this.blobs.touch(d)) return;
    const tmp = await this.blobs.tempPath();
    await writeFile(tmp, bytes, { flag: 'wx' });
    await this.blobs.commit(tmp, d);
  }

  /**
   * Stores a pushed manifest as is, after checking its digest (when pushed by digest) and that every blob and child
   * manifest it references is in the repository. Returns its digest and its subject's, for the OCI-Subject header.
   */
  async putManifest(
    name: string,
    reference: string,
    bytes: Buffer,
    contentType: string | undefined,
  ): Promise<{ digest: Digest; subject?: Digest }> {
    this.writable();
    const ref = parseReference(reference);
    if (bytes.length > MANIFEST_MAX) throw new RegistryError('MANIFEST_INVALID', { reason: 'manifest too big' });
    const d = computeDigest(bytes, ref.digest ? parseDigest(ref.digest).algorithm : 'sha256');
    if (ref.digest && d !== ref.digest) throw new RegistryError('DIGEST_INVALID', { expected: ref.digest, actual: d });
    const m = parseManifest(bytes, contentType);
    // Touch before checking: a GC that started earlier then spares them (see gc.ts).
    for (const b of m.blobs) {
      if (!(await this.repos.hasLayer(name, b)) || !(await this.blobs.touch(b)))
        throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { digest: b });
    }
    for (const c of m.manifests) {
      if (!(await this.repos.revision(name, c)) || !(await this.blobs.touch(c)))
        throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { digest: c }, 'manifest blob unknown');
    }
    await this.storeManifestBytes(d, bytes);
    await this.repos.putRevision(name, d, { mediaType: m.mediaType, size: bytes.length });
    if (m.subject) {
      const desc: Descriptor = { mediaType: m.mediaType, digest: d, size: bytes.length };
      if (m.artifactType) desc.artifactType = m.artifactType;
      if (m.annotations) desc.annotations = m.annotations;
      await this.repos.addReferrer(name, m.subject.digest, desc);
    }
    if (ref.tag) await this.repos.putTag(name, ref.tag, d);
    return m.subject ? { digest: d, subject: m.subject.digest } : { digest: d };
  }

  /** Deletes a tag (by tag) or a manifest with every tag pointing at it (by digest). */
  async deleteManifest(name: string, reference: string): Promise<void> {
    this.writable();
    const ref = parseReference(reference);
    const d = ref.digest;
    if (d === undefined) {
      if (!(await this.repos.removeTag(name, ref.tag))) throw new RegistryError('MANIFEST_UNKNOWN', { tag: ref.tag });
      return;
    }
    const rev = await this.repos.revision(name, d);
    if (!rev) throw new RegistryError('MANIFEST_UNKNOWN', { digest: d });
    const bytes = await this.blobs.readAll(d).catch(() => undefined);
    const subject = bytes ? safeSubject(bytes) : undefined;
    if (subject) await this.repos.removeReferrer(name, subject, d);
    for (const [tag, target] of await this.repos.tagMap(name)) if (target === d) await this.repos.removeTag(name, tag);
    await this.repos.removeRevision(name, d);
  }

  async tags(name: string): Promise<string[]> {
    if (!(await this.repos.exists(name))) throw new RegistryError('NAME_UNKNOWN', { name });
    return this.repos.tags(name);
  }

  async referrers(name: string, subject: Digest, artifactType?: string): Promise<ReferrersIndex> {
    let manifests = await this.repos.referrers(name, subject);
    if (artifactType !== undefined) manifests = manifests.filter((m) => m.artifactType === artifactType);
    return { schemaVersion: 2, mediaType: OCI_INDEX, manifests };
  }
}

function safeSubject(bytes: Buffer): Digest | undefined {
  try {
    return parseManifest(bytes, undefined).subject?.digest;
  } catch {
    return undefined;
  }
}
