// The overlay2 driver, with moby's on-disk layout so the facts carry over:
//   <root>/overlay2/<id>/diff     the layer's own files (overlay upper dir; layer tars are applied here)
//   <root>/overlay2/<id>/link     this layer's short name in l/
//   <root>/overlay2/<id>/lower    "l/<parent link>:l/<grandparent link>:…" (absent for a base layer)
//   <root>/overlay2/<id>/work     overlay's work dir;  <id>/merged: the mount point while mounted
//   <root>/overlay2/l/<link>      -> ../<id>/diff, 26-character names
//   <root>/overlay2/<id>/idmap    a remapped container layer's id mapping (JSON); its lowers are then mounted from
//   <root>/overlay2/l/<key>/<link> idmapped views of l/<link>, one per (layer, mapping), shared by the containers
// The short links and relative paths (mount runs in <root>/overlay2) keep the mount options under the kernel's
// one-page limit for mount data even with 128 layers.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, readlink, rm, rmdir, stat, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Conflict, errnoCode, InvalidParameter, NotFound, NotImplemented } from '../../errdefs/index.js';
import type { LayerSource } from '../../archive/index.js';
import {
  applyOffThread,
  type Change,
  type DiffStream,
  exportChanges,
  type RecordedApplyResult,
  overlayChanges,
  treeSize,
  overlayDiff,
} from '../archive/index.js';
import { type IdentityMapping, mappingKey, rootPair } from '../../lib/idmap.js';
import { KeyedLock } from '../../lib/keyed-lock.js';
import { type ApplyDiffOptions, type GraphDriver, type ReadWriteOptions, validateLayerId } from './driver.js';
import type { IdmapMounter } from './idmap-mount.js';
import { mountOverlay, mountPointsUnder, unmount } from './mount.js';
import { checkOverlaySupport, type OverlaySupport } from './overlay-support.js';

/** moby's limit: deeper chains would not fit the mount data page. */
export const MAX_DEPTH = 128;
const PAGE_SIZE = 4096;
const LINK_DIR = 'l';
const IDMAP_FILE = 'idmap';
/** The KeyedLock key serialising the idmapped-lower bookkeeping (layer ids cannot contain ':'). */
const IDMAP_LOCK = 'idmap:';

/** The directory under l/ holding one mapping's idmapped lowers: 8 hex digits, to keep lowerdir short. */
function idmapDirName(m: IdentityMapping): string {
  return createHash('sha256').update(mappingKey(m)).digest('hex').slice(0, 8);
}

