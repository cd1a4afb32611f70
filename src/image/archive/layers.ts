// What the archive code needs of the layer store, as a small interface (the layer store implements it), and a plain
// implementation that keeps each layer's tar as a file named by its chain ID: for tests and tools, no graph driver.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, NotFound, System } from '../../errdefs/index.js';
import { type Digest, digestHex, sha256 } from '../../lib/digest.js';

type Bytes = AsyncIterable<Uint8Array>;

/** A layer tar already applied by stage(), not yet in a chain (opaque to the archive code). */
export interface Staged {
  readonly diffId: Digest;
}

export interface LayerAccess {
  /**
   * Registers an uncompressed layer tar on top of `parent` (a chain ID; none for a base layer). Returns its chain ID,
   * diff ID (sha256 of the tar) and size. Registering a layer that exists already is not an error.
   */
  register(tar: Bytes, parent?: Digest): Promise<{ chainId: Digest; diffId: Digest; size: number }>;
  /**
   * Registers a stack of layer tars (plain or compressed), bottom first, on `parent`, as register does one by one;
   * nothing is committed unless every tar's diff ID is the one in `expected`. Each tar is opened when it is needed.
   * Optional: without it, load calls register per layer.
   */
  registerChain?(
    tars: readonly ((() => Promise<Bytes>) | Staged)[],
    parent: Digest | undefined,
    expected: readonly Digest[],
  ): Promise<{ chainId: Digest; diffId: Digest; size: number }[]>;
  /**
   * Applies a layer tar before its place in a chain is known, so load can apply layers while it still reads the
   * archive; what it returns goes to registerChain in the opener's place, or to discardStaged. Undefined when it
   * cannot or need not (a layer with `likelyDiffId` exists): registerChain then applies the tar as usual. Optional,
   * with discardStaged.
   */
  stage?(tar: () => Promise<Bytes>, likelyDiffId?: Digest): Promise<Staged | undefined>;
  discardStaged?(staged: Staged): Promise<void>;
  /**
   * The layer's diff as an uncompressed tar whose sha256 is its diff ID: the stream fails, at its end, if the bytes
   * did not hash to it (save relies on this and does not hash again).
   */
  layerTar(chainId: Digest): Bytes | Promise<Bytes>;
  /**
   * The exact byte count of layerTar(chainId), so save can write the tar header and stream the layer straight into
   * the archive. Optional: without it, save spools each layer to a temp file to learn its size.
   */
  layerTarSize?(chainId: Digest): Promise<number>;
  has(chainId: Digest): Promise<boolean>;
}

/** A LayerAccess (and the image store's LayerRefs) keeping `<root>/<chain hex>.tar` and its diff ID beside it. */
export class FileLayerAccess implements LayerAccess {
  private constructor(readonly root: string) {}

  static async open(root: string): Promise<FileLayerAccess> {
    await mkdir(root, { recursive: true });
    return new FileLayerAccess(root);
  }

  private path(chainId: Digest): string {
    return join(this.root, `${digestHex(chainId)}.tar`);
  }

  async register(tar: Bytes, parent?: Digest) {
    if (parent !== undefined && !(await this.has(parent))) throw new NotFound(`layer ${parent} does not exist`);
    const tmp = join(this.root, `.ingest-${randomBytes(8).toString('hex')}`);
    const fh = await open(tmp, 'wx');
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of tar) {
        hash.update(chunk);
        size += chunk.length;
        await fh.write(chunk);
      }
    } catch (e) {
      await fh.close();
      await rm(tmp, { force: true });
      throw e;
    }
    await fh.close();
    const diffId: Digest = `sha256:${hash.digest('hex')}`;
    const chainId = parent === undefined ? diffId : sha256(`${parent} ${diffId}`);
    await writeFile(`${this.path(chainId)}.diff`, diffId);
    await rename(tmp, this.path(chainId));
    return { chainId, diffId, size };
  }

  async *layerTar(chainId: Digest): AsyncGenerator<Uint8Array> {
    if (!(await this.has(chainId))) throw new NotFound(`layer ${chainId} does not exist`);
    const diffId = (await readFile(`${this.path(chainId)}.diff`, 'utf8')).trim();
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(this.path(chainId))) {
      hash.update(chunk as Buffer);
      yield chunk as Buffer;
    }
    const got = `sha256:${hash.digest('hex')}`;
    if (got !== diffId) throw new System(`layer ${chainId}: its tar has digest ${got}, not its diff ID ${diffId}`);
  }

  async layerTarSize(chainId: Digest): Promise<number> {
    return this.size(chainId);
  }

  async has(chainId: Digest): Promise<boolean> {
    try {
      await stat(this.path(chainId));
      return true;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return false;
      throw e;
    }
  }

  /** The tar's size (the image store's LayerRefs asks for it). */
  async size(chainId: Digest): Promise<number> {
    try {
      return (await stat(this.path(chainId))).size;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') throw new NotFound(`layer ${chainId} does not exist`);
      throw e;
    }
  }
}
