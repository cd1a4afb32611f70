// Extraction of a `docker cp` upload into a directory of a live root filesystem (moby's archive.Unpack as the copy API uses
// it): names are cleaned and kept below the directory, which also acts as `/` for symlinks met on the way (an
// absolute link restarts there, a relative one may not climb above it), hard links must point inside it, what is in
// the way is replaced (unless noOverwriteDirNonDir forbids swapping a directory and a non-directory), `.wh.` names are
// ordinary files, and every change goes through descriptors of the view (never a path the kernel could walk out of).
import { constants as fsc } from 'node:fs';
import {
  chmod,
  type FileHandle,
  lchown,
  link,
  lutimes,
  mkdir,
  open,
  readFile,
  symlink,
  utimes,
} from 'node:fs/promises';
import { posix } from 'node:path';
import { Conflict, errnoCode, InvalidParameter } from '../errdefs/index.js';
import { LibcError, lsetxattr, mknod } from '../sys/ffi-libc.js';
import { deviceNode } from './device-node.js';
import { writeBody } from './write-body.js';
import { cleanEntryName } from './scoped-resolver.js';
import { readTar, type TarHeader } from './tar.js';
import { type Dir, ESCAPE, type FsView, O_PATH, PathError, pathError } from './view.js';

export interface ExtractOptions {
  noOverwriteDirNonDir: boolean;
  /** The owner of every entry (copyUIDGID with a container user); undefined: each entry's own. */
  chown?: { uid: number; gid: number };
  /** Each entry's own owner translated (a container's user-namespace mapping: ids inside → ids on the host). */
  mapOwner?: (owner: { uid: number; gid: number }) => { uid: number; gid: number };
  /** The extraction directory as the request named it, for messages. */
  shown: string;
  /** HostConfig.ReadonlyRootfs: nothing may be written outside the container's read-write bind mounts. */
  readOnlyRootfs: boolean;
}

/** Docker's (Go's) %q for the names in its messages. */
const q = (s: string) => JSON.stringify(s);

/** The parent directories of entries, held open (a few at a time) so a tree of files does not walk each path anew. */
class Parents {
  private readonly cache = new Map<string, Dir>();
  private static readonly MAX = 64;

  constructor(
    private readonly view: FsView,
    private readonly dest: Dir,
    private readonly writable: (dir: Dir, name: string) => boolean,
  ) {}

  /** The directory `rel` (relative to the destination), retained for the caller; missing ones are created. */
  async get(rel: string, entry: string, create = true): Promise<Dir> {
    const hit = this.cache.get(rel);
    if (hit) {
      this.cache.delete(rel);
      this.cache.set(rel, hit);
      return hit.retain();
    }
    const r = await this.view.resolve(this.dest, rel, {
      followFinal: true,
      above: 'refuse',
      missing: create ? 'create' : 'fail',
      mayCreate: (parent) => this.writable(parent, ''),
      // Implied directories: 0755 whatever the umask, owned by root (moby's createImpliedDirectories).
      created: (d) => d.fh.chmod(0o755),
      shown: entry,
    });
    if (r.kind === 'entry') {
      await r.parent.release();
      throw new PathError('mkdir', posix.join(this.dest.ctr, rel), 'ENOTDIR');
    }
    if (r.kind !== 'dir') throw new PathError('lstat', posix.join(this.dest.ctr, rel), 'ENOENT');
    this.cache.set(rel, r.dir);
    if (this.cache.size > Parents.MAX) {
      const [oldest, d] = this.cache.entries().next().value as [string, Dir];
      this.cache.delete(oldest);
      await d.release();
    }
    return r.dir.retain();
  }

  /** Forgets every resolution: a directory or symlink was replaced, so a path may now lead elsewhere. */
  async invalidate(): Promise<void> {
    const all = [...this.cache.values()];
    this.cache.clear();
    for (const d of all) await d.release();
  }
}