// 16 random bytes in base32 without padding: 26 characters of [A-Z2-7], as moby's generateID.
function shortLink(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = randomBytes(16);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

export class Overlay2Driver implements GraphDriver {
  readonly name = 'overlay2' as const;
  readonly whiteoutMode = 'overlay' as const;
  private readonly refs = new Map<string, number>();
  private readonly lock = new KeyedLock();
  /** Containers using each idmapped lower (`l/<key>/<link>`), and the ones each mounted layer holds. */
  private readonly idmapRefs = new Map<string, number>();
  private readonly idmapHeld = new Map<string, string[]>();

  /**
   * @param mounted the layers whose merged dir is mounted: read from mountinfo once (what an earlier daemon left, as
   *   with live restore), then kept by get/put — reading mountinfo per mount and unmount grows with every running
   *   container and sat on the container start and exit paths.
   */
  private constructor(
    private readonly home: string,
    private readonly support: OverlaySupport,
    private readonly mounted: Set<string>,
    /** Idmapped lowers mounted (an earlier daemon's included), as `l/<key>/<link>`. */
    private readonly idmapMounted: Set<string>,
    private readonly idmapMount: IdmapMounter | undefined,
  ) {}

  /**
   * Prepares <root>/overlay2 and checks the host; NotImplemented (with the reason) when overlay2 cannot work.
   * `idmapMount` makes the idmapped lowers of remapped containers' layers (without it, createReadWrite refuses them).
   */
  static async init(root: string, opts: { idmapMount?: IdmapMounter } = {}): Promise<Overlay2Driver> {
    const home = path.join(root, 'overlay2');
    await mkdir(path.join(home, LINK_DIR), { recursive: true, mode: 0o700 });
    const points = await mountPointsUnder(home);
    const mounted = new Set(
      points
        .filter((m) => path.basename(m) === 'merged' && path.dirname(path.dirname(m)) === home)
        .map((m) => path.basename(path.dirname(m))),
    );
    const linkDir = path.join(home, LINK_DIR);
    const idmapped = new Set(
      points.filter((m) => path.dirname(path.dirname(m)) === linkDir).map((m) => path.relative(home, m)),
    );
    return new Overlay2Driver(home, await checkOverlaySupport(home), mounted, idmapped, opts.idmapMount);
  }

  private dir(id: string): string {
    return path.join(this.home, id);
  }

  private async mustExist(id: string): Promise<string> {
    if (!(await this.exists(id))) throw new NotFound(`layer ${id} does not exist`);
    return this.dir(id);
  }

  /** The lower chain as stored ("l/A:l/B"), or undefined for a base layer. */
  private async lower(id: string): Promise<string | undefined> {
    try {
      return (await readFile(path.join(this.dir(id), 'lower'), 'utf8')).trim() || undefined;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  async create(id: string, parent?: string): Promise<void> {
    validateLayerId(id);
    if (parent !== undefined) validateLayerId(parent, 'parent layer id');
    // Every container start creates a layer: the independent steps run side by side (each is a thread-pool trip).
    const lowers = parent === undefined ? undefined : this.lowersOn(parent);
    lowers?.catch(() => {}); // settled below (a missing parent: NotFound, and what was made is removed)
    const dir = this.dir(id);
    try {
      await mkdir(dir, { mode: 0o710 });
    } catch (e) {
      if (errnoCode(e) === 'EEXIST') throw new Conflict(`layer ${id} already exists`);
      throw e;
    }
    const link = shortLink();
    const steps = await Promise.allSettled([
      mkdir(path.join(dir, 'diff'), { mode: 0o755 }),
      symlink(path.join('..', id, 'diff'), path.join(this.home, LINK_DIR, link)),
      writeFile(path.join(dir, 'link'), link),
      lowers?.then((l) => this.stackOn(id, l)),
    ]);
    const failed = steps.find((r) => r.status === 'rejected');
    if (failed) {
      await this.removeDir(id);
      throw failed.reason;
    }
  }

  /** The lower chain of a layer put on `parent` (NotFound if there is no such layer). */
  private async lowersOn(parent: string): Promise<string[]> {
    const [parentLink, parentLower] = await Promise.all([
      readFile(path.join(this.dir(parent), 'link'), 'utf8').catch((e: unknown) => {
        if (errnoCode(e) === 'ENOENT') throw new NotFound(`layer ${parent} does not exist`);
        throw e;
      }),
      this.lower(parent),
    ]);
    const lowers = [`${LINK_DIR}/${parentLink.trim()}`, ...(parentLower ? parentLower.split(':') : [])];
    if (lowers.length > MAX_DEPTH) throw new InvalidParameter(`max depth exceeded: ${MAX_DEPTH} layers`);
    return lowers;
  }

  /** Writes the lower chain and work dir that put layer `id` on a parent. */
  private async stackOn(id: string, lowers: string[]): Promise<void> {
    const dir = this.dir(id);
    // Both settle before a failure is reported: the caller then removes the layer's directory.
    const done = await Promise.allSettled([
      writeFile(path.join(dir, 'lower'), lowers.join(':')),
      mkdir(path.join(dir, 'work'), { mode: 0o700 }),
    ]);
    for (const r of done) if (r.status === 'rejected') throw r.reason;
  }

  /**
   * Puts a layer created without a parent (and applied meanwhile) on `parent`: a layer's diff dir does not depend on
   * what is below it, so a layer tar can be applied before its place in a chain is known (load's staging).
   */
  async setParent(id: string, parent: string): Promise<void> {
    validateLayerId(id);
    validateLayerId(parent, 'parent layer id');
    await this.mustExist(id);
    await this.mustExist(parent);
    if ((await this.lower(id)) !== undefined) throw new Conflict(`layer ${id} already has a parent`);
    await this.stackOn(id, await this.lowersOn(parent));
  }

  /**
   * With an id mapping (a container under --userns-remap), the layer's upper dir belongs to the container's root and
   * get() mounts idmapped views of the image's layers as its lowers: the image's files appear owned by the remapped
   * ids while the layers on disk stay the ones every container shares.
   */
  async createReadWrite(id: string, parent?: string, opts: ReadWriteOptions = {}): Promise<void> {
    const mapping = opts.idMapping;
    if (mapping && !this.idmapMount) throw new NotImplemented('overlay2: idmapped layers need berth-helper');
    await this.create(id, parent);
    if (!mapping) return;
    try {
      const root = rootPair(mapping);
      // The container's root opens its rootfs (<id>/merged) from inside its user namespace: the way there must let
      // it through, as dockerd's remapped layer root does (0710 root:<remapped gid> on the layer's directory).
      await Promise.all([
        writeFile(path.join(this.dir(id), IDMAP_FILE), JSON.stringify(mapping)),
        chown(path.join(this.dir(id), 'diff'), root.uid, root.gid),
        chown(this.dir(id), 0, root.gid),
        chmod(this.home, 0o711),
      ]);
    } catch (e) {
      await this.removeDir(id);
      throw e;
    }
  }

  private async idMappingOf(id: string): Promise<IdentityMapping | undefined> {
    try {
      return JSON.parse(await readFile(path.join(this.dir(id), IDMAP_FILE), 'utf8')) as IdentityMapping;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  /**
   * The lowerdir for layer `id` through idmapped views (`l/<key>/<link>` for each `l/<link>`), mounting those no
   * container holds yet in one helper call; the layer holds a reference to each until put() releases it.
   */
  private async idmappedLowers(id: string, lower: string, mapping: IdentityMapping): Promise<string> {
    const key = idmapDirName(mapping);
    const views = lower.split(':').map((l) => `${LINK_DIR}/${key}/${path.basename(l)}`);
    await this.lock.run(IDMAP_LOCK, async () => {
      const missing = views.filter((v) => !this.idmapMounted.has(v));
      if (missing.length > 0) {
        await Promise.all(missing.map((v) => mkdir(path.join(this.home, v), { recursive: true, mode: 0o700 })));
        const pairs = missing.map(
          (v) => [path.join(this.home, LINK_DIR, path.basename(v)), path.join(this.home, v)] as const,
        );
        try {
          await this.idmapMount!(mapping, pairs);
        } catch (e) {
          // The helper stops at the first failure: what it attached before stays and is undone here.
          for (const [, dst] of pairs) await unmount(dst).catch(() => undefined);
          throw e;
        }
        for (const v of missing) this.idmapMounted.add(v);
      }
      for (const v of views) this.idmapRefs.set(v, (this.idmapRefs.get(v) ?? 0) + 1);
      this.idmapHeld.set(id, views);
    });
    return views.join(':');
  }

  /** Drops layer `id`'s references to idmapped lowers; the last container's unmounts a view. */
  private async releaseIdmapped(id: string): Promise<void> {
    const views = this.idmapHeld.get(id);
    if (!views) return;
    await this.lock.run(IDMAP_LOCK, async () => {
      this.idmapHeld.delete(id);
      for (const v of views) {
        const n = (this.idmapRefs.get(v) ?? 1) - 1;
        if (n > 0) {
          this.idmapRefs.set(v, n);
          continue;
        }
        this.idmapRefs.delete(v);
        if (this.idmapMounted.delete(v)) await unmount(path.join(this.home, v));
        await rmdir(path.join(this.home, v)).catch(() => undefined);
      }
    });
  }

  private async removeDir(id: string): Promise<void> {
    const link = await readFile(path.join(this.dir(id), 'link'), 'utf8').catch(() => '');
    if (link.trim()) await rm(path.join(this.home, LINK_DIR, link.trim()), { force: true });
    await rm(this.dir(id), { recursive: true, force: true });
  }

  async remove(id: string): Promise<void> {
    validateLayerId(id);
    await this.lock.run(id, async () => {
      if ((this.refs.get(id) ?? 0) > 0) throw new Conflict(`layer ${id} is in use`);
      if (this.mounted.has(id)) {
        await unmount(path.join(this.dir(id), 'merged')); // left mounted by an earlier daemon
        this.mounted.delete(id);
      }
      await this.removeDir(id);
    });
  }

  async get(id: string): Promise<string> {
    validateLayerId(id);
    return this.lock.run(id, async () => {
      const dir = await this.mustExist(id);
      const lower = await this.lower(id);
      const count = this.refs.get(id) ?? 0;
      // A base layer has nothing to merge: its diff dir is its view (as in moby).
      if (!lower) {
        this.refs.set(id, count + 1);
        return path.join(dir, 'diff');
      }
      const merged = path.join(dir, 'merged');
      if (count === 0) {
        await mkdir(merged, { recursive: true, mode: 0o755 });
        const mapping = await this.idMappingOf(id);
        const lowerdir = mapping ? await this.idmappedLowers(id, lower, mapping) : lower;
        try {
          if (!this.mounted.has(id)) await this.mountMerged(id, lowerdir, merged);
        } catch (e) {
          await this.releaseIdmapped(id);
          throw e;
        }
      }
      this.refs.set(id, count + 1);
      return merged;
    });
  }

  private async mountMerged(id: string, lowerdir: string, merged: string): Promise<void> {
    const options = [
      `lowerdir=${lowerdir}`,
      `upperdir=${id}/diff`,
      `workdir=${id}/work`,
      ...this.support.extraOptions,
    ].join(',');
    if (options.length >= PAGE_SIZE) {
      throw new InvalidParameter(`mount options for layer ${id} exceed a page (${options.length} bytes)`);
    }
    await mountOverlay(this.home, options, merged);
    this.mounted.add(id);
  }

  async put(id: string): Promise<void> {
    validateLayerId(id);
    await this.lock.run(id, async () => {
      const count = this.refs.get(id) ?? 0;
      if (count > 1) {
        this.refs.set(id, count - 1);
        return;
      }
      this.refs.delete(id);
      const merged = path.join(this.dir(id), 'merged');
      if (this.mounted.has(id)) {
        await unmount(merged);
        this.mounted.delete(id);
      }
      await this.releaseIdmapped(id);
      await rmdir(merged).catch(() => undefined);
    });
  }

  async exists(id: string): Promise<boolean> {
    validateLayerId(id);
    try {
      return (await stat(path.join(this.dir(id), 'diff'))).isDirectory();
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return false;
      throw e;
    }
  }

  async diffDir(id: string): Promise<string> {
    validateLayerId(id);
    return path.join(await this.mustExist(id), 'diff');
  }

  async applyDiff(id: string, source: LayerSource, options: ApplyDiffOptions = {}): Promise<RecordedApplyResult> {
    return applyOffThread(await this.diffDir(id), source, { whiteoutMode: this.whiteoutMode, ...options });
  }

  /** Absolute diff dirs of the lower layers, nearest first. */
  private async lowerDirs(id: string): Promise<string[]> {
    const lower = await this.lower(id);
    if (!lower) return [];
    return Promise.all(
      lower.split(':').map(async (l) => path.resolve(this.home, LINK_DIR, await readlink(path.join(this.home, l)))),
    );
  }

  async changes(id: string): Promise<Change[]> {
    return overlayChanges(await this.diffDir(id), await this.lowerDirs(id));
  }

  /** The upper directory is exactly the layer's changes (whiteouts are 0-byte devices). */
  async diffSize(id: string): Promise<number> {
    return treeSize(await this.diffDir(id));
  }

  async diff(id: string, only?: readonly Change[]): Promise<DiffStream> {
    // Every added or modified path has its copy in the upper dir: the subset exports from there.
    return only ? exportChanges(await this.diffDir(id), only) : overlayDiff(await this.diffDir(id));
  }

  async status(): Promise<[string, string][]> {
    return [
      ['Backing Filesystem', this.support.backingFs],
      ['Supports d_type', 'true'],
      ['Using metacopy', 'false'],
      ['Native Overlay Diff', 'true'],
      ['userxattr', 'false'],
    ];
  }

  async cleanup(): Promise<void> {
    this.refs.clear();
    this.mounted.clear();
    this.idmapRefs.clear();
    this.idmapHeld.clear();
    this.idmapMounted.clear();
    for (const m of await mountPointsUnder(this.home)) await unmount(m);
  }
}
