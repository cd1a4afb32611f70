// Blob uploads in progress: one file per session under the repository's _uploads/, appended in order (chunked PATCH
// with Content-Range) and hashed as it grows; only a finished upload whose digest matches is moved into the blobs.
import { createHash, type Hash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Digest, parseDigest } from '../../lib/digest.js';
import { KeyedLock } from '../../lib/keyed-lock.js';
import { errnoCode } from '../../errdefs/index.js';
import { RegistryError } from '../errors.js';
import type { BlobStore } from './blobs.js';
import type { Layout } from './layout.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The running sha256 of an upload, valid while it covers exactly the file's bytes. */
interface HashState {
  hash: Hash;
  size: number;
}

export class UploadStore {
  private readonly lock = new KeyedLock();
  private readonly hashes = new Map<string, HashState>();

  constructor(
    private readonly layout: Layout,
    private readonly blobs: BlobStore,
  ) {}

  async start(name: string): Promise<string> {
    const uuid = randomUUID();
    await mkdir(this.layout.uploadsDir(name), { recursive: true });
    await writeFile(this.layout.upload(name, uuid), '', { flag: 'wx' });
    this.hashes.set(uuid, { hash: createHash('sha256'), size: 0 });
    return uuid;
  }

  /** The bytes received so far; BLOB_UPLOAD_UNKNOWN for no such session. */
  async size(name: string, uuid: string): Promise<number> {
    if (!UUID.test(uuid)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { uuid });
    try {
      return (await stat(this.layout.upload(name, uuid))).size;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { uuid });
      throw e;
    }
  }

  /**
   * Appends a chunk. `start` (from Content-Range) must equal the bytes received so far, else RANGE_INVALID carrying
   * the current size. Returns the new size.
   */
  async append(name: string, uuid: string, body: Readable, start?: number): Promise<number> {
    return this.lock.run(uuid, async () => {
      const size = await this.size(name, uuid);
      if (start !== undefined && start !== size) {
        body.resume();
        throw new RegistryError('RANGE_INVALID', { size }, `requested range not satisfiable: expected offset ${size}`);
      }
      return this.write(name, uuid, body, size);
    });
  }

  private async write(name: string, uuid: string, body: Readable, size: number): Promise<number> {
    let state = this.hashes.get(uuid);
    if (state && state.size !== size) state = undefined;
    this.hashes.delete(uuid);
    let written = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        state?.hash.update(chunk);
        cb(null, chunk);
      },
    });
    await pipeline(body, hashing, createWriteStream(this.layout.upload(name, uuid), { flags: 'r+', start: size }));
    // Only now do the hash and the file agree: a failed write above left the state dropped, so finish rehashes.
    if (state) this.hashes.set(uuid, { hash: state.hash, size: size + written });
    return size + written;
  }

  /**
   * Appends the last chunk (if any), checks the whole upload against `expected` and publishes it. A mismatch ends
   * the session with DIGEST_INVALID; nothing becomes visible.
   */
  async finish(name: string, uuid: string, expected: Digest, body?: Readable, start?: number): Promise<number> {
    return this.lock.run(uuid, async () => {
      let size = await this.size(name, uuid);
      if (body) {
        if (start !== undefined && start !== size) {
          body.resume();
          throw new RegistryError(
            'RANGE_INVALID',
            { size },
            `requested range not satisfiable: expected offset ${size}`,
          );
        }
        size = await this.write(name, uuid, body, size);
      }
      const path = this.layout.upload(name, uuid);
      const actual = await this.digestOf(uuid, path, size, parseDigest(expected).algorithm);
      if (actual !== expected) {
        await this.drop(name, uuid);
        throw new RegistryError('DIGEST_INVALID', { expected, actual });
      }
      this.hashes.delete(uuid);
      await this.blobs.commit(path, expected);
      return size;
    });
  }

  private async digestOf(uuid: string, path: string, size: number, algorithm: string): Promise<Digest> {
    const state = this.hashes.get(uuid);
    if (algorithm === 'sha256' && state && state.size === size) return `sha256:${state.hash.digest('hex')}`;
    const hash = createHash(algorithm);
    for await (const c of createReadStream(path)) hash.update(c as Buffer);
    return `${algorithm}:${hash.digest('hex')}` as Digest;
  }

  async cancel(name: string, uuid: string): Promise<void> {
    await this.lock.run(uuid, async () => {
      await this.size(name, uuid);
      await this.drop(name, uuid);
    });
  }

  private async drop(name: string, uuid: string): Promise<void> {
    this.hashes.delete(uuid);
    await unlink(this.layout.upload(name, uuid)).catch(() => {});
  }
}