/** Extracts the (uncompressed) tar `source` into `dest`. */
export async function extractTar(
  view: FsView,
  dest: Dir,
  source: AsyncIterable<Buffer>,
  opts: ExtractOptions,
): Promise<void> {
  // What a bind mount says for paths in it (a read-only one's source must stay untouched), the rootfs flag elsewhere.
  const writable = (dir: Dir, name: string) => {
    const m = (name === '' ? undefined : view.mountAt(dir.childCtr(name))) ?? dir.mount;
    return m ? m.rw : !opts.readOnlyRootfs;
  };
  const parents = new Parents(view, dest, writable);
  const dirs: { rel: string; mtime: number }[] = [];
  try {
    for await (const { header, body } of readTar(source)) {
      // Docker's rule, as for layers: an absolute name is under the directory, a relative one may not climb out.
      const rel = cleanEntryName(header.name);
      if (rel === '') continue;
      const parent = await parents.get(posix.dirname(rel), header.name);
      try {
        const name = posix.basename(rel);
        if (!writable(parent, name)) throw new PathError('open', parent.childCtr(name), 'EROFS');
        await extractEntry(view, parents, dest, parent, name, rel, header, body, opts);
      } finally {
        await parent.release();
      }
      if (header.type === 'directory') dirs.push({ rel, mtime: header.mtime });
    }
    // Directory times last: creating entries inside them changed them (as moby does, in archive order).
    for (const { rel, mtime } of dirs) {
      let parent: Dir;
      try {
        parent = await parents.get(posix.dirname(rel), rel, false);
      } catch (e) {
        if (e instanceof PathError && (e.code === 'ENOENT' || e.code === 'ENOTDIR')) continue; // replaced since
        throw e;
      }
      try {
        const name = posix.basename(rel);
        // A mount point's path is its source's descriptor link: that one is followed (to the source itself).
        const set = view.mountAt(parent.childCtr(name)) ? utimes : lutimes;
        await set(view.hostPath(parent, name), mtime, mtime).catch((e: unknown) => {
          if (errnoCode(e) !== 'ENOENT') throw pathError(e, 'chtimes', parent.childCtr(name));
        });
      } finally {
        await parent.release();
      }
    }
  } finally {
    await parents.invalidate();
  }
}

async function extractEntry(
  view: FsView,
  parents: Parents,
  dest: Dir,
  parent: Dir,
  name: string,
  rel: string,
  h: TarHeader,
  body: AsyncIterable<Buffer>,
  opts: ExtractOptions,
): Promise<void> {
  const ctr = parent.childCtr(name);
  const at = parent.child(name);
  const isDir = h.type === 'directory';
  /** Makes way for the entry (moby: remove what is there, unless both are directories); true if a dir stays. */
  const clear = async (): Promise<boolean> => {
    const existing = await view.lstat(parent, name);
    if (!existing) return false;
    if (opts.noOverwriteDirNonDir && existing.isDirectory() && !isDir) {
      throw new Conflict(`cannot overwrite directory ${q(rel)} with non-directory ${q(opts.shown)}`);
    }
    if (opts.noOverwriteDirNonDir && !existing.isDirectory() && isDir) {
      throw new Conflict(`cannot overwrite non-directory ${q(rel)} with directory ${q(opts.shown)}`);
    }
    if (existing.isDirectory() && isDir) return true;
    await view.removeAll(parent, name);
    if (existing.isDirectory() || existing.isSymbolicLink()) await parents.invalidate();
    return false;
  };
  const owner = opts.chown ?? (opts.mapOwner ?? ((o) => o))({ uid: h.uid, gid: h.gid });
  const fail = (op: string) => (e: unknown) => Promise.reject(pathError(e, op, ctr));
  if (h.type === 'file') {
    await extractFile(view, parent, name, h, body, owner, clear);
    return;
  }
  const dirStays = await clear();

  switch (h.type) {
    case 'directory': {
      if (!dirStays) await mkdir(at, { mode: 0o700 }).catch(fail('mkdir'));
      const d = await view.openDir(parent, name);
      try {
        await d.fh.chown(owner.uid, owner.gid).catch(fail('lchown'));
        await setXattrs(view.hostPath(parent, name), h, ctr);
        await d.fh.chmod(h.mode & 0o7777).catch(fail('chmod'));
      } finally {
        await d.release();
      }
      return;
    }
    case 'symlink':
      // The target is data, stored verbatim: it is only ever followed as inside the container (moby's os.Root).
      await symlink(h.linkname, at).catch(fail('symlink'));
      await lchown(at, owner.uid, owner.gid).catch(fail('lchown'));
      await setXattrs(at, h, ctr);
      await lutimes(at, h.mtime, h.mtime).catch(fail('lchtimes'));
      return;
    case 'link': {
      const source = await hardlinkSource(view, dest, rel, h.linkname);
      try {
        await link(source.parent.child(source.name), at).catch(fail('link'));
      } finally {
        await source.parent.release();
      }
      await lchown(at, owner.uid, owner.gid).catch(fail('lchown'));
      await setXattrs(at, h, ctr);
      if (!source.isSymlink) {
        await chmodNoFollow(at, h.mode & 0o7777, ctr);
        await lutimes(at, h.mtime, h.mtime).catch(fail('chtimes'));
      }
      return;
    }
    case 'char':
    case 'block':
    case 'fifo': {
      const node = deviceNode(h);
      await mknod(at, node.mode, node.dev).catch((e: unknown) => {
        throw pathError(e, 'mknod', ctr);
      });
      await lchown(at, owner.uid, owner.gid).catch(fail('lchown'));
      await setXattrs(at, h, ctr);
      await chmodNoFollow(at, h.mode & 0o7777, ctr);
      await lutimes(at, h.mtime, h.mtime).catch(fail('chtimes'));
      return;
    }
  }
}

/**
 * A regular file: created exclusively and without following a symlink, so what is in the way is only looked at
 * (and removed) when the create finds something there — most uploads land on nothing.
 */
