// A root filesystem (plus bind mounts over it) as `docker cp` sees it: stat a path, archive it, or extract a tar into
// it, every path resolved as inside the root (view.ts) so that nothing the tree's own symlinks say can reach the host.
import type { BigIntStats } from 'node:fs';
import { InvalidParameter } from '../errdefs/index.js';
import { decompress, type LayerSource } from './decompress.js';
import { extractTar } from './extract.js';
import {
  assertsDirectory,
  goBase,
  goClean,
  goFileMode,
  goTimeJSON,
  preserveTrailingDotOrSeparator,
} from './go-paths.js';
import { resolveInRoot } from './resolve-in-root.js';
import { type OwnerMap, type TarRoot, tarEntries } from './tar-tree.js';
import { type Dir, FsView, PathError, type ViewMount } from './view.js';

/** What Docker's container path stat (the `X-Docker-Container-Path-Stat` header) says about a path. */
export interface PathInfo {
  name: string;
  size: number;
  /** Go's os.FileMode bits. */
  mode: number;
  /** RFC 3339 with nanoseconds. */
  mtime: string;
  /** For a symlink: where it leads, as a path inside the root. */
  linkTarget: string;
}

/** A bind mount over the root: `dest` as configured (resolved in the root by open), showing the host's `source`. */
export interface TreeMount {
  dest: string;
  source: string;
  rw: boolean;
}

export interface ExtractIntoOptions {
  /** Refuse replacing a directory with a non-directory or the other way round (Docker's noOverwriteDirNonDir). */
  noOverwriteDirNonDir: boolean;
  /** The owner of every entry (copyUIDGID), asked once the destination is known to be writable; none: each entry's. */
  owner?: () => Promise<{ uid: number; gid: number }>;
  /** Nothing may be written outside the read-write bind mounts (HostConfig.ReadonlyRootfs). */
  readOnlyRoot: boolean;
  /** Each entry's own owner translated to the host's ids (a remapped container's); also applied to `owner`. */
  mapOwner?: (owner: { uid: number; gid: number }) => { uid: number; gid: number };
}

type Located =
  | { kind: 'dir'; dir: Dir; st: BigIntStats }
  | { kind: 'entry'; parent: Dir; name: string; st: BigIntStats };

export class RootTree {
  private constructor(private readonly view: FsView) {}

  /**
   * Opens the tree rooted at the host directory `root` with `mounts` over it; later mounts at the same (resolved)
   * destination win. A mount whose source does not exist is left out.
   */
  static async open(root: string, mounts: readonly TreeMount[]): Promise<RootTree> {
    const resolved = new Map<string, ViewMount>();
    for (const m of mounts) {
      const dest = await resolveInRoot(root, m.dest).catch(() => goClean(m.dest));
      resolved.set(dest, { ...m, dest });
    }
    return new RootTree(await FsView.open(root, [...resolved.values()]));
  }

  /** Closes every descriptor, also those of an archive still being read. */
  close(): Promise<void> {
    return this.view.close();
  }

  /** os.Lstat of `path` inside the root (a final symlink followed only when the path asserts a directory). */
  async stat(path: string): Promise<PathInfo> {
    const found = await this.locate(path);
    await (found.kind === 'dir' ? found.dir : found.parent).release();
    return this.pathInfo(path, found.st);
  }

  /**
   * The tar `docker cp` downloads for `path` (moby's TarWithOptions with a rebase) and its stat. The archive holds
   * descriptors until it ends or the tree is closed.
   */
  async archive(path: string, owners?: OwnerMap): Promise<{ info: PathInfo; tar: AsyncGenerator<Buffer> }> {
    // moby: filepath.Join("/", path) with a trailing "/" or "/." kept (it asks to follow a final symlink, and "/."
    // names the directory's contents).
    const absPath = preserveTrailingDotOrSeparator(goClean(`/${path}`), path);
    const found = await this.locate(absPath);
    const held = found.kind === 'dir' ? found.dir : found.parent;
    let info: PathInfo;
    try {
      info = await this.pathInfo(absPath, found.st);
    } catch (e) {
      await held.release();
      throw e;
    }
    // The entries are named from the path's base ("etc", or "." for "/etc/.", or "/" for the root).
    const name = goBase(absPath);
    let root: TarRoot;
    if (found.kind === 'dir') root = { kind: 'dir', dir: found.dir, name };
    else if (found.st.isDirectory()) {
      try {
        root = { kind: 'dir', dir: await this.view.openDir(found.parent, found.name), name };
      } finally {
        await found.parent.release();
      }
    } else root = { kind: 'entry', parent: found.parent, name: found.name, archiveName: name };
    const view = this.view;
    async function* entries(): AsyncGenerator<Buffer> {
      try {
        yield* tarEntries(view, root, owners);
      } finally {
        await (root.kind === 'dir' ? root.dir : root.parent).release();
      }
    }
    return { info, tar: entries() };
  }

