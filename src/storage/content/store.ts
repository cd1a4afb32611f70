// A content-addressed blob store (containerd's content store habit): `<root>/blobs/sha256/<hex>`, written through
// `<root>/ingest/` so a blob appears whole and verified or not at all. Owned by one process; async I/O only.
import { createHash, randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BerthError, errnoCode, InvalidParameter, NotFound, System } from '../../errdefs/index.js';
import { type Digest, parseDigest, sha256 } from '../../lib/digest.js';

export interface BlobInfo {
  digest: Digest;
  size: number;
}

/** What a blob being written must turn out to be; either part may be left out. */
export interface ExpectedContent {
  digest?: string;
  size?: number;
}

export type BlobSource = Uint8Array | string | Readable | AsyncIterable<Uint8Array | string>;

const HEX64 = /^[a-f0-9]{64}$/;

export class ContentStore {
  private readonly blobDir: string;
  private readonly ingestDir: string;
  /** Temp files of puts in progress, which sweepIngest must leave alone. */
  private readonly writing = new Set<string>();

  private constructor(readonly root: string) {
    this.blobDir = join(root, 'blobs', 'sha256');
    this.ingestDir = join(root, 'ingest');
  }

  /** Opens (creating if needed) the store at `root` and removes half-written files a crash left in ingest/. */
  static async open(root: string): Promise<ContentStore> {
    const store = new ContentStore(root);
    await mkdir(store.blobDir, { recursive: true });
    await mkdir(store.ingestDir, { recursive: true });
    await store.sweepIngest();
    return store;
  }

  /** Where the blob lives (whether or not it exists): for hard-linking or handing the path to a tar writer. */
  blobPath(digest: string): string {
    return join(this.blobDir, checkDigest(digest).encoded);
  }

  /**
   * Stores a blob from bytes, a string (UTF-8) or a stream, and returns its digest and size. The data goes to a temp
   * file in ingest/ while it is hashed (a stream is pulled chunk by chunk, so backpressure holds and nothing is
   * buffered whole), is fsynced, checked against `expected` (a digest, or digest and/or size) and then linked into
   * place. A mismatch throws InvalidParameter and leaves nothing behind. If the blob already exists it is kept as it
   * is and the new copy dropped; for in-memory data that is detected before anything is written. A stream that fails
   * or exceeds the expected size is destroyed.
   */
  async put(data: BlobSource, expected?: string | ExpectedContent): Promise<BlobInfo> {
    const want = normaliseExpected(expected);
    if (typeof data === 'string' || data instanceof Uint8Array) {
      const buf = typeof data === 'string' ? Buffer.from(data) : data;
      const digest = sha256(buf);
      verify(want, digest, buf.length);
      if (await this.has(digest)) return { digest, size: buf.length };
      return this.ingest([buf], want);
    }
    return this.ingest(data, want);
  }

  /** The whole blob in memory: for manifests and configs. Use readStream for layers. */
  async get(digest: string): Promise<Buffer> {
    const path = this.blobPath(digest);
    try {
      return await readFile(path);
    } catch (e) {
      throw this.fsError(e, digest, 'read', path);
    }
  }