async function extractFile(
  view: FsView,
  parent: Dir,
  name: string,
  h: TarHeader,
  body: AsyncIterable<Buffer>,
  owner: { uid: number; gid: number },
  clear: () => Promise<boolean>,
): Promise<void> {
  const ctr = parent.childCtr(name);
  const at = parent.child(name);
  const fail = (op: string) => (e: unknown) => Promise.reject(pathError(e, op, ctr));
  const flags = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW;
  // A mount point is never created over (clear() refuses it, as the kernel's EBUSY would).
  if (view.mountAt(ctr)) await clear();
  let fh: FileHandle;
  try {
    fh = await open(at, flags, h.mode & 0o777).catch(async (e: unknown) => {
      if (errnoCode(e) !== 'EEXIST') throw e;
      await clear();
      return open(at, flags, h.mode & 0o777);
    });
  } catch (e) {
    throw pathError(e, 'open', ctr);
  }
  try {
    await writeBody(fh, body);
    // chown before xattrs (it clears security.capability) and before chmod (it clears setuid/setgid); the chmod
    // only when the create's mode could not already be the final one.
    await fh.chown(owner.uid, owner.gid).catch(fail('lchown'));
    await setXattrs(at, h, ctr);
    if ((h.mode & 0o7000) !== 0 || (h.mode & (await getUmask())) !== 0) {
      await fh.chmod(h.mode & 0o7777).catch(fail('chmod'));
    }
    await fh.utimes(h.mtime, h.mtime).catch(fail('chtimes'));
  } finally {
    await fh.close();
  }
}

let umask: Promise<number> | undefined;
/** The process umask, read once from /proc (process.umask() without arguments is deprecated). */
function getUmask(): Promise<number> {
  umask ??= readFile('/proc/self/status', 'utf8').then(
    (s) => Number.parseInt(/^Umask:\s*([0-7]+)/m.exec(s)?.[1] ?? '777', 8),
    () => 0o777,
  );
  return umask;
}

/**
 * Where a hard link entry points: a name inside the destination (an absolute target is taken from there, as moby's
 * resolveHardlinkTarget), which must exist and not be a directory or a mount point. The parent is retained.
 */
async function hardlinkSource(
  view: FsView,
  dest: Dir,
  rel: string,
  linkname: string,
): Promise<{ parent: Dir; name: string; isSymlink: boolean }> {
  const refuse = (why: string) => new InvalidParameter(`invalid hardlink ${q(rel)} -> ${q(linkname)}: ${why}`);
  const cleaned = posix.normalize(linkname.replace(/^\/+/, '')).replace(/\/+$/, '');
  if (cleaned === '.' || cleaned === '' || cleaned === '..' || cleaned.startsWith('../')) {
    throw refuse('the target is outside the extraction directory');
  }
  let r: Awaited<ReturnType<FsView['resolve']>>;
  try {
    r = await view.resolve(dest, cleaned, { followFinal: false, above: 'refuse', missing: 'fail', shown: linkname });
  } catch (e) {
    if (!(e instanceof PathError)) throw e;
    if (e.code === ESCAPE) throw refuse('the target is outside the extraction directory');
    if (e.code === 'ENOENT') throw refuse('the target does not exist');
    throw refuse(`resolving the target: ${e.message}`);
  }
  if (r.kind !== 'entry') {
    if (r.kind === 'dir') await r.dir.release();
    throw refuse('the target is a directory');
  }
  const done = async (e: Error) => {
    await r.parent.release();
    return e;
  };
  if (view.mountAt(r.parent.childCtr(r.name))) throw await done(refuse('the target is a mount point'));
  const st = await view.lstat(r.parent, r.name);
  if (!st) throw await done(refuse('the target does not exist'));
  if (st.isDirectory()) throw await done(refuse('the target is a directory'));
  return { parent: r.parent, name: r.name, isSymlink: st.isSymbolicLink() };
}

/** chmod of the node itself, never of what a symlink swapped in would point to (an O_PATH descriptor's /proc link). */
async function chmodNoFollow(at: string, mode: number, ctr: string): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await open(at, O_PATH | fsc.O_NOFOLLOW);
  } catch (e) {
    throw pathError(e, 'chmod', ctr);
  }
  try {
    if ((await fh.stat()).isSymbolicLink()) return;
    await chmod(`/proc/self/fd/${fh.fd}`, mode).catch((e: unknown) => Promise.reject(pathError(e, 'chmod', ctr)));
  } finally {
    await fh.close();
  }
}

/** The entry's extended attributes; as moby, a filesystem refusing them (EPERM, ENOTSUP) is not an error. */
async function setXattrs(at: string, h: TarHeader, ctr: string): Promise<void> {
  for (const [name, value] of h.xattrs) {
    if (name.startsWith('trusted.overlay.')) continue; // never steer the overlay from an upload
    try {
      await lsetxattr(at, name, value);
    } catch (e) {
      if (e instanceof LibcError && (e.code === 'EPERM' || e.code === 'ENOTSUP')) continue;
      throw pathError(e, 'lsetxattr', ctr);
    }
  }
}