  /** Extracts the tar (plain or gzip) `source` into the directory `path` names (moby's archive.Unpack for cp). */
  async extract(path: string, source: LayerSource, opts: ExtractIntoOptions): Promise<void> {
    // moby: filepath.EvalSymlinks(filepath.Join("/", path)) — the final symlink too, so a link to a directory works.
    const shown = goClean(`/${path}`);
    const r = await this.view.resolve(this.view.root, shown, {
      followFinal: true,
      above: 'clamp',
      missing: 'fail',
      shown,
    });
    if (r.kind !== 'dir') {
      if (r.kind === 'entry') {
        const st = await this.view.lstat(r.parent, r.name);
        await r.parent.release();
        if (st) throw new InvalidParameter('extraction point is not a directory');
      }
      throw new PathError('lstat', path, 'ENOENT');
    }
    const dest = r.dir;
    try {
      // moby's checkWritablePath: a bind mount decides for paths in it, the root's read-only flag for the rest.
      if (dest.mount) {
        if (!dest.mount.rw) throw new InvalidParameter('mounted volume is marked read-only');
      } else if (opts.readOnlyRoot) throw new InvalidParameter('container rootfs is marked read-only');
      const given = await opts.owner?.();
      const chown = given && opts.mapOwner ? opts.mapOwner(given) : given;
      const { stream } = await decompress(source);
      await extractTar(this.view, dest, stream, {
        noOverwriteDirNonDir: opts.noOverwriteDirNonDir,
        chown,
        ...(opts.mapOwner ? { mapOwner: opts.mapOwner } : {}),
        shown: dest.ctr,
        readOnlyRootfs: opts.readOnlyRoot,
      });
    } finally {
      await dest.release();
    }
  }

  /** The node `p` names (os.Lstat inside the root); the caller releases what it holds. */
  private async locate(p: string): Promise<Located> {
    const view = this.view;
    const asserts = assertsDirectory(p);
    const r = await view.resolve(view.root, p, { followFinal: asserts, above: 'clamp', missing: 'fail', shown: p });
    if (r.kind === 'missing') throw new PathError('lstat', p, 'ENOENT');
    if (r.kind === 'dir') return { kind: 'dir', dir: r.dir, st: await r.dir.fh.stat({ bigint: true }) };
    const st = await view.lstat(r.parent, r.name).catch(async (e: unknown) => {
      await r.parent.release();
      throw e;
    });
    if (!st || (asserts && !st.isDirectory())) {
      await r.parent.release();
      throw new PathError('lstat', p, st ? 'ENOTDIR' : 'ENOENT');
    }
    return { kind: 'entry', parent: r.parent, name: r.name, st };
  }

  /** The PathInfo of what `p` named; for a symlink, linkTarget is where it leads in the root (moby's Stat). */
  private async pathInfo(p: string, st: BigIntStats): Promise<PathInfo> {
    let linkTarget = '';
    if (st.isSymbolicLink()) {
      // symlink.FollowSymlinkInScope(path, "/"): every link followed, a missing rest appended as it is.
      const clean = goClean(`/${p}`);
      const r = await this.view.resolve(this.view.root, clean, {
        followFinal: true,
        above: 'clamp',
        missing: 'lenient',
        shown: clean,
      });
      if (r.kind === 'dir') {
        linkTarget = r.dir.ctr;
        await r.dir.release();
      } else if (r.kind === 'entry') {
        linkTarget = r.parent.childCtr(r.name);
        await r.parent.release();
      } else linkTarget = r.ctr;
    }
    return {
      name: goBase(p),
      size: Number(st.size),
      mode: goFileMode(st),
      mtime: goTimeJSON(st.mtimeNs),
      linkTarget,
    };
  }
}
