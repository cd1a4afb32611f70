// The layer store's metadata on disk, in moby's layout (so the facts carry over):
//   <root>/layerdb/sha256/<chain hex>/{diff, size, cache-id, parent}   one read-only layer
//                                     tar-split.json.gz                 how to rebuild its tar exactly (when known)
//                                     tar-size                          bytes of its uncompressed tar (berth's own;
//                                                                       added later to layers recorded without it)
//   <root>/layerdb/mounts/<container id>/{mount-id, parent}             one container's read-write layer
//   <root>/layerdb/tmp/                                                 work in progress (berth's own):
//     write-<rand>/       a record being written; renamed into place whole, so a record is complete or absent
//     intent-<driver id>  a driver layer being created; if no record names the id on open, the layer is removed (and
//                         a read-write layer's record with it: createRW writes that record beside the driver data)
//     remove-<rand>/      a record being removed (renamed out first); open finishes the driver removal
import { randomBytes } from 'node:crypto';
import { access, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { errnoCode } from '../../errdefs/index.js';
import { type Digest, isDigest } from '../../lib/digest.js';
import { TAR_SPLIT_FILE } from '../archive/index.js';

const TAR_SIZE_FILE = 'tar-size';

export interface LayerRecord {
  chainId: Digest;
  diffId: Digest;
  /** Bytes of file content in the layer's own diff. */
  size: number;
  /** The graph driver's id for the layer directory. */
  cacheId: string;
  parent?: Digest;
  /** Bytes of the layer's uncompressed tar (what layerTar yields); absent in records written before berth kept it. */
  tarSize?: number;
}

/** A tar-split record's summary (see readTarSplitIndex). */
export interface TarSplitIndex {
  tarSize: number;
  files: { name: string; size: number }[];
}

export interface MountRecord {
  containerId: string;
  /** The graph driver's id for the read-write layer. */
  mountId: string;
  /** Chain ID of the image layer below, if any. */
  parent?: Digest;
}

const HEX64 = /^[a-f0-9]{64}$/;
const DRIVER_ID = /^[a-f0-9]{64}$/;

/** A random 64-hex id for a driver layer (moby's cache-id / mount-id). */
export function newDriverId(): string {
  return randomBytes(32).toString('hex');
}

export const isDriverId = (s: string): boolean => DRIVER_ID.test(s);

async function writeDurable(path: string, data: string | Buffer): Promise<void> {
  const fh = await open(path, 'wx', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** What reading a record found: the record, or why it cannot be used (and the driver id it names, if any). */
export type ReadResult<T> = { ok: true; record: T } | { ok: false; reason: string; driverId?: string };

export class LayerDb {
  readonly dir: string;
  readonly layersDir: string;
  readonly mountsDir: string;
  readonly tmpDir: string;

  constructor(root: string) {
    this.dir = join(root, 'layerdb');
    this.layersDir = join(this.dir, 'sha256');
    this.mountsDir = join(this.dir, 'mounts');
    this.tmpDir = join(this.dir, 'tmp');
  }

  async init(): Promise<void> {
    for (const d of [this.layersDir, this.mountsDir, this.tmpDir]) await mkdir(d, { recursive: true, mode: 0o700 });
  }

  layerDir(chainId: Digest): string {
    return join(this.layersDir, chainId.slice('sha256:'.length));
  }

  mountDir(containerId: string): string {
    return join(this.mountsDir, containerId);
  }

  // ---- intents: driver layers being created ----

  async writeIntent(driverId: string): Promise<void> {
    await writeDurable(join(this.tmpDir, `intent-${driverId}`), '');
    await syncDir(this.tmpDir);
  }

  async clearIntent(driverId: string): Promise<void> {
    await rm(join(this.tmpDir, `intent-${driverId}`), { force: true });
  }

  // ---- records ----

  /** Writes a record's files into a temp dir and renames it to `dest` whole. */
  private async commit(dest: string, files: Record<string, string | Buffer>): Promise<void> {
    const tmp = join(this.tmpDir, `write-${randomBytes(8).toString('hex')}`);
    await mkdir(tmp, { mode: 0o700 });
    try {
      // The files are independent until the directory is synced: their fsyncs can share one journal commit. All
      // settle before a failure cleans up, so none is still writing into the removed directory.
      const written = await Promise.allSettled(
        Object.entries(files).map(([name, data]) => writeDurable(join(tmp, name), data)),
      );
      for (const w of written) if (w.status === 'rejected') throw w.reason;
      await syncDir(tmp);
      await rename(tmp, dest);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
    await syncDir(join(dest, '..'));
  }

  /** Writes a layer's record, with its tar-split record (gzip-compressed) when there is one, all or nothing. */
  async commitLayer(r: LayerRecord, tarSplit?: Buffer): Promise<void> {
    const files: Record<string, string | Buffer> = { diff: r.diffId, size: String(r.size), 'cache-id': r.cacheId };
    if (r.parent !== undefined) files.parent = r.parent;
    if (r.tarSize !== undefined) files[TAR_SIZE_FILE] = String(r.tarSize);
    if (tarSplit !== undefined) files[TAR_SPLIT_FILE] = tarSplit;
    await this.commit(this.layerDir(r.chainId), files);
  }

  /** The layer's tar-split record as a stream, or undefined when it has none (layers berth wrote before). */
  /** The path of the layer's tar-split record, if it has one. */
  async tarSplitFile(chainId: Digest): Promise<string | undefined> {
    const file = join(this.layerDir(chainId), TAR_SPLIT_FILE);
    try {
      await access(file);
      return file;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  async openTarSplit(chainId: Digest): Promise<Readable | undefined> {
    try {
      const fh = await open(join(this.layerDir(chainId), TAR_SPLIT_FILE), 'r');
      return fh.createReadStream();
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  /**
   * Adds `tar-size` to an existing layer record (one recorded before berth kept it): written beside it and renamed
   * into place, so the file is complete or absent. False when the record is gone (the layer was removed).
   */
  async writeTarSize(chainId: Digest, tarSize: number): Promise<boolean> {
    const tmp = join(this.tmpDir, `write-${randomBytes(8).toString('hex')}`);
    await writeDurable(tmp, String(tarSize));
    try {
      await rename(tmp, join(this.layerDir(chainId), TAR_SIZE_FILE));
    } catch (e) {
      await rm(tmp, { force: true });
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return false;
      throw e;
    }
    await syncDir(this.layerDir(chainId));
    return true;
  }

  /**
   * What a layer's tar-split record says without its files: the size of the tar it replays (its raw segments plus
   * its files' sizes) and, in order, the files whose content the replay reads (non-empty ones, as replay skips
   * empty ones). Undefined when the layer has no record; a record that cannot be parsed throws.
   */
  async readTarSplitIndex(chainId: Digest): Promise<TarSplitIndex | undefined> {
    const raw = await this.openTarSplit(chainId);
    if (raw === undefined) return undefined;
    const index: TarSplitIndex = { tarSize: 0, files: [] };
    let rest = '';
    const utf8 = new StringDecoder('utf8');
    const line = (text: string) => {
      if (text.trim() === '') return;
      const e = JSON.parse(text) as {
        type?: number;
        name?: string;
        name_raw?: string;
        size?: number;
        payload?: unknown;
      };
      if (e.type === 1) {
        const size = e.size ?? 0;
        index.tarSize += size;
        if (size === 0) return;
        const name = e.name ?? (typeof e.name_raw === 'string' ? Buffer.from(e.name_raw, 'base64').toString() : '');
        index.files.push({ name, size });
      } else if (typeof e.payload === 'string') index.tarSize += Buffer.byteLength(e.payload, 'base64');
    };
    for await (const chunk of raw.pipe(createGunzip())) {
      const lines = (rest + utf8.write(chunk as Buffer)).split('\n');
      rest = lines.pop()!;
      for (const l of lines) line(l);
    }
    line(rest + utf8.end());
    return index;
  }

  async commitMount(r: MountRecord): Promise<void> {
    const files: Record<string, string> = { 'mount-id': r.mountId };
    if (r.parent !== undefined) files.parent = r.parent;
    await this.commit(this.mountDir(r.containerId), files);
  }

  /**
   * First step of removing a record: moves it out of sight (atomically) into tmp/, where it still names its driver
   * layer. Returns the moved directory for `finishRemove`; undefined if there was no record.
   */
  async beginRemove(recordDir: string): Promise<string | undefined> {
    const moved = join(this.tmpDir, `remove-${randomBytes(8).toString('hex')}`);
    try {
      await rename(recordDir, moved);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    }
    await syncDir(this.tmpDir);
    return moved;
  }

  async finishRemove(moved: string | undefined): Promise<void> {
    if (moved !== undefined) await rm(moved, { recursive: true, force: true });
  }

  async removeRecordDir(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  async listLayerDirs(): Promise<string[]> {
    return readdir(this.layersDir);
  }

  async listMountDirs(): Promise<string[]> {
    return readdir(this.mountsDir);
  }

  async readLayer(name: string): Promise<ReadResult<LayerRecord>> {
    if (!HEX64.test(name)) return { ok: false, reason: 'not a chain ID' };
    const dir = join(this.layersDir, name);
    const [diff, size, cacheId, parent, tarSize] = await Promise.all(
      ['diff', 'size', 'cache-id', 'parent', TAR_SIZE_FILE].map((f) => readOptional(join(dir, f))),
    );
    const driverId = cacheId !== undefined && isDriverId(cacheId) ? cacheId : undefined;
    const bad = (reason: string): ReadResult<LayerRecord> =>
      driverId === undefined ? { ok: false, reason } : { ok: false, reason, driverId };
    if (driverId === undefined) return bad('no valid cache-id');
    if (diff === undefined || !isDigest(diff) || !diff.startsWith('sha256:')) return bad('no valid diff ID');
    if (size === undefined || !/^\d+$/.test(size)) return bad('no valid size');
    if (parent !== undefined && (!isDigest(parent) || !parent.startsWith('sha256:'))) return bad('invalid parent');
    const record: LayerRecord = { chainId: `sha256:${name}`, diffId: diff, size: Number(size), cacheId: driverId };
    if (parent !== undefined) record.parent = parent;
    // An unreadable tar-size is only a lost hint: it is worked out again when asked for.
    if (tarSize !== undefined && /^\d+$/.test(tarSize)) record.tarSize = Number(tarSize);
    return { ok: true, record };
  }

  async readMount(containerId: string): Promise<ReadResult<MountRecord>> {
    const dir = this.mountDir(containerId);
    const [mountId, parent] = await Promise.all(['mount-id', 'parent'].map((f) => readOptional(join(dir, f))));
    if (mountId === undefined || !isDriverId(mountId)) return { ok: false, reason: 'no valid mount-id' };
    if (parent !== undefined && (!isDigest(parent) || !parent.startsWith('sha256:'))) {
      return { ok: false, reason: 'invalid parent', driverId: mountId };
    }
    const record: MountRecord = { containerId, mountId };
    if (parent !== undefined) record.parent = parent;
    return { ok: true, record };
  }

  /** The driver id a moved-out record names (cache-id or mount-id), if readable. */
  async driverIdOf(dir: string): Promise<string | undefined> {
    for (const f of ['cache-id', 'mount-id']) {
      const id = await readOptional(join(dir, f));
      if (id !== undefined && isDriverId(id)) return id;
    }
    return undefined;
  }
}