  /**
   * A stream of the blob, or of the byte range `start`..`end` (inclusive, like fs.createReadStream). The file is opened
   * before this resolves, so a missing blob rejects with NotFound here rather than failing the stream later.
   */
  async readStream(digest: string, range: { start?: number; end?: number } = {}): Promise<Readable> {
    const path = this.blobPath(digest);
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      throw this.fsError(e, digest, 'open', path);
    }
    return fh.createReadStream({ start: range.start, end: range.end, autoClose: true });
  }

  async has(digest: string): Promise<boolean> {
    const path = this.blobPath(digest);
    try {
      await stat(path);
      return true;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return false;
      throw this.fsError(e, digest, 'stat', path);
    }
  }

  async info(digest: string): Promise<BlobInfo> {
    const path = this.blobPath(digest);
    try {
      const st = await stat(path);
      return { digest: checkDigest(digest).digest, size: st.size };
    } catch (e) {
      throw this.fsError(e, digest, 'stat', path);
    }
  }

  /** Removes a blob; NotFound if it is not there. Whoever references it (images, layers) must have let go. */
  async delete(digest: string): Promise<void> {
    const path = this.blobPath(digest);
    try {
      await unlink(path);
    } catch (e) {
      throw this.fsError(e, digest, 'remove', path);
    }
  }

  /** Every blob in the store, in no particular order. */
  async list(): Promise<BlobInfo[]> {
    const names = (await readdir(this.blobDir)).filter((n) => HEX64.test(n));
    const infos = await Promise.all(
      names.map(async (hex): Promise<BlobInfo | undefined> => {
        try {
          return { digest: `sha256:${hex}`, size: (await stat(join(this.blobDir, hex))).size };
        } catch (e) {
          if (errnoCode(e) === 'ENOENT') return undefined; // deleted since readdir
          throw e;
        }
      }),
    );
    return infos.filter((i): i is BlobInfo => i !== undefined);
  }

  /**
   * Removes everything in ingest/ except the temp files of puts still running in this process: the leftovers of a
   * crash mid-write. Returns how many entries were removed.
   */
  async sweepIngest(): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.ingestDir)) {
      const path = join(this.ingestDir, name);
      if (this.writing.has(path)) continue;
      await rm(path, { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  private async ingest(source: AsyncIterable<Uint8Array | string> | Uint8Array[], want: ExpectedContent) {
    const tmp = join(this.ingestDir, `${randomBytes(12).toString('hex')}.tmp`);
    this.writing.add(tmp);
    let fh: FileHandle | undefined;
    try {
      fh = await open(tmp, 'wx', 0o644).catch((e: unknown) => {
        throw wrapSystem(e, 'create', tmp);
      });
      const hash = createHash('sha256');
      let size = 0;
      // Pulling one chunk at a time and awaiting its write is the backpressure.
      for await (const chunk of source) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        size += buf.length;
        if (want.size !== undefined && size > want.size) {
          throw new InvalidParameter(`size mismatch: expected ${want.size} bytes, got more`);
        }
        hash.update(buf);
        await writeFully(fh, buf, tmp);
      }
      await fh.sync().catch((e: unknown) => {
        throw wrapSystem(e, 'fsync', tmp);
      });
      await fh.close();
      fh = undefined;
      const digest: Digest = `sha256:${hash.digest('hex')}`;
      verify(want, digest, size);
      await this.commit(tmp, digest);
      return { digest, size };
    } finally {
      if (fh) await fh.close().catch(() => {});
      await rm(tmp, { force: true });
      this.writing.delete(tmp);
    }
  }

  /** Links the verified temp file into place; an existing blob wins (it has the same content by definition). */
  private async commit(tmp: string, digest: Digest): Promise<void> {
    const final = this.blobPath(digest);
    try {
      await link(tmp, final);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'EEXIST') return;
      // Filesystems without hard links: rename, which may replace an identical blob written meanwhile.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw wrapSystem(e, 'link', final);
      if (await this.has(digest)) return;
      await rename(tmp, final).catch((err: unknown) => {
        throw wrapSystem(err, 'rename', final);
      });
    }
    // Make the new directory entry durable, so a blob that put() reported survives a power cut.
    const dir = await open(this.blobDir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  private fsError(e: unknown, digest: string, op: string, path: string): Error {
    if (errnoCode(e) === 'ENOENT') return new NotFound(`content digest ${digest}: not found`, { cause: e });
    return wrapSystem(e, op, path);
  }
}

function checkDigest(digest: string) {
  const parsed = parseDigest(digest);
  if (parsed.algorithm !== 'sha256') {
    throw new InvalidParameter(`unsupported digest algorithm: ${parsed.algorithm} (the content store holds sha256)`);
  }
  return parsed;
}

function normaliseExpected(expected: string | ExpectedContent | undefined): ExpectedContent {
  const want = typeof expected === 'string' ? { digest: expected } : { ...expected };
  if (want.digest !== undefined) checkDigest(want.digest);
  if (want.size !== undefined && (!Number.isSafeInteger(want.size) || want.size < 0)) {
    throw new InvalidParameter(`invalid expected size: ${want.size}`);
  }
  return want;
}

function verify(want: ExpectedContent, digest: Digest, size: number): void {
  if (want.size !== undefined && size !== want.size) {
    throw new InvalidParameter(`size mismatch: expected ${want.size} bytes, got ${size}`);
  }
  if (want.digest !== undefined && want.digest !== digest) {
    throw new InvalidParameter(`digest mismatch: expected ${want.digest}, got ${digest}`);
  }
}

async function writeFully(fh: FileHandle, buf: Uint8Array, path: string): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    try {
      const { bytesWritten } = await fh.write(buf, off, buf.length - off);
      off += bytesWritten;
    } catch (e) {
      throw wrapSystem(e, 'write', path);
    }
  }
}

function wrapSystem(e: unknown, op: string, path: string): Error {
  if (e instanceof BerthError) return e;
  return new System(`content store: ${op} ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}
