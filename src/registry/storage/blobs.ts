// The content-addressed blob store. Content becomes visible only by an atomic rename after its digest was checked,
// and is checked again when read: a blob whose bytes no longer match its name is refused, never served as good.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { uniqueSuffix } from '../../lib/atomic-file.js';
import { type Digest, DigestStream, parseDigest } from '../../lib/digest.js';
import { errnoCode } from '../../errdefs/index.js';
import { RegistryError } from '../errors.js';
import type { Layout } from './layout.js';

/** Blobs up to this size are verified before the first byte is sent; bigger ones while streaming. */
const VERIFY_FIRST_MAX = 8 << 20;
/** Read chunk size: 1 MiB reads cost far fewer event-loop turns than the 64 KiB default on multi-MB layers. */
const READ_CHUNK = 1 << 20;

export interface BlobRead {
  size: number;
  /** The requested bytes; for an unverified whole blob, errors at the end if the content does not match. */
  stream: Readable;
}

export type Logger = (line: string) => void;

export class BlobStore {
  /** Blobs verified since start, by digest → the identity of the file verified (inode, size, ctime). */
  private readonly verified = new Map<Digest, string>();

  constructor(
    readonly layout: Layout,
    private readonly log: Logger,
  ) {}

  async size(d: Digest): Promise<number | undefined> {
    try {
      return (await stat(this.layout.blob(d))).size;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** Marks a blob as just referenced (GC spares blobs touched after it started); false if it is not there. */
  async touch(d: Digest): Promise<boolean> {
    const now = new Date();
    try {
      await utimes(this.layout.blob(d), now, now);
      return true;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return false;
      throw e;
    }
  }

  /** A fresh temp path on the blobs' filesystem. */
  async tempPath(): Promise<string> {
    await mkdir(this.layout.tmpDir, { recursive: true });
    return join(this.layout.tmpDir, `${uniqueSuffix()}.part`);
  }

  /**
   * Publishes a file whose digest the caller computed: fsync, then rename into place. Two pushes of one blob both
   * rename identical bytes onto the same name, which is harmless.
   */
  async commit(tmp: string, d: Digest): Promise<void> {
    const fh = await open(tmp, 'r');
    try {
      await fh.datasync();
    } finally {
      await fh.close();
    }
    const dest = this.layout.blob(d);
    await mkdir(dirname(dest), { recursive: true });
    await rename(tmp, dest);
  }

  /** Streams `source` into the store, checking it against `expected`; nothing is visible unless it matches. */
  async ingest(source: Readable, expected: Digest, expectedSize?: number): Promise<number> {
    const tmp = await this.tempPath();
    const hash = new DigestStream(parseDigest(expected).algorithm);
    try {
      await pipeline(source, hash, createWriteStream(tmp, { flags: 'wx' }));
      if (hash.digest() !== expected) throw new RegistryError('DIGEST_INVALID', { expected, actual: hash.digest() });
      if (expectedSize !== undefined && hash.size !== expectedSize)
        throw new RegistryError('SIZE_INVALID', { expected: expectedSize, actual: hash.size });
      await this.commit(tmp, expected);
      return hash.size;
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
  }

  /** Reads a blob whole. For manifests and configs (small): verified before it is returned. */
  async readAll(d: Digest): Promise<Buffer> {
    const { stream } = await this.read(d);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * Opens a blob, or a byte range of it (inclusive end). Throws BLOB_UNKNOWN when absent and UNKNOWN when its content
   * no longer matches its digest (checked once per file identity, then remembered).
   */
  async read(d: Digest, range?: { start: number; end: number }): Promise<BlobRead> {
    const path = this.layout.blob(d);
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(path);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') throw new RegistryError('BLOB_UNKNOWN', { digest: d });
      throw e;
    }
    const identity = `${st.ino}:${st.size}:${st.ctimeMs}`;
    const known = this.verified.get(d) === identity;
    if (!known && (range || st.size <= VERIFY_FIRST_MAX)) {
      await this.verify(d, path);
      this.verified.set(d, identity);
    }
    if (range)
      return {
        size: st.size,
        stream: createReadStream(path, { start: range.start, end: range.end, highWaterMark: READ_CHUNK }),
      };
    const file = createReadStream(path, { highWaterMark: READ_CHUNK });
    if (this.verified.get(d) === identity) return { size: st.size, stream: file };
    // A big unverified blob: hash while sending; a mismatch errors the stream, which aborts the response.
    const check = new VerifyingStream(
      d,
      () => {
        this.verified.set(d, identity);
      },
      this.corrupt.bind(this),
    );
    file.on('error', (e) => check.destroy(e));
    return { size: st.size, stream: file.pipe(check) };
  }

  private async verify(d: Digest, path: string): Promise<void> {
    const hash = createHash(parseDigest(d).algorithm);
    for await (const c of createReadStream(path, { highWaterMark: READ_CHUNK })) hash.update(c as Buffer);
    const actual = `${parseDigest(d).algorithm}:${hash.digest('hex')}`;
    if (actual !== d) throw this.corrupt(d, actual);
  }

  private corrupt(d: Digest, actual: string): RegistryError {
    this.verified.delete(d);
    this.log(`blob ${d} is corrupt on disk: its content hashes to ${actual}`);
    return new RegistryError(
      'UNKNOWN',
      { digest: d, reason: 'blob content does not match its digest' },
      'blob corrupt',
    );
  }

  async remove(d: Digest): Promise<void> {
    this.verified.delete(d);
    await unlink(this.layout.blob(d)).catch((e: unknown) => {
      if (errnoCode(e) !== 'ENOENT') throw e;
    });
  }
}

/**
 * Passes a blob through while hashing it, holding back the last chunk until the digest is known: a mismatch then
 * errors the stream before the response is complete, so the client never receives all Content-Length bytes of bad
 * content.
 */
class VerifyingStream extends Transform {
  private readonly hash;
  private held: Buffer | undefined;
  constructor(
    private readonly expected: Digest,
    private readonly onGood: () => void,
    private readonly onBad: (d: Digest, actual: string) => Error,
  ) {
    super();
    this.hash = createHash(parseDigest(expected).algorithm);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    const previous = this.held;
    this.held = chunk;
    cb(null, previous);
  }
  override _flush(cb: TransformCallback): void {
    const actual = `${parseDigest(this.expected).algorithm}:${this.hash.digest('hex')}`;
    if (actual !== this.expected) {
      cb(this.onBad(this.expected, actual));
      return;
    }
    this.onGood();
    cb(null, this.held);
  }
}
